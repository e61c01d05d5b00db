#pragma once

#include "Manifest.h"
#include "RestoreTypes.h"
#include "Result.h"
#include "ToolLocator.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <atomic>

namespace lifeboat {

/// One entry of the archive's table of contents, with its dependencies and (for schema
/// entries) its SQL, as `pg_restore --verbose --schema-only` prints them.
struct ArchiveEntry
{
    int id = 0;
    QString desc;   ///< "TABLE", "TABLE DATA", "FK CONSTRAINT", ...
    QString schema; ///< empty for objects outside a schema
    QString tag;    ///< "todos", "add_todo(text, uuid)", "todos todos_pkey" for constraints
    QString owner;
    QList<int> deps;
    QString sql;    ///< the definition (schema entries only)
    QString tocLine;

    bool isData() const;                ///< TABLE DATA, SEQUENCE SET, BLOBS, ...
    QString section() const;            ///< "pre-data", "data" or "post-data"
    QString qualifiedName() const;      ///< "public.todos" (not quoted)
    QString display() const;            ///< "TABLE public.todos"
};

/// The archive's table of contents: `database/database.toc` plus the dependency headers of
/// the schema-only SQL.
class ArchiveToc
{
public:
    static Result<ArchiveToc> load(const QString &backupPath, const PgTool &pgRestore, const std::atomic_bool &cancel);
    /// Parses already produced texts (`pg_restore -l` and `pg_restore --verbose -s -f -`).
    static ArchiveToc parse(const QString &tocList, const QString &schemaSql);

    const QList<ArchiveEntry> &entries() const { return m_entries; }
    const ArchiveEntry *entry(int id) const;
    /// The entry of `desc` named `schema.tag`, or null.
    const ArchiveEntry *find(const QString &desc, const QString &schema, const QString &tag) const;
    /// Entries that list `id` among their dependencies.
    QList<int> dependents(int id) const;
    bool isEmpty() const { return m_entries.isEmpty(); }

private:
    QList<ArchiveEntry> m_entries;
    QHash<int, int> m_index;
    QHash<int, QList<int>> m_dependents;
};

/// One row statement of a Lifeboat SQL file ("INSERT ... json_populate_record(...) ON CONFLICT ...").
struct RowStatement
{
    QString table;      ///< "auth.users"
    QString statement;  ///< one line
    QJsonObject row;
};

/// Everything a backup offers to restore, read from its folder (off the GUI thread).
struct RestoreInventory
{
    QString path;
    Manifest manifest;
    ArchiveToc toc;
    QList<RestoreItem> items;
    QList<RowStatement> userRows;     ///< auth.users and auth.identities
    QList<RowStatement> storageRows;  ///< storage.buckets and storage.objects
    QList<RowStatement> migrationRows;
    QStringList authMigrations;       ///< versions in auth.schema_migrations at backup time
    QStringList storageMigrations;    ///< names in storage.migrations at backup time (by id)

    static Result<RestoreInventory> load(const QString &backupPath, const std::atomic_bool &cancel);

    const RestoreItem *item(const QString &id) const;
    QList<RestoreItem> itemsOf(RestoreKind kind) const;
    bool has(const QString &relativePath) const;
    QString absolutePath(const QString &relativePath) const;
};

/// Splits a Lifeboat upsert file into row statements (one per line).
QList<RowStatement> parseRowStatements(const QString &text);

} // namespace lifeboat
