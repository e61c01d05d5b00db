#include "BackupEngine.h"

#include "BackupContext.h"
#include "BackupFinalizer.h"
#include "BackupStore.h"
#include "ConnectionOpener.h"
#include "ExportSql.h"
#include "SnapshotGuards.h"
#include "WorkerThreads.h"
#include "exporters/AuthUsersExporter.h"
#include "exporters/CsvFromDump.h"
#include "exporters/DataCsvExporter.h"
#include "exporters/DatabaseExporter.h"
#include "exporters/EncryptionExporter.h"
#include "exporters/FunctionsExporter.h"
#include "exporters/MigrationsExporter.h"
#include "exporters/ProjectFilesExporter.h"
#include "exporters/RlsPoliciesExporter.h"
#include "exporters/RolesExporter.h"
#include "exporters/StorageExporter.h"
#include "exporters/UserRolesExporter.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QLockFile>
#include <QMutex>
#include <QPromise>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QThread>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

namespace lifeboat {

namespace {

const QFile::Permissions OwnerOnlyDir = QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner;

std::unique_ptr<Exporter> makeExporter(const QString &name)
{
    if (name == Component::Database) return std::make_unique<DatabaseExporter>();
    if (name == Component::Roles) return std::make_unique<RolesExporter>();
    if (name == Component::AuthUsers) return std::make_unique<AuthUsersExporter>();
    if (name == Component::UserRoles) return std::make_unique<UserRolesExporter>();
    if (name == Component::RlsPolicies) return std::make_unique<RlsPoliciesExporter>();
    if (name == Component::Functions) return std::make_unique<FunctionsExporter>();
    if (name == Component::Encryption) return std::make_unique<EncryptionExporter>();
    if (name == Component::Migrations) return std::make_unique<MigrationsExporter>();
    if (name == Component::EdgeFunctions) return std::make_unique<EdgeFunctionsExporter>();
    if (name == Component::Storage) return std::make_unique<StorageExporter>();
    if (name == Component::DataCsv) return std::make_unique<DataCsvExporter>();
    if (name == Component::Config) return std::make_unique<ConfigExporter>();
    return nullptr;
}

bool makePrivateDir(const QString &path, QString *error)
{
    if (!QDir().mkpath(path)) {
        *error = QStringLiteral("cannot create %1").arg(path);
        return false;
    }
    QFile::setPermissions(path, OwnerOnlyDir);
    return true;
}

class Runner
{
public:
    /// `progressFrom`: where the overall value starts (a run started again after giving way
    /// goes on from where the one before it stopped, since the future's value never goes back).
    Runner(BackupContext &ctx, QPromise<BackupResult> &promise, BackupJob *job, int progressFrom)
        : m_ctx(ctx)
        , m_promise(promise)
        , m_job(job)
        , m_progressFrom(progressFrom)
    {}

    BackupResult run();
    /// The session the run stopped itself for, to let it through (see LockWatch); empty when
    /// it did not.
    QString gaveWayTo() const { return m_gaveWayTo; }

private:
    bool prepare(BackupResult &result, PgConnection &holder, QTemporaryDir &secrets);
    void runExporters(const PgConnection &holder);
    void reportProgress(const QString &component, qint64 done, qint64 total);

    BackupContext &m_ctx;
    QPromise<BackupResult> &m_promise;
    BackupJob *m_job;
    int m_progressFrom = 0;
    QStringList m_components;
    QList<ComponentResult> m_results;
    QMutex m_mutex;
    QHash<QString, double> m_fraction;
    QString m_abortReason;             ///< Why the backup stopped itself, when it did,
    QString m_gaveWayTo;               ///< and for whom.
    std::unique_ptr<QLockFile> m_lock; ///< Held from the folder's creation until it is renamed or marked.
};

bool Runner::prepare(BackupResult &result, PgConnection &holder, QTemporaryDir &secrets)
{
    const BackupRequest &req = m_ctx.request;
    const Stack &stack = req.stack;
    m_ctx.connection = stack.connection;

    for (const QString &c : std::as_const(m_components))
        if (!Component::all().contains(c)) {
            result.message = QStringLiteral("Unknown component \"%1\". Known components: %2.")
                                 .arg(c, Component::all().join(QStringLiteral(", ")));
            return false;
        }

    OpenedConnection opened = openWithCredentials(m_ctx.connection, Credentials{req.password, req.passwordFallbacks},
                                                  10, QStringLiteral("lifeboat-backup"));
    if (!opened.connection.isOpen()) {
        const QString why = opened.connection.errorMessage();
        result.message = QStringLiteral("Cannot connect to the database of \"%1\" at %2 as %3: %4")
                             .arg(stack.name, m_ctx.connection.displayAddress(), m_ctx.connection.user, why);
        if (isAuthFailure(opened.connection))
            result.message += QStringLiteral(" Save the right password for this stack, or put it in ~/.pgpass or "
                                             "PGPASSWORD.");
        else
            result.message += QStringLiteral(" Is the stack running (for Supabase: `supabase start`)?");
        return false;
    }
    holder = std::move(opened.connection);
    m_ctx.password = opened.password;
    m_ctx.serverVersionNum = holder.serverVersion();
    PgResultPtr v = holder.exec(QStringLiteral("SHOW server_version"));
    m_ctx.serverVersion = PgConnection::succeeded(v.get()) ? PgConnection::value(v.get(), 0, 0) : QString();

    const int major = m_ctx.serverVersionNum / 10000;
    struct Need { QString tool; PgTool *slot; bool needed; };
    const Need needs[] = {
        {QStringLiteral("pg_dump"), &m_ctx.pgDump, m_components.contains(Component::Database)},
        {QStringLiteral("pg_restore"), &m_ctx.pgRestore, m_components.contains(Component::Database)},
        {QStringLiteral("pg_dumpall"), &m_ctx.pgDumpAll, m_components.contains(Component::Roles)},
    };
    for (const Need &n : needs) {
        if (!n.needed)
            continue;
        auto tool = ToolLocator::find(n.tool, major);
        if (!tool) {
            result.message = tool.error();
            return false;
        }
        *n.slot = tool.value();
    }

    // The folder: <root>/<stack id>/<timestamp>.partial, private all the way.
    QString error;
    const QString root = req.outputRoot.isEmpty() ? BackupEngine::defaultOutputRoot(stack) : req.outputRoot;
    const bool newRoot = !QDir(root).exists();
    if (!makePrivateDir(root, &error) || !makePrivateDir(root + u'/' + stack.id, &error)) {
        result.message = QStringLiteral("Cannot create the backup folder: %1. Choose another backup root.").arg(error);
        return false;
    }
    if (newRoot && !stack.projectDir.isEmpty() && root.startsWith(stack.projectDir)) {
        // Keep backups (password hashes, dumps) out of the project's git history.
        QFile ignore(root + QStringLiteral("/.gitignore"));
        if (ignore.open(QIODevice::WriteOnly))
            ignore.write("# Lifeboat backups: never commit them.\n*\n");
    }
    const QString stamp = QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    // The name is reserved by its lock (created exclusively), so two processes starting in the
    // same second never share a folder; the lock also tells `list` that this run is alive.
    const QDir stackDir(root + u'/' + stack.id);
    auto taken = [&](const QString &name) {
        return stackDir.exists(name) || stackDir.exists(name + QStringLiteral(".partial"))
            || stackDir.exists(name + QStringLiteral(".failed")) || stackDir.exists(name + QStringLiteral(".cancelled"));
    };
    QString name = stamp;
    for (int n = 2;; name = stamp + u'-' + QString::number(n++)) {
        if (taken(name))
            continue;
        auto lock = std::make_unique<QLockFile>(BackupStore::lockPathFor(stackDir.filePath(name)));
        lock->setStaleLockTime(0);
        if (!lock->tryLock(0)) {
            if (lock->error() == QLockFile::LockFailedError)
                continue; // another run holds this name
            result.message = QStringLiteral("Cannot create a lock file in %1. Check the folder's permissions or "
                                            "choose another backup root.")
                                 .arg(stackDir.path());
            return false;
        }
        if (!taken(name)) {
            m_lock = std::move(lock);
            break;
        }
    }
    m_ctx.folder = stackDir.filePath(name + QStringLiteral(".partial"));
    if (!makePrivateDir(m_ctx.folder, &error)) {
        result.message = QStringLiteral("Cannot create the backup folder: %1").arg(error);
        return false;
    }

    // Child tools get the password through a private 0600 file, never argv.
    if (m_ctx.password) {
        if (!secrets.isValid()) {
            result.message = QStringLiteral("Cannot create a private temporary folder for the password file.");
            return false;
        }
        auto file = writePasswordFile(secrets.path(), m_ctx.connection, *m_ctx.password);
        if (!file) {
            result.message = file.error();
            return false;
        }
        m_ctx.pgpassFile = file.value();
    }

    // The snapshot every reader shares, held open until all are done.
    // It sits idle in its transaction for the whole run: a server, database or role setting of
    // idle_in_transaction_session_timeout would end it and the snapshot with it (pg_dump turns
    // these off for itself too).
    const auto uses = [this](const QStringList &components) {
        return std::any_of(
            components.cbegin(), components.cend(), [&](const QString &c) { return m_components.contains(c); });
    };
    PgResultPtr settings
        = holder.exec(QStringLiteral("SET idle_in_transaction_session_timeout = 0; SET statement_timeout = 0"));
    if (!PgConnection::succeeded(settings.get())) {
        result.message
            = QStringLiteral("Cannot prepare the backup's session: %1").arg(PgConnection::resultError(settings.get()));
        return false;
    }
    // Readers of the tables' rows need them locked (before the snapshot) and visible to the
    // backup's role.
    const bool readsRows = uses({Component::Database,
                                 Component::DataCsv,
                                 Component::AuthUsers,
                                 Component::UserRoles,
                                 Component::Storage,
                                 Component::Migrations,
                                 Component::Encryption});
    if (!beginSnapshotTransaction(m_ctx, holder, readsRows, &result.message))
        return false;
    PgResultPtr snap = holder.exec(QStringLiteral("SELECT pg_export_snapshot()"));
    if (!PgConnection::succeeded(snap.get())) {
        result.message = QStringLiteral("Cannot export a snapshot: %1").arg(PgConnection::resultError(snap.get()));
        return false;
    }
    m_ctx.snapshot = PgConnection::value(snap.get(), 0, 0);
    m_ctx.log(QString(),
              QStringLiteral("Snapshot %1 from PostgreSQL %2 at %3")
                  .arg(m_ctx.snapshot, m_ctx.serverVersion, m_ctx.connection.displayAddress()));
    return !readsRows || checkRowSecurity(m_ctx, holder, &result.message);
}

// What happened when the server ended the backup's sessions or went down, after `message`.
QString connectionLostHint(const QString &message)
{
    static const QLatin1String Signs[] = {QLatin1String("terminating connection due to administrator command"),
                                          QLatin1String("server closed the connection unexpectedly"),
                                          QLatin1String("the database system is shutting down"),
                                          QLatin1String("Connection refused"),
                                          QLatin1String("no connection to the server"),
                                          // a query on a connection that was already gone (PgConnection)
                                          QLatin1String("no result from the server"),
                                          QLatin1String("could not receive data from server"),
                                          QLatin1String("could not send data to server"),
                                          // the snapshot's holder session is gone
                                          QLatin1String("invalid snapshot identifier")};
    if (std::none_of(std::begin(Signs), std::end(Signs), [&](QLatin1String s) { return message.contains(s); }))
        return {};
    return QStringLiteral("%1 The database went away during the backup: the stack was stopped or reset (`supabase "
                          "stop`, `supabase db reset`), or an administrator ended the backup's sessions. Back up "
                          "again once it is up.")
        .arg(message.endsWith(u'.') ? QString() : QStringLiteral("."));
}

// What to do when the backup folder refuses a write for lack of room, after `message`.
QString storageHint(const QString &message, const QString &folder)
{
    const QString stop = message.endsWith(u'.') ? QString() : QStringLiteral(".");
    if (message.contains(QLatin1String("No space left on device"))
        || message.contains(QLatin1String("the disk is full"))
        || message.contains(QLatin1String("Disk quota exceeded")))
        return QStringLiteral("%1 There is no room left in %2: free some space there, or back up to another folder "
                              "(the backup folder in Lifeboat's backup dialog, or --out for lifeboat-cli).")
            .arg(stop, folder);
    if (message.contains(QLatin1String("File too large")))
        return QStringLiteral("%1 %2 does not take files this large (a file-size limit such as ulimit -f, or the file "
                              "system's own): raise the limit, or back up to another folder.")
            .arg(stop, folder);
    return {};
}

void Runner::reportProgress(const QString &component, qint64 done, qint64 total)
{
    QMutexLocker lock(&m_mutex);
    m_fraction.insert(component, total > 0 ? std::clamp(double(done) / double(total), 0.0, 1.0) : 0.0);
    double sum = 0, weights = 0;
    for (const QString &c : std::as_const(m_components)) {
        sum += m_fraction.value(c) * BackupEngine::componentWeight(c);
        weights += BackupEngine::componentWeight(c);
    }
    // The last 1% is writing the manifest.
    m_promise.setProgressValue(m_progressFrom + int((990 - m_progressFrom) * sum / std::max(1.0, weights)));
}

void Runner::runExporters(const PgConnection &holder)
{
    // Three lanes: pg_dump (a process, mostly server work and compression), the parallel
    // CSV export, and the small catalog exporters one after another.
    QList<QStringList> lanes{{}, {}, {}};
    for (const QString &c : std::as_const(m_components)) {
        if (c == Component::Database)
            lanes[0] << c;
        else if (c == Component::DataCsv)
            lanes[1] << c;
        else
            lanes[2] << c;
    }
    QThreadPool pool;
    pool.setMaxThreadCount(3);
    QList<QFuture<void>> running;
    for (const QStringList &lane : std::as_const(lanes)) {
        if (lane.isEmpty())
            continue;
        running.append(QtConcurrent::run(&pool, [this, lane] {
            for (const QString &name : lane) {
                ComponentResult r;
                r.name = name;
                if (m_ctx.isCancelled()) {
                    r.status = ComponentResult::Status::Cancelled;
                } else {
                    QElapsedTimer t;
                    t.start();
                    makeExporter(name)->run(m_ctx, r);
                    r.durationMs = t.elapsed();
                    // A run stopped meanwhile (Cancel, another component's failure, giving
                    // way) also ends queries with "canceling statement": not this one's failure.
                    if (m_ctx.isCancelled() && r.status != ComponentResult::Status::Skipped)
                        r.status = ComponentResult::Status::Cancelled;
                    if (r.status == ComponentResult::Status::Failed)
                        m_ctx.cancelled = true; // stop the others: a failed backup is not worth finishing
                }
                {
                    QMutexLocker lock(&m_mutex);
                    m_results.append(r);
                }
                // The component's own report first: a window never shows an overall bar that
                // is ahead of the rows it sums.
                emit m_job->componentFinished(r);
                if (r.status == ComponentResult::Status::Ok || r.status == ComponentResult::Status::Skipped)
                    reportProgress(name, 1, 1);
            }
        }));
    }
    // Meanwhile the holder looks, about once a second, for sessions its locks keep waiting: it
    // names them, and gives way to one that a reader of the backup waits for in turn.
    // Once the run stops, the readers still in a query are sent a cancel about once a second:
    // one blocked behind a migration's lock request hears no flag.
    LockWatch watch(holder);
    QElapsedTimer sinceLook;
    sinceLook.start();
    bool stopping = false;
    while (std::any_of(running.cbegin(), running.cend(), [](const QFuture<void> &f) { return !f.isFinished(); })) {
        QThread::msleep(50);
        if (m_ctx.isCancelled() && !stopping) {
            stopping = true;
            m_ctx.cancelQueries();
            sinceLook.restart();
        }
        if (sinceLook.elapsed() < 1000)
            continue;
        sinceLook.restart();
        if (stopping) {
            m_ctx.cancelQueries();
            continue;
        }
        const LockWatch::Seen seen = watch.look();
        for (const QString &line : seen.newWaiters)
            m_ctx.log(QString(), line);
        if (!seen.deadlock.isEmpty()) {
            m_ctx.log(QString(), seen.deadlock);
            m_abortReason = seen.deadlock;
            m_gaveWayTo = seen.blocker;
            m_ctx.cancelled = true;
        }
    }
}

BackupResult Runner::run()
{
    BackupResult result;
    const BackupRequest &req = m_ctx.request;
    m_components = req.components.isEmpty() ? Component::all() : req.components;
    QStringList ordered;
    for (const QString &c : Component::all())
        if (m_components.contains(c))
            ordered << c;
    for (const QString &c : std::as_const(m_components))
        if (!ordered.contains(c))
            ordered << c; // unknown: prepare() reports it
    m_components = ordered;

    Manifest &m = result.manifest;
    m.lifeboatVersion = QStringLiteral(LIFEBOAT_VERSION);
    m.stackId = req.stack.id;
    m.stackName = req.stack.name;
    m.host = req.stack.connection.host;
    m.port = req.stack.connection.port;
    m.database = req.stack.connection.database;
    m.user = req.stack.connection.user;
    m.projectDir = req.stack.projectDir;
    m.requestedComponents = m_components;
    m.note = m_ctx.request.note;
    m.startedAt = QDateTime::currentDateTimeUtc();
    QElapsedTimer clock;
    clock.start();

    m_promise.setProgressRange(0, 1000);
    m_ctx.progressSink = [this](const QString &c, qint64 done, qint64 total, const QString &item) {
        emit m_job->componentProgress(c, done, total, item);
        reportProgress(c, done, total);
    };
    m_ctx.logSink = [this](const QString &c, const QString &line) { emit m_job->logLine(c, line); };

    PgConnection holder;
    QTemporaryDir secrets(QDir::tempPath() + QStringLiteral("/lifeboat-secrets-XXXXXX"));
    if (!prepare(result, holder, secrets)) {
        result.outcome = m_ctx.isCancelled() ? BackupOutcome::Cancelled : BackupOutcome::Failed;
        if (result.outcome == BackupOutcome::Cancelled)
            result.message = QStringLiteral("The backup was cancelled; nothing was kept.");
        if (!m_ctx.folder.isEmpty())
            BackupFinalizer::markUnfinished(m_ctx.folder, result, &result.path);
        return result;
    }
    m.serverVersion = m_ctx.serverVersion;
    m.serverVersionNum = m_ctx.serverVersionNum;
    m.pgDumpPath = m_ctx.pgDump.path;
    m.pgDumpVersion = m_ctx.pgDump.version;
    m.snapshot = m_ctx.snapshot;

    if (m_components.contains(Component::Database) && m_components.contains(Component::DataCsv))
        m_ctx.csvHandoff = std::make_shared<CsvHandoff>();
    runExporters(holder);
    holder.exec(QStringLiteral("COMMIT"));

    // Results in the canonical order.
    for (const QString &c : std::as_const(m_components))
        for (const ComponentResult &r : std::as_const(m_results))
            if (r.name == c)
                m.components.append(r);
    for (const ComponentResult &r : std::as_const(m.components)) {
        if (r.status == ComponentResult::Status::Failed && result.failedComponent.isEmpty()) {
            result.failedComponent = r.name;
            result.message = QStringLiteral("Component %1 failed: %2").arg(r.name, r.message);
            if (r.message.contains(QLatin1String("permission denied")))
                result.message += permissionHint(result.message, m_ctx.connection.user);
            result.message += storageHint(result.message, QFileInfo(m_ctx.folder).absolutePath());
            result.message += connectionLostHint(result.message);
        }
    }
    if (!m_abortReason.isEmpty()) {
        result.outcome = BackupOutcome::Failed;
        result.message = m_abortReason;
    } else if (!result.failedComponent.isEmpty())
        result.outcome = BackupOutcome::Failed;
    else if (m_job->isCancelRequested() || m_ctx.isCancelled())
        result.outcome = BackupOutcome::Cancelled;
    else
        result.outcome = BackupOutcome::Complete;

    m.finishedAt = QDateTime::currentDateTimeUtc();
    m.durationMs = clock.elapsed();
    if (result.outcome != BackupOutcome::Complete) {
        if (result.outcome == BackupOutcome::Cancelled)
            result.message = QStringLiteral("The backup was cancelled; nothing was kept.");
        BackupFinalizer::markUnfinished(m_ctx.folder, result, &result.path);
        return result;
    }

    QString error;
    if (!BackupFinalizer::finish(m_ctx, m, &result.path, &error)) {
        result.outcome = BackupOutcome::Failed;
        result.message = QStringLiteral("Writing the manifest failed: %1").arg(error);
        BackupFinalizer::markUnfinished(m_ctx.folder, result, &result.path);
        return result;
    }
    m_promise.setProgressValue(1000);
    return result;
}

} // namespace

BackupJob::~BackupJob() = default;

const Stack &BackupJob::stack() const
{
    return m_context->request.stack;
}

void BackupJob::cancel()
{
    m_userCancelled = true;
    if (m_context)
        m_context->cancelled = true;
}

std::shared_ptr<BackupJob> BackupEngine::start(const BackupRequest &request)
{
    std::shared_ptr<BackupJob> job(new BackupJob, [](BackupJob *j) { j->deleteLater(); });
    job->m_context = std::make_shared<BackupContext>();
    job->m_context->request = request;
    BackupJob *raw = job.get();
    std::shared_ptr<BackupContext> ctx = job->m_context;
    WorkerThreads::cancelAtExit(job, [weak = std::weak_ptr<BackupJob>(job)] {
        if (const std::shared_ptr<BackupJob> j = weak.lock())
            j->cancel();
    });
    job->m_future
        = QtConcurrent::run(WorkerThreads::pool(), [ctx, raw, keep = job](QPromise<BackupResult> &promise) mutable {
              BackupResult result;
              // A run that gave way to a migration starts again, into a new folder: its first try
              // to lock the tables waits for the migration to commit (and names it), and the new
              // snapshot has it. A migration that keeps coming back gets its way a few times only.
              constexpr int Tries = 3;
              for (int attempt = 1;; ++attempt) {
                  QString gaveWayTo;
                  {
                      Runner runner(*ctx, promise, raw, promise.future().progressValue());
                      result = runner.run();
                      gaveWayTo = runner.gaveWayTo();
                  } // the run's lock is released here, after its folder got its final name
                  if (gaveWayTo.isEmpty() || raw->isCancelRequested())
                      break;
                  if (attempt == Tries) {
                      result.message += QStringLiteral(" (It gave way %1 times.)").arg(Tries);
                      break;
                  }
                  // The stopped run's marker says nothing the next run's log does not.
                  if (!result.path.isEmpty())
                      QDir(result.path).removeRecursively();
                  const QString why
                      = QStringLiteral("The backup gave way to %1 and starts again, into a new folder, once "
                                       "that is done (try %2 of %3).")
                            .arg(gaveWayTo)
                            .arg(attempt + 1)
                            .arg(Tries);
                  ctx->startOver();
                  if (raw->isCancelRequested()) // cancel() came between the check above and startOver()
                      ctx->cancelled = true;
                  emit raw->logLine(QString(), why);
                  emit raw->restarted(why);
              }
              // Nothing of the run outlives its result: whoever waits for it finds its thread done
              // with the context and the job (the job's deleter posts to its own thread).
              ctx.reset();
              keep.reset();
              promise.addResult(result);
          });
    return job;
}

// The two components that read all data dominate the overall bar.
int BackupEngine::componentWeight(const QString &component)
{
    if (component == Component::Database)
        return 50;
    if (component == Component::DataCsv)
        return 35;
    return 2;
}

QString BackupEngine::defaultOutputRoot(const Stack &stack)
{
    if (!stack.projectDir.isEmpty())
        return stack.projectDir + QStringLiteral("/supabase_backups");
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QStringLiteral("/lifeboat/backups");
}

} // namespace lifeboat
