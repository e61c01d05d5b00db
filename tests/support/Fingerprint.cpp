#include "Fingerprint.h"

namespace lifeboat::test {

namespace {

const char *const kUserSchemas = "n.nspname NOT IN ('pg_catalog','information_schema','pg_toast') "
                                 "AND n.nspname NOT LIKE 'pg_temp_%' AND n.nspname NOT LIKE 'pg_toast_temp_%'";

bool query(const PgConnection &conn, const QString &sql, PgResultPtr &out, QString *error)
{
    out = conn.exec(sql);
    if (!PgConnection::succeeded(out.get())) {
        *error = QStringLiteral("%1\n-- in: %2").arg(PgConnection::resultError(out.get()), sql.left(300));
        return false;
    }
    return true;
}

// Adds every row of a two-column result as key-prefix+col0 -> col1.
bool collect(const PgConnection &conn, const QString &prefix, const QString &sql, Fingerprint &fp, QString *error)
{
    PgResultPtr r(nullptr, &PQclear);
    if (!query(conn, sql, r, error))
        return false;
    for (int i = 0; i < PQntuples(r.get()); ++i)
        fp[prefix + PgConnection::value(r.get(), i, 0)] = PgConnection::value(r.get(), i, 1);
    return true;
}

} // namespace

Fingerprint fingerprint(const PgConnection &conn, QString *error)
{
    Fingerprint fp;
    const QString schemas = QString::fromLatin1(kUserSchemas);

    // Deparsed expressions (policies, views) qualify names by search_path; fix it so two
    // databases compare equal whatever their roles' settings.
    PgResultPtr path(nullptr, &PQclear);
    if (!query(conn, QStringLiteral("SET search_path = pg_catalog"), path, error))
        return {};

    // Tables: the list first, then one aggregate per table in a stable row order.
    PgResultPtr tables(nullptr, &PQclear);
    if (!query(conn,
               QStringLiteral("SELECT format('%I.%I', n.nspname, c.relname), n.nspname || '.' || c.relname "
                              "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                              "WHERE c.relkind = 'r' AND ") + schemas + QStringLiteral(" ORDER BY 2"),
               tables, error))
        return {};
    for (int i = 0; i < PQntuples(tables.get()); ++i) {
        const QString ident = PgConnection::value(tables.get(), i, 0);
        PgResultPtr r(nullptr, &PQclear);
        if (!query(conn,
                   QStringLiteral("SELECT count(*) || ' rows, ' || md5(coalesce(string_agg(t::text, E'\\n' "
                                  "ORDER BY t::text), '')) FROM ONLY %1 t")
                       .arg(ident),
                   r, error))
            return {};
        fp[QStringLiteral("table:") + PgConnection::value(tables.get(), i, 1)] = PgConnection::value(r.get(), 0, 0);
    }

    // Sequences: their current value, read from the sequence itself.
    PgResultPtr seqs(nullptr, &PQclear);
    if (!query(conn,
               QStringLiteral("SELECT format('%I.%I', n.nspname, c.relname), n.nspname || '.' || c.relname "
                              "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                              "WHERE c.relkind = 'S' AND ") + schemas + QStringLiteral(" ORDER BY 2"),
               seqs, error))
        return {};
    for (int i = 0; i < PQntuples(seqs.get()); ++i) {
        PgResultPtr r(nullptr, &PQclear);
        if (!query(conn,
                   QStringLiteral("SELECT last_value || CASE WHEN is_called THEN ' called' ELSE '' END FROM %1")
                       .arg(PgConnection::value(seqs.get(), i, 0)),
                   r, error))
            return {};
        fp[QStringLiteral("sequence:") + PgConnection::value(seqs.get(), i, 1)] = PgConnection::value(r.get(), 0, 0);
    }

    const struct { const char *prefix; QString sql; } simple[] = {
        {"policy:",
         QStringLiteral("SELECT schemaname || '.' || tablename || '.' || policyname, "
                        "concat_ws(' | ', permissive, roles::text, cmd, qual, with_check) FROM pg_policies")},
        {"rls:",
         QStringLiteral("SELECT n.nspname || '.' || c.relname, c.relrowsecurity || '/' || c.relforcerowsecurity "
                        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                        "WHERE c.relkind = 'r' AND (c.relrowsecurity OR c.relforcerowsecurity) AND ") + schemas},
        {"function:",
         QStringLiteral("SELECT n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) "
                        "|| ')', md5(pg_get_functiondef(p.oid)) || ' acl=' || coalesce((SELECT string_agg(a::text, ',' "
                        "ORDER BY a::text) FROM unnest(p.proacl) a), 'default') "
                        "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                        "WHERE p.prokind IN ('f','p') AND ") + schemas +
             QStringLiteral(" AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass "
                            "AND d.objid = p.oid AND d.deptype = 'e')")},
        {"trigger:",
         QStringLiteral("SELECT n.nspname || '.' || c.relname || '.' || t.tgname, pg_get_triggerdef(t.oid) "
                        "FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT t.tgisinternal AND ") + schemas},
        {"view:",
         QStringLiteral("SELECT n.nspname || '.' || c.relname, md5(pg_get_viewdef(c.oid)) FROM pg_class c "
                        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('v','m') AND ") +
             schemas},
        {"role:",
         QStringLiteral("SELECT rolname, concat_ws(',', CASE WHEN rolsuper THEN 'super' END, "
                        "CASE WHEN rolcanlogin THEN 'login' END, CASE WHEN rolinherit THEN 'inherit' END, "
                        "CASE WHEN rolcreaterole THEN 'createrole' END, CASE WHEN rolcreatedb THEN 'createdb' END, "
                        "CASE WHEN rolreplication THEN 'replication' END, "
                        "CASE WHEN rolbypassrls THEN 'bypassrls' END) FROM pg_roles WHERE rolname !~ '^pg_'")},
        {"member:",
         QStringLiteral("SELECT r.rolname || '>' || m.rolname, a.admin_option::text FROM pg_auth_members a "
                        "JOIN pg_roles r ON r.oid = a.roleid JOIN pg_roles m ON m.oid = a.member")},
        {"setting:",
         QStringLiteral("SELECT coalesce(r.rolname, '*') || ':' || split_part(s.cfg, '=', 1), "
                        "substr(s.cfg, length(split_part(s.cfg, '=', 1)) + 2) FROM pg_db_role_setting d "
                        "JOIN pg_database db ON db.oid = d.setdatabase AND db.datname = current_database() "
                        "LEFT JOIN pg_roles r ON r.oid = d.setrole, unnest(d.setconfig) AS s(cfg)")},
        {"extension:", QStringLiteral("SELECT e.extname, e.extversion || ' in ' || n.nspname FROM pg_extension e "
                                      "JOIN pg_namespace n ON n.oid = e.extnamespace")},
        {"large_objects", QStringLiteral("SELECT '', count(*) || ' objects, ' || md5(coalesce(string_agg("
                                         "md5(lo_get(oid)), ',' ORDER BY md5(lo_get(oid))), '')) "
                                         "FROM pg_largeobject_metadata")},
    };
    for (const auto &s : simple)
        if (!collect(conn, QString::fromLatin1(s.prefix), s.sql, fp, error))
            return {};

    // Supabase users: what signing in depends on. Only where auth exists.
    PgResultPtr hasAuth(nullptr, &PQclear);
    if (!query(conn, QStringLiteral("SELECT to_regclass('auth.users') IS NOT NULL, "
                                    "to_regclass('auth.identities') IS NOT NULL"),
               hasAuth, error))
        return {};
    if (PgConnection::value(hasAuth.get(), 0, 0) == QLatin1String("t")
        && !collect(conn, QStringLiteral("user:"),
                    QStringLiteral("SELECT id::text, concat_ws(' | ', email, encrypted_password) FROM auth.users"), fp,
                    error))
        return {};
    if (PgConnection::value(hasAuth.get(), 0, 1) == QLatin1String("t")
        && !collect(conn, QStringLiteral("identity:"),
                    QStringLiteral("SELECT id::text, concat_ws(' | ', user_id, provider, provider_id, "
                                   "identity_data::text) FROM auth.identities"),
                    fp, error))
        return {};
    return fp;
}

Fingerprint onlyKind(const Fingerprint &fp, const QString &prefix)
{
    Fingerprint out;
    for (const auto &[k, v] : fp)
        if (k.startsWith(prefix))
            out.emplace(k, v);
    return out;
}

QStringList differences(const Fingerprint &a, const Fingerprint &b)
{
    QStringList out;
    for (const auto &[k, v] : a) {
        auto it = b.find(k);
        if (it == b.end())
            out << QStringLiteral("only in first: ") + k;
        else if (it->second != v)
            out << QStringLiteral("differs: %1 (%2 vs %3)").arg(k, v.left(120), it->second.left(120));
    }
    for (const auto &[k, v] : b)
        if (!a.count(k))
            out << QStringLiteral("only in second: ") + k;
    return out;
}

} // namespace lifeboat::test
