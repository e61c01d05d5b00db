#pragma once

#include "PgConnection.h"
#include "Result.h"

#include <QIODevice>
#include <QString>

#include <atomic>
#include <functional>

namespace lifeboat {

/// Small building blocks the exporters share: queries that fail as values, restorable
/// INSERT statements for a table's rows, and COPY streamed to a file.
namespace ExportSql {

/// Runs a query; the error names the query's purpose.
Result<PgResultPtr> query(const PgConnection &conn, const QString &sql, const QString &purpose);
Result<PgResultPtr> query(const PgConnection &conn, const QString &sql, const QList<QByteArray> &params,
                          const QString &purpose);

/// True when `qualifiedName` ("auth.users") exists in the snapshot.
bool relationExists(const PgConnection &conn, const QString &qualifiedName);

enum class OnConflict { Update, Nothing };

/// Writes one `INSERT ... ON CONFLICT` per row of `qualifiedName` to `out`: never the
/// generated columns; values travel as JSON so every type round-trips exactly. Rows are
/// streamed (single-row mode), never held all at once. Returns the row count.
Result<qint64> writeUpserts(const PgConnection &conn, const QString &qualifiedName, QIODevice &out,
                            OnConflict onConflict, const QString &orderBy = {});

/// COPY ... TO STDOUT streamed into `out`. Asks `cancelled` at least every 100 ms and then
/// cancels the query on the server. Returns the row count from the command tag.
Result<qint64> copyOut(const PgConnection &conn, const QString &copySql, QIODevice &out,
                       const std::function<bool()> &cancelled, const std::function<void(qint64)> &onBytes = {});

/// The values of one column, one per line ("SQL statements from a query").
QByteArray columnLines(const PGresult *result, int column = 0);

/// An identifier, always double-quoted ("my ""odd"" name").
QString quoteIdent(const QString &name);

/// quote_ident for a qualified name given as schema and name.
QString qualified(const QString &schema, const QString &name);

/// Schemas that hold no user data: the catalogs and temp/toast schemas.
QString userSchemaFilter(const QString &schemaColumn);

/// A table or materialized view of a user schema and its size on disk (pg_table_size).
struct UserTable
{
    QString schema;
    QString name;
    bool materializedView = false;
    qint64 bytes = 0;
    /// Created by an extension: pg_dump writes its rows only where the extension marked them
    /// (pg_extension_config_dump), perhaps a part of them.
    bool extensionMember = false;
};

/// Every table and materialized view in the user schemas, largest first.
Result<QList<UserTable>> userTables(const PgConnection &conn);

} // namespace ExportSql
} // namespace lifeboat
