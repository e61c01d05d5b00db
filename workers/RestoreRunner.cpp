#include "RestoreRunner.h"

#include "BackupEngine.h"
#include "BackupStore.h"
#include "ConnectionOpener.h"
#include "Futures.h"
#include "ToolLocator.h"
#include "ToolProcess.h"
#include "WorkerThreads.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMutex>
#include <QPromise>
#include <QSemaphore>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtConcurrent/QtConcurrentRun>

#include <atomic>

namespace lifeboat {

struct RestoreState
{
    RestoreRun run;
    QPromise<RestoreReport> promise;
    QFuture<RestoreReport> future;
    std::atomic_bool cancel{false};
    RestoreReport report;
    QMutex mutex;                    ///< guards report.steps while the worker runs
    QList<int> unitOf;               ///< step -> unit (a transaction group or a single step)
    QString toolDir;
    QString pgpassFile;
    std::shared_ptr<QTemporaryDir> secrets;
    QFile log;
    QPointer<RestoreJob> job;
    std::atomic_int runningStep{-1}; ///< the step the script is in, for the watcher's progress
    std::shared_ptr<BackupJob> safetyJob;
    PgConnection watcher; ///< to the target's server, for what keeps a step waiting

    void setStep(int index, StepOutcome::State s, const QString &message = {})
    {
        {
            QMutexLocker lock(&mutex);
            report.steps[index].state = s;
            if (!message.isEmpty())
                report.steps[index].message = message;
        }
        const StepOutcome o = report.steps.at(index);
        if (QPointer<RestoreJob> j = job)
            QMetaObject::invokeMethod(j, [j, index, o] { if (j) emit j->stepChanged(index, o); }, Qt::QueuedConnection);
    }
    void writeLog(const QString &line)
    {
        if (log.isOpen()) {
            log.write(line.toUtf8() + '\n');
            log.flush();
        }
        if (QPointer<RestoreJob> j = job)
            QMetaObject::invokeMethod(j, [j, line] { if (j) emit j->logLine(line); }, Qt::QueuedConnection);
    }
    void finish(RestoreReport::Outcome outcome, const QString &message)
    {
        report.outcome = outcome;
        report.message = message;
        writeLog(QStringLiteral("== %1: %2").arg(outcomeKey(outcome), message));
        log.close();
        secrets.reset(); // the password file goes now, not whenever the job object is deleted
        promise.setProgressValue(1000);
        promise.addResult(report);
        promise.finish();
    }
};

RestoreJob::~RestoreJob()
{
    if (m_state)
        m_state->cancel = true;
}

QFuture<RestoreReport> RestoreJob::future() const
{
    return m_state->future;
}

const RestorePlan &RestoreJob::plan() const
{
    return m_state->run.plan;
}

void RestoreJob::cancel()
{
    m_state->cancel = true;
    if (m_state->safetyJob)
        m_state->safetyJob->cancel();
}

namespace {

using State = RestoreState;

/// Prepares on a worker: verification, the connection, the tools, the password file.
QString prepare(State &s)
{
    const RestorePlan &plan = s.run.plan;
    if (!s.run.verified) {
        // Every file the restore reads, against the manifest (and the manifest against SHA256SUMS).
        s.writeLog(QStringLiteral("Verifying %1 ...").arg(plan.backupPath));
        const VerifyReport v = BackupStore::verify(plan.backupPath, {}, plan.filesUsed);
        if (!v.ok())
            return QStringLiteral("The backup is damaged, nothing was restored: %1. Restore from another backup.")
                .arg(v.problems.join(QStringLiteral("; ")));
        s.writeLog(QStringLiteral("Backup verified: the %1 file(s) this restore reads match their SHA-256.").arg(v.filesChecked));
    }
    ConnectionInfo server = plan.target.connection();
    if (plan.target.kind == RestoreTarget::Kind::NewDatabase)
        server.database = plan.target.stack.connection.database;
    OpenedConnection opened = openWithCredentials(server, s.run.credentials, 10, QStringLiteral("lifeboat-restore"));
    if (!opened.connection.isOpen())
        return QStringLiteral("Cannot connect to %1 as %2: %3").arg(server.displayAddress(), server.user,
                                                                    opened.connection.errorMessage());
    const int major = opened.connection.serverVersion() / 10000;
    auto pgRestore = ToolLocator::find(QStringLiteral("pg_restore"), major);
    if (!pgRestore)
        return pgRestore.error();
    s.toolDir = QFileInfo(pgRestore->path).absolutePath();
    for (const char *tool : {"psql", "pg_dump"})
        if (!QFileInfo(s.toolDir + u'/' + QLatin1String(tool)).isExecutable())
            return QStringLiteral("%1 is missing next to %2: install the PostgreSQL client package of the same version.")
                .arg(QLatin1String(tool), pgRestore->path);
    s.watcher = std::move(opened.connection);
    if (opened.password) {
        s.secrets = std::make_shared<QTemporaryDir>();
        if (!s.secrets->isValid())
            return QStringLiteral("Cannot create a private temporary folder for the password file.");
        auto file = writePasswordFile(s.secrets->path(), server, *opened.password);
        if (!file)
            return file.error();
        s.pgpassFile = file.value();
    }
    return {};
}

/// Until `done` is released: every quarter of a second, moves the bar through a step that
/// loads rows (`within(step, fraction)`), by the rows the server has counted into the target
/// so far (pg_stat_progress_copy: a table being loaded by pg_restore or psql); every two
/// seconds, looks for sessions that keep a step of the restore waiting for a lock (an editor's
/// session idle in a transaction, say) and logs each one once. Returns as soon as `done` is
/// released, so the restore's end is not delayed.
void watch(State &s, QSemaphore &done, const std::function<void(int, double)> &within)
{
    QSet<int> told;
    int step = -1;
    QHash<QPair<int, QString>, qint64> copied; // (backend, table) -> rows so far, in this step
    const QByteArray database = s.run.plan.target.connection().database.toUtf8();
    for (int tick = 1; !done.tryAcquire(1, 250); ++tick) {
        if (!s.watcher.isOpen())
            continue;
        if (const int now = s.runningStep; now != step) {
            step = now;
            copied.clear();
        }
        const qint64 rows = step >= 0 ? s.run.plan.steps.at(step).rows : 0;
        if (rows > 0) {
            PgResultPtr r = s.watcher.execParams(
                QStringLiteral("SELECT p.pid, p.relid, p.tuples_processed FROM pg_stat_progress_copy p "
                               "JOIN pg_stat_activity a ON a.pid = p.pid WHERE a.application_name = 'lifeboat-restore' "
                               "AND p.command = 'COPY FROM' AND p.datname = $1"),
                {database});
            for (int i = 0; PgConnection::succeeded(r.get()) && i < PQntuples(r.get()); ++i) {
                qint64 &n = copied[{PgConnection::value(r.get(), i, 0).toInt(), PgConnection::value(r.get(), i, 1)}];
                n = std::max(n, PgConnection::value(r.get(), i, 2).toLongLong());
            }
            qint64 sum = 0;
            for (qint64 n : std::as_const(copied))
                sum += n;
            within(step, std::min(0.99, double(sum) / double(rows)));
        }
        if (tick % 8 != 0)
            continue;
        PgResultPtr r = s.watcher.exec(QStringLiteral(
            "SELECT DISTINCT b.pid, coalesce(nullif(b.application_name, ''), b.backend_type), "
            "  coalesce(b.state, 'running'), coalesce(extract(epoch FROM now() - b.xact_start)::int, 0), "
            "  left(regexp_replace(coalesce(b.query, ''), '\\s+', ' ', 'g'), 60) "
            "FROM pg_stat_activity w CROSS JOIN LATERAL unnest(pg_blocking_pids(w.pid)) AS bp(pid) "
            "JOIN pg_stat_activity b ON b.pid = bp.pid "
            "WHERE w.application_name = 'lifeboat-restore' AND w.wait_event_type = 'Lock' "
            "AND b.application_name IS DISTINCT FROM 'lifeboat-restore' ORDER BY 1"));
        for (int i = 0; PgConnection::succeeded(r.get()) && i < PQntuples(r.get()); ++i) {
            const int pid = PgConnection::value(r.get(), i, 0).toInt();
            if (told.contains(pid))
                continue;
            told.insert(pid);
            const QString line = QStringLiteral("Waiting for pid %1 (%2, %3 for %4 s: %5), which holds what this step "
                                                "needs; the step goes on when that session ends its transaction.")
                                     .arg(pid)
                                     .arg(PgConnection::value(r.get(), i, 1),
                                          PgConnection::value(r.get(), i, 2),
                                          PgConnection::value(r.get(), i, 3),
                                          PgConnection::value(r.get(), i, 4));
            s.writeLog(line);
            if (QPointer<RestoreJob> j = s.job)
                QMetaObject::invokeMethod(
                    j,
                    [j, line] {
                        if (j)
                            emit j->notice(line);
                    },
                    Qt::QueuedConnection);
        }
    }
}

/// Runs the plan's script on a worker and follows its "@@lifeboat-step N" markers.
void runScript(State &s)
{
    const RestorePlan &plan = s.run.plan;
    QTemporaryDir work;
    if (!work.isValid())
        return s.finish(RestoreReport::Outcome::Failed, QStringLiteral("Cannot create a temporary folder for the restore script."));
    const QString scriptPath = work.filePath(QStringLiteral("restore-plan.sh"));
    QFile script(scriptPath);
    if (!script.open(QIODevice::WriteOnly) || script.write(plan.script().toUtf8()) < 0 || !script.flush())
        return s.finish(RestoreReport::Outcome::Failed, QStringLiteral("Cannot write %1: %2").arg(scriptPath, script.errorString()));
    script.close();

    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    const ConnectionInfo c = plan.target.connection();
    env.insert(QStringLiteral("PGHOST"), c.host);
    env.insert(QStringLiteral("PGPORT"), QString::number(c.port));
    env.insert(QStringLiteral("PGUSER"), c.user);
    env.insert(QStringLiteral("PGDATABASE"), c.database);
    env.insert(QStringLiteral("PGAPPNAME"), QStringLiteral("lifeboat-restore"));
    env.insert(QStringLiteral("PGCLIENTENCODING"), QStringLiteral("UTF8")); // the plan's SQL and Lifeboat's files
    if (!s.pgpassFile.isEmpty())
        env.insert(QStringLiteral("PGPASSFILE"), s.pgpassFile);
    env.insert(QStringLiteral("PATH"), s.toolDir + u':' + env.value(QStringLiteral("PATH")));
    env.insert(QStringLiteral("LIFEBOAT_VERIFIED"), QStringLiteral("1"));
    env.insert(QStringLiteral("LIFEBOAT_SAFETY_DONE"), QStringLiteral("1"));
    env.insert(QStringLiteral("LIFEBOAT_OWN_GROUP"), QStringLiteral("1")); // runTool(..., processGroup = true)

    qint64 total = 0;
    for (const RestoreStep &st : plan.steps)
        total += st.weight;
    QList<qint64> before; // weight done before each step
    qint64 acc = 0;
    for (const RestoreStep &st : plan.steps) {
        before << acc;
        acc += st.weight;
    }
    // The future's value never goes back: a late report of the step before changes nothing.
    auto progressAt = [&s, total, before](int step, double within = 0) {
        if (total > 0)
            s.promise.setProgressValue(
                int(1000 * (double(before.value(step)) + within * double(s.run.plan.steps.at(step).weight))
                    / double(total)));
    };

    int current = -1;
    QStringList errors;
    auto finishUnit = [&](int unit) {
        for (int i = 0; i < plan.steps.size(); ++i)
            if (s.unitOf.at(i) == unit && (s.report.steps.at(i).state == StepOutcome::State::Running))
                s.setStep(i, StepOutcome::State::Done);
    };
    QSemaphore scriptDone;
    QFuture<void> watching = QtConcurrent::run(WorkerThreads::pool(),
                                               [&s, &scriptDone, &progressAt] { watch(s, scriptDone, progressAt); });
    const auto outcome = runTool(
        QStringLiteral("bash"), {scriptPath}, env, s.cancel,
        [&](const QString &line) {
            if (line.startsWith(QLatin1String("@@lifeboat-step "))) {
                const int n = line.mid(16).trimmed().toInt() - 1;
                if (n < 0 || n >= plan.steps.size() || n == current)
                    return;
                if (current >= 0 && s.unitOf.at(current) != s.unitOf.at(n))
                    finishUnit(s.unitOf.at(current));
                current = n;
                s.setStep(n, StepOutcome::State::Running);
                s.runningStep = n;
                s.writeLog(QStringLiteral("-- step %1: %2").arg(n + 1).arg(plan.steps.at(n).title));
                progressAt(n);
                return;
            }
            if (line.contains(QLatin1String("ERROR:")) || line.contains(QLatin1String("FATAL:"))
                || line.contains(QLatin1String("error:")))
                errors << line;
            else if (errors.size() == 1 && line.startsWith(QLatin1String("HINT:")))
                errors << line; // the server's advice on the first error
            s.writeLog(line);
        },
        true);
    scriptDone.release();
    watching.waitForFinished();
    s.watcher = PgConnection();

    if (outcome.ok()) {
        if (current >= 0)
            finishUnit(s.unitOf.at(current));
        return s.finish(RestoreReport::Outcome::Complete,
                        QStringLiteral("Restored %1 step(s) into %2.")
                            .arg(s.report.count(StepOutcome::State::Done))
                            .arg(plan.target.describe()));
    }

    // Failed or cancelled: say exactly what was done and how to go back.
    const bool cancelled = outcome.cancelled;
    const QString why = errors.isEmpty() ? outcome.errorTail.section(u'\n', -3) : errors.mid(0, 3).join(u'\n');
    QStringList rolledBack;
    if (current >= 0) {
        const int unit = s.unitOf.at(current);
        const bool tx = plan.steps.at(current).kind == RestoreStep::Kind::Sql && plan.steps.at(current).transactional;
        for (int i = 0; i < plan.steps.size(); ++i) {
            if (s.unitOf.at(i) != unit || i == current)
                continue;
            if (tx && s.report.steps.at(i).state != StepOutcome::State::Pending) {
                s.setStep(i, StepOutcome::State::RolledBack, QStringLiteral("rolled back with step %1").arg(current + 1));
                rolledBack << QString::number(i + 1);
            }
        }
        s.setStep(current, cancelled ? StepOutcome::State::Cancelled : StepOutcome::State::Failed, why);
    }
    for (int i = current + 1; i < plan.steps.size(); ++i)
        if (s.report.steps.at(i).state == StepOutcome::State::Pending)
            s.setStep(i, StepOutcome::State::Skipped, QStringLiteral("not run"));

    QString message;
    if (current >= 0) {
        const RestoreStep &st = plan.steps.at(current);
        message = cancelled ? QStringLiteral("Cancelled during step %1 (%2).").arg(current + 1).arg(st.title)
                            : QStringLiteral("Step %1 (%2) failed: %3").arg(current + 1).arg(st.title, why);
        if (st.kind == RestoreStep::Kind::Sql && st.transactional) {
            message += QStringLiteral(" Its transaction was rolled back%1: those steps changed nothing.")
                           .arg(rolledBack.isEmpty() ? QString() : QStringLiteral(" with steps %1").arg(rolledBack.join(QStringLiteral(", "))));
            if (!cancelled && why.contains(QLatin1String("out of shared memory")))
                message += QStringLiteral(" The step locks each of its objects in one transaction, more than the "
                                          "server's lock table (max_locks_per_transaction × max_connections) holds. "
                                          "As a superuser run ALTER SYSTEM SET max_locks_per_transaction = 1024, "
                                          "restart the server, and restore again.");
        }
    } else {
        message = cancelled ? QStringLiteral("Cancelled before the first step.")
                            : QStringLiteral("The restore script failed before its first step: %1").arg(why);
    }
    // The safety backup reads the target only: it alone done means nothing changed.
    int done = 0;
    for (int i = 0; i < plan.steps.size() && i < s.report.steps.size(); ++i)
        if (s.report.steps.at(i).state == StepOutcome::State::Done && plan.steps.at(i).phase != QLatin1String("safety"))
            ++done;
    if (done > 0) {
        message += QStringLiteral(" %1 step(s) before it were done.").arg(done);
        if (!s.report.safetyBackupPath.isEmpty())
            message += QStringLiteral(" To go back, restore the safety backup %1.").arg(s.report.safetyBackupPath);
        else if (plan.target.kind == RestoreTarget::Kind::NewDatabase)
            message += QStringLiteral(" To go back, drop the new database %1.").arg(plan.target.newDatabase);
    } else {
        message += QStringLiteral(" Nothing in the target was changed.");
        if (!s.report.safetyBackupPath.isEmpty())
            message += QStringLiteral(" (Its safety backup is %1.)").arg(s.report.safetyBackupPath);
    }
    s.finish(cancelled ? RestoreReport::Outcome::Cancelled : RestoreReport::Outcome::Failed, message);
}

void startScript(const std::shared_ptr<State> &state)
{
    (void)QtConcurrent::run(WorkerThreads::pool(), [state] { runScript(*state); });
}

} // namespace

std::shared_ptr<RestoreJob> RestoreRunner::start(RestoreRun run)
{
    std::shared_ptr<RestoreJob> job(new RestoreJob, [](RestoreJob *j) { j->deleteLater(); });
    auto state = std::make_shared<State>();
    job->m_state = state;
    WorkerThreads::cancelAtExit(state, [weak = std::weak_ptr<State>(state)] {
        if (const std::shared_ptr<State> s = weak.lock())
            s->cancel = true;
    });
    state->job = job.get();
    state->run = std::move(run);
    const RestorePlan &plan = state->run.plan;
    state->report.ownersNotSet = plan.ownersNotSet;
    state->report.steps.resize(plan.steps.size());
    int unit = -1;
    bool inGroup = false;
    for (const RestoreStep &st : plan.steps) {
        const bool sql = st.kind == RestoreStep::Kind::Sql && st.transactional;
        if (!sql || !inGroup)
            ++unit;
        inGroup = sql;
        state->unitOf << unit;
    }
    state->future = state->promise.future();
    state->promise.start();
    state->promise.setProgressRange(0, 1000);

    QString logDir = state->run.logDir;
    if (logDir.isEmpty())
        logDir = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QStringLiteral("/lifeboat/restore-logs");
    QDir().mkpath(logDir);
    QFile::setPermissions(logDir, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    state->report.logPath = logDir + QStringLiteral("/restore-%1.log").arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss-zzz")));
    state->log.setFileName(state->report.logPath);
    if (state->log.open(QIODevice::WriteOnly | QIODevice::Append))
        state->log.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
    state->writeLog(QStringLiteral("Lifeboat restore of %1 into %2").arg(plan.backupPath, plan.target.describe()));

    if (!plan.runnable()) {
        state->finish(RestoreReport::Outcome::Refused,
                      plan.blockers.isEmpty() ? QStringLiteral("The plan has no steps.") : plan.blockers.join(u' '));
        return job;
    }

    QFuture<QString> prepared = QtConcurrent::run(WorkerThreads::pool(), [state] { return prepare(*state); });
    whenReady(prepared, job.get(), [state](const QString &error) {
        if (!error.isEmpty())
            return state->finish(RestoreReport::Outcome::Refused, error);
        if (state->cancel)
            return state->finish(RestoreReport::Outcome::Cancelled, QStringLiteral("Cancelled before anything was changed."));
        const RestorePlan &plan = state->run.plan;
        if (plan.steps.first().kind != RestoreStep::Kind::SafetyBackup)
            return startScript(state);

        BackupRequest req;
        req.stack = plan.target.stack;
        req.password = state->run.credentials.password;
        req.passwordFallbacks = state->run.credentials.fallbacks;
        req.outputRoot = plan.options.safetyBackupRoot.isEmpty() ? BackupEngine::defaultOutputRoot(req.stack)
                                                                  : plan.options.safetyBackupRoot;
        req.storageDir = plan.options.storageDir;
        req.note = QStringLiteral("before restore of %1").arg(plan.backupLabel);
        state->setStep(0, StepOutcome::State::Running);
        state->writeLog(QStringLiteral("-- step 1: %1").arg(plan.steps.first().title));
        state->safetyJob = BackupEngine::start(req);
        if (state->job)
            emit state->job->safetyBackupStarted(state->safetyJob);
        QObject::connect(state->safetyJob.get(), &BackupJob::logLine, state->job,
                         [state](const QString &, const QString &line) { state->writeLog(QStringLiteral("safety backup: ") + line); });
        whenReady(state->safetyJob->future(), state->job.data(), [state](const BackupResult &r) {
            state->safetyJob.reset();
            if (r.outcome != BackupOutcome::Complete) {
                state->setStep(0, StepOutcome::State::Failed, r.message);
                for (int i = 1; i < state->report.steps.size(); ++i)
                    state->setStep(i, StepOutcome::State::Skipped, QStringLiteral("not run"));
                return state->finish(r.outcome == BackupOutcome::Cancelled ? RestoreReport::Outcome::Cancelled
                                                                           : RestoreReport::Outcome::Refused,
                                     QStringLiteral("The safety backup of the target did not complete (%1), so nothing "
                                                    "was restored.")
                                         .arg(r.message.isEmpty() ? QStringLiteral("cancelled") : r.message));
            }
            state->report.safetyBackupPath = r.path;
            state->setStep(0, StepOutcome::State::Done, r.path);
            state->writeLog(QStringLiteral("Safety backup: %1").arg(r.path));
            if (state->cancel)
                return state->finish(RestoreReport::Outcome::Cancelled,
                                     QStringLiteral("Cancelled after the safety backup; nothing in the target was changed."));
            startScript(state);
        });
    });
    return job;
}

} // namespace lifeboat
