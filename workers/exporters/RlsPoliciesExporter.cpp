#include "RlsPoliciesExporter.h"

#include "ExportSql.h"

namespace lifeboat {

void RlsPoliciesExporter::run(BackupContext &ctx, ComponentResult &r)
{
    PgConnection conn;
    if (!connect(ctx, r, conn))
        return;
    // search_path is pg_catalog on snapshot connections, so every name in an expression is qualified.
    auto tables = ExportSql::query(
        conn,
        QStringLiteral("SELECT c.oid, n.nspname, c.relname, c.relrowsecurity, c.relforcerowsecurity "
                       "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                       "WHERE c.relkind IN ('r','p') AND (c.relrowsecurity OR c.relforcerowsecurity OR "
                       "  EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid)) AND ")
            + ExportSql::userSchemaFilter(QStringLiteral("n.nspname")) + QStringLiteral(" ORDER BY 2, 3"),
        QStringLiteral("listing tables with row-level security"));
    if (!tables)
        return fail(r, tables.error());

    const int count = PQntuples(tables->get());
    qint64 policies = 0;
    QString error;
    FileNamer files;
    for (int i = 0; i < count; ++i) {
        if (ctx.isCancelled())
            return;
        const QString oid = PgConnection::value(tables->get(), i, 0);
        const QString schema = PgConnection::value(tables->get(), i, 1);
        const QString table = PgConnection::value(tables->get(), i, 2);
        const QString q = ExportSql::qualified(schema, table);
        ctx.progress(name(), i, count, schema + u'.' + table);

        QByteArray sql = QStringLiteral("-- Row-level security of %1.%2\n").arg(schema, table).toUtf8();
        if (PgConnection::value(tables->get(), i, 3) == QLatin1String("t"))
            sql += QStringLiteral("ALTER TABLE %1 ENABLE ROW LEVEL SECURITY;\n").arg(q).toUtf8();
        if (PgConnection::value(tables->get(), i, 4) == QLatin1String("t"))
            sql += QStringLiteral("ALTER TABLE %1 FORCE ROW LEVEL SECURITY;\n").arg(q).toUtf8();

        auto pols = ExportSql::query(
            conn,
            QStringLiteral(
                "SELECT format('DROP POLICY IF EXISTS %1$I ON %2$s;', p.polname, $2::text) || E'\\n' || "
                "format('CREATE POLICY %1$I ON %2$s AS %3$s FOR %4$s TO %5$s', p.polname, $2::text, "
                "  CASE WHEN p.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END, "
                "  CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' "
                "    WHEN 'd' THEN 'DELETE' ELSE 'ALL' END, "
                "  (SELECT string_agg(CASE WHEN x.r = 0 THEN 'public' ELSE quote_ident(g.rolname) END, ', ' "
                "     ORDER BY x.ord) FROM unnest(p.polroles) WITH ORDINALITY x(r, ord) "
                "     LEFT JOIN pg_roles g ON g.oid = x.r)) "
                "|| coalesce(' USING (' || pg_get_expr(p.polqual, p.polrelid) || ')', '') "
                "|| coalesce(' WITH CHECK (' || pg_get_expr(p.polwithcheck, p.polrelid) || ')', '') || ';' "
                "FROM pg_policy p WHERE p.polrelid = $1::oid ORDER BY p.polname"),
            {oid.toUtf8(), q.toUtf8()}, QStringLiteral("reading the policies of %1").arg(q));
        if (!pols)
            return fail(r, pols.error());
        for (int p = 0; p < PQntuples(pols->get()); ++p)
            sql += QByteArray(PQgetvalue(pols->get(), p, 0)) + '\n';
        policies += PQntuples(pols->get());

        if (!ctx.writeFile(
                r, QStringLiteral("rls_policies/%1.sql").arg(files.take(schema + u'.' + table)), sql, false, &error))
            return fail(r, error);
    }
    r.counts.insert(QStringLiteral("tables"), count);
    r.counts.insert(QStringLiteral("policies"), policies);
    ctx.progress(name(), count, count);
}

} // namespace lifeboat
