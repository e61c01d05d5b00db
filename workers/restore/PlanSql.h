#pragma once

// Building blocks of restore plans: which archive entries are what, and the bash/SQL
// fragments the steps are made of. Internal to the restore planner.

#include "RestoreInventory.h"

#include <QList>
#include <QMap>
#include <QSet>
#include <QString>
#include <QStringList>

namespace lifeboat::restore {

extern const QSet<QString> RelationDescs;
extern const QSet<QString> TypeDescs;
extern const QSet<QString> FunctionDescs;
/// Objects a restored object may need; pulled from the archive when the target lacks them.
extern const QSet<QString> PullableDescs;
/// What comes along with a table: its definition's parts.
extern const QSet<QString> TablePartDescs;
extern const QSet<QString> AttachedDescs;
extern const QSet<QString> SupabaseSchemas;

/// "2 indexes", "1 foreign key" for an archive description.
QString objectWords(const QString &desc, int n);
QString plural(int n, const char *one, const char *many);
/// A quoted here-document for bash that prints `text` unchanged.
QString heredoc(const QString &text);
QString shellQuote(const QString &s);
/// `pg_restore` producing SQL for exactly these archive entries of one section.
QString pgRestoreSql(const QList<int> &ids, const QString &section, bool noOwner, bool noAcl);
/// The same for a new database: straight into it, in parallel, outside a transaction.
QString pgRestoreDirect(const QList<int> &ids, const QString &section, bool noOwner, bool noAcl, bool replica);
/// "CREATE TABLE public.tasks (" -> "public.tasks" exactly as pg_dump spelled it.
QString spelledName(const ArchiveEntry &table);
/// The columns the archive's rows of `table` carry (its CREATE TABLE without constraints and
/// generated columns), or nothing when the definition does not list them all (INHERITS, OF).
QStringList copiedColumns(const ArchiveEntry &table);
/// Rewrites an upsert so that an existing row is left alone.
QString skipExisting(const QString &statement);
/// Role names in "GRANT ... TO a, b;" statements of ACL entries.
QStringList grantees(const QString &sql);
QString unquote(QString name);

/// Statements of roles.sql grouped by the role they create or alter; the rest (GRANTs) apart.
struct RoleStatements
{
    QMap<QString, QStringList> byRole;
    QStringList memberships;
};

RoleStatements parseRoles(const QString &text);
QString readText(const QString &path);

} // namespace lifeboat::restore
