#pragma once

#include "BackupRequest.h"
#include "PgConnection.h"
#include "ToolLocator.h"
#include "ToolProcess.h"

#include <QElapsedTimer>
#include <QHash>
#include <QMutex>
#include <QProcessEnvironment>

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

namespace lifeboat {

class CsvHandoff;

/// What every exporter shares during one backup run: where to write, how to reach the
/// database in the run's snapshot, the tools, progress and cancellation. Set up by the
/// engine before exporters start; afterwards only the thread-safe members change.
class BackupContext
{
public:
    using ProgressSink = std::function<void(const QString &component, qint64 done, qint64 total, const QString &item)>;
    using LogSink = std::function<void(const QString &component, const QString &line)>;

    BackupRequest request;
    ConnectionInfo connection;
    std::optional<QString> password; ///< The credential that worked; never written anywhere but a 0600 pgpass.
    QString pgpassFile;              ///< Temporary 0600 file for child tools; empty when libpq's own sources apply.
    QString folder;                  ///< The backup's .partial folder.
    QString snapshot;                ///< pg_export_snapshot() of the holder transaction.
    int serverVersionNum = 0;
    QString serverVersion;
    PgTool pgDump, pgRestore, pgDumpAll;
    std::atomic_bool cancelled{false};

    /// Set when both database and data_csv run: the CSVs then come from the dump's COPY blocks
    /// (see CsvFromDump), so the server reads the data once.
    std::shared_ptr<CsvHandoff> csvHandoff;

    ProgressSink progressSink;
    LogSink logSink;

    /// A connection whose transaction reads the run's snapshot (REPEATABLE READ, READ ONLY),
    /// with search_path = pg_catalog so deparsed SQL is fully qualified. cancelQueries()
    /// reaches it.
    PgConnection openSnapshotConnection(QString *error) const;
    /// Sends a cancel request to every connection openSnapshotConnection() has opened in this
    /// run: a reader blocked in a query (waiting for a lock behind a migration, say) stops
    /// with an error instead of waiting on. Harmless for a connection that is idle or closed.
    void cancelQueries() const;
    /// Starts a transaction on `conn` that reads the run's snapshot, as above.
    bool joinSnapshot(const PgConnection &conn, QString *error) const;

    /// For child tools: connection settings and PGPASSFILE in the environment, never on
    /// the command line.
    QProcessEnvironment toolEnvironment() const;
    /// "host=... port=... dbname=... user=..." (no password) for --dbname.
    QString conninfo() const;
    ToolOutcome runTool(const QString &component, const PgTool &tool, const QStringList &args);

    QString absolutePath(const QString &relativePath) const;
    /// Creates the folders of `relativePath` (0700).
    bool makeParent(const QString &relativePath, QString *error) const;
    /// Writes a whole file (0600) and records it in `result`.
    bool writeFile(ComponentResult &result, const QString &relativePath, const QByteArray &data, bool secret,
                   QString *error) const;
    /// Copies a file from the project or storage folder into the backup (0600) and records it.
    bool copyFile(ComponentResult &result, const QString &source, const QString &relativePath, bool secret,
                  QString *error) const;
    /// Records a file an exporter or tool wrote itself; `sha256` and `size` when it was hashed
    /// while written (otherwise it is hashed at the end).
    void addFile(ComponentResult &result, const QString &relativePath, bool secret, const QString &sha256 = {},
                 qint64 size = 0) const;

    /// Throttled to one report per 200 ms per component, plus the final one.
    void progress(const QString &component, qint64 done, qint64 total, const QString &item = {});
    void log(const QString &component, const QString &line);
    bool isCancelled() const { return cancelled.load(); }
    /// Forgets what a run set up (folder, snapshot, credentials, tools, progress throttle), and
    /// its own stop, for another run of the same request.
    void startOver();

private:
    struct CancelFree
    {
        void operator()(PGcancel *c) const { PQfreeCancel(c); }
    };
    mutable QMutex m_cancelMutex;
    mutable std::vector<std::unique_ptr<PGcancel, CancelFree>> m_cancels;
    QMutex m_progressMutex;
    QHash<QString, qint64> m_lastProgressMs;
    QElapsedTimer m_clock;
};

/// A file name safe on every file system for an object name ("public.my/table" -> "public.my_table").
QString safeFileName(const QString &name);

/// Safe file names for the objects of one folder, each its own: two objects whose safe names
/// meet (public."a/b" and public.a_b; "Users" and "users" on a case-blind file system) get
/// "public.a_b" and "public.a_b~2", so neither overwrites the other. Give objects in a stable
/// order (the catalog's) so a backup names them the same way each time.
class FileNamer
{
public:
    QString take(const QString &objectName);

private:
    QSet<QString> m_used; // lower-cased
};

} // namespace lifeboat
