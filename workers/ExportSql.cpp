#include "ExportSql.h"

#include <poll.h>

namespace lifeboat::ExportSql {

QString quoteIdent(const QString &s)
{
    QString q = s;
    q.replace(u'"', QStringLiteral("\"\""));
    return u'"' + q + u'"';
}

QByteArray columnLines(const PGresult *result, int column)
{
    QByteArray out;
    for (int i = 0; i < PQntuples(result); ++i)
        out += QByteArray(PQgetvalue(result, i, column)) + '\n';
    return out;
}

QString qualified(const QString &schema, const QString &name)
{
    return quoteIdent(schema) + u'.' + quoteIdent(name);
}

QString userSchemaFilter(const QString &col)
{
    return QStringLiteral("%1 NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND %1 NOT LIKE 'pg_temp_%%' "
                          "AND %1 NOT LIKE 'pg_toast_temp_%%'")
        .arg(col)
        .replace(QStringLiteral("%%"), QStringLiteral("%"));
}

Result<QList<UserTable>> userTables(const PgConnection &conn)
{
    auto list
        = query(conn,
                QStringLiteral("SELECT n.nspname, c.relname, c.relkind = 'm', pg_table_size(c.oid), EXISTS (SELECT 1 "
                               "FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND "
                               "d.deptype = 'e') FROM pg_class c "
                               "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r','m') AND ")
                    + userSchemaFilter(QStringLiteral("n.nspname")) + QStringLiteral(" ORDER BY 4 DESC, 1, 2"),
                QStringLiteral("listing tables"));
    if (!list)
        return Error{list.error()};
    QList<UserTable> tables;
    for (int i = 0; i < PQntuples(list->get()); ++i)
        tables.append({PgConnection::value(list->get(), i, 0),
                       PgConnection::value(list->get(), i, 1),
                       PgConnection::value(list->get(), i, 2) == QLatin1String("t"),
                       PgConnection::value(list->get(), i, 3).toLongLong(),
                       PgConnection::value(list->get(), i, 4) == QLatin1String("t")});
    return tables;
}

Result<PgResultPtr> query(const PgConnection &conn, const QString &sql, const QString &purpose)
{
    PgResultPtr r = conn.exec(sql);
    if (!PgConnection::succeeded(r.get()))
        return Error{QStringLiteral("%1 failed: %2").arg(purpose, PgConnection::resultError(r.get()))};
    return Result<PgResultPtr>(std::move(r));
}

Result<PgResultPtr> query(const PgConnection &conn, const QString &sql, const QList<QByteArray> &params,
                          const QString &purpose)
{
    PgResultPtr r = conn.execParams(sql, params);
    if (!PgConnection::succeeded(r.get()))
        return Error{QStringLiteral("%1 failed: %2").arg(purpose, PgConnection::resultError(r.get()))};
    return Result<PgResultPtr>(std::move(r));
}

bool relationExists(const PgConnection &conn, const QString &qualifiedName)
{
    PgResultPtr r = conn.execParams(QStringLiteral("SELECT to_regclass($1) IS NOT NULL"), {qualifiedName.toUtf8()});
    return PgConnection::succeeded(r.get()) && PgConnection::value(r.get(), 0, 0) == QLatin1String("t");
}

Result<qint64> writeUpserts(const PgConnection &conn, const QString &qualifiedName, QIODevice &out,
                            OnConflict onConflict, const QString &orderBy)
{
    const QString columnFilter = QStringLiteral("attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped "
                                                "AND attgenerated = ''");
    const QString keyColumns = QStringLiteral("coalesce((SELECT indkey::int2[] FROM pg_index WHERE indrelid = "
                                              "$1::regclass AND indisprimary), '{}')");
    auto cols = query(conn,
                      QStringLiteral("SELECT (SELECT coalesce(string_agg(quote_ident(attname), ', ' ORDER BY attnum), '') "
                                     "  FROM pg_attribute WHERE %1), "
                                     "(SELECT coalesce(string_agg(format('%2$I = EXCLUDED.%2$I', attname), ', ' "
                                     "  ORDER BY attnum), '') FROM pg_attribute WHERE %1 AND attnum <> ALL(%3)), "
                                     "(SELECT coalesce(string_agg(quote_ident(attname), ', ' ORDER BY attnum), '') "
                                     "  FROM pg_attribute WHERE %1 AND attnum = ANY(%3))")
                          .arg(columnFilter, QStringLiteral("%1"), keyColumns),
                      {qualifiedName.toUtf8()}, QStringLiteral("reading the columns of %1").arg(qualifiedName));
    if (!cols)
        return Error{cols.error()};
    const QString columns = PgConnection::value(cols->get(), 0, 0);
    const QString updates = PgConnection::value(cols->get(), 0, 1);
    const QString key = PgConnection::value(cols->get(), 0, 2);

    QString conflict = QStringLiteral("ON CONFLICT DO NOTHING");
    if (onConflict == OnConflict::Update && !key.isEmpty())
        conflict = updates.isEmpty() ? QStringLiteral("ON CONFLICT (%1) DO NOTHING").arg(key)
                                     : QStringLiteral("ON CONFLICT (%1) DO UPDATE SET %2").arg(key, updates);

    // The statement text is a format() template: escape quotes and % in the names it carries.
    auto literal = [](QString t) { return t.replace(u'\'', QStringLiteral("''")).replace(u'%', QStringLiteral("%%")); };
    const QString statement = literal(QStringLiteral("INSERT INTO %1 (%2) SELECT %2 FROM json_populate_record(NULL::%1, ")
                                          .arg(qualifiedName, columns))
        + QStringLiteral("%L) ") + literal(conflict) + u';';
    const QString sql = QStringLiteral("SELECT format('%1', row_to_json(t)::text) FROM %2 t %3")
                            .arg(statement, qualifiedName,
                                 orderBy.isEmpty() ? QString() : QStringLiteral("ORDER BY ") + orderBy);
    if (!PQsendQuery(conn.handle(), sql.toUtf8().constData()) || !PQsetSingleRowMode(conn.handle()))
        return Error{QStringLiteral("reading %1 failed: %2").arg(qualifiedName, conn.errorMessage())};

    qint64 rows = 0;
    QString error;
    while (PGresult *raw = PQgetResult(conn.handle())) {
        PgResultPtr r(raw, &PQclear);
        const ExecStatusType st = PQresultStatus(raw);
        if (st == PGRES_SINGLE_TUPLE) {
            const char *line = PQgetvalue(raw, 0, 0);
            if (error.isEmpty() && (out.write(line, PQgetlength(raw, 0, 0)) < 0 || out.write("\n", 1) < 0))
                error = QStringLiteral("writing the rows of %1 failed: %2").arg(qualifiedName, out.errorString());
            ++rows;
        } else if (st != PGRES_TUPLES_OK && error.isEmpty()) {
            error = QStringLiteral("reading %1 failed: %2").arg(qualifiedName, PgConnection::resultError(raw));
        }
    }
    if (!error.isEmpty())
        return Error{error};
    return rows;
}

Result<qint64> copyOut(const PgConnection &conn, const QString &copySql, QIODevice &out,
                       const std::function<bool()> &cancelled, const std::function<void(qint64)> &onBytes)
{
    PGconn *c = conn.handle();
    // The COPY may first wait for its table's lock (behind a migration's ALTER, say): wait
    // for it in short polls so that a cancel is heard meanwhile.
    if (!PQsendQuery(c, copySql.toUtf8().constData()))
        return Error{conn.errorMessage()};
    bool cancelSent = false;
    auto sendCancel = [&] {
        cancelSent = true;
        if (PGcancel *pc = PQgetCancel(c)) {
            char err[256];
            PQcancel(pc, err, sizeof err);
            PQfreeCancel(pc);
        }
    };
    while (PQisBusy(c)) {
        pollfd pfd{PQsocket(c), POLLIN, 0};
        ::poll(&pfd, 1, 100);
        if (!PQconsumeInput(c))
            return Error{conn.errorMessage()};
        if (!cancelSent && cancelled())
            sendCancel();
    }
    PgResultPtr start(PQgetResult(c), &PQclear);
    if (PQresultStatus(start.get()) != PGRES_COPY_OUT) {
        while (PGresult *rest = PQgetResult(c))
            PQclear(rest);
        return Error{cancelSent ? QStringLiteral("cancelled") : PgConnection::resultError(start.get())};
    }

    // COPY hands over one row per call: gather rows into large writes and report progress
    // per chunk, not per row (millions of rows).
    constexpr qsizetype ChunkSize = 1 << 20;
    QByteArray chunk;
    chunk.reserve(ChunkSize + 65536);
    qint64 bytes = 0;
    QString writeError;
    auto flush = [&] {
        if (chunk.isEmpty())
            return;
        if (writeError.isEmpty() && out.write(chunk) != chunk.size())
            writeError = out.errorString();
        bytes += chunk.size();
        chunk.resize(0);
        if (onBytes)
            onBytes(bytes);
    };
    for (;;) {
        char *buffer = nullptr;
        const int n = PQgetCopyData(c, &buffer, 1);
        if (n > 0) {
            chunk.append(buffer, n);
            PQfreemem(buffer);
            if (chunk.size() < ChunkSize)
                continue;
            flush();
        } else if (n == 0) {
            flush();
            pollfd pfd{PQsocket(c), POLLIN, 0};
            ::poll(&pfd, 1, 100);
            if (!PQconsumeInput(c))
                break;
        } else {
            break; // -1: done; -2: error, reported by the result below
        }
        if ((cancelled() || !writeError.isEmpty()) && !cancelSent)
            sendCancel();
    }
    flush();
    qint64 rows = 0;
    QString error;
    while (PGresult *raw = PQgetResult(c)) {
        PgResultPtr r(raw, &PQclear);
        if (PQresultStatus(raw) == PGRES_COMMAND_OK)
            rows = QByteArray(PQcmdTuples(raw)).toLongLong();
        else if (error.isEmpty())
            error = PgConnection::resultError(raw);
    }
    if (!writeError.isEmpty())
        return Error{QStringLiteral("write error: ") + writeError};
    if (cancelSent && writeError.isEmpty())
        return Error{QStringLiteral("cancelled")};
    if (!error.isEmpty())
        return Error{error};
    return rows;
}

} // namespace lifeboat::ExportSql
