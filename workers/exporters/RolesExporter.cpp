#include "RolesExporter.h"

#include "ExportSql.h"

namespace lifeboat {

void RolesExporter::run(BackupContext &ctx, ComponentResult &r)
{
    const QString rolesFile = QStringLiteral("roles/roles.sql");
    QString error;
    if (!ctx.makeParent(rolesFile, &error))
        return fail(r, error);
    ctx.progress(name(), 0, 3, QStringLiteral("pg_dumpall --roles-only"));

    QStringList args{QStringLiteral("--dbname=") + ctx.conninfo(), QStringLiteral("--roles-only"),
                     QStringLiteral("--file=") + ctx.absolutePath(rolesFile)};
    ToolOutcome out = ctx.runTool(name(), ctx.pgDumpAll, args);
    if (out.cancelled)
        return;
    if (!out.ok() && out.errorTail.contains(QLatin1String("permission denied"))) {
        // Only a superuser may read pg_authid: without it the roles come without passwords.
        r.warnings << QStringLiteral("Role passwords are not included: \"%1\" may not read them. Back up as a "
                                     "superuser (e.g. supabase_admin) to include them.")
                          .arg(ctx.connection.user);
        args << QStringLiteral("--no-role-passwords");
        out = ctx.runTool(name(), ctx.pgDumpAll, args);
        if (out.cancelled)
            return;
    }
    if (!out.ok())
        return fail(r, QStringLiteral("pg_dumpall --roles-only failed: %1").arg(out.errorTail));
    ctx.addFile(r, rolesFile, true);

    PgConnection conn;
    if (!connect(ctx, r, conn))
        return;
    ctx.progress(name(), 1, 3, QStringLiteral("database settings"));
    auto roles = ExportSql::query(conn, QStringLiteral("SELECT count(*) FROM pg_roles WHERE rolname !~ '^pg_'"),
                                  QStringLiteral("counting roles"));
    if (!roles)
        return fail(r, roles.error());
    r.counts.insert(QStringLiteral("roles"), PgConnection::value(roles->get(), 0, 0).toLongLong());

    // psql variable target_db: the statements apply to whichever database is restored into.
    auto settings = ExportSql::query(
        conn,
        QStringLiteral("SELECT CASE WHEN s.setrole = 0 THEN "
                       "  format('ALTER DATABASE :\"target_db\" SET %I TO %L;', split_part(c, '=', 1), "
                       "         substr(c, strpos(c, '=') + 1)) "
                       "ELSE format('ALTER ROLE %I IN DATABASE :\"target_db\" SET %I TO %L;', r.rolname, "
                       "         split_part(c, '=', 1), substr(c, strpos(c, '=') + 1)) END "
                       "FROM pg_db_role_setting s LEFT JOIN pg_roles r ON r.oid = s.setrole, unnest(s.setconfig) c "
                       "WHERE s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                       "ORDER BY s.setrole, c"),
        QStringLiteral("reading database settings"));
    if (!settings)
        return fail(r, settings.error());
    r.counts.insert(QStringLiteral("settings"), PQntuples(settings->get()));
    const QByteArray header = "-- Apply with: psql -v target_db=DATABASE -f FILE\n";
    if (!ctx.writeFile(r, QStringLiteral("roles/database_settings.sql"), header + ExportSql::columnLines(settings->get()), true, &error))
        return fail(r, error);

    ctx.progress(name(), 2, 3, QStringLiteral("database grants"));
    auto grants = ExportSql::query(
        conn,
        QStringLiteral("SELECT format('GRANT %s ON DATABASE :\"target_db\" TO %s%s;', a.privilege_type, "
                       "  CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(g.rolname) END, "
                       "  CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END) "
                       "FROM pg_database d, aclexplode(d.datacl) a LEFT JOIN pg_roles g ON g.oid = a.grantee "
                       "WHERE d.datname = current_database() AND a.grantee <> d.datdba ORDER BY 1"),
        QStringLiteral("reading database grants"));
    if (!grants)
        return fail(r, grants.error());
    r.counts.insert(QStringLiteral("database_grants"), PQntuples(grants->get()));
    if (!ctx.writeFile(r, QStringLiteral("roles/database_grants.sql"), header + ExportSql::columnLines(grants->get()), false, &error))
        return fail(r, error);
    ctx.progress(name(), 3, 3);
}

} // namespace lifeboat
