#include "EncryptionExporter.h"

#include "ExportSql.h"

namespace lifeboat {

void EncryptionExporter::run(BackupContext &ctx, ComponentResult &r)
{
    PgConnection conn;
    if (!connect(ctx, r, conn))
        return;
    QString error;
    ctx.progress(name(), 0, 4, QStringLiteral("extensions"));
    auto ext = ExportSql::query(conn,
                                QStringLiteral("SELECT e.extname, e.extversion, n.nspname FROM pg_extension e "
                                               "JOIN pg_namespace n ON n.oid = e.extnamespace ORDER BY 1"),
                                QStringLiteral("listing extensions"));
    if (!ext)
        return fail(r, ext.error());
    QByteArray csv = "extension,version,schema\n";
    for (int i = 0; i < PQntuples(ext->get()); ++i)
        csv += QStringLiteral("%1,%2,%3\n")
                   .arg(PgConnection::value(ext->get(), i, 0), PgConnection::value(ext->get(), i, 1),
                        PgConnection::value(ext->get(), i, 2))
                   .toUtf8();
    r.counts.insert(QStringLiteral("extensions"), PQntuples(ext->get()));
    if (!ctx.writeFile(r, QStringLiteral("encryption/extensions.csv"), csv, false, &error))
        return fail(r, error);

    ctx.progress(name(), 1, 4, QStringLiteral("encryption functions"));
    auto fns = ExportSql::query(
        conn,
        QStringLiteral("SELECT n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) "
                       "|| ')' FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                       "WHERE p.prosrc ~* '(pgp_sym_|pgp_pub_|\\mcrypt\\(|gen_salt|\\mdigest\\(|\\mhmac\\(|"
                       "\\mencrypt(_iv)?\\(|\\mdecrypt(_iv)?\\(|pgsodium\\.|crypto_aead|vault\\.)' AND ")
            + ExportSql::userSchemaFilter(QStringLiteral("n.nspname"))
            + QStringLiteral(" AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass "
                             "AND d.objid = p.oid AND d.deptype = 'e') ORDER BY 1"),
        QStringLiteral("finding encryption functions"));
    if (!fns)
        return fail(r, fns.error());
    const QByteArray list = ExportSql::columnLines(fns->get());
    r.counts.insert(QStringLiteral("crypto_functions"), PQntuples(fns->get()));
    if (!ctx.writeFile(r, QStringLiteral("encryption/functions.txt"), list, false, &error))
        return fail(r, error);

    ctx.progress(name(), 2, 4, QStringLiteral("vault"));
    qint64 vaultSecrets = 0;
    if (ExportSql::relationExists(conn, QStringLiteral("vault.secrets"))) {
        auto vault = ExportSql::query(conn, QStringLiteral("SELECT count(*) FROM vault.secrets"),
                                      QStringLiteral("counting vault secrets"));
        if (!vault)
            return fail(r, vault.error());
        vaultSecrets = PgConnection::value(vault->get(), 0, 0).toLongLong();
        if (vaultSecrets > 0)
            r.warnings << QStringLiteral("%1 vault secret(s) are in the backup encrypted. Restoring them into "
                                         "another database is useless without the vault key, which is not in "
                                         "the database: keep the stack's key with this backup.")
                              .arg(vaultSecrets);
    }
    r.counts.insert(QStringLiteral("vault_secrets"), vaultSecrets);

    ctx.progress(name(), 3, 4, QStringLiteral("secret settings"));
    auto settings = ExportSql::query(
        conn,
        QStringLiteral("SELECT format('ALTER DATABASE :\"target_db\" SET %I TO %L;', split_part(c, '=', 1), "
                       "substr(c, strpos(c, '=') + 1)) FROM pg_db_role_setting s, unnest(s.setconfig) c "
                       "WHERE s.setrole = 0 AND s.setdatabase = (SELECT oid FROM pg_database "
                       "WHERE datname = current_database()) AND split_part(c, '=', 1) ~* "
                       "'(secret|key|password|token|jwt)' ORDER BY 1"),
        QStringLiteral("reading secret settings"));
    if (!settings)
        return fail(r, settings.error());
    const QByteArray sql = "-- Secret database settings. Apply with: psql -v target_db=DATABASE -f FILE\n"
        + ExportSql::columnLines(settings->get());
    r.counts.insert(QStringLiteral("secret_settings"), PQntuples(settings->get()));
    if (!ctx.writeFile(r, QStringLiteral("encryption/settings.sql"), sql, true, &error))
        return fail(r, error);
    ctx.progress(name(), 4, 4);
}

} // namespace lifeboat
