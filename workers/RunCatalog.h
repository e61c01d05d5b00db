#pragma once

#include "BackupInfo.h"
#include "BackupRequest.h"
#include "BackupStore.h"
#include "Result.h"

#include <QDateTime>
#include <QList>
#include <QString>

namespace lifeboat {

/// Lifeboat's own records in SQLite (Qt Sql, QSQLITE): the stacks it knows, every backup run
/// with its outcome (also failed runs that left no folder), and verification results. It is
/// an index, not the truth: when the file is missing or damaged it is recreated and rebuilt
/// from the manifests on disk, and folders added or removed by hand are picked up by sync().
/// Used from one thread (the GUI's or the CLI's).
class RunCatalog
{
public:
    struct Run
    {
        QString stackId;
        QString path;       ///< Empty for a run that left no folder.
        QString outcome;    ///< "complete", "failed", "cancelled", "incomplete"
        QString message;
        QDateTime startedAt;
        qint64 durationMs = 0;
        qint64 size = 0;
    };
    struct Verification
    {
        QDateTime at;
        bool ok = false;
        QStringList problems;
    };

    /// Opens (or creates) `<dataDir>/catalog.sqlite`; default: XDG data folder.
    explicit RunCatalog(const QString &file = {});
    ~RunCatalog();
    RunCatalog(const RunCatalog &) = delete;
    RunCatalog &operator=(const RunCatalog &) = delete;

    QString fileName() const { return m_file; }
    /// True when the file had to be recreated on opening (missing or damaged).
    bool wasRebuilt() const { return m_rebuilt; }
    QString lastError() const { return m_error; }

    void rememberStack(const Stack &stack);
    void recordBackup(const Stack &stack, const BackupResult &result);
    void recordVerification(const QString &path, const VerifyReport &report);
    std::optional<Verification> verification(const QString &path) const;

    /// Every recorded run of a stack, newest first.
    QList<Run> runs(const QString &stackId) const;
    /// Makes the index match the folders under `root` for `stackId`: adds folders it did not
    /// know, drops rows whose folder is gone (runs that never had a folder stay).
    void sync(const QString &stackId, const QList<BackupInfo> &onDisk);

private:
    bool open();
    bool createSchema();
    bool exec(const QString &sql) const;

    QString m_file;
    QString m_connection;
    bool m_rebuilt = false;
    mutable QString m_error;
};

} // namespace lifeboat
