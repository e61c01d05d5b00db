#include "SingleInstance.h"

#include <QCryptographicHash>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QLocalServer>
#include <QLocalSocket>
#include <QStandardPaths>
#include <QThread>

namespace lifeboat {

namespace {
constexpr qint64 MaxRequestBytes = 64 * 1024;
// sockaddr_un holds 108 bytes with the terminating zero.
constexpr int MaxSocketPathBytes = 100;

QByteArray line(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n';
}
} // namespace

SingleInstance::SingleInstance(const QString &folder, QObject *parent)
    : QObject(parent)
    , m_folder(folder.isEmpty()
                   ? QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QStringLiteral("/lifeboat")
                   : folder)
    , m_lock(m_folder + QStringLiteral("/lifeboat-window.lock"))
{
    m_socketPath = m_folder + QStringLiteral("/lifeboat-window.socket");
    if (QFile::encodeName(m_socketPath).size() > MaxSocketPathBytes) {
        // A deep home folder: a name of its own in the temporary folder (Qt puts it there),
        // still one per data folder and owner-only.
        const QByteArray hash = QCryptographicHash::hash(QFile::encodeName(m_folder), QCryptographicHash::Sha256);
        m_socketPath = QStringLiteral("lifeboat-window-%1").arg(QString::fromLatin1(hash.toHex().left(16)));
    }
}

SingleInstance::~SingleInstance() = default;

SingleInstance::Role SingleInstance::claim()
{
    if (!QDir().mkpath(m_folder)) {
        m_error = tr("Cannot create %1: check its parent folder's permissions.").arg(m_folder);
        return Role::Alone;
    }
    m_lock.setStaleLockTime(0); // stale only when its process is gone
    if (!m_lock.tryLock(0)) {
        if (m_lock.error() == QLockFile::LockFailedError)
            return Role::Later;
        m_error = tr("Cannot create the lock file %1: check the folder's permissions.").arg(m_lock.fileName());
        return Role::Alone;
    }
    // The lock is ours, so a socket left at the path is a killed Lifeboat's.
    QLocalServer::removeServer(m_socketPath);
    m_server = new QLocalServer(this);
    m_server->setSocketOptions(QLocalServer::UserAccessOption);
    if (!m_server->listen(m_socketPath)) {
        m_error = tr("Cannot listen on %1: %2").arg(m_socketPath, m_server->errorString());
        delete m_server;
        m_server = nullptr;
        m_lock.unlock();
        return Role::Alone;
    }
    connect(m_server, &QLocalServer::newConnection, this, &SingleInstance::accept);
    return Role::First;
}

void SingleInstance::release()
{
    if (!m_server)
        return;
    m_server->close();
    delete m_server;
    m_server = nullptr;
    m_lock.unlock();
}

void SingleInstance::accept()
{
    while (QLocalSocket *socket = m_server->nextPendingConnection()) {
        connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QLocalSocket::readyRead, this, [this, socket] { read(socket); });
        if (socket->bytesAvailable() > 0)
            read(socket);
    }
}

void SingleInstance::read(QLocalSocket *socket)
{
    if (!socket->canReadLine()) {
        if (socket->bytesAvailable() > MaxRequestBytes)
            socket->abort();
        return;
    }
    disconnect(socket, &QLocalSocket::readyRead, this, nullptr); // one request per connection
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(socket->readLine(MaxRequestBytes), &parseError);
    const quint64 id = m_nextId++;
    m_pending.insert(id, socket);
    if (!doc.isObject()) {
        answer(id, {2, tr("Lifeboat did not understand the request: %1").arg(parseError.errorString())});
        return;
    }
    emit requested(id, doc.object());
}

void SingleInstance::answer(quint64 id, const Answer &answer)
{
    const QPointer<QLocalSocket> socket = m_pending.take(id);
    if (!socket || socket->state() != QLocalSocket::ConnectedState)
        return;
    socket->write(
        line(QJsonObject{{QStringLiteral("code"), answer.code}, {QStringLiteral("message"), answer.message}}));
    socket->flush();
    socket->disconnectFromServer();
}

Result<SingleInstance::Answer>
SingleInstance::forward(const QString &socketPath, const QJsonObject &request, int connectTimeoutMs)
{
    QLocalSocket socket;
    const QDeadlineTimer deadline(connectTimeoutMs);
    for (;;) {
        socket.connectToServer(socketPath);
        if (socket.waitForConnected(500))
            break;
        if (deadline.hasExpired())
            return Error{tr("Another Lifeboat is running but does not answer on %1 (%2). Quit it, or end its process "
                            "if it hangs, and start Lifeboat again.")
                             .arg(socketPath, socket.errorString())};
        socket.abort();
        QThread::msleep(100); // it may have just started and not listen yet
    }
    socket.write(line(request));
    if (!socket.waitForBytesWritten(connectTimeoutMs))
        return Error{tr("Could not reach the running Lifeboat: %1").arg(socket.errorString())};
    // The answer may take as long as the request: a startup backup that is waited for.
    while (!socket.canReadLine() && socket.waitForReadyRead(-1)) {
    }
    if (!socket.canReadLine())
        return Error{tr("The running Lifeboat ended before it answered.")};
    const QJsonObject reply = QJsonDocument::fromJson(socket.readLine(MaxRequestBytes)).object();
    return Answer{reply.value(QStringLiteral("code")).toInt(1), reply.value(QStringLiteral("message")).toString()};
}

} // namespace lifeboat
