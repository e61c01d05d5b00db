#pragma once

#include "Stack.h"

#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

namespace lifeboat {

/// What a single pickable thing in a backup is. Each kind has an id prefix that the CLI's
/// `--only` accepts ("table:public.todos", "user:ann@example.com", ...).
enum class RestoreKind {
    Roles,            ///< roles/roles.sql: PostgreSQL roles and memberships
    DatabaseSettings, ///< roles/database_settings.sql + database_grants.sql
    Schema,           ///< every object of one schema in the archive
    Table,            ///< one table from the archive: schema and data, or data only
    User,             ///< one auth.users row with its auth.identities
    Policies,         ///< the RLS policies of one table (rls_policies/<schema>.<table>.sql)
    Function,         ///< one function or procedure (functions/<schema>.<name>.sql)
    Encryption,       ///< encryption/settings.sql (secret database settings)
    RoleAssignments,  ///< user_roles/*.sql (the application's role tables and grants)
    MigrationHistory, ///< supabase_migrations.schema_migrations rows
    Migration,        ///< one migration file (copied into the project's supabase/migrations)
    EdgeFunction,     ///< one edge function folder
    Bucket,           ///< one storage bucket: its rows and, when a storage folder is given, its files
    ConfigFile,       ///< a project file such as config.toml or seed.sql
};

QString kindKey(RestoreKind kind);              ///< "table", "user", ...
QString kindComponent(RestoreKind kind);        ///< the backup component holding it
QString kindTitle(RestoreKind kind, int count); ///< "table"/"tables" for a person
bool kindFromKey(const QString &key, RestoreKind *kind);

/// One pickable item of a backup.
struct RestoreItem
{
    RestoreKind kind = RestoreKind::Table;
    QString key;    ///< "public.todos", "ann@example.com", "hello-world", "20240101000000"
    QString label;  ///< for a person
    QString detail; ///< "1 234 rows", "2 identities", ...
    qint64 size = 0;
    qint64 rows = -1;

    QString id() const { return kindKey(kind) + u':' + key; } ///< "table:public.todos"
};

/// How to treat items that already exist in the target. Nothing is overwritten silently:
/// the wizard and the CLI show how many items each choice affects before anything runs.
enum class TableConflict { Replace, Truncate, Append, Skip };
enum class RowConflict { Replace, Skip };             ///< users, policies, functions
enum class FileConflict { Overwrite, Skip, Beside };  ///< "Beside": NAME.restored next to it
enum class MissingParents { Include, DropConstraint }; ///< FK parents neither picked nor in the target
enum class OwnerHandling { Auto, KeepOwners, NoOwners };

QString tableConflictKey(TableConflict c);
bool tableConflictFromKey(const QString &key, TableConflict *c);
QString fileConflictKey(FileConflict c);

struct RestoreOptions
{
    TableConflict tables = TableConflict::Replace;
    RowConflict rows = RowConflict::Replace;
    FileConflict files = FileConflict::Beside;
    MissingParents parents = MissingParents::Include;
    OwnerHandling owners = OwnerHandling::Auto;
    bool safetyBackup = true;       ///< back up the target before changing it
    QString safetyBackupRoot;       ///< empty: the target stack's usual backup root
    QString projectDir;             ///< receives migrations, edge functions and config files
    QString storageDir;             ///< receives storage object files
};

/// What the user picked. `dataOnly` holds table keys restored without their definition.
struct RestoreSelection
{
    QStringList items; ///< item ids
    QStringList dataOnly;
    bool wholeArchive = false; ///< also the archive's objects outside any schema (extensions, ...)
    bool isEmpty() const { return items.isEmpty(); }
};

/// Where to restore.
struct RestoreTarget
{
    enum class Kind { InPlace, OtherStack, NewDatabase };
    Kind kind = Kind::NewDatabase;
    Stack stack;         ///< the stack (for NewDatabase: the server to create it on)
    QString newDatabase; ///< NewDatabase only
    QString describe() const;
    /// The connection the restore writes into (the new database's name for NewDatabase).
    ConnectionInfo connection() const;
};

/// One step of a plan. Database steps carry a bash fragment that writes SQL to stdout (fed
/// to psql); consecutive transactional steps run in ONE psql transaction. Other steps are a
/// bash fragment run on their own (createdb, pg_restore -j into a new database, file copies).
struct RestoreStep
{
    enum class Kind { SafetyBackup, CreateDatabase, Sql, Command, Files };
    Kind kind = Kind::Sql;
    QString phase;   ///< "roles", "pre-data", "auth and storage data", "data", "post-data", ...
    QString title;   ///< "Table public.todos: definition"
    QStringList touches;
    QString script;  ///< bash; for Sql: a fragment printing SQL; empty for SafetyBackup
    bool transactional = true;
    qint64 weight = 1; ///< for the overall progress (bytes of data, roughly)
    /// The rows the step loads, by the backup's own counts; 0 when it loads none or they are
    /// not known. The runner moves the bar through such a step as the server reports its COPYs.
    qint64 rows = 0;
};

/// A conflict found in the target and what the chosen option does about it.
struct RestoreConflict
{
    QString kind;       ///< "tables", "users", "policies", "functions", "files"
    QStringList items;  ///< what exists already
    QString resolution; ///< "replaced", "truncated and reloaded", "skipped", ...
};

struct RestorePlan
{
    QString backupPath;
    QString backupLabel; ///< "lifeboat-demo 20261127-070314"
    RestoreTarget target;
    RestoreOptions options;
    QList<RestoreItem> picked;      ///< what the user asked for
    QStringList closure;            ///< "+3 sequences, 2 policies because of public.todos"
    QList<RestoreConflict> conflicts;
    QStringList warnings;
    QStringList blockers;           ///< problems that stop the run until the choice changes
    QStringList ownersNotSet;       ///< objects that will belong to the connecting role
    bool keepOwners = false;
    bool superuser = false;
    QString connectingRole;
    QList<RestoreStep> steps;
    QStringList filesUsed; ///< backup files (or folders) the steps read; verified before the run

    bool runnable() const { return blockers.isEmpty() && !steps.isEmpty(); }
    /// The whole plan as a bash script that does what the runner does (without Lifeboat).
    QString script() const;
    /// A human-readable report of what would change.
    QString report() const;
};

/// How a restore ended.
struct StepOutcome
{
    enum class State { Pending, Running, Done, Skipped, Failed, RolledBack, Cancelled };
    State state = State::Pending;
    QString message;
};

struct RestoreReport
{
    enum class Outcome { Complete, Failed, Cancelled, Refused };
    Outcome outcome = Outcome::Failed;
    QString message;            ///< what failed and how to go back
    QString safetyBackupPath;   ///< the backup taken before any change
    QList<StepOutcome> steps;   ///< parallel to the plan's steps
    QString logPath;
    QStringList ownersNotSet;
    int count(StepOutcome::State state) const;
};

QString outcomeKey(RestoreReport::Outcome outcome);
QString stepStateKey(StepOutcome::State state);

} // namespace lifeboat

Q_DECLARE_METATYPE(lifeboat::RestorePlan)
Q_DECLARE_METATYPE(lifeboat::RestoreReport)
Q_DECLARE_METATYPE(lifeboat::StepOutcome)
