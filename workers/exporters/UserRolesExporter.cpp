#include "UserRolesExporter.h"

#include "ExportSql.h"

#include <QBuffer>
#include <QFile>
#include <QMap>
#include <QSet>

namespace lifeboat {

namespace {

QString csvField(QString v)
{
    if (v.contains(u',') || v.contains(u'"') || v.contains(u'\n')) {
        v.replace(u'"', QStringLiteral("\"\""));
        return u'"' + v + u'"';
    }
    return v;
}

} // namespace

QString UserRolesExporter::managedSchemasSql()
{
    return QStringLiteral("('auth', 'storage', 'realtime', '_realtime', 'vault', 'extensions', 'graphql', "
                          "'graphql_public', 'pgbouncer', 'pgsodium', 'pgsodium_masks', 'net', 'cron', "
                          "'supabase_migrations', 'supabase_functions', '_analytics')");
}

void UserRolesExporter::run(BackupContext &ctx, ComponentResult &r)
{
    PgConnection conn;
    if (!connect(ctx, r, conn))
        return;
    QString error;
    const QString appSchemas = ExportSql::userSchemaFilter(QStringLiteral("n.nspname"))
        + QStringLiteral(" AND n.nspname NOT IN ") + managedSchemasSql();

    // 1. Role-assignment tables.
    QStringList patterns = ctx.request.roleTablePatterns;
    for (QString &p : patterns)
        p.replace(u'"', QStringLiteral("\\\""));
    const QByteArray patternArray = "{\"" + patterns.join(QStringLiteral("\",\"")).toUtf8() + "\"}";
    auto tables = ExportSql::query(conn,
                                   QStringLiteral("SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n "
                                                  "ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND "
                                                  "c.relname LIKE ANY ($1::text[]) AND ")
                                       + appSchemas + QStringLiteral(" ORDER BY 1, 2"),
                                   {patternArray}, QStringLiteral("finding role-assignment tables"));
    if (!tables)
        return fail(r, tables.error());
    qint64 assignments = 0;
    const int tableCount = PQntuples(tables->get());
    FileNamer files;
    for (int i = 0; i < tableCount; ++i) {
        const QString schema = PgConnection::value(tables->get(), i, 0);
        const QString table = PgConnection::value(tables->get(), i, 1);
        const QString q = ExportSql::qualified(schema, table);
        const QString base = QStringLiteral("user_roles/") + files.take(schema + u'.' + table);
        ctx.progress(name(), i, tableCount + 2, schema + u'.' + table);

        QBuffer csv;
        csv.open(QIODevice::WriteOnly);
        auto rows = ExportSql::copyOut(conn, QStringLiteral("COPY %1 TO STDOUT (FORMAT csv, HEADER)").arg(q), csv,
                                       [&] { return ctx.isCancelled(); });
        if (!rows)
            return ctx.isCancelled() ? void() : fail(r, QStringLiteral("exporting %1: %2").arg(q, rows.error()));
        assignments += rows.value();
        if (!ctx.writeFile(r, base + QStringLiteral(".csv"), csv.data(), false, &error))
            return fail(r, error);

        QBuffer sql;
        sql.open(QIODevice::WriteOnly);
        auto upserts = ExportSql::writeUpserts(conn, q, sql, ExportSql::OnConflict::Update);
        if (!upserts)
            return fail(r, upserts.error());
        if (!ctx.writeFile(r, base + QStringLiteral(".sql"), sql.data(), false, &error))
            return fail(r, error);
    }
    r.counts.insert(QStringLiteral("role_tables"), tableCount);
    r.counts.insert(QStringLiteral("assignments"), assignments);
    if (tableCount == 0)
        r.warnings << QStringLiteral("No role-assignment table matched %1 in the app schemas.")
                          .arg(ctx.request.roleTablePatterns.join(QStringLiteral(", ")));

    // 2. Role memberships.
    ctx.progress(name(), tableCount, tableCount + 2, QStringLiteral("role memberships"));
    auto members = ExportSql::query(
        conn,
        QStringLiteral("SELECT r.rolname, m.rolname, a.admin_option, coalesce(g.rolname, ''), "
                       "format('GRANT %I TO %I%s;', r.rolname, m.rolname, "
                       "  CASE WHEN a.admin_option THEN ' WITH ADMIN OPTION' ELSE '' END) "
                       "FROM pg_auth_members a JOIN pg_roles r ON r.oid = a.roleid "
                       "JOIN pg_roles m ON m.oid = a.member LEFT JOIN pg_roles g ON g.oid = a.grantor "
                       "ORDER BY 1, 2"),
        QStringLiteral("reading role memberships"));
    if (!members)
        return fail(r, members.error());
    QByteArray memberCsv = "role,member,admin_option,grantor\n", memberSql;
    for (int i = 0; i < PQntuples(members->get()); ++i) {
        memberCsv += QStringLiteral("%1,%2,%3,%4\n")
                         .arg(csvField(PgConnection::value(members->get(), i, 0)),
                              csvField(PgConnection::value(members->get(), i, 1)),
                              PgConnection::value(members->get(), i, 2) == QLatin1String("t") ? QStringLiteral("yes")
                                                                                               : QStringLiteral("no"),
                              csvField(PgConnection::value(members->get(), i, 3)))
                         .toUtf8();
        memberSql += QByteArray(PQgetvalue(members->get(), i, 4)) + '\n';
    }
    r.counts.insert(QStringLiteral("memberships"), PQntuples(members->get()));
    if (!ctx.writeFile(r, QStringLiteral("user_roles/memberships.csv"), memberCsv, false, &error)
        || !ctx.writeFile(r, QStringLiteral("user_roles/memberships.sql"), memberSql, false, &error))
        return fail(r, error);

    // 3. Table grants in app schemas: a matrix (table x role) and the GRANT statements.
    ctx.progress(name(), tableCount + 1, tableCount + 2, QStringLiteral("table grants"));
    auto grants = ExportSql::query(
        conn,
        QStringLiteral("SELECT n.nspname || '.' || c.relname, "
                       "  CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END, "
                       "  a.privilege_type, format('GRANT %s ON TABLE %I.%I TO %s;', a.privilege_type, n.nspname, "
                       "  c.relname, CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid("
                       "  a.grantee)) END) "
                       "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, aclexplode(c.relacl) a "
                       "WHERE c.relkind IN ('r','p','v','m') AND a.grantee <> c.relowner AND ")
            + appSchemas + QStringLiteral(" ORDER BY 1, 2, 3"),
        QStringLiteral("reading table grants"));
    if (!grants)
        return fail(r, grants.error());
    static const QMap<QString, QString> letter{{QStringLiteral("SELECT"), QStringLiteral("S")},
                                               {QStringLiteral("INSERT"), QStringLiteral("I")},
                                               {QStringLiteral("UPDATE"), QStringLiteral("U")},
                                               {QStringLiteral("DELETE"), QStringLiteral("D")},
                                               {QStringLiteral("TRUNCATE"), QStringLiteral("T")},
                                               {QStringLiteral("REFERENCES"), QStringLiteral("R")},
                                               {QStringLiteral("TRIGGER"), QStringLiteral("X")}};
    QMap<QString, QMap<QString, QString>> matrix;
    QStringList grantees;
    QByteArray grantSql;
    for (int i = 0; i < PQntuples(grants->get()); ++i) {
        const QString table = PgConnection::value(grants->get(), i, 0);
        const QString grantee = PgConnection::value(grants->get(), i, 1);
        matrix[table][grantee] += letter.value(PgConnection::value(grants->get(), i, 2), QStringLiteral("?"));
        if (!grantees.contains(grantee))
            grantees << grantee;
        grantSql += QByteArray(PQgetvalue(grants->get(), i, 3)) + '\n';
    }
    grantees.sort();
    QByteArray matrixCsv = "# S=select I=insert U=update D=delete T=truncate R=references X=trigger\ntable";
    for (const QString &g : std::as_const(grantees))
        matrixCsv += ',' + csvField(g).toUtf8();
    matrixCsv += '\n';
    for (auto it = matrix.cbegin(); it != matrix.cend(); ++it) {
        matrixCsv += csvField(it.key()).toUtf8();
        for (const QString &g : std::as_const(grantees))
            matrixCsv += ',' + it.value().value(g).toUtf8();
        matrixCsv += '\n';
    }
    r.counts.insert(QStringLiteral("table_grants"), PQntuples(grants->get()));
    if (!ctx.writeFile(r, QStringLiteral("user_roles/table_grants.csv"), matrixCsv, false, &error)
        || !ctx.writeFile(r, QStringLiteral("user_roles/table_grants.sql"), grantSql, false, &error))
        return fail(r, error);
    ctx.progress(name(), tableCount + 2, tableCount + 2);
}

} // namespace lifeboat
