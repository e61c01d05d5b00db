#pragma once

#include "BackupEngine.h"
#include "BackupInfo.h"
#include "BackupStore.h"
#include "RunCatalog.h"
#include "Result.h"
#include "Stack.h"

#include <QFileSystemWatcher>
#include <QFuture>
#include <QHash>
#include <QSet>
#include <QObject>

#include <memory>

namespace lifeboat {

/// The facade the window uses for backups: reads history off the GUI thread, follows the
/// backup folders on disk, runs at most one backup per stack, verifies and deletes.
class BackupService final : public QObject
{
    Q_OBJECT

public:
    /// `catalog` (optional) records every run and verification.
    explicit BackupService(RunCatalog *catalog = nullptr, QObject *parent = nullptr);
    RunCatalog *catalog() const { return m_catalog; }

    /// Where a stack's backups live: the remembered root, else the default.
    static QString rootFor(const Stack &stack, const QString &configuredRoot = {});

    /// Every backup folder of `stack` below `root`, newest first; read on the thread pool.
    QFuture<QList<BackupInfo>> listBackups(const Stack &stack, const QString &root);
    /// The same, merged with the catalog on the caller's thread: recorded verification
    /// results, and runs that failed before they made a folder.
    QFuture<QList<BackupInfo>> history(const Stack &stack, const QString &root);

    /// Starts a backup; refuses (null, `refusal` set) when the stack already has one running.
    std::shared_ptr<BackupJob> startBackup(const BackupRequest &request, QString *refusal);
    bool isRunning(const QString &stackId) const { return m_running.contains(stackId); }
    int runningCount() const { return int(m_running.size()); }
    /// The backups running now.
    QList<std::shared_ptr<BackupJob>> runningJobs() const;

    QFuture<VerifyReport> verify(const QString &backupPath);
    /// Deletes a backup folder (complete or not) and everything in it.
    QFuture<Status> remove(const QString &backupPath);

    /// Follows `<root>/<stack id>` so backups made elsewhere (lifeboat-cli) show up.
    void watch(const Stack &stack, const QString &root);

signals:
    void backupStarted(const QString &stackId, const std::shared_ptr<lifeboat::BackupJob> &job);
    void backupFinished(const QString &stackId, const lifeboat::BackupResult &result);
    /// Something changed in a watched stack's backup folder.
    void backupsChanged(const QString &stackId);

private:
    RunCatalog *m_catalog;
    QHash<QString, std::shared_ptr<BackupJob>> m_running;
    QFileSystemWatcher m_watcher;
    QHash<QString, QSet<QString>> m_watchedStacks; ///< folder -> stack ids
};

} // namespace lifeboat
