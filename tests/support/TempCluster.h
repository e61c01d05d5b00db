#pragma once

#include "PgConnection.h"
#include "Stack.h"

#include <QString>

namespace lifeboat::test {

/// A throwaway PostgreSQL cluster: initdb into a temp dir, scram passwords, a free port on
/// 127.0.0.1, fsync off. Runs the server binaries as `postgres` when the tests run as root.
/// It stops and removes itself in its destructor; a watchdog process does the same if the test
/// process dies without running destructors (a crash, SIGKILL from a timeout).
class TempCluster
{
public:
    struct Options
    {
        QString superuser = QStringLiteral("postgres");
        QString baseDir;   ///< Where the cluster folder goes; default: the system temp dir.
        bool keep = false; ///< Leave it running and on disk (the demo stack).
        /// A second Unix socket directory besides the cluster's own folder (say, libpq's default).
        QString extraSocketDir;
    };

    TempCluster();
    explicit TempCluster(Options options);
    ~TempCluster();
    TempCluster(const TempCluster &) = delete;
    TempCluster &operator=(const TempCluster &) = delete;

    /// initdb and start. False with `error` set when anything fails.
    bool start(QString *error);
    /// Fast shutdown; the folder stays until destruction.
    void stop();
    /// Starts a stopped cluster again on the same port.
    bool restart(QString *error);
    bool isRunning() const;

    int port() const { return m_port; }
    QString host() const { return QStringLiteral("127.0.0.1"); }
    QString superuser() const { return m_options.superuser; }
    /// One random password shared by every login role the tests create.
    QString password() const { return m_password; }
    QString dir() const { return m_dir; }
    QString dataDir() const;
    /// A 0600 libpq password file for this cluster (for tools started by tests).
    QString pgpassFile() const;

    ConnectionInfo connection(const QString &database = QStringLiteral("postgres"), const QString &user = {}) const;
    /// postgresql://user@127.0.0.1:port/db — no password in it.
    QString uri(const QString &database = QStringLiteral("postgres"), const QString &user = {}) const;
    PgConnection connect(const QString &database = QStringLiteral("postgres"), const QString &user = {}) const;
    /// Runs SQL as the superuser; false with `error` set on failure.
    bool exec(const QString &sql, QString *error = nullptr, const QString &database = QStringLiteral("postgres")) const;

    /// The newest PostgreSQL server binaries on this machine (LIFEBOAT_PG_BINDIR overrides).
    static QString binDir();

private:
    bool runServerTool(const QStringList &command, QString *output) const;
    bool startServer(QString *error);
    void startWatchdog();

    Options m_options;
    QString m_dir;
    QString m_password;
    int m_port = 0;
    bool m_running = false;
};

} // namespace lifeboat::test
