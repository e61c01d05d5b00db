#include "SnapshotGuards.h"

#include "ExportSql.h"

#include <QElapsedTimer>

#include <algorithm>

namespace lifeboat {

QString permissionHint(const QString &message, const QString &user)
{
    return QStringLiteral("%1 A backup must read everything: grant \"%2\" what it lacks, or back up as a superuser "
                          "(for a local Supabase stack, supabase_admin).")
        .arg(message.endsWith(u'.') ? QString() : QStringLiteral("."), user);
}

namespace {

// "public.tasks, locked by pid 4242 (psql, idle in transaction for 12 s)": who holds a table
// of this database in a mode that keeps a reader out.
QString lockHolders(const PgConnection &conn)
{
    // Tables only: the indexes and TOAST tables a migration locks with them say nothing more,
    // and a table it has just created has no name yet for anyone else.
    PgResultPtr r = conn.exec(
        QStringLiteral(
            "SELECT string_agg(DISTINCT format('%I.%I, locked by pid %s (%s, %s for %s s)', n.nspname, c.relname, "
            "  a.pid, coalesce(nullif(a.application_name, ''), a.backend_type), coalesce(a.state, 'running'), "
            "  coalesce(extract(epoch FROM now() - a.xact_start)::int, 0)), '; ') "
            "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE l.locktype = 'relation' AND l.granted AND l.mode = 'AccessExclusiveLock' "
            "AND c.relkind IN ('r', 'p') AND l.pid <> pg_backend_pid() "
            "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND ")
        + ExportSql::userSchemaFilter(QStringLiteral("n.nspname")));
    const QString text = PgConnection::succeeded(r.get()) ? PgConnection::value(r.get(), 0, 0) : QString();
    return text.isEmpty() ? QStringLiteral("a table another session holds locked") : text;
}

} // namespace

bool beginSnapshotTransaction(BackupContext &ctx, const PgConnection &holder, bool lockTables, QString *message)
{
    static const QString Begin = QStringLiteral("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    auto begin = [&] {
        PgResultPtr r = holder.exec(Begin);
        if (!PgConnection::succeeded(r.get()))
            *message
                = QStringLiteral("Cannot start the backup's transaction: %1").arg(PgConnection::resultError(r.get()));
        return PgConnection::succeeded(r.get());
    };
    if (!lockTables)
        return begin();

    // The locks come before the snapshot, which the first query after them takes: a migration
    // that commits while the backup waits for its table is then in the snapshot. A snapshot
    // taken before the wait would see the table a rewriting ALTER left as empty (rewrites are
    // not MVCC-safe) and its catalog as it was before, for a dump whose rows and schema differ.
    // Nothing in here may take a snapshot: BEGIN, SET and LOCK do not. A table another session
    // holds (a migration running) is waited for, but not forever, and in short tries, each in a
    // transaction of its own, so that Cancel is heard and the log can say who holds it; the
    // tables are listed again for each try, since a migration may drop or rename them.
    constexpr int WaitLimitS = 60;
    QElapsedTimer waited;
    waited.start();
    QString holders;
    for (;;) {
        PgResultPtr list = holder.exec(
            QStringLiteral(
                "SELECT string_agg(format('%I.%I', n.nspname, c.relname), ', '), count(*), "
                "current_setting('max_locks_per_transaction')::bigint * (current_setting('max_connections')::int "
                "+ current_setting('max_prepared_transactions')::int) "
                "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind IN ('r', 'p') AND ")
            + ExportSql::userSchemaFilter(QStringLiteral("n.nspname")));
        if (!PgConnection::succeeded(list.get())) {
            *message
                = QStringLiteral("Cannot list the tables to back up: %1").arg(PgConnection::resultError(list.get()));
            return false;
        }
        const QString tables = PgConnection::value(list.get(), 0, 0);
        if (tables.isEmpty())
            return begin();
        // pg_dump locks every table too, in the same shared lock table: holding them twice must
        // fit, or pg_dump would stop with "out of shared memory" where it alone would have worked.
        const qint64 count = PgConnection::value(list.get(), 0, 1).toLongLong();
        const qint64 capacity = PgConnection::value(list.get(), 0, 2).toLongLong();
        if (2 * count > capacity) {
            ctx.log(QString(),
                    QStringLiteral("%1 tables: too many to hold locked for the whole backup as well as "
                                   "pg_dump's own locks (max_locks_per_transaction × connections = %2), so a "
                                   "table dropped while the backup runs fails it.")
                        .arg(count)
                        .arg(capacity));
            return begin();
        }
        if (!begin())
            return false;
        PgResultPtr lock = holder.exec(QStringLiteral("SET LOCAL lock_timeout = '500ms'; LOCK TABLE %1 IN ACCESS "
                                                      "SHARE MODE; SET LOCAL lock_timeout = 0")
                                           .arg(tables));
        if (PgConnection::succeeded(lock.get())) {
            if (!holders.isEmpty())
                ctx.log(QString(), QStringLiteral("The tables are free after %1 s.").arg(waited.elapsed() / 1000));
            return true;
        }
        const QString why = PgConnection::resultError(lock.get());
        const QString state = QString::fromLatin1(PQresultErrorField(lock.get(), PG_DIAG_SQLSTATE));
        holder.exec(QStringLiteral("ROLLBACK"));
        if (state == QLatin1String("42501")) { // insufficient_privilege
            *message = QStringLiteral("Cannot read every table: %1").arg(why);
            *message += permissionHint(*message, ctx.connection.user);
            return false;
        }
        // lock_not_available, or a table dropped or renamed since the list: try again.
        if (state != QLatin1String("55P03") && state != QLatin1String("42P01")) {
            *message = QStringLiteral("Cannot lock the tables to back up: %1").arg(why);
            return false;
        }
        if (ctx.isCancelled())
            return false;
        if (holders.isEmpty() && state == QLatin1String("55P03")) {
            holders = lockHolders(holder);
            ctx.log(QString(),
                    QStringLiteral("Waiting for %1; the backup starts when it lets go, or gives up after "
                                   "%2 s.")
                        .arg(holders)
                        .arg(WaitLimitS));
        }
        if (waited.elapsed() > WaitLimitS * 1000) {
            *message = QStringLiteral("The backup did not start: %1 for %2 s (a migration running?). Run it "
                                      "again when that is done.")
                           .arg(holders.isEmpty() ? why : holders)
                           .arg(WaitLimitS);
            return false;
        }
    }
}

bool checkRowSecurity(const BackupContext &ctx, const PgConnection &holder, QString *message)
{
    // Row-level security filters what a role reads without saying so: COPY would write only the
    // visible rows and call the table done. Readers turn it off (row_security = off, as pg_dump
    // does), which makes such a read fail; this says which tables and what to do before any
    // component starts. Owners are exempt unless FORCE; superusers and BYPASSRLS roles always.
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
        *message = QStringLiteral("Cannot check row-level security: %1").arg(PgConnection::resultError(hidden.get()));
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
    const QString user = ctx.connection.user;
    *message = QStringLiteral("Row-level security hides rows of %1 from \"%2\", so a backup as \"%2\" would miss "
                              "them. Back up as a superuser (for a local Supabase stack, supabase_admin) or as a "
                              "role with BYPASSRLS (as a superuser: ALTER ROLE %3 BYPASSRLS).")
                   .arg(list, user, PgConnection::value(hidden.get(), 0, 1));
    return false;
}

LockWatch::Seen LockWatch::look()
{
    // The holder's transaction would keep showing the activity it saw first: clear that.
    // A waiter that one of the backup's sessions queues behind (pg_dump's or a COPY's lock
    // request behind a migration's ALTER) can never go on, nor can the backup: that is a
    // deadlock the server cannot see, since the holder only waits for its client.
    PgResultPtr r = m_holder.exec(QStringLiteral(
        "SELECT pg_stat_clear_snapshot(); "
        "SELECT w.pid, coalesce(nullif(w.application_name, ''), w.backend_type), "
        "  left(regexp_replace(coalesce(w.query, ''), '\\s+', ' ', 'g'), 80), "
        "  EXISTS (SELECT FROM pg_stat_activity b WHERE b.application_name = 'lifeboat-backup' "
        "    AND b.pid <> pg_backend_pid() AND w.pid = ANY (pg_blocking_pids(b.pid))) "
        "FROM pg_stat_activity w WHERE w.pid <> pg_backend_pid() AND pg_backend_pid() = ANY (pg_blocking_pids(w.pid)) "
        "ORDER BY 1"));
    Seen seen;
    if (!PgConnection::succeeded(r.get()))
        return seen;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
        const int pid = PgConnection::value(r.get(), i, 0).toInt();
        const QString who = QStringLiteral("pid %1 (%2: %3)")
                                .arg(pid)
                                .arg(PgConnection::value(r.get(), i, 1), PgConnection::value(r.get(), i, 2));
        if (PgConnection::value(r.get(), i, 3) == QLatin1String("t")) {
            seen.deadlock
                = QStringLiteral("%1 waits for a table this backup holds, and the backup waits for it in turn, "
                                 "so neither could go on: the backup stopped to let it through. Back up again "
                                 "once it is done.")
                      .arg(who);
            seen.blocker = who;
            return seen;
        }
        if (!m_told.contains(pid)) {
            m_told.insert(pid);
            seen.newWaiters
                << QStringLiteral("%1 waits for this backup to finish: it needs a table the backup holds.").arg(who);
        }
    }
    return seen;
}

} // namespace lifeboat
