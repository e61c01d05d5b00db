#include "SecretStore.h"

#include <QPromise>

#include <qt6keychain/keychain.h>

#include <memory>

namespace lifeboat {

namespace {

// Errors that mean "there is no usable keychain here", as opposed to "this entry is missing".
bool meansNoKeychain(QKeychain::Error e)
{
    return e == QKeychain::NoBackendAvailable || e == QKeychain::NotImplemented || e == QKeychain::OtherError
        || e == QKeychain::AccessDenied || e == QKeychain::AccessDeniedByUser;
}

} // namespace

SecretStore::SecretStore(const QString &service, QObject *parent)
    : QObject(parent)
    , m_service(service)
{}

QString SecretStore::keyFor(const QString &stackId)
{
    return QStringLiteral("stack/") + stackId;
}

QFuture<SecretStore::ReadResult> SecretStore::readPassword(const QString &stackId)
{
    if (auto it = m_sessionOnly.constFind(stackId); it != m_sessionOnly.cend())
        return QtFuture::makeReadyFuture(ReadResult{*it, {}});

    auto promise = std::make_shared<QPromise<ReadResult>>();
    promise->start();
    auto *job = new QKeychain::ReadPasswordJob(m_service, this);
    job->setAutoDelete(true);
    job->setKey(keyFor(stackId));
    connect(job, &QKeychain::Job::finished, this, [this, promise](QKeychain::Job *j) {
        auto *read = static_cast<QKeychain::ReadPasswordJob *>(j);
        ReadResult result;
        if (read->error() == QKeychain::NoError) {
            result.password = read->textData();
            m_unavailable = false;
        } else if (read->error() != QKeychain::EntryNotFound) {
            m_unavailable = meansNoKeychain(read->error());
            result.keychainProblem = tr("The keychain could not be read (%1).").arg(read->errorString());
        }
        promise->addResult(result);
        promise->finish();
    });
    job->start();
    return promise->future();
}

QFuture<SecretStore::WriteResult> SecretStore::storePassword(const QString &stackId, const QString &password)
{
    auto promise = std::make_shared<QPromise<WriteResult>>();
    promise->start();
    auto *job = new QKeychain::WritePasswordJob(m_service, this);
    job->setAutoDelete(true);
    job->setKey(keyFor(stackId));
    job->setTextData(password);
    connect(job, &QKeychain::Job::finished, this, [this, promise, stackId, password](QKeychain::Job *j) {
        WriteResult result;
        if (j->error() == QKeychain::NoError) {
            m_sessionOnly.remove(stackId);
            m_unavailable = false;
            result.persisted = true;
        } else {
            m_unavailable = meansNoKeychain(j->error());
            m_sessionOnly.insert(stackId, password);
            result.message = tr("No keychain could store the password of \"%1\" (%2). It is kept for this session "
                                "only. Start a Secret Service (GNOME Keyring, KWallet) to save it, or put it in "
                                "~/.pgpass.")
                                 .arg(stackId, j->errorString());
        }
        promise->addResult(result);
        promise->finish();
    });
    job->start();
    return promise->future();
}

QFuture<Status> SecretStore::removePassword(const QString &stackId)
{
    m_sessionOnly.remove(stackId);
    auto promise = std::make_shared<QPromise<Status>>();
    promise->start();
    auto *job = new QKeychain::DeletePasswordJob(m_service, this);
    job->setAutoDelete(true);
    job->setKey(keyFor(stackId));
    connect(job, &QKeychain::Job::finished, this, [promise, stackId](QKeychain::Job *j) {
        // Where no keychain exists nothing can be stored in one, so there is nothing to remove.
        if (j->error() == QKeychain::NoError || j->error() == QKeychain::EntryNotFound || meansNoKeychain(j->error()))
            promise->addResult(success());
        else
            promise->addResult(Status(Error{tr("Could not remove the password of \"%1\" from the keychain: %2")
                                                .arg(stackId, j->errorString())}));
        promise->finish();
    });
    job->start();
    return promise->future();
}

} // namespace lifeboat
