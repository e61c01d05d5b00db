// What the planner reads from the target: read-only queries, one connection.
#include "RestorePlanner.h"

#include "ExportSql.h"
#include "restore/PlanSql.h"

namespace lifeboat {

using namespace restore;

Result<TargetState> RestorePlanner::probe(const PgConnection &conn, const RestoreInventory &inv,
                                          const RestoreTarget &target)
{
    TargetState st;
    auto r = ExportSql::query(conn,
                              QStringLiteral("SELECT current_user, r.rolsuper, current_setting('server_version_num') "
                                             "FROM pg_roles r WHERE r.rolname = current_user"),
                              QStringLiteral("reading the connecting role"));
    if (!r)
        return Error{r.error()};
    st.role = PgConnection::value(r->get(), 0, 0);
    st.superuser = PgConnection::value(r->get(), 0, 1) == QLatin1String("t");
    st.serverVersionNum = PgConnection::value(r->get(), 0, 2).toInt();

    r = ExportSql::query(conn, QStringLiteral("SELECT rolname, pg_has_role(current_user, oid, 'MEMBER') FROM pg_roles"),
                         QStringLiteral("reading the roles of the target"));
    if (!r)
        return Error{r.error()};
    for (int i = 0; i < PQntuples(r->get()); ++i)
        st.roles.insert(PgConnection::value(r->get(), i, 0), PgConnection::value(r->get(), i, 1) == QLatin1String("t"));

    if (target.kind == RestoreTarget::Kind::NewDatabase) {
        r = ExportSql::query(conn, QStringLiteral("SELECT 1 FROM pg_database WHERE datname = $1"),
                             {target.newDatabase.toUtf8()}, QStringLiteral("looking for the new database"));
        if (!r)
            return Error{r.error()};
        st.databaseExists = PQntuples(r->get()) > 0;
        // A new database is a copy of template1: schema public and plpgsql.
        for (const ArchiveEntry &e : inv.toc.entries())
            if ((e.desc == QLatin1String("SCHEMA") && e.tag == QLatin1String("public"))
                || (e.desc == QLatin1String("EXTENSION") && e.tag == QLatin1String("plpgsql")))
                st.existingEntries.insert(e.id);
        return st;
    }

    // Which archive objects exist already.
    QStringList ids, kinds, schemas, tags;
    for (const ArchiveEntry &e : inv.toc.entries()) {
        QString kind;
        if (e.desc == QLatin1String("SCHEMA") || e.desc == QLatin1String("EXTENSION")
            || e.desc == QLatin1String("SERVER") || e.desc == QLatin1String("FOREIGN DATA WRAPPER"))
            kind = e.desc;
        else if (RelationDescs.contains(e.desc))
            kind = QStringLiteral("rel");
        else if (TypeDescs.contains(e.desc))
            kind = QStringLiteral("type");
        else if (FunctionDescs.contains(e.desc))
            kind = QStringLiteral("func");
        else if (e.desc == QLatin1String("COLLATION"))
            kind = QStringLiteral("coll");
        if (kind.isEmpty())
            continue;
        ids << QString::number(e.id);
        kinds << kind;
        schemas << e.schema;
        tags << e.tag;
    }
    auto array = [](const QStringList &values) {
        QStringList quoted;
        for (QString v : values)
            quoted << u'"' + v.replace(u'\\', QStringLiteral("\\\\")).replace(u'"', QStringLiteral("\\\"")) + u'"';
        return (u'{' + quoted.join(u',') + u'}').toUtf8();
    };
    r = ExportSql::query(
        conn,
        QStringLiteral(
            "SELECT e.id FROM unnest($1::int[], $2::text[], $3::text[], $4::text[]) AS e(id, kind, nsp, tag) WHERE "
            "CASE e.kind "
            "WHEN 'SCHEMA' THEN EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = e.tag) "
            "WHEN 'EXTENSION' THEN EXISTS (SELECT 1 FROM pg_extension WHERE extname = e.tag) "
            "WHEN 'SERVER' THEN EXISTS (SELECT 1 FROM pg_foreign_server WHERE srvname = e.tag) "
            "WHEN 'FOREIGN DATA WRAPPER' THEN EXISTS (SELECT 1 FROM pg_foreign_data_wrapper WHERE fdwname = e.tag) "
            "WHEN 'rel' THEN EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "  WHERE n.nspname = e.nsp AND c.relname = e.tag) "
            "WHEN 'type' THEN EXISTS (SELECT 1 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
            "  WHERE n.nspname = e.nsp AND t.typname = e.tag) "
            "WHEN 'coll' THEN EXISTS (SELECT 1 FROM pg_collation t JOIN pg_namespace n ON n.oid = t.collnamespace "
            "  WHERE n.nspname = e.nsp AND t.collname = e.tag) "
            "WHEN 'func' THEN EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "  WHERE n.nspname = e.nsp AND p.proname || '(' || array_to_string(ARRAY(SELECT format_type(a, NULL) "
            "  FROM unnest(p.proargtypes) a), ', ') || ')' = e.tag) "
            "ELSE false END"),
        {array(ids), array(kinds), array(schemas), array(tags)},
        QStringLiteral("looking for the backup's objects in the target"));
    if (!r)
        return Error{r.error()};
    for (int i = 0; i < PQntuples(r->get()); ++i)
        st.existingEntries.insert(PgConnection::value(r->get(), i, 0).toInt());

    r = ExportSql::query(conn,
                         QStringLiteral("SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n "
                                        "ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND %1")
                             .arg(ExportSql::userSchemaFilter(QStringLiteral("n.nspname"))),
                         QStringLiteral("listing the target's tables"));
    if (!r)
        return Error{r.error()};
    for (int i = 0; i < PQntuples(r->get()); ++i)
        st.existingTables.insert(PgConnection::value(r->get(), i, 0));

    // Table -> tables that hang on it: "parent.p" and "child.c" joined in through `from`.
    auto childrenOf = [&conn](const QString &from, const QString &what, QHash<QString, QStringList> &out) -> QString {
        auto rows
            = ExportSql::query(conn,
                               QStringLiteral("SELECT pn.nspname || '.' || p.relname, cn.nspname || '.' || c.relname "
                                              "%1 JOIN pg_namespace cn ON cn.oid = c.relnamespace "
                                              "JOIN pg_namespace pn ON pn.oid = p.relnamespace ORDER BY 2")
                                   .arg(from),
                               what);
        if (!rows)
            return rows.error();
        for (int i = 0; i < PQntuples(rows->get()); ++i)
            out[PgConnection::value(rows->get(), i, 0)] << PgConnection::value(rows->get(), i, 1);
        return {};
    };
    QString failed = childrenOf(QStringLiteral("FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
                                               "JOIN pg_class p ON p.oid = k.confrelid "
                                               "AND k.contype = 'f' AND k.conrelid <> k.confrelid"),
                                QStringLiteral("reading the target's foreign keys"),
                                st.fkChildren);
    if (failed.isEmpty())
        failed = childrenOf(QStringLiteral("FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                                           "AND c.relkind IN ('r', 'p', 'f') JOIN pg_class p ON p.oid = i.inhparent"),
                            QStringLiteral("reading the target's partitions"),
                            st.childTables);
    if (!failed.isEmpty())
        return Error{failed};

    r = ExportSql::query(conn,
                         QStringLiteral("SELECT n.nspname || '.' || c.relname, a.attname, "
                                        "a.attnotnull AND NOT a.atthasdef AND a.attidentity = '' "
                                        "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                                        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') "
                                        "AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' AND %1 "
                                        "ORDER BY 1, a.attnum")
                             .arg(ExportSql::userSchemaFilter(QStringLiteral("n.nspname"))),
                         QStringLiteral("reading the target's columns"));
    if (!r)
        return Error{r.error()};
    for (int i = 0; i < PQntuples(r->get()); ++i) {
        const QString table = PgConnection::value(r->get(), i, 0);
        st.columns[table] << PgConnection::value(r->get(), i, 1);
        if (PgConnection::value(r->get(), i, 2) == QLatin1String("t"))
            st.requiredColumns[table] << PgConnection::value(r->get(), i, 1);
    }

    // What DROP TABLE ... CASCADE would take along: views reading the table and functions
    // using its row type, followed through pg_depend.
    r = ExportSql::query(
        conn,
        QStringLiteral(
            "WITH RECURSIVE tabs AS (SELECT c.oid, n.nspname || '.' || c.relname AS name FROM pg_class c "
            "  JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND %1), "
            "deps(root, classid, objid, depth) AS (SELECT t.name, 'pg_class'::regclass::oid, t.oid, 0 FROM tabs t "
            "  UNION SELECT deps.root, d.classid, d.objid, deps.depth + 1 FROM pg_depend d JOIN deps "
            "  ON d.refclassid = deps.classid AND d.refobjid = deps.objid WHERE d.deptype IN ('n', 'a', 'i') AND "
            "deps.depth < 4) "
            "SELECT DISTINCT deps.root, CASE v.relkind WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'VIEW' END, vn.nspname, "
            "  v.relname FROM deps JOIN pg_rewrite w "
            "  ON deps.classid = 'pg_rewrite'::regclass AND w.oid = deps.objid JOIN pg_class v ON v.oid = w.ev_class "
            "  JOIN pg_namespace vn ON vn.oid = v.relnamespace WHERE v.relkind IN ('v', 'm') AND deps.root <> "
            "vn.nspname || '.' || v.relname "
            "UNION SELECT DISTINCT deps.root, 'FUNCTION', pn.nspname, p.proname || '(' || array_to_string(ARRAY("
            "  SELECT format_type(a, NULL) FROM unnest(p.proargtypes) a), ', ') || ')' FROM deps JOIN pg_proc p "
            "  ON deps.classid = 'pg_proc'::regclass AND p.oid = deps.objid JOIN pg_namespace pn ON pn.oid = "
            "p.pronamespace "
            "ORDER BY 1, 2, 3, 4")
            .arg(ExportSql::userSchemaFilter(QStringLiteral("n.nspname"))),
        QStringLiteral("reading what depends on the target's tables"));
    if (!r)
        return Error{r.error()};
    for (int i = 0; i < PQntuples(r->get()); ++i)
        st.dropDependents[PgConnection::value(r->get(), i, 0)]
            << QStringList{PgConnection::value(r->get(), i, 1), PgConnection::value(r->get(), i, 2), PgConnection::value(r->get(), i, 3)};

    r = ExportSql::query(conn, QStringLiteral("SELECT schemaname || '.' || tablename || '|' || policyname FROM pg_policies"),
                         QStringLiteral("reading the target's policies"));
    if (!r)
        return Error{r.error()};
    for (int i = 0; i < PQntuples(r->get()); ++i)
        st.existingPolicies.insert(PgConnection::value(r->get(), i, 0));

    r = ExportSql::query(conn,
                         QStringLiteral("SELECT n.nspname || '.' || p.proname FROM pg_proc p JOIN pg_namespace n "
                                        "ON n.oid = p.pronamespace WHERE %1")
                             .arg(ExportSql::userSchemaFilter(QStringLiteral("n.nspname"))),
                         QStringLiteral("reading the target's functions"));
    if (!r)
        return Error{r.error()};
    for (int i = 0; i < PQntuples(r->get()); ++i)
        st.existingFunctions.insert(PgConnection::value(r->get(), i, 0));

    st.hasAuthUsers = st.existingTables.contains(QStringLiteral("auth.users"));
    if (st.hasAuthUsers) {
        r = ExportSql::query(conn, QStringLiteral("SELECT id::text FROM auth.users"), QStringLiteral("reading auth.users ids"));
        if (!r)
            return Error{r.error()};
        for (int i = 0; i < PQntuples(r->get()); ++i)
            st.existingUserIds.insert(PgConnection::value(r->get(), i, 0));
    }
    if (st.existingTables.contains(QStringLiteral("auth.schema_migrations"))) {
        r = ExportSql::query(conn, QStringLiteral("SELECT version FROM auth.schema_migrations ORDER BY 1"),
                             QStringLiteral("reading auth.schema_migrations"));
        if (!r)
            return Error{r.error()};
        for (int i = 0; i < PQntuples(r->get()); ++i)
            st.authMigrations << PgConnection::value(r->get(), i, 0);
    }
    if (st.existingTables.contains(QStringLiteral("storage.migrations"))) {
        r = ExportSql::query(conn, QStringLiteral("SELECT name FROM storage.migrations ORDER BY id"),
                             QStringLiteral("reading storage.migrations"));
        if (!r)
            return Error{r.error()};
        for (int i = 0; i < PQntuples(r->get()); ++i)
            st.storageMigrations << PgConnection::value(r->get(), i, 0);
    }
    st.hasStorageObjects = st.existingTables.contains(QStringLiteral("storage.objects"));
    if (st.existingTables.contains(QStringLiteral("storage.buckets"))) {
        r = ExportSql::query(conn, QStringLiteral("SELECT id FROM storage.buckets"), QStringLiteral("reading storage.buckets"));
        if (!r)
            return Error{r.error()};
        for (int i = 0; i < PQntuples(r->get()); ++i)
            st.existingBuckets.insert(PgConnection::value(r->get(), i, 0));
    }
    st.hasMigrationHistory = st.existingTables.contains(QStringLiteral("supabase_migrations.schema_migrations"));
    return st;
}

} // namespace lifeboat
