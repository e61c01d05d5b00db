#include "FunctionsExporter.h"

#include "ExportSql.h"

#include <QMap>

namespace lifeboat {

void FunctionsExporter::run(BackupContext &ctx, ComponentResult &r)
{
    PgConnection conn;
    if (!connect(ctx, r, conn))
        return;
    auto fns = ExportSql::query(
        conn,
        QStringLiteral(
            "SELECT n.nspname, p.proname, p.prokind, "
            "  pg_get_functiondef(p.oid) || E';\\n' "
            "  || format('ALTER %s %s.%I(%s) OWNER TO %I;', CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE "
            "     'FUNCTION' END, quote_ident(n.nspname), p.proname, pg_get_function_identity_arguments(p.oid), "
            "     pg_get_userbyid(p.proowner)) || E'\\n' "
            "  || CASE WHEN p.proacl IS NULL THEN '' ELSE "
            "     format('REVOKE ALL ON %s %s.%I(%s) FROM PUBLIC;', CASE p.prokind WHEN 'p' THEN 'PROCEDURE' "
            "       ELSE 'FUNCTION' END, quote_ident(n.nspname), p.proname, "
            "       pg_get_function_identity_arguments(p.oid)) || E'\\n' || coalesce((SELECT string_agg("
            "       format('GRANT EXECUTE ON %s %s.%I(%s) TO %s;', CASE p.prokind WHEN 'p' THEN 'PROCEDURE' "
            "         ELSE 'FUNCTION' END, quote_ident(n.nspname), p.proname, "
            "         pg_get_function_identity_arguments(p.oid), CASE WHEN a.grantee = 0 THEN 'PUBLIC' "
            "         ELSE quote_ident(pg_get_userbyid(a.grantee)) END), E'\\n') "
            "       FROM aclexplode(p.proacl) a WHERE a.privilege_type = 'EXECUTE' "
            "         AND a.grantee <> p.proowner) || E'\\n', '') END "
            "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE p.prokind IN ('f', 'p') AND ")
            + ExportSql::userSchemaFilter(QStringLiteral("n.nspname"))
            + QStringLiteral(" AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass "
                             "AND d.objid = p.oid AND d.deptype = 'e') ORDER BY 1, 2, p.oid"),
        QStringLiteral("reading function definitions"));
    if (!fns)
        return fail(r, fns.error());

    QMap<QString, QByteArray> files; // one file per schema.name
    qint64 functions = 0, procedures = 0;
    for (int i = 0; i < PQntuples(fns->get()); ++i) {
        const QString key = PgConnection::value(fns->get(), i, 0) + u'.' + PgConnection::value(fns->get(), i, 1);
        (PgConnection::value(fns->get(), i, 2) == QLatin1String("p") ? procedures : functions)++;
        QByteArray &text = files[key];
        if (!text.isEmpty())
            text += '\n';
        text += PQgetvalue(fns->get(), i, 3);
    }
    QString error;
    int n = 0;
    FileNamer names;
    for (auto it = files.cbegin(); it != files.cend(); ++it) {
        if (ctx.isCancelled())
            return;
        ctx.progress(name(), n++, files.size(), it.key());
        if (!ctx.writeFile(r, QStringLiteral("functions/%1.sql").arg(names.take(it.key())), it.value(), false, &error))
            return fail(r, error);
    }
    r.counts.insert(QStringLiteral("functions"), functions);
    r.counts.insert(QStringLiteral("procedures"), procedures);
    ctx.progress(name(), files.size(), files.size());
}

} // namespace lifeboat
