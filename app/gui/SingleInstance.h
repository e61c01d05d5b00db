#pragma once

#include "Result.h"

#include <QHash>
#include <QJsonObject>
#include <QLockFile>
#include <QObject>
#include <QPointer>

class QLocalServer;
class QLocalSocket;

namespace lifeboat {

/// One Lifeboat window per data folder (`~/.local/share/lifeboat`, where its catalog lives), as
/// a tray app should be: the autostart entry and a start from the menu, or a
/// `--startup-backup` hook while the tray app runs, must not give two tray icons, two windows
/// writing one catalog and two backups of every stack that starts.
///
/// The first start takes a lock file and listens on a local socket beside it (owner-only). A
/// later start finds the lock held, sends its request (one JSON line) to the first and prints
/// the answer (one JSON line: `code`, `message`). A killed Lifeboat leaves a stale lock and
/// socket, which the next start takes over.
class SingleInstance final : public QObject
{
    Q_OBJECT

public:
    /// `folder` empty: the data folder of the running user.
    explicit SingleInstance(const QString &folder = QString(), QObject *parent = nullptr);
    ~SingleInstance() override;

    enum class Role {
        First, ///< this process listens: requests arrive through requested()
        Later, ///< another Lifeboat runs: forward() the request to it
        Alone, ///< the lock or the socket could not be set up (see error()): run without the guard
    };
    Role claim();
    /// Stops listening and lets the lock go: a later start becomes the first.
    void release();
    QString error() const { return m_error; }
    QString socketPath() const { return m_socketPath; }

    struct Answer
    {
        int code = 0;
        QString message;
    };
    /// A later start: sends `request` and waits for the answer, blocking; meant for main() before
    /// the event loop runs. Waits `connectTimeoutMs` for the first to listen (it may have just
    /// started), then as long as the first takes to answer.
    static Result<Answer> forward(const QString &socketPath, const QJsonObject &request, int connectTimeoutMs = 5000);
    Result<Answer> forward(const QJsonObject &request, int connectTimeoutMs = 5000) const
    {
        return forward(m_socketPath, request, connectTimeoutMs);
    }

    /// Answers request `id` (once; a caller that went away is skipped).
    void answer(quint64 id, const Answer &answer);

signals:
    /// A later start asks for something; answer(id, ...) when done.
    void requested(quint64 id, const QJsonObject &request);

private:
    void accept();
    void read(QLocalSocket *socket);

    QString m_folder;
    QString m_socketPath;
    QString m_error;
    QLockFile m_lock;
    QLocalServer *m_server = nullptr;
    QHash<quint64, QPointer<QLocalSocket>> m_pending;
    quint64 m_nextId = 1;
};

} // namespace lifeboat
