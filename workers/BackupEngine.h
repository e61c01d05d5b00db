#pragma once

#include "BackupRequest.h"
#include "BackupTypes.h"

#include <QFuture>
#include <QObject>

#include <atomic>
#include <memory>

namespace lifeboat {

class BackupContext;

/// One running backup. Signals arrive on the thread that started it (queued from the
/// workers); `future()` carries the overall progress (0..1000) and the result.
class BackupJob final : public QObject
{
    Q_OBJECT

public:
    ~BackupJob() override;

    QFuture<BackupResult> future() const { return m_future; }
    /// Stops child processes and COPY connections promptly; the run ends as Cancelled and
    /// leaves no complete-looking folder.
    void cancel();
    bool isCancelRequested() const { return m_userCancelled.load(); }
    /// The stack being backed up.
    const Stack &stack() const;

signals:
    void componentProgress(const QString &component, qint64 done, qint64 total, const QString &item);
    void componentFinished(const lifeboat::ComponentResult &result);
    void logLine(const QString &component, const QString &line);
    /// The run stopped to let a migration through and starts again from the first component,
    /// into a new folder; `reason` says so. Components report from zero again; the future's
    /// overall value goes on from where it was.
    void restarted(const QString &reason);

private:
    friend class BackupEngine;
    BackupJob() = default;

    QFuture<BackupResult> m_future;
    std::shared_ptr<BackupContext> m_context;
    std::atomic_bool m_userCancelled{false};
};

/// Runs a comprehensive backup: every selected component from one consistent snapshot,
/// written into `<root>/<stack id>/<YYYYMMDD-HHMMSS>.partial/`, checksummed, then renamed to
/// its final name only after the manifest is on disk. Never blocks the caller's thread.
class BackupEngine
{
public:
    /// Starts a run on a thread of its own; the job is deleted (deleteLater) when the caller
    /// drops it and the run ended. A run still going when the application object is
    /// destroyed is cancelled and waited for there.
    static std::shared_ptr<BackupJob> start(const BackupRequest &request);

    /// The default backup root: `<project>/supabase_backups` for projects (as users of the
    /// old script expect), else `$XDG_DATA_HOME/lifeboat/backups`.
    static QString defaultOutputRoot(const Stack &stack);

    /// How much of the overall progress (the future's value) a component is worth; the
    /// overall value is 990 times the weighted mean of the components' fractions until the
    /// manifest is written.
    static int componentWeight(const QString &component);
};

} // namespace lifeboat
