#include "RestoreTypes.h"

#include <QDateTime>

#include <array>
#include <utility>

namespace lifeboat {

namespace {

struct KindInfo
{
    RestoreKind kind;
    const char *key;
    const char *component;
    const char *singular;
    const char *plural;
};

constexpr std::array<KindInfo, 14> Kinds{{
    {RestoreKind::Roles, "roles", "roles", "set of roles", "sets of roles"},
    {RestoreKind::DatabaseSettings, "settings", "roles", "database settings", "database settings"},
    {RestoreKind::Schema, "schema", "database", "schema", "schemas"},
    {RestoreKind::Table, "table", "database", "table", "tables"},
    {RestoreKind::User, "user", "auth_users", "user", "users"},
    {RestoreKind::Policies, "policies", "rls_policies", "table's policies", "tables' policies"},
    {RestoreKind::Function, "function", "functions", "function", "functions"},
    {RestoreKind::Encryption, "encryption", "encryption", "encryption settings", "encryption settings"},
    {RestoreKind::RoleAssignments, "role_assignments", "user_roles", "role assignments", "role assignments"},
    {RestoreKind::MigrationHistory, "migration_history", "migrations", "migration history", "migration history"},
    {RestoreKind::Migration, "migration", "migrations", "migration file", "migration files"},
    {RestoreKind::EdgeFunction, "edge_function", "edge_functions", "edge function", "edge functions"},
    {RestoreKind::Bucket, "bucket", "storage", "storage bucket", "storage buckets"},
    {RestoreKind::ConfigFile, "config", "config", "project file", "project files"},
}};

const KindInfo &info(RestoreKind kind)
{
    for (const auto &k : Kinds)
        if (k.kind == kind)
            return k;
    return Kinds[0];
}

/// 'text' for bash, safe for any content.
QString shellQuote(const QString &s)
{
    QString q = s;
    q.replace(u'\'', QStringLiteral("'\\''"));
    return u'\'' + q + u'\'';
}

} // namespace

QString kindKey(RestoreKind kind)
{
    return QString::fromLatin1(info(kind).key);
}

QString kindComponent(RestoreKind kind)
{
    return QString::fromLatin1(info(kind).component);
}

QString kindTitle(RestoreKind kind, int count)
{
    return QString::fromLatin1(count == 1 ? info(kind).singular : info(kind).plural);
}

bool kindFromKey(const QString &key, RestoreKind *kind)
{
    for (const auto &k : Kinds) {
        if (key == QLatin1String(k.key)) {
            *kind = k.kind;
            return true;
        }
    }
    return false;
}

QString tableConflictKey(TableConflict c)
{
    switch (c) {
    case TableConflict::Replace: return QStringLiteral("replace");
    case TableConflict::Truncate: return QStringLiteral("truncate");
    case TableConflict::Append: return QStringLiteral("append");
    case TableConflict::Skip: return QStringLiteral("skip");
    }
    return {};
}

bool tableConflictFromKey(const QString &key, TableConflict *c)
{
    for (TableConflict v : {TableConflict::Replace, TableConflict::Truncate, TableConflict::Append, TableConflict::Skip}) {
        if (tableConflictKey(v) == key) {
            *c = v;
            return true;
        }
    }
    return false;
}

QString fileConflictKey(FileConflict c)
{
    switch (c) {
    case FileConflict::Overwrite: return QStringLiteral("overwrite");
    case FileConflict::Skip: return QStringLiteral("skip");
    case FileConflict::Beside: return QStringLiteral("beside");
    }
    return {};
}

QString RestoreTarget::describe() const
{
    const ConnectionInfo c = connection();
    switch (kind) {
    case Kind::InPlace:
        return QStringLiteral("%1 in place (%2)").arg(stack.name, c.displayAddress());
    case Kind::OtherStack:
        return QStringLiteral("%1 (%2)").arg(stack.name, c.displayAddress());
    case Kind::NewDatabase:
        return QStringLiteral("new database %1 on %2:%3").arg(newDatabase, c.host).arg(c.port);
    }
    return {};
}

ConnectionInfo RestoreTarget::connection() const
{
    ConnectionInfo c = stack.connection;
    if (kind == Kind::NewDatabase)
        c.database = newDatabase;
    return c;
}

QString RestorePlan::script() const
{
    const ConnectionInfo c = target.connection();
    QString s;
    s += QStringLiteral("#!/usr/bin/env bash\n"
                        "# Lifeboat restore plan. Run it as is (bash, psql, pg_restore, pg_dump) or let Lifeboat run it.\n");
    s += QStringLiteral("#   backup: %1\n#   target: %2\n#   made:   %3\n")
             .arg(backupPath, target.describe(), QDateTime::currentDateTime().toString(Qt::ISODate));
    s += QStringLiteral("# The connection comes from the libpq environment; these defaults are the ones Lifeboat\n"
                        "# planned with. No password here: use PGPASSFILE, ~/.pgpass or PGPASSWORD.\n"
                        "set -euo pipefail\numask 077\n");
    s += QStringLiteral(
        "# Run by Lifeboat, in a process group of its own: should Lifeboat die, its psql and pg_restore\n"
        "# go too, instead of changing the target unwatched (the server rolls back what they had open).\n"
        "# Lifeboat sends this script SIGTERM as it dies, but bash may only act on it once the tool it\n"
        "# waits for has finished: the lifeline, a pipe whose writer is Lifeboat alone, reads its end\n"
        "# as soon as Lifeboat is gone, and the watcher on it stops the whole group at once.\n"
        "if [[ ${LIFEBOAT_OWN_GROUP:-} == 1 ]]; then\n"
        "  trap 'trap \"\" TERM; kill -TERM -- -$$ 2>/dev/null || true' EXIT\n"
        "  if [[ ${LIFEBOAT_LIFELINE:-} =~ ^[0-9]+$ ]]; then\n"
        "    { read -r -u \"$LIFEBOAT_LIFELINE\" _ || true; kill -TERM -- -$$ 2>/dev/null; } &\n"
        "  fi\n"
        "fi\n");
    s += QStringLiteral("export PGHOST=\"${PGHOST:-%1}\" PGPORT=\"${PGPORT:-%2}\" PGUSER=\"${PGUSER:-%3}\"\n")
             .arg(c.host)
             .arg(c.port)
             .arg(c.user);
    s += QStringLiteral("export PGDATABASE=\"${PGDATABASE:-%1}\"   # the target database\n").arg(c.database);
    s += QStringLiteral("cd %1\n").arg(shellQuote(backupPath));
    s += QStringLiteral(
        "step() { printf '@@lifeboat-step %s\\n' \"$1\" >&2; }\n"
        "# A group of steps is one transaction: COMMIT is only sent when every step of the group\n"
        "# produced its SQL and psql stops at the first error, so a failure rolls back the group.\n"
        "psql_tx() { psql -X -q -v ON_ERROR_STOP=1 -v target_db=\"$PGDATABASE\" -f -; }\n"
        "strip_restrict() { sed -E '/^\\\\(un)?restrict( |$)/d'; }\n"
        "# Copies a tree without losing anything: MODE overwrite | skip | beside (NAME.restored).\n"
        "copy_tree() {\n"
        "  local src=$1 dest=$2 mode=$3 f rel t\n"
        "  [[ -e $src ]] || return 0\n"
        "  if [[ -f $src ]]; then\n"
        "    if [[ -e $dest ]] && cmp -s \"$src\" \"$dest\"; then return 0; fi\n"
        "    if [[ -e $dest ]]; then\n"
        "      case $mode in skip) return 0 ;; beside) dest=$dest.restored ;; esac\n"
        "    fi\n"
        "    mkdir -p \"$(dirname \"$dest\")\" && cp -p \"$src\" \"$dest\"\n"
        "    return\n"
        "  fi\n"
        "  while IFS= read -r -d '' f; do\n"
        "    rel=${f#\"$src\"/}\n"
        "    copy_tree \"$f\" \"$dest/$rel\" \"$mode\"\n"
        "  done < <(find \"$src\" -type f -print0)\n"
        "}\n"
        "if [[ -z ${LIFEBOAT_VERIFIED:-} ]]; then\n"
        "  sha256sum --quiet --strict --check SHA256SUMS || { echo 'backup damaged: nothing was restored' >&2; exit 3; }\n"
        "fi\n\n");

    bool inGroup = false;
    auto closeGroup = [&] {
        if (inGroup)
            s += QStringLiteral("printf 'COMMIT;\\n'\n} | psql_tx\n\n");
        inGroup = false;
    };
    for (int i = 0; i < steps.size(); ++i) {
        const RestoreStep &st = steps.at(i);
        const QString n = QString::number(i + 1);
        const bool sqlStep = st.kind == RestoreStep::Kind::Sql && st.transactional;
        if (!sqlStep)
            closeGroup();
        s += QStringLiteral("# Step %1 (%2): %3\n").arg(n, st.phase, st.title);
        if (sqlStep) {
            if (!inGroup) {
                s += QStringLiteral("step %1\n{\nprintf 'BEGIN;\\n'\n").arg(n);
                inGroup = true;
            }
            s += QStringLiteral("printf '\\\\warn @@lifeboat-step %1\\n'\n").arg(n);
            s += st.script;
            if (!st.script.endsWith(u'\n'))
                s += u'\n';
            continue;
        }
        if (st.kind == RestoreStep::Kind::SafetyBackup) {
            s += QStringLiteral("if [[ -z ${LIFEBOAT_SAFETY_DONE:-} ]]; then\n  step %1\n").arg(n);
            s += QStringLiteral("  SAFETY=\"${LIFEBOAT_SAFETY_FILE:-$HOME/before-restore-$(date +%Y%m%d-%H%M%S).dump}\"\n"
                                "  pg_dump -Fc -f \"$SAFETY\"   # go back with: pg_restore --clean -d \"$PGDATABASE\" \"$SAFETY\"\n"
                                "  echo \"safety backup: $SAFETY\" >&2\nfi\n\n");
            continue;
        }
        s += QStringLiteral("step %1\n").arg(n);
        s += st.script;
        if (!st.script.endsWith(u'\n'))
            s += u'\n';
        s += u'\n';
    }
    closeGroup();
    s += QStringLiteral("echo 'restore finished' >&2\n");
    return s;
}

QString RestorePlan::report() const
{
    QString r;
    r += QStringLiteral("Restore of %1\ninto %2\n\n").arg(backupLabel.isEmpty() ? backupPath : backupLabel,
                                                          target.describe());
    r += QStringLiteral("Picked (%1):\n").arg(picked.size());
    for (const auto &item : picked)
        r += QStringLiteral("  %1\n").arg(item.id());
    if (!closure.isEmpty()) {
        r += QStringLiteral("\nAdded because of what was picked:\n");
        for (const auto &c : closure)
            r += QStringLiteral("  %1\n").arg(c);
    }
    if (!conflicts.isEmpty()) {
        r += QStringLiteral("\nAlready in the target:\n");
        for (const auto &c : conflicts)
            r += QStringLiteral("  %1 (%2): %3 (%4)\n")
                     .arg(c.kind)
                     .arg(c.items.size())
                     .arg(c.resolution,
                          c.items.mid(0, 8).join(QStringLiteral(", ")) + (c.items.size() > 8 ? QStringLiteral(", ...") : QString()));
    }
    r += QStringLiteral("\nOwnership: %1\n")
             .arg(keepOwners ? QStringLiteral("kept as in the backup")
                             : QStringLiteral("restored objects belong to %1").arg(connectingRole));
    if (!ownersNotSet.isEmpty()) {
        r += QStringLiteral("  %1 object(s) whose owner cannot be set:\n").arg(ownersNotSet.size());
        for (const auto &o : ownersNotSet)
            r += QStringLiteral("    %1\n").arg(o);
    }
    if (!warnings.isEmpty()) {
        r += QStringLiteral("\nWarnings:\n");
        for (const auto &w : warnings)
            r += QStringLiteral("  %1\n").arg(w);
    }
    if (!blockers.isEmpty()) {
        r += QStringLiteral("\nCannot run until these are resolved:\n");
        for (const auto &b : blockers)
            r += QStringLiteral("  %1\n").arg(b);
    }
    r += QStringLiteral("\nSteps:\n");
    for (int i = 0; i < steps.size(); ++i)
        r += QStringLiteral("  %1. [%2] %3%4\n")
                 .arg(i + 1)
                 .arg(steps.at(i).phase, steps.at(i).title,
                      steps.at(i).transactional ? QString() : QStringLiteral(" (not in a transaction)"));
    return r;
}

int RestoreReport::count(StepOutcome::State state) const
{
    int n = 0;
    for (const auto &s : steps)
        n += s.state == state;
    return n;
}

QString outcomeKey(RestoreReport::Outcome outcome)
{
    switch (outcome) {
    case RestoreReport::Outcome::Complete: return QStringLiteral("complete");
    case RestoreReport::Outcome::Failed: return QStringLiteral("failed");
    case RestoreReport::Outcome::Cancelled: return QStringLiteral("cancelled");
    case RestoreReport::Outcome::Refused: return QStringLiteral("refused");
    }
    return {};
}

QString stepStateKey(StepOutcome::State state)
{
    switch (state) {
    case StepOutcome::State::Pending: return QStringLiteral("pending");
    case StepOutcome::State::Running: return QStringLiteral("running");
    case StepOutcome::State::Done: return QStringLiteral("done");
    case StepOutcome::State::Skipped: return QStringLiteral("skipped");
    case StepOutcome::State::Failed: return QStringLiteral("failed");
    case StepOutcome::State::RolledBack: return QStringLiteral("rolled back");
    case StepOutcome::State::Cancelled: return QStringLiteral("cancelled");
    }
    return {};
}

} // namespace lifeboat
