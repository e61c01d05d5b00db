#pragma once

#include "Credentials.h"
#include "RestoreTypes.h"

#include <QFuture>
#include <QObject>

#include <memory>

namespace lifeboat {

class BackupJob;
struct RestoreState;

/// What a restore run needs besides its plan.
struct RestoreRun
{
    RestorePlan plan;
    Credentials credentials;
    bool verified = false; ///< the caller has just verified the backup's checksums
    QString logDir;        ///< empty: $XDG_DATA_HOME/lifeboat/restore-logs
};

/// One running restore. Signals arrive on the thread that started it; `future()` carries the
/// overall progress (0..1000) and the report.
class RestoreJob final : public QObject
{
    Q_OBJECT

public:
    ~RestoreJob() override;

    QFuture<RestoreReport> future() const;
    const RestorePlan &plan() const;
    /// Stops between steps, and inside a step by interrupting its tool: the open transaction
    /// rolls back.
    void cancel();

signals:
    void stepChanged(int index, const lifeboat::StepOutcome &outcome);
    void logLine(const QString &line);
    /// A line of the log a person should see even where the log is not shown (a wait).
    void notice(const QString &line);
    /// The safety backup started; its job reports its own progress.
    void safetyBackupStarted(const std::shared_ptr<lifeboat::BackupJob> &job);

private:
    friend class RestoreRunner;
    RestoreJob() = default;
    std::shared_ptr<RestoreState> m_state;
};

/// Runs a plan: verifies the backup, takes the safety backup (a normal Lifeboat backup of the
/// target, noted "before restore of ..."), then runs the plan's script, the same text that
/// "Save as script" writes, and follows its step markers. Never blocks the caller's thread.
class RestoreRunner
{
public:
    static std::shared_ptr<RestoreJob> start(RestoreRun run);
};

} // namespace lifeboat
