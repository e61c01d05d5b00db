#include "StackService.h"

#include "StackScanner.h"
#include "StatusProbe.h"
#include "WorkerThreads.h"

#include <QSet>
#include <QtConcurrent/QtConcurrentRun>

namespace lifeboat {

StackService::StackService(StackCatalog *catalog, SecretStore *secrets, QObject *parent)
    : QObject(parent)
    , m_catalog(catalog)
    , m_secrets(secrets)
{}

void StackService::makeIdsUnique(QList<Stack> &stacks)
{
    QSet<QString> taken;
    for (Stack &s : stacks) {
        const QString base = s.id;
        for (int n = 2; taken.contains(s.id); ++n)
            s.id = base + u'-' + QString::number(n);
        taken.insert(s.id);
    }
}

QFuture<QList<Stack>> StackService::loadStacks(const QStringList &extraRoots) const
{
    // QSettings is read here, on the caller's thread; only the disk walk goes to the pool.
    const QList<Stack> profiles = m_catalog->profiles();
    const QStringList projectDirs = m_catalog->projectDirs();
    const QStringList roots = m_catalog->scanRoots() + extraRoots;
    const QStringList hidden = m_catalog->hiddenProjectDirs();

    return QtConcurrent::run(WorkerThreads::pool(), [profiles, projectDirs, roots, hidden] {
        QList<Stack> stacks;
        QSet<QString> seenDirs(hidden.begin(), hidden.end());
        for (const QString &dir : projectDirs) {
            Stack s = StackScanner::stackFromProjectDir(dir);
            if (!seenDirs.contains(s.projectDir)) {
                seenDirs.insert(s.projectDir);
                stacks.append(s);
            }
        }
        for (const Stack &s : StackScanner::scanBlocking(roots)) {
            if (!seenDirs.contains(s.projectDir)) {
                seenDirs.insert(s.projectDir);
                stacks.append(s);
            }
        }
        stacks.append(profiles);
        makeIdsUnique(stacks);
        return stacks;
    });
}

QFuture<StackStatus> StackService::probe(const Stack &stack)
{
    if (stack.hasConfigError()) {
        return QtFuture::makeReadyFuture(StackStatus{StackStatus::State::ConfigError, stack.configError, 0});
    }
    return m_secrets->readPassword(stack.id).then(
        WorkerThreads::pool(), [stack](const SecretStore::ReadResult &stored) {
            return StatusProbe::check(
                stack.connection, Credentials::forStack(stack, stored.password), stack.wantedMajorVersion);
        });
}

QFuture<SecretStore::WriteResult> StackService::addProfile(Stack profile, const std::optional<QString> &password)
{
    if (Status saved = m_catalog->saveProfile(profile); !saved) {
        return QtFuture::makeReadyFuture(SecretStore::WriteResult{false, saved.error()});
    }
    m_catalog->sync();
    if (!password) {
        return QtFuture::makeReadyFuture(SecretStore::WriteResult{true, {}});
    }
    return m_secrets->storePassword(profile.id, *password);
}

} // namespace lifeboat
