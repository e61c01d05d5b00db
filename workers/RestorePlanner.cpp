#include "RestorePlanner.h"

#include "ExportSql.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QMap>
#include <QRegularExpression>

#include <algorithm>

namespace lifeboat {

namespace {

const QSet<QString> RelationDescs{QStringLiteral("TABLE"), QStringLiteral("VIEW"), QStringLiteral("MATERIALIZED VIEW"),
                                  QStringLiteral("SEQUENCE"), QStringLiteral("FOREIGN TABLE")};
const QSet<QString> TypeDescs{QStringLiteral("TYPE"), QStringLiteral("DOMAIN")};
const QSet<QString> FunctionDescs{QStringLiteral("FUNCTION"), QStringLiteral("PROCEDURE"), QStringLiteral("AGGREGATE")};
/// Objects a restored object may need; pulled from the archive when the target lacks them.
const QSet<QString> PullableDescs{QStringLiteral("SCHEMA"),   QStringLiteral("EXTENSION"), QStringLiteral("TYPE"),
                                  QStringLiteral("DOMAIN"),   QStringLiteral("FUNCTION"),  QStringLiteral("PROCEDURE"),
                                  QStringLiteral("AGGREGATE"), QStringLiteral("VIEW"),     QStringLiteral("COLLATION"),
                                  QStringLiteral("SEQUENCE")};
/// What comes along with a table: its definition's parts.
const QSet<QString> TablePartDescs{QStringLiteral("INDEX"),        QStringLiteral("CONSTRAINT"),
                                   QStringLiteral("FK CONSTRAINT"), QStringLiteral("CHECK CONSTRAINT"),
                                   QStringLiteral("DEFAULT"),      QStringLiteral("TRIGGER"),
                                   QStringLiteral("POLICY"),       QStringLiteral("ROW SECURITY"),
                                   QStringLiteral("ACL"),          QStringLiteral("COMMENT"),
                                   QStringLiteral("INDEX ATTACH"),
                                   QStringLiteral("SEQUENCE OWNED BY"), QStringLiteral("SEQUENCE"),
                                   QStringLiteral("STATISTICS")};
const QSet<QString> AttachedDescs{QStringLiteral("ACL"), QStringLiteral("COMMENT"), QStringLiteral("SECURITY LABEL")};
const QSet<QString> SupabaseSchemas{QStringLiteral("auth"), QStringLiteral("storage")};

/// "2 indexes", "1 foreign key" for an archive description.
QString objectWords(const QString &desc, int n)
{
    static const QHash<QString, std::pair<const char *, const char *>> words{
        {QStringLiteral("index"), {"index", "indexes"}},
        {QStringLiteral("policy"), {"policy", "policies"}},
        {QStringLiteral("fk constraint"), {"foreign key", "foreign keys"}},
        {QStringLiteral("row security"), {"row-level security setting", "row-level security settings"}},
        {QStringLiteral("sequence owned by"), {"sequence ownership", "sequence ownerships"}},
        {QStringLiteral("acl"), {"grant", "grants"}},
        {QStringLiteral("check constraint"), {"check constraint", "check constraints"}},
        {QStringLiteral("default"), {"column default", "column defaults"}},
        {QStringLiteral("rule"), {"view definition", "view definitions"}},
        {QStringLiteral("statistics"), {"statistics object", "statistics objects"}},
    };
    if (words.contains(desc))
        return QStringLiteral("%1 %2").arg(n).arg(QLatin1String(n == 1 ? words.value(desc).first : words.value(desc).second));
    return QStringLiteral("%1 %2%3").arg(n).arg(desc, n == 1 ? QString() : QStringLiteral("s"));
}

QString plural(int n, const char *one, const char *many)
{
    return QStringLiteral("%1 %2").arg(n).arg(QLatin1String(n == 1 ? one : many));
}

/// A quoted here-document for bash that prints `text` unchanged.
QString heredoc(const QString &text)
{
    QString body = text;
    if (!body.endsWith(u'\n'))
        body += u'\n';
    return QStringLiteral("cat <<'LIFEBOAT_SQL_END'\n%1LIFEBOAT_SQL_END\n").arg(body);
}

QString shellQuote(const QString &s)
{
    QString q = s;
    q.replace(u'\'', QStringLiteral("'\\''"));
    return u'\'' + q + u'\'';
}

/// `pg_restore` producing SQL for exactly these archive entries of one section.
QString pgRestoreSql(const QList<int> &ids, const QString &section, bool noOwner, bool noAcl)
{
    QStringList idText;
    for (int id : ids)
        idText << QString::number(id);
    QString cmd = QStringLiteral("pg_restore --section=%1 -L <(printf '%s;\\n' %2)").arg(section, idText.join(u' '));
    if (noOwner)
        cmd += QStringLiteral(" --no-owner");
    if (noAcl)
        cmd += QStringLiteral(" --no-acl");
    return cmd + QStringLiteral(" -f - database/database.dump | strip_restrict\n");
}

/// The same for a new database: straight into it, in parallel, outside a transaction.
QString pgRestoreDirect(const QList<int> &ids, const QString &section, bool noOwner, bool noAcl, bool replica)
{
    QStringList idText;
    for (int id : ids)
        idText << QString::number(id);
    QString cmd;
    if (replica)
        cmd += QStringLiteral("PGOPTIONS=\"${PGOPTIONS:-} -c session_replication_role=replica\" ");
    cmd += QStringLiteral("pg_restore --section=%1 --jobs=2 --exit-on-error -d \"$PGDATABASE\" -L <(printf '%s;\\n' %2)")
               .arg(section, idText.join(u' '));
    if (noOwner)
        cmd += QStringLiteral(" --no-owner");
    if (noAcl)
        cmd += QStringLiteral(" --no-acl");
    return cmd + QStringLiteral(" database/database.dump\n");
}

/// "CREATE TABLE public.tasks (" -> "public.tasks" exactly as pg_dump spelled it.
QString spelledName(const ArchiveEntry &table)
{
    static const QRegularExpression re(QStringLiteral("^CREATE (?:UNLOGGED )?(?:FOREIGN )?TABLE (.+?) \\($"),
                                       QRegularExpression::MultilineOption);
    const auto m = re.match(table.sql);
    return m.hasMatch() ? m.captured(1) : ExportSql::qualified(table.schema, table.tag);
}

/// Rewrites an upsert so that an existing row is left alone.
QString skipExisting(const QString &statement)
{
    const qsizetype at = statement.lastIndexOf(QLatin1String(" ON CONFLICT "));
    if (at < 0)
        return statement;
    return statement.left(at) + QStringLiteral(" ON CONFLICT DO NOTHING;");
}

/// Role names in "GRANT ... TO a, b;" statements of ACL entries.
QStringList grantees(const QString &sql)
{
    static const QRegularExpression re(QStringLiteral("^GRANT .* TO (.+?)(?: WITH GRANT OPTION)?;$"),
                                       QRegularExpression::MultilineOption);
    QStringList out;
    auto it = re.globalMatch(sql);
    while (it.hasNext()) {
        for (QString r : it.next().captured(1).split(QStringLiteral(", "))) {
            r = r.trimmed();
            if (r.startsWith(u'"') && r.endsWith(u'"'))
                r = r.mid(1, r.size() - 2).replace(QStringLiteral("\"\""), QStringLiteral("\""));
            if (r != QLatin1String("PUBLIC"))
                out << r;
        }
    }
    return out;
}

QString unquote(QString name)
{
    if (name.startsWith(u'"') && name.endsWith(u'"') && name.size() >= 2)
        return name.mid(1, name.size() - 2).replace(QStringLiteral("\"\""), QStringLiteral("\""));
    return name;
}

/// Statements of roles.sql grouped by the role they create or alter; the rest (GRANTs) apart.
struct RoleStatements
{
    QMap<QString, QStringList> byRole;
    QStringList memberships;
};

RoleStatements parseRoles(const QString &text)
{
    static const QRegularExpression roleStmt(QStringLiteral("^(?:CREATE|ALTER) ROLE (\"(?:[^\"]|\"\")+\"|\\S+?)(?:;| )"));
    RoleStatements r;
    for (const QString &line : text.split(u'\n')) {
        const auto m = roleStmt.match(line);
        if (m.hasMatch())
            r.byRole[unquote(m.captured(1))] << line;
        else if (line.startsWith(QLatin1String("GRANT ")))
            r.memberships << line;
    }
    return r;
}

QString readText(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

} // namespace

// ---- probe ------------------------------------------------------------------------------------

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
        if (e.desc == QLatin1String("SCHEMA") || e.desc == QLatin1String("EXTENSION"))
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
            "SELECT e.id FROM unnest($1::int[], $2::text[], $3::text[], $4::text[]) AS e(id, kind, nsp, tag) WHERE CASE e.kind "
            "WHEN 'SCHEMA' THEN EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = e.tag) "
            "WHEN 'EXTENSION' THEN EXISTS (SELECT 1 FROM pg_extension WHERE extname = e.tag) "
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
        {array(ids), array(kinds), array(schemas), array(tags)}, QStringLiteral("looking for the backup's objects in the target"));
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

    r = ExportSql::query(conn,
                         QStringLiteral("SELECT pn.nspname || '.' || p.relname, cn.nspname || '.' || c.relname "
                                        "FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
                                        "JOIN pg_namespace cn ON cn.oid = c.relnamespace JOIN pg_class p ON p.oid = k.confrelid "
                                        "JOIN pg_namespace pn ON pn.oid = p.relnamespace "
                                        "WHERE k.contype = 'f' AND k.conrelid <> k.confrelid ORDER BY 2"),
                         QStringLiteral("reading the target's foreign keys"));
    if (!r)
        return Error{r.error()};
    for (int i = 0; i < PQntuples(r->get()); ++i)
        st.fkChildren[PgConnection::value(r->get(), i, 0)] << PgConnection::value(r->get(), i, 1);

    // What DROP TABLE ... CASCADE would take along: views reading the table and functions
    // using its row type, followed through pg_depend.
    r = ExportSql::query(
        conn,
        QStringLiteral(
            "WITH RECURSIVE tabs AS (SELECT c.oid, n.nspname || '.' || c.relname AS name FROM pg_class c "
            "  JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND %1), "
            "deps(root, classid, objid, depth) AS (SELECT t.name, 'pg_class'::regclass::oid, t.oid, 0 FROM tabs t "
            "  UNION SELECT deps.root, d.classid, d.objid, deps.depth + 1 FROM pg_depend d JOIN deps "
            "  ON d.refclassid = deps.classid AND d.refobjid = deps.objid WHERE d.deptype IN ('n', 'a', 'i') AND deps.depth < 4) "
            "SELECT DISTINCT deps.root, 'VIEW', vn.nspname, v.relname FROM deps JOIN pg_rewrite w "
            "  ON deps.classid = 'pg_rewrite'::regclass AND w.oid = deps.objid JOIN pg_class v ON v.oid = w.ev_class "
            "  JOIN pg_namespace vn ON vn.oid = v.relnamespace WHERE v.relkind IN ('v', 'm') AND deps.root <> vn.nspname || '.' || v.relname "
            "UNION SELECT DISTINCT deps.root, 'FUNCTION', pn.nspname, p.proname || '(' || array_to_string(ARRAY("
            "  SELECT format_type(a, NULL) FROM unnest(p.proargtypes) a), ', ') || ')' FROM deps JOIN pg_proc p "
            "  ON deps.classid = 'pg_proc'::regclass AND p.oid = deps.objid JOIN pg_namespace pn ON pn.oid = p.pronamespace "
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

// ---- selection --------------------------------------------------------------------------------

Result<RestoreSelection> RestorePlanner::parseSelection(const RestoreInventory &inv, const QStringList &words)
{
    // Component words pick every item of their kinds.
    static const QHash<QString, QList<RestoreKind>> components{
        {QStringLiteral("database"), {RestoreKind::Schema}},
        {QStringLiteral("tables"), {RestoreKind::Table}},
        {QStringLiteral("roles"), {RestoreKind::Roles}},
        {QStringLiteral("settings"), {RestoreKind::DatabaseSettings}},
        {QStringLiteral("users"), {RestoreKind::User}},
        {QStringLiteral("auth_users"), {RestoreKind::User}},
        {QStringLiteral("policies"), {RestoreKind::Policies}},
        {QStringLiteral("rls_policies"), {RestoreKind::Policies}},
        {QStringLiteral("functions"), {RestoreKind::Function}},
        {QStringLiteral("encryption"), {RestoreKind::Encryption}},
        {QStringLiteral("user_roles"), {RestoreKind::RoleAssignments}},
        {QStringLiteral("role_assignments"), {RestoreKind::RoleAssignments}},
        {QStringLiteral("migrations"), {RestoreKind::MigrationHistory, RestoreKind::Migration}},
        {QStringLiteral("migration_history"), {RestoreKind::MigrationHistory}},
        {QStringLiteral("edge_functions"), {RestoreKind::EdgeFunction}},
        {QStringLiteral("storage"), {RestoreKind::Bucket}},
        {QStringLiteral("buckets"), {RestoreKind::Bucket}},
        {QStringLiteral("config"), {RestoreKind::ConfigFile}},
    };
    RestoreSelection sel;
    QStringList unknown;
    for (QString w : words) {
        w = w.trimmed();
        if (w.isEmpty())
            continue;
        bool dataOnly = false;
        if (w.startsWith(QLatin1String("data:"))) {
            dataOnly = true;
            w = QStringLiteral("table:") + w.mid(5);
        }
        if (w == QLatin1String("database"))
            sel.wholeArchive = true;
        if (components.contains(w)) {
            for (RestoreKind k : components.value(w))
                for (const RestoreItem &i : inv.itemsOf(k))
                    if (!sel.items.contains(i.id()))
                        sel.items << i.id();
            continue;
        }
        if (!inv.item(w)) {
            unknown << w;
            continue;
        }
        if (!sel.items.contains(w))
            sel.items << w;
        if (dataOnly)
            sel.dataOnly << w.mid(6);
    }
    if (!unknown.isEmpty())
        return Error{QStringLiteral("This backup has nothing called %1. Items look like table:public.todos, "
                                    "user:ann@example.com, policies:public.todos, function:public.my_fn, "
                                    "edge_function:hello, migration:20240101120000, bucket:avatars; components: "
                                    "%2. See lifeboat-cli restore BACKUP --list.")
                         .arg(unknown.join(QStringLiteral(", ")), QStringList(components.keys()).join(QStringLiteral(", ")))};
    if (sel.items.isEmpty())
        return Error{QStringLiteral("Nothing picked: the backup has none of %1.").arg(words.join(QStringLiteral(", ")))};
    return sel;
}

// ---- plan -------------------------------------------------------------------------------------

namespace {

class Planner
{
public:
    Planner(const RestoreInventory &inv, const RestoreSelection &sel, const RestoreTarget &target,
            const RestoreOptions &opt, const TargetState &st)
        : inv(inv), toc(inv.toc), sel(sel), opt(opt), st(st)
    {
        plan.backupPath = inv.path;
        plan.backupLabel = QStringLiteral("%1 %2").arg(inv.manifest.stackId, QFileInfo(inv.path).fileName());
        plan.target = target;
        plan.options = opt;
        plan.superuser = st.superuser;
        plan.connectingRole = st.role;
        newDatabase = target.kind == RestoreTarget::Kind::NewDatabase;
    }

    RestorePlan run();

private:
    bool exists(int id) const { return st.existingEntries.contains(id); }
    bool tableExists(const ArchiveEntry &t) const
    {
        return !newDatabase && st.existingTables.contains(t.qualifiedName());
    }
    void addAttached(int id);
    void addDefinition(int id, const QString &why);
    void addTable(const ArchiveEntry &t, bool dataOnly, const QString &why);
    void addTableDefinition(const ArchiveEntry &t, const QString &why);
    void addData(const ArchiveEntry &t);
    QList<int> ownedSequences(const ArchiveEntry &t) const;
    const ArchiveEntry *tableOf(const ArchiveEntry &e) const;
    const ArchiveEntry *ownerTable(const ArchiveEntry &part) const;
    void addCrossParts();
    void closeOverDependencies();
    void note(const QString &why, const QString &what) { closureCounts[why][what] += 1; }
    bool picked(const QString &table) const { return restoredTables.contains(table); }
    void addSqlStep(const QString &phase, const QString &title, const QStringList &touches, const QString &script,
                    qint64 weight = 1);
    void collectPicked();
    void resolveTableConflicts();
    void decideOwnership();
    void resolveRowConflicts();
    void addWarnings();
    void buildSteps();
    void addRoleStep();
    void addFileSteps();

    const RestoreInventory &inv;
    const ArchiveToc &toc;
    const RestoreSelection &sel;
    const RestoreOptions &opt;
    const TargetState &st;
    RestorePlan plan;
    bool newDatabase = false;

    QSet<int> defs;       ///< schema entries to restore
    QSet<int> dataIds;    ///< data entries to restore
    QSet<QString> restoredTables;
    QSet<QString> definitionOnly; ///< created for picked rows (users), without the table's data
    QStringList replacedTables, truncatedTables, appendedTables, skippedTables;
    QList<int> droppedFks;
    QMap<QString, QMap<QString, int>> closureCounts; ///< why -> what -> count
    QSet<QString> neededRoles;

    // What was picked, by kind (tables and schemas go straight into defs/dataIds).
    QList<RestoreItem> users, policies, functions, migrations, edgeFunctions, buckets, configFiles;
    bool roles = false, settings = false, encryption = false, roleAssignments = false, history = false;
    RoleStatements roleFile;
    bool noAcl = false;                  ///< grants left out: their roles cannot be created here
    QSet<QString> pickedUserIds;
    QHash<QString, QString> policyText;  ///< policies file per table, minus what is skipped
    QList<RestoreItem> functionsToRun;
};

const ArchiveEntry *Planner::tableOf(const ArchiveEntry &e) const
{
    for (int d : e.deps)
        if (const ArchiveEntry *p = toc.entry(d); p && p->desc == QLatin1String("TABLE"))
            return p;
    return nullptr;
}

void Planner::addAttached(int id)
{
    for (int d : toc.dependents(id))
        if (const ArchiveEntry *e = toc.entry(d); e && AttachedDescs.contains(e->desc))
            defs.insert(d);
}

void Planner::addDefinition(int id, const QString &why)
{
    if (defs.contains(id))
        return;
    defs.insert(id);
    addAttached(id);
    if (!why.isEmpty())
        if (const ArchiveEntry *e = toc.entry(id))
            note(why, e->desc.toLower());
}

QList<int> Planner::ownedSequences(const ArchiveEntry &t) const
{
    QList<int> out;
    for (int d : toc.dependents(t.id)) {
        const ArchiveEntry *e = toc.entry(d);
        if (!e)
            continue;
        if (e->desc == QLatin1String("SEQUENCE OWNED BY") || e->desc == QLatin1String("SEQUENCE")) {
            for (int s : e->deps)
                if (const ArchiveEntry *seq = toc.entry(s); seq && seq->desc == QLatin1String("SEQUENCE"))
                    out << seq->id;
            if (e->desc == QLatin1String("SEQUENCE"))
                out << e->id; // identity column sequence, defined by ALTER TABLE
        }
    }
    return out;
}

const ArchiveEntry *Planner::ownerTable(const ArchiveEntry &part) const
{
    // Constraints, triggers, policies and defaults are tagged "<table> <name>".
    for (int d : part.deps) {
        const ArchiveEntry *t = toc.entry(d);
        if (t && t->desc == QLatin1String("TABLE") && t->schema == part.schema
            && (part.tag == t->tag || part.tag.startsWith(t->tag + u' ')))
            return t;
    }
    return tableOf(part);
}

void Planner::addTableDefinition(const ArchiveEntry &t, const QString &why)
{
    addDefinition(t.id, QString());
    for (int d : toc.dependents(t.id)) {
        const ArchiveEntry *e = toc.entry(d);
        if (!e || !TablePartDescs.contains(e->desc) || defs.contains(d))
            continue;
        // Another table's policy or foreign key that refers to this one comes along only
        // when that table is there too (see addCrossParts).
        const ArchiveEntry *owner = ownerTable(*e);
        if (owner && owner->id != t.id)
            continue;
        addDefinition(d, why);
    }
    for (int s : ownedSequences(t)) {
        if (!defs.contains(s))
            addDefinition(s, why);
        for (int d : toc.dependents(s))
            if (const ArchiveEntry *e = toc.entry(d); e && e->desc == QLatin1String("SEQUENCE OWNED BY"))
                defs.insert(d);
    }
}

void Planner::addCrossParts()
{
    for (const ArchiveEntry &t : toc.entries()) {
        if (t.desc != QLatin1String("TABLE") || !defs.contains(t.id))
            continue;
        for (int d : toc.dependents(t.id)) {
            const ArchiveEntry *e = toc.entry(d);
            if (!e || !TablePartDescs.contains(e->desc) || defs.contains(d))
                continue;
            const ArchiveEntry *owner = ownerTable(*e);
            if (!owner || owner->id == t.id)
                continue;
            if (picked(owner->qualifiedName()) || tableExists(*owner))
                addDefinition(d, QStringLiteral("because of ") + t.qualifiedName());
        }
    }
}

void Planner::addData(const ArchiveEntry &t)
{
    if (const ArchiveEntry *data = toc.find(QStringLiteral("TABLE DATA"), t.schema, t.tag))
        dataIds.insert(data->id);
    for (int s : ownedSequences(t))
        if (const ArchiveEntry *seq = toc.entry(s))
            if (const ArchiveEntry *set = toc.find(QStringLiteral("SEQUENCE SET"), seq->schema, seq->tag))
                dataIds.insert(set->id);
}

void Planner::addTable(const ArchiveEntry &t, bool dataOnly, const QString &why)
{
    const QString name = t.qualifiedName();
    if (restoredTables.contains(name))
        return;
    restoredTables.insert(name);
    if (!why.isEmpty())
        note(why, QStringLiteral("table"));
    const QString reason = QStringLiteral("because of ") + name;
    if (!tableExists(t)) {
        addTableDefinition(t, reason);
        addData(t);
        if (dataOnly)
            plan.warnings << QStringLiteral("%1 is not in the target: its definition is restored too.").arg(name);
        return;
    }
    TableConflict mode = opt.tables;
    if (dataOnly && mode == TableConflict::Replace)
        mode = TableConflict::Truncate; // data only: keep the target's definition
    switch (mode) {
    case TableConflict::Replace:
        replacedTables << name;
        addTableDefinition(t, reason);
        addData(t);
        break;
    case TableConflict::Truncate:
        truncatedTables << name;
        addData(t);
        break;
    case TableConflict::Append:
        appendedTables << name;
        if (const ArchiveEntry *data = toc.find(QStringLiteral("TABLE DATA"), t.schema, t.tag))
            dataIds.insert(data->id);
        break;
    case TableConflict::Skip:
        skippedTables << name;
        break;
    }
}

void Planner::closeOverDependencies()
{
    bool changed = true;
    while (changed) {
        changed = false;
        QList<int> current(defs.begin(), defs.end());
        std::sort(current.begin(), current.end());
        for (int id : current) {
            const ArchiveEntry *e = toc.entry(id);
            if (!e || !defs.contains(id))
                continue;
            for (int d : e->deps) {
                const ArchiveEntry *dep = toc.entry(d);
                if (!dep)
                    continue;
                // A foreign key's parent is checked even when its definition is already planned:
                // a parent created empty (or with only picked rows) does not satisfy a full child.
                const bool fkParentRef = e->desc == QLatin1String("FK CONSTRAINT")
                                         && (dep->desc == QLatin1String("CONSTRAINT") || dep->desc == QLatin1String("INDEX")
                                             || dep->desc == QLatin1String("TABLE"));
                if (defs.contains(d) && !fkParentRef)
                    continue;
                const ArchiveEntry *self = e->desc == QLatin1String("FK CONSTRAINT") ? ownerTable(*e) : nullptr;
                if (e->desc == QLatin1String("FK CONSTRAINT")
                    && (dep->desc == QLatin1String("CONSTRAINT") || dep->desc == QLatin1String("INDEX")
                        || (dep->desc == QLatin1String("TABLE") && (!self || self->id != dep->id)))) {
                    const ArchiveEntry *parent = dep->desc == QLatin1String("TABLE") ? dep : tableOf(*dep);
                    if (!parent || picked(parent->qualifiedName()) || tableExists(*parent))
                        continue;
                    // Rows picked one by one (users and their identities) refer to each other only.
                    if (self && definitionOnly.contains(parent->qualifiedName())
                        && definitionOnly.contains(self->qualifiedName()))
                        continue;
                    if (opt.parents == MissingParents::Include) {
                        addTable(*parent, false, QStringLiteral("because the foreign key %1 needs it").arg(e->tag));
                    } else {
                        defs.remove(id);
                        droppedFks << id;
                        plan.warnings << QStringLiteral("Foreign key %1 is not restored: its parent table %2 is neither "
                                                        "picked nor in the target.")
                                             .arg(e->qualifiedName(), parent->qualifiedName());
                    }
                    changed = true;
                    break;
                }
                if (dep->desc == QLatin1String("TABLE") && e->desc != QLatin1String("TABLE DATA")) {
                    // A view, function or policy that reads a table missing from the target.
                    if (picked(dep->qualifiedName()) || tableExists(*dep) || definitionOnly.contains(dep->qualifiedName()))
                        continue;
                    addTable(*dep, false, QStringLiteral("because of %1").arg(e->qualifiedName()));
                    changed = true;
                    continue;
                }
                if (PullableDescs.contains(dep->desc) && !exists(d)) {
                    addDefinition(d, QStringLiteral("because of %1").arg(e->qualifiedName()));
                    changed = true;
                }
            }
        }
    }
}

void Planner::addSqlStep(const QString &phase, const QString &title, const QStringList &touches, const QString &script,
                         qint64 weight)
{
    RestoreStep s;
    s.kind = RestoreStep::Kind::Sql;
    s.phase = phase;
    s.title = title;
    s.touches = touches;
    s.script = script;
    s.weight = weight;
    plan.steps.append(s);
}

RestorePlan Planner::run()
{
    collectPicked();
    closeOverDependencies();
    addCrossParts();
    closeOverDependencies();
    resolveTableConflicts();
    decideOwnership();
    resolveRowConflicts();
    addWarnings();
    buildSteps();
    return plan;
}

// What was picked: tables and schemas straight into the archive sets, the rest by kind.
void Planner::collectPicked()
{
    // What was picked.
    QSet<QString> dataOnly(sel.dataOnly.begin(), sel.dataOnly.end());
    for (const QString &id : sel.items) {
        const RestoreItem *item = inv.item(id);
        if (!item) {
            plan.blockers << QStringLiteral("%1 is not in this backup.").arg(id);
            continue;
        }
        plan.picked << *item;
        switch (item->kind) {
        case RestoreKind::Roles: roles = true; break;
        case RestoreKind::DatabaseSettings: settings = true; break;
        case RestoreKind::Encryption: encryption = true; break;
        case RestoreKind::RoleAssignments: roleAssignments = true; break;
        case RestoreKind::MigrationHistory: history = true; break;
        case RestoreKind::User: users << *item; break;
        case RestoreKind::Policies: policies << *item; break;
        case RestoreKind::Function: functions << *item; break;
        case RestoreKind::Migration: migrations << *item; break;
        case RestoreKind::EdgeFunction: edgeFunctions << *item; break;
        case RestoreKind::Bucket: buckets << *item; break;
        case RestoreKind::ConfigFile: configFiles << *item; break;
        case RestoreKind::Table:
            if (const ArchiveEntry *t = toc.find(QStringLiteral("TABLE"), item->key.section(u'.', 0, 0),
                                                 item->key.section(u'.', 1)))
                addTable(*t, dataOnly.contains(item->key), QString());
            break;
        case RestoreKind::Schema:
            for (const ArchiveEntry &e : toc.entries()) {
                if (e.schema != item->key && !(e.desc == QLatin1String("SCHEMA") && e.tag == item->key))
                    continue;
                if (e.desc == QLatin1String("TABLE")) {
                    addTable(e, false, QString());
                } else if (e.desc == QLatin1String("SEQUENCE SET")) {
                    if (const ArchiveEntry *seq = toc.find(QStringLiteral("SEQUENCE"), e.schema, e.tag); seq && !exists(seq->id))
                        dataIds.insert(e.id);
                } else if (e.desc == QLatin1String("MATERIALIZED VIEW DATA")) {
                    dataIds.insert(e.id);
                } else if (!e.isData() && !AttachedDescs.contains(e.desc) && !TablePartDescs.contains(e.desc)
                           && !(PullableDescs.contains(e.desc) && exists(e.id))) {
                    addDefinition(e.id, QString()); // types, functions, views and their rules, ...
                }
            }
            break;
        }
    }
    if (sel.wholeArchive) {
        // Objects outside any schema: extensions, event triggers, publications, ...
        for (const ArchiveEntry &e : toc.entries())
            if (e.schema.isEmpty() && e.isData())
                dataIds.insert(e.id); // large objects
            else if (e.schema.isEmpty() && !AttachedDescs.contains(e.desc) && e.desc != QLatin1String("SCHEMA") && !exists(e.id))
                addDefinition(e.id, QString());
    }
    if (!st.databaseExists && !newDatabase)
        plan.blockers << QStringLiteral("The target database does not exist.");
    if (newDatabase && st.databaseExists)
        plan.blockers << QStringLiteral("A database called %1 exists already on this server: pick another name, or restore "
                                        "into it as another stack.")
                             .arg(plan.target.newDatabase);

    // Users need auth.users (and identities) in the target.
    if (!users.isEmpty() && !st.hasAuthUsers) {
        for (const char *name : {"users", "identities"})
            if (const ArchiveEntry *t = toc.find(QStringLiteral("TABLE"), QStringLiteral("auth"), QLatin1String(name)))
                if (!picked(t->qualifiedName())) {
                    definitionOnly.insert(t->qualifiedName()); // the picked users' rows only
                    addTableDefinition(*t, QStringLiteral("because users are restored"));
                    note(QStringLiteral("because users are restored"), QStringLiteral("table"));
                }
        if (!toc.find(QStringLiteral("TABLE"), QStringLiteral("auth"), QStringLiteral("users")))
            plan.blockers << QStringLiteral("The target has no auth.users table and the backup has no definition of it.");
    }
    // Policies need their table.
    for (const RestoreItem &p : policies) {
        const bool tableThere = st.existingTables.contains(p.key) && !newDatabase;
        if (!tableThere && !picked(p.key)) {
            if (const ArchiveEntry *t = toc.find(QStringLiteral("TABLE"), p.key.section(u'.', 0, 0), p.key.section(u'.', 1)))
                addTable(*t, false, QStringLiteral("because its policies were picked"));
            else
                plan.blockers << QStringLiteral("The policies of %1 need that table, which is neither in the target nor in "
                                                "the backup.")
                                     .arg(p.key);
        }
    }

}

// Tables already in the target, and what replacing them takes along.
void Planner::resolveTableConflicts()
{
    // Conflicts.
    if (!replacedTables.isEmpty())
        plan.conflicts << RestoreConflict{QStringLiteral("tables"), replacedTables,
                                          QStringLiteral("dropped and restored from the backup")};
    if (!truncatedTables.isEmpty())
        plan.conflicts << RestoreConflict{QStringLiteral("tables"), truncatedTables,
                                          QStringLiteral("emptied and reloaded from the backup")};
    if (!appendedTables.isEmpty())
        plan.conflicts << RestoreConflict{QStringLiteral("tables"), appendedTables,
                                          QStringLiteral("the backup's rows added; rows with an existing key kept as they are")};
    if (!skippedTables.isEmpty())
        plan.conflicts << RestoreConflict{QStringLiteral("tables"), skippedTables, QStringLiteral("left as they are")};
    for (const QString &t : replacedTables) {
        for (const QStringList &dep : st.dropDependents.value(t)) {
            // DROP ... CASCADE takes views and functions with it: bring them back from the archive.
            const ArchiveEntry *e = toc.find(dep.at(0), dep.at(1), dep.at(2));
            if (!e && dep.at(0) == QLatin1String("FUNCTION"))
                e = toc.find(QStringLiteral("PROCEDURE"), dep.at(1), dep.at(2));
            if (!e) {
                plan.warnings << QStringLiteral("Replacing %1 drops the %2 %3.%4, which is not in the backup: re-create it "
                                                "by hand afterwards.")
                                     .arg(t, dep.at(0).toLower(), dep.at(1), dep.at(2));
                continue;
            }
            if (!defs.contains(e->id)) {
                addDefinition(e->id, QStringLiteral("because %1 is replaced").arg(t));
                for (int d : toc.dependents(e->id))
                    if (const ArchiveEntry *rule = toc.entry(d); rule && rule->desc == QLatin1String("RULE"))
                        addDefinition(d, QString());
            }
        }
        for (const QString &c : st.fkChildren.value(t)) {
            if (picked(c))
                continue;
            // The archive's foreign keys from other tables to this one are re-created below.
            bool inArchive = false;
            for (const ArchiveEntry &e : toc.entries())
                if (e.desc == QLatin1String("FK CONSTRAINT") && e.tag.startsWith(c.section(u'.', 1) + u' ')
                    && e.schema == c.section(u'.', 0, 0))
                    inArchive = true;
            if (!inArchive)
                plan.warnings << QStringLiteral("Replacing %1 drops the foreign key of %2 that refers to it.").arg(t, c);
        }
    }
    // Foreign keys of other tables that point at a replaced table: DROP ... CASCADE removes them.
    for (const QString &t : replacedTables) {
        const ArchiveEntry *table = toc.find(QStringLiteral("TABLE"), t.section(u'.', 0, 0), t.section(u'.', 1));
        if (!table)
            continue;
        for (int d : toc.dependents(table->id)) {
            const ArchiveEntry *c = toc.entry(d);
            if (!c || (c->desc != QLatin1String("CONSTRAINT") && c->desc != QLatin1String("INDEX")))
                continue;
            for (int f : toc.dependents(d)) {
                const ArchiveEntry *fk = toc.entry(f);
                if (!fk || fk->desc != QLatin1String("FK CONSTRAINT") || defs.contains(f))
                    continue;
                const ArchiveEntry *child = tableOf(*fk);
                if (child && (tableExists(*child) || picked(child->qualifiedName()))) {
                    defs.insert(f);
                    note(QStringLiteral("because %1 is replaced").arg(t), QStringLiteral("foreign key"));
                }
            }
        }
    }
}

// Owners kept or not, roles the restored objects need, grants to missing roles.
void Planner::decideOwnership()
{
    // Ownership.
    QMap<QString, QStringList> ownedBy;
    QList<int> ordered;
    for (const ArchiveEntry &e : toc.entries())
        if (defs.contains(e.id))
            ordered << e.id;
    for (int id : ordered) {
        const ArchiveEntry *e = toc.entry(id);
        if (!e->owner.isEmpty() && !AttachedDescs.contains(e->desc))
            ownedBy[e->owner] << e->display();
    }
    bool canKeep = st.superuser;
    if (!canKeep) {
        canKeep = true;
        for (auto it = ownedBy.cbegin(); it != ownedBy.cend(); ++it)
            if (it.key() != st.role && !st.roles.value(it.key(), false))
                canKeep = false;
    }
    roleFile = parseRoles(readText(inv.absolutePath(QStringLiteral("roles/roles.sql"))));
    switch (opt.owners) {
    case OwnerHandling::NoOwners: plan.keepOwners = false; break;
    case OwnerHandling::KeepOwners:
        plan.keepOwners = true;
        if (!canKeep)
            plan.blockers << QStringLiteral("%1 cannot give objects to other owners (it is not a superuser nor a member "
                                            "of every owning role). Connect as a superuser or let Lifeboat restore "
                                            "without owners.")
                                 .arg(st.role);
        break;
    case OwnerHandling::Auto: plan.keepOwners = canKeep; break;
    }
    if (plan.keepOwners) {
        for (auto it = ownedBy.cbegin(); it != ownedBy.cend(); ++it)
            if (!st.roles.contains(it.key()))
                neededRoles.insert(it.key());
    } else {
        for (auto it = ownedBy.cbegin(); it != ownedBy.cend(); ++it)
            if (it.key() != st.role)
                for (const QString &o : it.value())
                    plan.ownersNotSet << QStringLiteral("%1 (owner %2)").arg(o, it.key());
    }
    // Grantees the target lacks.
    noAcl = false;
    QStringList missingGrantees;
    for (int id : ordered) {
        const ArchiveEntry *e = toc.entry(id);
        if (e->desc != QLatin1String("ACL"))
            continue;
        for (const QString &g : grantees(e->sql))
            if (!st.roles.contains(g) && !missingGrantees.contains(g))
                missingGrantees << g;
    }
    for (const QString &g : missingGrantees) {
        if (st.superuser && roleFile.byRole.contains(g))
            neededRoles.insert(g);
    }
    for (const QString &g : missingGrantees) {
        if (!neededRoles.contains(g)) {
            noAcl = true;
            plan.warnings << QStringLiteral("Role %1 is missing in the target and cannot be created here: grants are not "
                                            "restored for the picked objects.")
                                 .arg(g);
        }
    }
    for (const QString &r : neededRoles) {
        if (!roleFile.byRole.contains(r)) {
            plan.blockers << QStringLiteral("Role %1 owns restored objects but exists neither in the target nor in the "
                                            "backup's roles.sql.")
                                 .arg(r);
        } else if (!roles) {
            note(QStringLiteral("because restored objects need them"), QStringLiteral("role"));
        }
    }
    if (roles && !st.superuser) {
        QStringList missing;
        for (auto it = roleFile.byRole.cbegin(); it != roleFile.byRole.cend(); ++it)
            if (!st.roles.contains(it.key()))
                missing << it.key();
        if (!missing.isEmpty())
            plan.blockers << QStringLiteral("Creating the roles %1 needs a superuser; %2 is not one. Unpick the roles or "
                                            "connect as a superuser (on Supabase: supabase_admin).")
                                 .arg(missing.join(QStringLiteral(", ")), st.role);
        else
            plan.warnings << QStringLiteral("Every role of the backup exists in the target; %1 is not a superuser, so "
                                            "they are left as they are.")
                                 .arg(st.role);
        roles = false;
    }

    if (!truncatedTables.isEmpty() && !st.superuser) {
        // A superuser empties with DELETE while foreign-key triggers are off and checks the
        // keys afterwards; anyone else needs TRUNCATE, which refuses referenced tables.
        for (const QString &t : truncatedTables)
            for (const QString &c : st.fkChildren.value(t))
                if (!truncatedTables.contains(c))
                    plan.blockers << QStringLiteral("%1 cannot be emptied: %2 refers to it with a foreign key. Pick %2 too "
                                                    "or choose \"replace\".")
                                         .arg(t, c);
    }
    if (!appendedTables.isEmpty())
        plan.warnings << QStringLiteral("Appending keeps the target's sequences: check them if new rows are inserted later.");

}

// Users, policies, functions and buckets already in the target.
void Planner::resolveRowConflicts()
{
    QStringList existingUsers, existingPolicies, existingFunctions, existingBuckets;
    for (const RestoreItem &u : users) {
        for (const RowStatement &r : inv.userRows) {
            if (r.table != QLatin1String("auth.users"))
                continue;
            const QString id = r.row.value(QStringLiteral("id")).toString();
            const QString email = r.row.value(QStringLiteral("email")).toString();
            if (email == u.key || id == u.key) {
                pickedUserIds.insert(id);
                if (!newDatabase && st.existingUserIds.contains(id))
                    existingUsers << u.key;
            }
        }
    }
    const QString rowResolution = opt.rows == RowConflict::Replace ? QStringLiteral("replaced by the backup's")
                                                                    : QStringLiteral("left as they are");
    if (!existingUsers.isEmpty())
        plan.conflicts << RestoreConflict{QStringLiteral("users"), existingUsers, rowResolution};
    // Only an owner (or a superuser) may replace a function or a table's policies: what the
    // connecting role cannot touch is left out and named, instead of failing the transaction.
    auto canActAs = [&](const QString &owner) {
        return owner.isEmpty() || st.superuser || owner == st.role || st.roles.value(owner, false);
    };
    QStringList notOwned;
    for (const RestoreItem &p : QList<RestoreItem>(policies)) {
        const ArchiveEntry *t = toc.find(QStringLiteral("TABLE"), p.key.section(u'.', 0, 0), p.key.section(u'.', 1));
        if (!newDatabase && t && tableExists(*t) && !picked(p.key) && !canActAs(t->owner)) {
            notOwned << QStringLiteral("policies of %1 (owner %2)").arg(p.key, t->owner);
            policies.removeIf([&](const RestoreItem &i) { return i.key == p.key; });
        }
    }
    for (const RestoreItem &p : policies) {
        const QString text = readText(inv.absolutePath(QStringLiteral("rls_policies/%1.sql").arg(p.key)));
        QStringList kept;
        static const QRegularExpression name(QStringLiteral("^(?:CREATE|DROP) POLICY (?:IF EXISTS )?\"((?:[^\"]|\"\")+)\""));
        QString current;
        for (const QString &line : text.split(u'\n')) {
            const auto m = name.match(line);
            if (m.hasMatch())
                current = m.captured(1).replace(QStringLiteral("\"\""), QStringLiteral("\""));
            const bool there = !newDatabase && st.existingPolicies.contains(p.key + u'|' + current);
            if (m.hasMatch() && line.startsWith(QLatin1String("CREATE")) && there && !existingPolicies.contains(p.key + u' ' + current))
                existingPolicies << QStringLiteral("%1 on %2").arg(current, p.key);
            if (opt.rows == RowConflict::Skip && there && !current.isEmpty() && !line.startsWith(QLatin1String("ALTER TABLE")))
                continue; // the policy's statements, until the next policy
            if (line.startsWith(QLatin1String("ALTER TABLE")))
                current.clear();
            kept << line;
        }
        policyText.insert(p.key, kept.join(u'\n'));
    }
    if (!existingPolicies.isEmpty())
        plan.conflicts << RestoreConflict{QStringLiteral("policies"), existingPolicies, rowResolution};
    static const QRegularExpression functionOwner(QStringLiteral("^ALTER (?:FUNCTION|PROCEDURE) .* OWNER TO (\\S+);$"),
                                                  QRegularExpression::MultilineOption);
    for (const RestoreItem &f : functions) {
        if (!newDatabase && st.existingFunctions.contains(f.key)) {
            existingFunctions << f.key;
            if (opt.rows == RowConflict::Skip)
                continue;
            const auto m = functionOwner.match(readText(inv.absolutePath(QStringLiteral("functions/%1.sql").arg(f.key))));
            const QString owner = m.hasMatch() ? unquote(m.captured(1)) : QString();
            if (!canActAs(owner)) {
                notOwned << QStringLiteral("function %1 (owner %2)").arg(f.key, owner);
                continue;
            }
        }
        functionsToRun << f;
    }
    if (!existingFunctions.isEmpty())
        plan.conflicts << RestoreConflict{QStringLiteral("functions"), existingFunctions, rowResolution};
    if (!notOwned.isEmpty())
        plan.warnings << QStringLiteral("%1 cannot replace what other roles own; left as they are: %2. Restore them as a "
                                        "superuser (on Supabase: supabase_admin).")
                             .arg(st.role, notOwned.join(QStringLiteral(", ")));
    for (const RestoreItem &b : buckets)
        if (!newDatabase && st.existingBuckets.contains(b.key))
            existingBuckets << b.key;
    if (!existingBuckets.isEmpty())
        plan.conflicts << RestoreConflict{QStringLiteral("buckets"), existingBuckets, rowResolution};

}

// Supabase specifics, and the closure in words for a person.
void Planner::addWarnings()
{
    // Supabase specifics.
    bool authRows = !users.isEmpty();
    for (const QString &t : restoredTables)
        authRows = authRows || t.startsWith(QStringLiteral("auth."));
    if (authRows && !st.authMigrations.isEmpty() && !inv.authMigrations.isEmpty()
        && st.authMigrations != inv.authMigrations)
        plan.warnings << QStringLiteral("The target's auth schema is at migration %1, the backup's at %2: columns may "
                                        "differ; check the restored users can sign in.")
                             .arg(st.authMigrations.last(), inv.authMigrations.last());
    bool storageRows = !buckets.isEmpty();
    for (const QString &t : restoredTables)
        storageRows = storageRows || t.startsWith(QStringLiteral("storage."));
    if (storageRows && !st.storageMigrations.isEmpty() && !inv.storageMigrations.isEmpty()
        && st.storageMigrations != inv.storageMigrations)
        plan.warnings << QStringLiteral("The target's storage schema is at migration %1, the backup's at %2: columns may "
                                        "differ; check the restored buckets and objects.")
                             .arg(st.storageMigrations.last(), inv.storageMigrations.last());
    if (encryption || restoredTables.contains(QStringLiteral("vault.secrets")))
        plan.warnings << QStringLiteral("Vault secrets are encrypted with the source stack's key: they can only be read "
                                        "where that key (pgsodium root key) is the same.");
    if (!st.superuser && (!users.isEmpty() || !buckets.isEmpty()))
        plan.warnings << QStringLiteral("%1 is not a superuser: triggers on auth and storage tables fire while rows are "
                                        "restored (session_replication_role needs a superuser).")
                             .arg(st.role);

    // Closure notes for a person.
    for (auto it = closureCounts.cbegin(); it != closureCounts.cend(); ++it) {
        QStringList parts;
        for (auto c = it.value().cbegin(); c != it.value().cend(); ++c)
            parts << objectWords(c.key(), c.value());
        plan.closure << QStringLiteral("+%1 %2").arg(parts.join(QStringLiteral(", ")), it.key());
    }

}

// The ordered steps, each a bash fragment (SQL for psql, or a command).
void Planner::buildSteps()
{
    // ---- steps ----
    const bool existing = !newDatabase;
    if (existing && opt.safetyBackup && !sel.isEmpty()) {
        RestoreStep s;
        s.kind = RestoreStep::Kind::SafetyBackup;
        s.phase = QStringLiteral("safety");
        s.title = QStringLiteral("Back up %1 before changing it").arg(plan.target.stack.name);
        s.touches = {QStringLiteral("nothing (reads the target)")};
        s.transactional = false;
        s.weight = 1000;
        plan.steps << s;
    } else if (existing && !opt.safetyBackup) {
        plan.warnings << QStringLiteral("No safety backup: there is no way back from this restore but another backup.");
    }
    if (newDatabase) {
        RestoreStep s;
        s.kind = RestoreStep::Kind::CreateDatabase;
        s.phase = QStringLiteral("database");
        s.title = QStringLiteral("Create database %1").arg(plan.target.newDatabase);
        s.touches = {plan.target.newDatabase};
        s.transactional = false;
        s.script = QStringLiteral("PGDATABASE=%1 psql -X -q -v ON_ERROR_STOP=1 -f - <<'LIFEBOAT_SQL_END'\n"
                                  "CREATE DATABASE %2;\nLIFEBOAT_SQL_END\n")
                       .arg(shellQuote(plan.target.stack.connection.database), ExportSql::quoteIdent(plan.target.newDatabase));
        plan.steps << s;
    }

    addRoleStep();

    const bool noOwner = !plan.keepOwners;
    auto idsOf = [&](const QSet<int> &set, const std::function<bool(const ArchiveEntry &)> &pred) {
        QList<int> out;
        for (const ArchiveEntry &e : toc.entries())
            if (set.contains(e.id) && pred(e))
                out << e.id;
        return out;
    };
    auto namesOf = [&](const QList<int> &ids, bool tablesOnly) {
        QStringList out;
        for (int id : ids) {
            const ArchiveEntry *e = toc.entry(id);
            if (!tablesOnly || e->desc == QLatin1String("TABLE") || e->desc == QLatin1String("TABLE DATA"))
                out << (tablesOnly ? e->qualifiedName() : e->display());
        }
        return out;
    };
    // pg_restore --section picks each section's entries from the whole list; the counts below
    // only describe the steps.
    // In an existing database, re-created objects pick up its default privileges: their grants
    // are reset and then restored in a step of their own, so they end up exactly as backed up.
    const bool separateGrants = !newDatabase;
    const QList<int> allDefs = idsOf(defs, [&](const ArchiveEntry &e) {
        return !separateGrants || e.desc != QLatin1String("ACL");
    });
    const QList<int> aclIds = idsOf(defs, [&](const ArchiveEntry &e) {
        return separateGrants && e.desc == QLatin1String("ACL");
    });
    const QList<int> pre = idsOf(defs, [](const ArchiveEntry &e) { return e.section() != QLatin1String("post-data"); });
    const QList<int> post = idsOf(defs, [](const ArchiveEntry &e) { return e.section() == QLatin1String("post-data"); });
    auto isSystemData = [](const ArchiveEntry &e) { return SupabaseSchemas.contains(e.schema); };
    QSet<int> appendIds;
    for (const QString &t : appendedTables)
        if (const ArchiveEntry *d = toc.find(QStringLiteral("TABLE DATA"), t.section(u'.', 0, 0), t.section(u'.', 1)))
            appendIds.insert(d->id);
    const QList<int> systemData = idsOf(dataIds, [&](const ArchiveEntry &e) { return isSystemData(e) && !appendIds.contains(e.id); });
    const QList<int> appData = idsOf(dataIds, [&](const ArchiveEntry &e) { return !isSystemData(e) && !appendIds.contains(e.id); });
    auto weightOf = [&](const QList<int> &ids) {
        qint64 w = 1;
        for (int id : ids) {
            const ArchiveEntry *e = toc.entry(id);
            if (const RestoreItem *i = inv.item(QStringLiteral("table:") + e->qualifiedName()))
                w += i->size;
        }
        return w;
    };

    if (!pre.isEmpty() || !replacedTables.isEmpty()) {
        QString script;
        if (!replacedTables.isEmpty()) {
            QStringList drops;
            for (const QString &t : replacedTables)
                drops << QStringLiteral("DROP TABLE IF EXISTS %1 CASCADE;")
                             .arg(ExportSql::qualified(t.section(u'.', 0, 0), t.section(u'.', 1)));
            script += heredoc(drops.join(u'\n'));
        }
        if (!pre.isEmpty())
            script += pgRestoreSql(allDefs, QStringLiteral("pre-data"), noOwner, noAcl);
        addSqlStep(QStringLiteral("pre-data"),
                   replacedTables.isEmpty() ? QStringLiteral("Schemas, types, tables and functions (%1 objects)").arg(pre.size())
                                            : QStringLiteral("Drop %1 and create %2 objects")
                                                  .arg(plural(int(replacedTables.size()), "replaced table", "replaced tables"))
                                                  .arg(pre.size()),
                   replacedTables + namesOf(pre, false).mid(0, 50), script);
    }

    // Auth and storage rows: triggers off (superuser) so sign-up hooks do not fire again.
    const QString replicaOn = st.superuser ? QStringLiteral("SET session_replication_role = replica;") : QString();
    const QString replicaOff = st.superuser ? QStringLiteral("RESET session_replication_role;") : QString();
    QStringList userLines, bucketLines;
    // Tables this plan creates get their keys only in post-data, after these rows: their rows
    // go in with a plain ON CONFLICT DO NOTHING (nothing can conflict in a new table).
    QSet<QString> created;
    for (int id : defs)
        if (const ArchiveEntry *e = toc.entry(id); e && e->desc == QLatin1String("TABLE"))
            created.insert(e->qualifiedName());
    // Rows of a table whose whole data this plan restores come from the archive already.
    auto wholeTable = [&](const QString &table) {
        const ArchiveEntry *d = toc.find(QStringLiteral("TABLE DATA"), table.section(u'.', 0, 0), table.section(u'.', 1));
        return d && dataIds.contains(d->id);
    };
    auto rowStatement = [&](const RowStatement &r) {
        return opt.rows == RowConflict::Skip || created.contains(r.table) ? skipExisting(r.statement) : r.statement;
    };
    for (const RowStatement &r : inv.userRows) {
        const QString owner = r.table == QLatin1String("auth.users") ? r.row.value(QStringLiteral("id")).toString()
                                                                     : r.row.value(QStringLiteral("user_id")).toString();
        if (pickedUserIds.contains(owner) && !wholeTable(r.table))
            userLines << rowStatement(r);
    }
    QSet<QString> pickedBuckets;
    for (const RestoreItem &b : buckets)
        pickedBuckets.insert(b.key);
    for (const RowStatement &r : inv.storageRows) {
        const QString bucket = r.table == QLatin1String("storage.buckets") ? r.row.value(QStringLiteral("id")).toString()
                                                                           : r.row.value(QStringLiteral("bucket_id")).toString();
        if (pickedBuckets.contains(bucket) && !wholeTable(r.table))
            bucketLines << rowStatement(r);
    }
    if (newDatabase) {
        // Straight into the new database, two jobs, outside a transaction: a failure leaves a
        // database to drop, nothing else.
        if (!systemData.isEmpty() || !appData.isEmpty()) {
            RestoreStep s;
            s.kind = RestoreStep::Kind::Command;
            s.phase = QStringLiteral("data");
            s.title = QStringLiteral("Rows of %1").arg(plural(int(namesOf(systemData + appData, true).size()), "table", "tables"));
            s.touches = namesOf(systemData + appData, true);
            s.transactional = false;
            s.weight = weightOf(systemData + appData);
            s.script = pgRestoreDirect(systemData + appData, QStringLiteral("data"), noOwner, noAcl, st.superuser);
            plan.steps << s;
        }
    }
    if (!newDatabase && !truncatedTables.isEmpty()) {
        QStringList names;
        for (const QString &t : truncatedTables)
            names << ExportSql::qualified(t.section(u'.', 0, 0), t.section(u'.', 1));
        QString sql;
        if (st.superuser) {
            sql = replicaOn + u'\n';
            for (const QString &n : names)
                sql += QStringLiteral("DELETE FROM ONLY %1;\n").arg(n);
            sql += replicaOff;
        } else {
            sql = QStringLiteral("TRUNCATE ONLY %1;").arg(names.join(QStringLiteral(", ")));
        }
        addSqlStep(QStringLiteral("data"), QStringLiteral("Empty %1 (reloaded from the backup next)").arg(truncatedTables.join(QStringLiteral(", "))),
                   truncatedTables, heredoc(sql));
    }
    if (!newDatabase && !systemData.isEmpty()) {
        addSqlStep(QStringLiteral("auth and storage data"),
                   QStringLiteral("Rows of %1 (triggers off)").arg(namesOf(systemData, true).join(QStringLiteral(", "))),
                   namesOf(systemData, true),
                   heredoc(replicaOn) + pgRestoreSql(systemData, QStringLiteral("data"), false, false) + heredoc(replicaOff),
                   weightOf(systemData));
    }
    if (!userLines.isEmpty())
        plan.filesUsed << QStringLiteral("auth_users/users.sql");
    if (!bucketLines.isEmpty())
        plan.filesUsed << QStringLiteral("storage/buckets.sql") << QStringLiteral("storage/objects.sql");
    if (!defs.isEmpty() || !dataIds.isEmpty())
        plan.filesUsed << QStringLiteral("database/database.dump");
    if (!userLines.isEmpty() || !bucketLines.isEmpty()) {
        QString script = heredoc(replicaOn + u'\n' + userLines.join(u'\n') + u'\n' + bucketLines.join(u'\n') + u'\n' + replicaOff);
        QStringList touches;
        if (!userLines.isEmpty())
            touches << QStringLiteral("auth.users") << QStringLiteral("auth.identities");
        if (!bucketLines.isEmpty())
            touches << QStringLiteral("storage.buckets") << QStringLiteral("storage.objects");
        addSqlStep(QStringLiteral("auth and storage data"),
                   QStringList{userLines.isEmpty() ? QString() : plural(int(users.size()), "user with identities", "users with identities"),
                               bucketLines.isEmpty() ? QString() : plural(int(buckets.size()), "storage bucket", "storage buckets")}
                       .filter(QRegularExpression(QStringLiteral(".")))
                       .join(QStringLiteral(", ")),
                   touches, script, userLines.size() + bucketLines.size());
    }
    const bool reload = !newDatabase && !truncatedTables.isEmpty();
    if (!newDatabase && !appData.isEmpty()) {
        QString script;
        if (reload && st.superuser)
            script += heredoc(replicaOn);
        script += pgRestoreSql(appData, QStringLiteral("data"), false, false);
        if (reload && st.superuser)
            script += heredoc(replicaOff);
        addSqlStep(QStringLiteral("data"), QStringLiteral("Rows of %1").arg(namesOf(appData, true).join(QStringLiteral(", "))),
                   namesOf(appData, true), script, weightOf(appData));
    }
    if (reload && st.superuser) {
        // The reloaded rows and every foreign key into or out of them must agree.
        QStringList regclasses;
        for (const QString &t : truncatedTables)
            regclasses << QStringLiteral("'%1'::regclass").arg(ExportSql::qualified(t.section(u'.', 0, 0), t.section(u'.', 1)).replace(u'\'', QStringLiteral("''")));
        addSqlStep(QStringLiteral("data"), QStringLiteral("Check the foreign keys of the reloaded tables"), truncatedTables,
                   heredoc(QStringLiteral(
                               "DO $lifeboat$ DECLARE r record; bad bigint; BEGIN\n"
                               "FOR r IN SELECT k.conname, k.conrelid::regclass AS child, k.confrelid::regclass AS parent,\n"
                               "  (SELECT string_agg(format('c.%I = p.%I', ca.attname, pa.attname), ' AND ') FROM unnest(k.conkey, k.confkey) AS x(c, p)\n"
                               "    JOIN pg_attribute ca ON ca.attrelid = k.conrelid AND ca.attnum = x.c\n"
                               "    JOIN pg_attribute pa ON pa.attrelid = k.confrelid AND pa.attnum = x.p) AS cond,\n"
                               "  (SELECT string_agg(format('c.%I IS NOT NULL', ca.attname), ' AND ') FROM unnest(k.conkey) AS x(c)\n"
                               "    JOIN pg_attribute ca ON ca.attrelid = k.conrelid AND ca.attnum = x.c) AS present\n"
                               "  FROM pg_constraint k WHERE k.contype = 'f' AND (k.confrelid = ANY(ARRAY[%1]) OR k.conrelid = ANY(ARRAY[%1]))\n"
                               "LOOP\n"
                               "  EXECUTE format('SELECT count(*) FROM %s c WHERE %s AND NOT EXISTS (SELECT 1 FROM %s p WHERE %s)',\n"
                               "                 r.child, r.present, r.parent, r.cond) INTO bad;\n"
                               "  IF bad > 0 THEN\n"
                               "    RAISE EXCEPTION '% row(s) of % refer to rows of % that are not there (foreign key %)', bad, r.child, r.parent, r.conname\n"
                               "      USING HINT = 'Restore the referenced table too, or choose replace.';\n"
                               "  END IF;\n"
                               "END LOOP; END $lifeboat$;")
                               .arg(regclasses.join(QStringLiteral(", ")))));
    }
    for (const QString &t : appendedTables) {
        const ArchiveEntry *table = toc.find(QStringLiteral("TABLE"), t.section(u'.', 0, 0), t.section(u'.', 1));
        const ArchiveEntry *data = toc.find(QStringLiteral("TABLE DATA"), t.section(u'.', 0, 0), t.section(u'.', 1));
        if (!table || !data)
            continue;
        const QString q = ExportSql::qualified(table->schema, table->tag);
        QString spelled = QRegularExpression::escape(spelledName(*table));
        spelled.replace(u'/', QStringLiteral("\\/"));
        QString script = heredoc(QStringLiteral("CREATE TEMP TABLE lifeboat_append (LIKE %1) ON COMMIT DROP;").arg(q));
        script += QStringLiteral("pg_restore --section=data -L <(printf '%s;\\n' %1) -f - database/database.dump | strip_restrict"
                                 " | sed -E 's/^COPY %2 /COPY pg_temp.lifeboat_append /'\n")
                      .arg(data->id)
                      .arg(spelled.replace(u'\'', QStringLiteral("'\\''")));
        script += heredoc(QStringLiteral(
                              "DO $lifeboat$ DECLARE cols text; BEGIN\n"
                              "  SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO cols FROM pg_attribute\n"
                              "   WHERE attrelid = '%1'::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = '';\n"
                              "  EXECUTE format('INSERT INTO %2 (%s) OVERRIDING SYSTEM VALUE SELECT %s FROM pg_temp.lifeboat_append "
                              "ON CONFLICT DO NOTHING', cols, cols);\nEND $lifeboat$;\nDROP TABLE pg_temp.lifeboat_append;")
                              .arg(QString(q).replace(u'\'', QStringLiteral("''")), QString(q).replace(u'\'', QStringLiteral("''"))));
        addSqlStep(QStringLiteral("data"), QStringLiteral("Add the backup's rows to %1").arg(t), {t}, script,
                   weightOf({data->id}));
    }
    if (!allDefs.isEmpty()) {
        if (newDatabase) {
            RestoreStep s;
            s.kind = RestoreStep::Kind::Command;
            s.phase = QStringLiteral("post-data");
            s.title = QStringLiteral("Indexes, constraints, triggers and policies (%1 objects)").arg(post.size());
            s.touches = namesOf(post, false).mid(0, 50);
            s.transactional = false;
            s.weight = std::max<qint64>(1, weightOf(appData + systemData) / 3);
            s.script = pgRestoreDirect(allDefs, QStringLiteral("post-data"), noOwner, noAcl, false);
            plan.steps << s;
        } else {
            addSqlStep(QStringLiteral("post-data"),
                       QStringLiteral("Indexes, constraints, triggers and policies (%1 objects)").arg(post.size()),
                       namesOf(post, false).mid(0, 50), pgRestoreSql(allDefs, QStringLiteral("post-data"), noOwner, noAcl));
        }
    }
    if (!aclIds.isEmpty()) {
        QString reset;
        for (int id : aclIds) {
            const ArchiveEntry *acl = toc.entry(id);
            for (int d : acl->deps) {
                const ArchiveEntry *o = toc.entry(d);
                if (!o)
                    continue;
                QString keyword, lookup, aclColumn, ownerColumn, catalog;
                bool keepPublic = false;
                if (o->desc == QLatin1String("TABLE") || o->desc == QLatin1String("VIEW")
                    || o->desc == QLatin1String("MATERIALIZED VIEW") || o->desc == QLatin1String("FOREIGN TABLE")
                    || o->desc == QLatin1String("SEQUENCE")) {
                    keyword = o->desc == QLatin1String("SEQUENCE") ? QStringLiteral("SEQUENCE") : QStringLiteral("TABLE");
                    lookup = QStringLiteral("'%1'::regclass").arg(ExportSql::qualified(o->schema, o->tag).replace(u'\'', QStringLiteral("''")));
                    catalog = QStringLiteral("pg_class");
                    aclColumn = QStringLiteral("relacl");
                    ownerColumn = QStringLiteral("relowner");
                } else if (FunctionDescs.contains(o->desc) && o->desc != QLatin1String("AGGREGATE")) {
                    keyword = o->desc;
                    const QString name = o->tag.section(u'(', 0, 0);
                    const QString args = o->tag.mid(name.size());
                    lookup = QStringLiteral("'%1'::regprocedure").arg(QString(ExportSql::qualified(o->schema, name) + args).replace(u'\'', QStringLiteral("''")));
                    catalog = QStringLiteral("pg_proc");
                    aclColumn = QStringLiteral("proacl");
                    ownerColumn = QStringLiteral("proowner");
                    keepPublic = true; // EXECUTE for PUBLIC is the default the archive's grants start from
                } else {
                    continue;
                }
                const QString target = keyword == QLatin1String("TABLE") || keyword == QLatin1String("SEQUENCE")
                                           ? ExportSql::qualified(o->schema, o->tag)
                                           : ExportSql::qualified(o->schema, o->tag.section(u'(', 0, 0)) + o->tag.mid(o->tag.section(u'(', 0, 0).size());
                reset += QStringLiteral("DO $lifeboat$ DECLARE g text; BEGIN FOR g IN SELECT DISTINCT CASE WHEN a.grantee = 0 "
                                        "THEN 'PUBLIC' ELSE quote_ident(r.rolname) END FROM %1 c, aclexplode(c.%2) a "
                                        "LEFT JOIN pg_roles r ON r.oid = a.grantee WHERE c.oid = %3 AND a.grantee <> c.%4%5 "
                                        "LOOP EXECUTE format('REVOKE ALL ON %6 %7 FROM %s', g); END LOOP; END $lifeboat$;\n")
                             .arg(catalog, aclColumn, lookup, ownerColumn,
                                  keepPublic ? QStringLiteral(" AND a.grantee <> 0") : QString(), keyword,
                                  QString(target).replace(u'\'', QStringLiteral("''")).replace(u'%', QStringLiteral("%%")));
                break;
            }
        }
        QStringList ids;
        for (int id : aclIds)
            ids << QString::number(id);
        addSqlStep(QStringLiteral("grants"), QStringLiteral("Grants on the restored objects (%1)").arg(aclIds.size()),
                   namesOf(aclIds, false).mid(0, 50),
                   heredoc(reset) + QStringLiteral("pg_restore -L <(printf '%s;\\n' %1)%2 -f - database/database.dump | strip_restrict\n")
                                        .arg(ids.join(u' '), noAcl ? QStringLiteral(" --no-acl") : QString()));
    }
    for (const RestoreItem &p : policies)
        plan.filesUsed << QStringLiteral("rls_policies/%1.sql").arg(p.key);
    for (const RestoreItem &f : functionsToRun)
        plan.filesUsed << QStringLiteral("functions/%1.sql").arg(f.key);
    if (settings)
        plan.filesUsed << QStringLiteral("roles/database_settings.sql") << QStringLiteral("roles/database_grants.sql");
    if (encryption)
        plan.filesUsed << QStringLiteral("encryption/settings.sql");
    if (roleAssignments)
        plan.filesUsed << QStringLiteral("user_roles");
    for (const RestoreItem &p : policies)
        addSqlStep(QStringLiteral("policies"), QStringLiteral("Row-level security of %1").arg(p.key), {p.key},
                   heredoc(policyText.value(p.key)));
    static const QRegularExpression ownerLine(QStringLiteral("^ALTER \\S+ .* OWNER TO (\\S+);$"));
    for (const RestoreItem &f : functionsToRun) {
        const QString text = readText(inv.absolutePath(QStringLiteral("functions/%1.sql").arg(f.key)));
        QStringList lines;
        for (const QString &line : text.split(u'\n')) {
            const auto m = ownerLine.match(line);
            if (m.hasMatch() && !plan.keepOwners) {
                const QString owner = unquote(m.captured(1));
                if (owner != st.role) {
                    if (!st.roles.value(owner, false)) {
                        plan.ownersNotSet << QStringLiteral("FUNCTION %1 (owner %2)").arg(f.key, owner);
                        continue;
                    }
                }
            }
            lines << line;
        }
        addSqlStep(QStringLiteral("functions"), QStringLiteral("Function %1").arg(f.key), {f.key}, heredoc(lines.join(u'\n')));
    }
    if (settings) {
        QString script;
        for (const char *f : {"roles/database_settings.sql", "roles/database_grants.sql"})
            if (inv.has(QLatin1String(f)))
                script += QStringLiteral("strip_restrict < %1\n").arg(QLatin1String(f));
        addSqlStep(QStringLiteral("grants"), QStringLiteral("Database settings and grants"), {QStringLiteral("the database")}, script);
    }
    if (encryption)
        addSqlStep(QStringLiteral("grants"), QStringLiteral("Secret database settings (encryption)"),
                   {QStringLiteral("the database")}, QStringLiteral("strip_restrict < encryption/settings.sql\n"));
    if (roleAssignments) {
        QString script;
        const QStringList files = QDir(inv.absolutePath(QStringLiteral("user_roles"))).entryList({QStringLiteral("*.sql")}, QDir::Files, QDir::Name);
        for (const QString &f : files) {
            if (opt.rows == RowConflict::Skip)
                script += QStringLiteral("sed -E 's/ ON CONFLICT .*$/ ON CONFLICT DO NOTHING;/' user_roles/%1\n").arg(f);
            else
                script += QStringLiteral("strip_restrict < user_roles/%1\n").arg(f);
        }
        addSqlStep(QStringLiteral("grants"), QStringLiteral("Role assignments, memberships and table grants"), files, script);
    }
    QStringList historyLines;
    QSet<QString> pickedVersions;
    for (const RestoreItem &m : migrations)
        pickedVersions.insert(m.key);
    for (const RowStatement &r : inv.migrationRows)
        if (history || pickedVersions.contains(r.row.value(QStringLiteral("version")).toString()))
            historyLines << (opt.rows == RowConflict::Skip ? skipExisting(r.statement) : r.statement);
    if (!historyLines.isEmpty()) {
        plan.filesUsed << QStringLiteral("migrations/schema_migrations.sql");
        if (!st.hasMigrationHistory && !restoredTables.contains(QStringLiteral("supabase_migrations.schema_migrations")))
            plan.warnings << QStringLiteral("The target has no supabase_migrations.schema_migrations table: the migration "
                                            "history is not restored.");
        else
            addSqlStep(QStringLiteral("migration history"),
                       QStringLiteral("%1 in supabase_migrations.schema_migrations").arg(plural(int(historyLines.size()), "row", "rows")),
                       {QStringLiteral("supabase_migrations.schema_migrations")}, heredoc(historyLines.join(u'\n')));
    }

    addFileSteps();
    if (plan.steps.isEmpty() || (plan.steps.size() == 1 && plan.steps.first().kind == RestoreStep::Kind::SafetyBackup))
        plan.blockers << QStringLiteral("Nothing to do: everything picked is skipped by the conflict choices.");
}

// The roles the plan restores or needs, from roles.sql, never touching the connecting role.
void Planner::addRoleStep()
{
    // Roles.
    QStringList roleLines;
    QStringList roleNames;
    auto roleSql = [&](const QString &r) {
        for (const QString &line : roleFile.byRole.value(r)) {
            if (r == st.role)
                continue; // never change the role we are connected as
            if (line.startsWith(QLatin1String("CREATE ROLE")) && st.roles.contains(r))
                continue;
            if (st.roles.contains(r) && opt.rows == RowConflict::Skip)
                continue;
            roleLines << line;
        }
        roleNames << r;
    };
    if (roles) {
        for (auto it = roleFile.byRole.cbegin(); it != roleFile.byRole.cend(); ++it)
            roleSql(it.key());
        for (const QString &g : roleFile.memberships)
            roleLines << g;
    } else {
        QStringList needed(neededRoles.begin(), neededRoles.end());
        needed.sort();
        for (const QString &r : needed)
            if (roleFile.byRole.contains(r))
                roleSql(r);
    }
    if (!roleLines.isEmpty())
        plan.filesUsed << QStringLiteral("roles/roles.sql");
    if (!roleLines.isEmpty())
        addSqlStep(QStringLiteral("roles"), roles ? QStringLiteral("PostgreSQL roles and memberships")
                                                  : QStringLiteral("Roles the restored objects need: %1").arg(roleNames.join(QStringLiteral(", "))),
                   roleNames, heredoc(roleLines.join(u'\n')));

}

// Migration, edge function, project and storage files, never overwriting silently.
void Planner::addFileSteps()
{
    // Files.
    const QString mode = fileConflictKey(opt.files);
    auto fileStep = [&](const QString &title, const QStringList &pairs) {
        RestoreStep s;
        s.kind = RestoreStep::Kind::Files;
        s.phase = QStringLiteral("files");
        s.title = title;
        s.transactional = false;
        for (int i = 0; i + 1 < pairs.size(); i += 2) {
            plan.filesUsed << pairs.at(i);
            s.script += QStringLiteral("copy_tree %1 %2 %3\n").arg(shellQuote(pairs.at(i)), shellQuote(pairs.at(i + 1)), mode);
            s.touches << pairs.at(i + 1);
        }
        plan.steps << s;
    };
    QStringList existingFiles;
    auto checkFile = [&](const QString &src, const QString &dest) {
        const QFileInfo d(dest);
        if (QFileInfo(inv.absolutePath(src)).isFile()) {
            if (d.exists())
                existingFiles << dest;
            return;
        }
        QDirIterator it(inv.absolutePath(src), QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString f = it.next();
            const QString rel = f.mid(inv.absolutePath(src).size());
            if (QFileInfo::exists(dest + rel))
                existingFiles << dest + rel;
        }
    };
    const QString project = opt.projectDir.isEmpty() ? QString() : QDir(opt.projectDir).absolutePath();
    if ((!migrations.isEmpty() || !edgeFunctions.isEmpty() || !configFiles.isEmpty()) && project.isEmpty())
        plan.warnings << QStringLiteral("No project folder given: migration, edge function and project files are not copied.");
    // One files step per kind: backup folder -> project folder, by the item's file name.
    auto copyItems = [&](const QList<RestoreItem> &items, bool byLabel, const QString &from, const QString &to,
                         const char *one, const char *many) {
        QStringList pairs;
        for (const RestoreItem &i : items) {
            const QString name = byLabel ? i.label : i.key;
            pairs << from + name << project + to + name;
            checkFile(pairs.at(pairs.size() - 2), pairs.last());
        }
        if (!pairs.isEmpty())
            fileStep(QStringLiteral("%1 into %2%3").arg(plural(int(items.size()), one, many), project, to.chopped(1)), pairs);
    };
    if (!project.isEmpty()) {
        copyItems(migrations, true, QStringLiteral("migrations/files/"), QStringLiteral("/supabase/migrations/"),
                  "migration file", "migration files");
        copyItems(edgeFunctions, false, QStringLiteral("edge_functions/"), QStringLiteral("/supabase/functions/"),
                  "edge function", "edge functions");
        copyItems(configFiles, false, QStringLiteral("config/"), QStringLiteral("/supabase/"), "project file", "project files");
    }
    if (!buckets.isEmpty()) {
        if (opt.storageDir.isEmpty()) {
            plan.warnings << QStringLiteral("No storage folder given: the buckets' rows are restored, their files are not.");
        } else {
            QStringList pairs;
            const QString storage = QDir(opt.storageDir).absolutePath();
            for (const RestoreItem &b : buckets) {
                if (!inv.has(QStringLiteral("storage/files/") + b.key))
                    continue;
                pairs << QStringLiteral("storage/files/") + b.key << storage + u'/' + b.key;
                checkFile(pairs.at(pairs.size() - 2), pairs.last());
            }
            if (!pairs.isEmpty())
                fileStep(QStringLiteral("Files of %1 into %2").arg(plural(int(buckets.size()), "bucket", "buckets"), storage), pairs);
        }
    }
    if (!existingFiles.isEmpty()) {
        const QString how = opt.files == FileConflict::Overwrite ? QStringLiteral("overwritten when they differ")
                          : opt.files == FileConflict::Skip     ? QStringLiteral("left as they are")
                                                                : QStringLiteral("the backup's copy written beside as NAME.restored when they differ");
        plan.conflicts << RestoreConflict{QStringLiteral("files"), existingFiles, how};
    }
}

} // namespace

RestorePlan RestorePlanner::plan(const RestoreInventory &inventory, const RestoreSelection &selection,
                                 const RestoreTarget &target, const RestoreOptions &options, const TargetState &state)
{
    return Planner(inventory, selection, target, options, state).run();
}

} // namespace lifeboat
