#pragma once

#include "PgConnection.h"
#include "RestoreInventory.h"
#include "RestoreTypes.h"
#include "Result.h"

#include <QHash>
#include <QSet>

namespace lifeboat {

/// What the planner learned about the target with read-only queries.
struct TargetState
{
    bool databaseExists = true;
    QString role;           ///< current_user
    bool superuser = false;
    int serverVersionNum = 0;
    QHash<QString, bool> roles;         ///< every role -> may the connecting role act as it
    QSet<int> existingEntries;          ///< archive entry ids whose object exists in the target
    QSet<QString> existingTables;       ///< "schema.table"
    QHash<QString, QStringList> fkChildren;   ///< "schema.table" -> tables with a foreign key to it
    QHash<QString, QStringList> childTables;  ///< "schema.table" -> its partitions and inheriting tables
    QHash<QString, QStringList> columns;      ///< "schema.table" -> columns COPY fills (not generated)
    QHash<QString, QStringList> requiredColumns; ///< "schema.table" -> NOT NULL columns without a default
    /// "schema.table" -> views and functions DROP TABLE ... CASCADE would take with it, as
    /// {"VIEW"|"FUNCTION", schema, tag as in the archive ("name(argtypes)" for functions)}.
    QHash<QString, QList<QStringList>> dropDependents;
    QSet<QString> existingUserIds;
    QSet<QString> existingPolicies;     ///< "schema.table|policy name"
    QSet<QString> existingFunctions;    ///< "schema.name"
    QSet<QString> existingBuckets;
    QStringList authMigrations;         ///< versions of auth.schema_migrations
    QStringList storageMigrations;      ///< names of storage.migrations, by id
    bool hasAuthUsers = false;
    bool hasStorageObjects = false;
    bool hasMigrationHistory = false;
};

/// Turns a backup, a selection, a target and options into an ordered, explainable plan.
/// `probe` reads the target; `plan` is pure so it can be tested and re-run as choices change.
class RestorePlanner
{
public:
    /// Reads what the plan needs from the target. For a new database, `conn` is a connection
    /// to the server (any database): the new database is assumed to be a copy of template1.
    static Result<TargetState> probe(const PgConnection &conn, const RestoreInventory &inventory,
                                     const RestoreTarget &target);

    static RestorePlan plan(const RestoreInventory &inventory, const RestoreSelection &selection,
                            const RestoreTarget &target, const RestoreOptions &options, const TargetState &state);

    /// Parses "--only" words: components (`users`, `policies`, ...) and items (`table:public.x`).
    /// Unknown words give an error naming them and what is available.
    static Result<RestoreSelection> parseSelection(const RestoreInventory &inventory, const QStringList &words);
};

} // namespace lifeboat
