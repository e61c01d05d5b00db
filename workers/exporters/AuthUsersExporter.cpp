#include "AuthUsersExporter.h"

#include "ExportSql.h"

#include <QFile>

namespace lifeboat {

void AuthUsersExporter::run(BackupContext &ctx, ComponentResult &r)
{
    PgConnection conn;
    if (!connect(ctx, r, conn))
        return;
    if (!ExportSql::relationExists(conn, QStringLiteral("auth.users")))
        return skip(r, QStringLiteral("no auth.users table (not a Supabase database)"));
    const bool hasIdentities = ExportSql::relationExists(conn, QStringLiteral("auth.identities"));

    const QString path = QStringLiteral("auth_users/users.sql");
    QString error;
    if (!ctx.makeParent(path, &error))
        return fail(r, error);
    QFile f(ctx.absolutePath(path));
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return fail(r, QStringLiteral("cannot write %1: %2").arg(f.fileName(), f.errorString()));
    f.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
    f.write("-- Supabase auth users and identities. Restore with session_replication_role = replica\n"
            "-- so triggers on auth.users do not fire again (restore.sh --only auth_users does).\n");

    ctx.progress(name(), 0, 2, QStringLiteral("auth.users"));
    auto users = ExportSql::writeUpserts(conn, QStringLiteral("auth.users"), f, ExportSql::OnConflict::Update,
                                         QStringLiteral("t.created_at, t.id"));
    if (!users)
        return fail(r, users.error());
    r.counts.insert(QStringLiteral("users"), users.value());

    if (hasIdentities) {
        ctx.progress(name(), 1, 2, QStringLiteral("auth.identities"));
        auto ids = ExportSql::writeUpserts(conn, QStringLiteral("auth.identities"), f, ExportSql::OnConflict::Update,
                                           QStringLiteral("t.user_id, t.id"));
        if (!ids)
            return fail(r, ids.error());
        r.counts.insert(QStringLiteral("identities"), ids.value());

        auto orphans = ExportSql::query(conn,
                                        QStringLiteral("SELECT coalesce(u.email, u.id::text) FROM auth.users u "
                                                       "WHERE NOT EXISTS (SELECT 1 FROM auth.identities i "
                                                       "WHERE i.user_id = u.id) ORDER BY 1"),
                                        QStringLiteral("finding users without an identity"));
        if (!orphans)
            return fail(r, orphans.error());
        QStringList names;
        for (int i = 0; i < PQntuples(orphans->get()); ++i)
            names << PgConnection::value(orphans->get(), i, 0);
        r.counts.insert(QStringLiteral("users_without_identity"), names.size());
        if (!names.isEmpty())
            r.warnings << QStringLiteral("%1 user(s) have no identity and cannot sign in with email until one is "
                                         "created: %2")
                              .arg(names.size())
                              .arg(names.join(QStringLiteral(", ")));
    }
    if (!f.flush())
        return fail(r, QStringLiteral("cannot write %1: %2").arg(f.fileName(), f.errorString()));
    f.close();
    ctx.addFile(r, path, true);

    if (ExportSql::relationExists(conn, QStringLiteral("auth.schema_migrations"))) {
        auto versions = ExportSql::query(conn, QStringLiteral("SELECT version FROM auth.schema_migrations ORDER BY 1"),
                                         QStringLiteral("reading auth.schema_migrations"));
        if (!versions)
            return fail(r, versions.error());
        const QByteArray text = ExportSql::columnLines(versions->get());
        r.counts.insert(QStringLiteral("auth_migrations"), PQntuples(versions->get()));
        if (!ctx.writeFile(r, QStringLiteral("auth_users/auth_schema_migrations.txt"), text, false, &error))
            return fail(r, error);
    }
    ctx.progress(name(), 2, 2);
}

} // namespace lifeboat
