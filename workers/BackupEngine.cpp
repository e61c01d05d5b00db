#include "BackupEngine.h"

#include "BackupContext.h"
#include "BackupFinalizer.h"
#include "BackupStore.h"
#include "ConnectionOpener.h"
#include "ExportSql.h"
#include "exporters/AuthUsersExporter.h"
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
    Runner(BackupContext &ctx, QPromise<BackupResult> &promise, BackupJob *job)
        : m_ctx(ctx)
        , m_promise(promise)
        , m_job(job)
    {}

    BackupResult run();

private:
    bool prepare(BackupResult &result, PgConnection &holder, QTemporaryDir &secrets);
    bool lockTables(BackupResult &result, const PgConnection &holder);
    bool checkRowSecurity(BackupResult &result, const PgConnection &holder);
    void runExporters();
    void reportProgress(const QString &component, qint64 done, qint64 total);

    BackupContext &m_ctx;
    QPromise<BackupResult> &m_promise;
    BackupJob *m_job;
    QStringList m_components;
    QList<ComponentResult> m_results;
    QMutex m_mutex;
    QHash<QString, double> m_fraction;
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
    PgResultPtr begin
        = holder.exec(QStringLiteral("SET idle_in_transaction_session_timeout = 0; SET statement_timeout = 0; "
                                     "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"));
    PgResultPtr snap = holder.exec(QStringLiteral("SELECT pg_export_snapshot()"));
    if (!PgConnection::succeeded(begin.get()) || !PgConnection::succeeded(snap.get())) {
        result.message = QStringLiteral("Cannot export a snapshot: %1").arg(PgConnection::resultError(snap.get()));
        return false;
    }
    m_ctx.snapshot = PgConnection::value(snap.get(), 0, 0);
    m_ctx.log(QString(), QStringLiteral("Snapshot %1 from PostgreSQL %2 at %3")
                             .arg(m_ctx.snapshot, m_ctx.serverVersion, m_ctx.connection.displayAddress()));
    return lockTables(result, holder) && checkRowSecurity(result, holder);
}

// What to do about a "permission denied", after `message` (which it completes to a sentence).
QString permissionHint(const QString &message, const QString &user)
{
    return QStringLiteral("%1 A backup must read everything: grant \"%2\" what it lacks, or back up as a superuser "
                          "(for a local Supabase stack, supabase_admin).")
        .arg(message.endsWith(u'.') ? QString() : QStringLiteral("."), user);
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

// "public.tasks, locked by pid 4242 (psql, idle in transaction for 12 s)": who holds a table
// of this database in a mode that keeps a reader out.
QString lockHolders(const PgConnection &conn)
{
    PgResultPtr r = conn.exec(QStringLiteral(
        "SELECT string_agg(DISTINCT format('%s, locked by pid %s (%s, %s for %s s)', "
        "  (SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "   WHERE c.oid = l.relation), a.pid, "
        "  coalesce(nullif(a.application_name, ''), a.backend_type), coalesce(a.state, 'running'), "
        "  coalesce(extract(epoch FROM now() - a.xact_start)::int, 0)), '; ') "
        "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'relation' AND l.granted AND l.mode = 'AccessExclusiveLock' "
        "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
        "AND l.pid <> pg_backend_pid()"));
    const QString text = PgConnection::succeeded(r.get()) ? PgConnection::value(r.get(), 0, 0) : QString();
    return text.isEmpty() ? QStringLiteral("a table another session holds locked") : text;
}

bool Runner::lockTables(BackupResult &result, const PgConnection &holder)
{
    // The snapshot's tables stay until every reader is done. pg_dump locks what it dumps only
    // while it runs and the CSV export only the table it copies, so a table dropped meanwhile
    // (a migration, a test script) would fail the backup half-way; now the DROP waits.
    if (!m_components.contains(Component::Database) && !m_components.contains(Component::DataCsv))
        return true;
    PgResultPtr list = holder.exec(
        QStringLiteral(
            "SELECT string_agg(format('%I.%I', n.nspname, c.relname), ', '), count(*), "
            "current_setting('max_locks_per_transaction')::bigint * (current_setting('max_connections')::int "
            "+ current_setting('max_prepared_transactions')::int) "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p') AND ")
        + ExportSql::userSchemaFilter(QStringLiteral("n.nspname")));
    if (!PgConnection::succeeded(list.get())) {
        result.message
            = QStringLiteral("Cannot list the tables to back up: %1").arg(PgConnection::resultError(list.get()));
        return false;
    }
    const QString tables = PgConnection::value(list.get(), 0, 0);
    if (tables.isEmpty())
        return true;
    // pg_dump locks every table too, in the same shared lock table: holding them twice must fit,
    // or pg_dump would stop with "out of shared memory" where it alone would have worked.
    const qint64 count = PgConnection::value(list.get(), 0, 1).toLongLong();
    const qint64 capacity = PgConnection::value(list.get(), 0, 2).toLongLong();
    if (2 * count > capacity) {
        m_ctx.log(QString(),
                  QStringLiteral("%1 tables: too many to hold locked for the whole backup as well as "
                                 "pg_dump's own locks (max_locks_per_transaction × connections = %2), so a "
                                 "table dropped while the backup runs fails it.")
                      .arg(count)
                      .arg(capacity));
        return true;
    }
    // A table another session holds (a migration running) is waited for, but not forever, and
    // in short tries, so that Cancel is heard and the log can say who holds it. Each try is a
    // savepoint: a timed-out LOCK must not end the transaction that holds the snapshot.
    constexpr int WaitLimitS = 60;
    QElapsedTimer waited;
    waited.start();
    QString holders;
    holder.exec(QStringLiteral("SET LOCAL lock_timeout = '500ms'"));
    for (;;) {
        holder.exec(QStringLiteral("SAVEPOINT lifeboat_lock"));
        PgResultPtr lock = holder.exec(QStringLiteral("LOCK TABLE %1 IN ACCESS SHARE MODE").arg(tables));
        if (PgConnection::succeeded(lock.get())) {
            holder.exec(QStringLiteral("RELEASE SAVEPOINT lifeboat_lock; SET LOCAL lock_timeout = 0"));
            if (!holders.isEmpty())
                m_ctx.log(QString(), QStringLiteral("The tables are free after %1 s.").arg(waited.elapsed() / 1000));
            return true;
        }
        const QString why = PgConnection::resultError(lock.get());
        const QString state = QString::fromLatin1(PQresultErrorField(lock.get(), PG_DIAG_SQLSTATE));
        holder.exec(QStringLiteral("ROLLBACK TO SAVEPOINT lifeboat_lock"));
        if (state == QLatin1String("42501")) { // insufficient_privilege
            result.message = QStringLiteral("Cannot read every table: %1").arg(why);
            result.message += permissionHint(result.message, m_ctx.connection.user);
            return false;
        }
        if (state != QLatin1String("55P03")) { // not lock_not_available
            result.message = QStringLiteral("Cannot lock the tables to back up: %1 A table dropped or renamed just "
                                            "as the backup started does this: run it again.")
                                 .arg(why);
            return false;
        }
        if (m_ctx.isCancelled())
            return false;
        if (holders.isEmpty()) {
            holders = lockHolders(holder);
            m_ctx.log(QString(),
                      QStringLiteral("Waiting for %1; the backup starts when it lets go, or gives up after "
                                     "%2 s.")
                          .arg(holders)
                          .arg(WaitLimitS));
        }
        if (waited.elapsed() > WaitLimitS * 1000) {
            result.message = QStringLiteral("The backup did not start: %1 for %2 s (a migration running?). Run it "
                                            "again when that is done.")
                                 .arg(holders)
                                 .arg(WaitLimitS);
            return false;
        }
    }
}

bool Runner::checkRowSecurity(BackupResult &result, const PgConnection &holder)
{
    // Row-level security filters what a role reads without saying so: COPY would write only the
    // visible rows and call the table done. Readers turn it off (row_security = off, as pg_dump
    // does), which makes such a read fail; this says which tables and what to do before any
    // component starts. Owners are exempt unless FORCE; superusers and BYPASSRLS roles always.
    static const QStringList readsRows{Component::Database,
                                       Component::DataCsv,
                                       Component::AuthUsers,
                                       Component::UserRoles,
                                       Component::Storage,
                                       Component::Migrations,
                                       Component::Encryption};
    if (std::none_of(readsRows.cbegin(), readsRows.cend(), [&](const QString &c) { return m_components.contains(c); }))
        return true;
    PgResultPtr hidden = holder.exec(
        QStringLiteral(
            "SELECT format('%I.%I', n.nspname, c.relname), quote_ident(current_user) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'r' AND c.relrowsecurity "
            "AND (c.relforcerowsecurity OR NOT pg_has_role(c.relowner, 'USAGE')) "
            "AND NOT EXISTS (SELECT FROM pg_roles WHERE rolname = current_user AND (rolsuper OR rolbypassrls)) "
            "AND ")
        + ExportSql::userSchemaFilter(QStringLiteral("n.nspname")) + QStringLiteral(" ORDER BY 1"));
    if (!PgConnection::succeeded(hidden.get())) {
        result.message
            = QStringLiteral("Cannot check row-level security: %1").arg(PgConnection::resultError(hidden.get()));
        return false;
    }
    const int count = PQntuples(hidden.get());
    if (count == 0)
        return true;
    constexpr int Named = 5;
    QStringList tables;
    for (int i = 0; i < std::min(count, Named); ++i)
        tables.append(PgConnection::value(hidden.get(), i, 0));
    QString list = tables.join(QStringLiteral(", "));
    if (count > Named)
        list += QStringLiteral(" and %1 more").arg(count - Named);
    const QString user = m_ctx.connection.user;
    result.message = QStringLiteral("Row-level security hides rows of %1 from \"%2\", so a backup as \"%2\" would miss "
                                    "them. Back up as a superuser (for a local Supabase stack, supabase_admin) or as a "
                                    "role with BYPASSRLS (as a superuser: ALTER ROLE %3 BYPASSRLS).")
                         .arg(list, user, PgConnection::value(hidden.get(), 0, 1));
    return false;
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
    m_promise.setProgressValue(int(990.0 * sum / std::max(1.0, weights)));
}

void Runner::runExporters()
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
                    if (m_ctx.isCancelled() && r.status == ComponentResult::Status::Ok)
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
    for (QFuture<void> &f : running)
        f.waitForFinished();
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

    runExporters();
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
        }
    }
    if (!result.failedComponent.isEmpty())
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
    // The job's own thread, not the global pool: a run blocks its thread for minutes.
    auto *thread = new QThreadPool;
    thread->setMaxThreadCount(1);
    BackupJob *raw = job.get();
    std::shared_ptr<BackupContext> ctx = job->m_context;
    job->m_future = QtConcurrent::run(thread, [ctx, raw, keep = job](QPromise<BackupResult> &promise) {
        BackupResult result;
        {
            Runner runner(*ctx, promise, raw);
            result = runner.run();
        } // the run's lock is released here, after its folder got its final name
        promise.addResult(result);
    });
    // The pool is deleted once the run is over.
    job->m_future.then([thread](const BackupResult &) { thread->deleteLater(); });
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
