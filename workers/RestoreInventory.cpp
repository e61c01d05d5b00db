#include "RestoreInventory.h"

#include "BackupStore.h"
#include "ToolProcess.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>

#include <algorithm>
#include <functional>

namespace lifeboat {

namespace {

// pg_restore -l descriptions made of several words, longest first so "SEQUENCE OWNED BY"
// wins over "SEQUENCE".
const QStringList MultiWordDescs{
    QStringLiteral("MATERIALIZED VIEW DATA"),
    QStringLiteral("TEXT SEARCH CONFIGURATION"),
    QStringLiteral("TEXT SEARCH DICTIONARY"),
    QStringLiteral("TEXT SEARCH TEMPLATE"),
    QStringLiteral("TEXT SEARCH PARSER"),
    QStringLiteral("SEQUENCE OWNED BY"),
    QStringLiteral("FOREIGN DATA WRAPPER"),
    QStringLiteral("PUBLICATION TABLE"),
    QStringLiteral("PUBLICATION TABLES IN SCHEMA"),
    QStringLiteral("MATERIALIZED VIEW"),
    QStringLiteral("DEFAULT ACL"),
    QStringLiteral("FK CONSTRAINT"),
    QStringLiteral("CHECK CONSTRAINT"),
    QStringLiteral("EVENT TRIGGER"),
    QStringLiteral("FOREIGN TABLE"),
    QStringLiteral("ROW SECURITY"),
    QStringLiteral("SEQUENCE SET"),
    QStringLiteral("TABLE DATA"),
    QStringLiteral("INDEX ATTACH"),
    QStringLiteral("LARGE OBJECT"),
    QStringLiteral("BLOB DATA"),
    QStringLiteral("BLOB METADATA"),
    QStringLiteral("USER MAPPING"),
    QStringLiteral("ACL LANGUAGE"),
    QStringLiteral("OPERATOR CLASS"),
    QStringLiteral("OPERATOR FAMILY"),
    QStringLiteral("STATISTICS DATA"),
    QStringLiteral("TABLE ATTACH"),
    QStringLiteral("ACCESS METHOD"),
    QStringLiteral("DATABASE PROPERTIES"),
    QStringLiteral("PROCEDURAL LANGUAGE"),
    QStringLiteral("SECURITY LABEL"),
    QStringLiteral("SHELL TYPE"),
    QStringLiteral("SUBSCRIPTION TABLE"),
};

const QSet<QString> DataDescs{QStringLiteral("TABLE DATA"), QStringLiteral("SEQUENCE SET"), QStringLiteral("BLOBS"),
                              QStringLiteral("BLOB DATA"), QStringLiteral("LARGE OBJECT"),
                              QStringLiteral("MATERIALIZED VIEW DATA")};
const QSet<QString> PostDataDescs{QStringLiteral("INDEX"), QStringLiteral("CONSTRAINT"), QStringLiteral("FK CONSTRAINT"),
                                  QStringLiteral("TRIGGER"), QStringLiteral("POLICY"), QStringLiteral("ROW SECURITY"),
                                  QStringLiteral("RULE"), QStringLiteral("EVENT TRIGGER"), QStringLiteral("INDEX ATTACH"),
                                  QStringLiteral("CHECK CONSTRAINT"), QStringLiteral("PUBLICATION TABLE"),
                                  QStringLiteral("STATISTICS")};

/// "255; 1259 16866 TABLE public tasks postgres" -> an entry (dependencies and SQL come later).
/// pg_restore -l separates the fields by spaces without quoting them, so a schema whose name
/// holds a space ("My Schema") is told apart by `spacedSchemas`, the archive's own schema names,
/// and an owner whose name holds one ("Jane Doe") by `spacedOwners`, from the SQL's headers.
std::optional<ArchiveEntry>
parseTocLine(const QString &line, const QStringList &spacedSchemas = {}, const QStringList &spacedOwners = {})
{
    static const QRegularExpression head(QStringLiteral("^(\\d+); (\\d+) (\\d+) (.*)$"));
    const auto m = head.match(line);
    if (!m.hasMatch())
        return std::nullopt;
    ArchiveEntry e;
    e.id = m.captured(1).toInt();
    e.tocLine = line;
    QString rest = m.captured(4);
    for (const QString &d : MultiWordDescs) {
        if (rest.startsWith(d + u' ')) {
            e.desc = d;
            break;
        }
    }
    if (e.desc.isEmpty())
        e.desc = rest.section(u' ', 0, 0);
    rest = rest.mid(e.desc.size() + 1);
    // SCHEMA TAG OWNER ("-" for no schema); the tag may hold spaces, the owner is the last word.
    int firstSpace = rest.indexOf(u' ');
    for (const QString &schema : spacedSchemas) {
        if (rest.startsWith(schema + u' ') && rest.indexOf(u' ', schema.size() + 1) > 0) {
            firstSpace = int(schema.size());
            break;
        }
    }
    int lastSpace = rest.lastIndexOf(u' ');
    for (const QString &owner : spacedOwners) {
        if (rest.endsWith(u' ' + owner) && rest.size() - owner.size() - 1 > firstSpace) {
            lastSpace = int(rest.size() - owner.size() - 1);
            break;
        }
    }
    if (firstSpace < 0)
        return e;
    e.schema = rest.left(firstSpace);
    if (e.schema == QLatin1String("-"))
        e.schema.clear();
    if (lastSpace > firstSpace) {
        e.tag = rest.mid(firstSpace + 1, lastSpace - firstSpace - 1);
        e.owner = rest.mid(lastSpace + 1);
    } else {
        e.tag = rest.mid(firstSpace + 1);
    }
    return e;
}

/// Reads a single-quoted SQL literal ('...' or E'...') starting at `pos`.
QString readLiteral(const QString &s, int pos)
{
    bool escape = false;
    if (pos < s.size() && (s.at(pos) == u'E' || s.at(pos) == u'e')) {
        escape = true;
        ++pos;
    }
    if (pos >= s.size() || s.at(pos) != u'\'')
        return {};
    QString out;
    for (int i = pos + 1; i < s.size(); ++i) {
        const QChar c = s.at(i);
        if (c == u'\'') {
            if (i + 1 < s.size() && s.at(i + 1) == u'\'') {
                out += u'\'';
                ++i;
                continue;
            }
            return out;
        }
        if (escape && c == u'\\' && i + 1 < s.size()) {
            const QChar n = s.at(++i);
            switch (n.unicode()) {
            case 'n': out += u'\n'; break;
            case 't': out += u'\t'; break;
            case 'r': out += u'\r'; break;
            case 'b': out += u'\b'; break;
            case 'f': out += u'\f'; break;
            default: out += n; break;
            }
            continue;
        }
        out += c;
    }
    return out;
}

QString readText(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(f.readAll());
}

} // namespace

bool ArchiveEntry::isData() const
{
    return DataDescs.contains(desc);
}

QString ArchiveEntry::section() const
{
    if (desc == QLatin1String("MATERIALIZED VIEW DATA"))
        return QStringLiteral("post-data"); // a REFRESH, after the tables' rows and indexes
    if (isData())
        return QStringLiteral("data");
    if (PostDataDescs.contains(desc))
        return QStringLiteral("post-data");
    return QStringLiteral("pre-data");
}

QString ArchiveEntry::qualifiedName() const
{
    return schema.isEmpty() ? tag : schema + u'.' + tag;
}

QString ArchiveEntry::display() const
{
    return desc + u' ' + qualifiedName();
}

ArchiveToc ArchiveToc::parse(const QString &tocList, const QString &schemaSql)
{
    ArchiveToc toc;
    const QStringList lines = tocList.split(u'\n');
    // Schema entries come whole ("SCHEMA - My Schema postgres"): their names split the rest.
    QStringList spacedSchemas;
    for (const QString &line : lines)
        if (const auto e = parseTocLine(line); e && e->desc == QLatin1String("SCHEMA") && e->tag.contains(u' '))
            spacedSchemas << e->tag;
    // Owners are named whole in the SQL's entry headers ("-- Name: t; Type: TABLE; Schema: public;
    // Owner: Jane Doe").
    QStringList spacedOwners;
    static const QRegularExpression ownerLine(QStringLiteral("^-- Name: .*; Type: .*; Schema: .*; Owner: (.* .*)$"),
                                              QRegularExpression::MultilineOption);
    for (auto it = ownerLine.globalMatch(schemaSql); it.hasNext();) {
        const QString owner = it.next().captured(1);
        if (!spacedOwners.contains(owner))
            spacedOwners << owner;
    }
    auto longestFirst = [](const QString &a, const QString &b) {
        return a.size() > b.size();
    }; // "A B C" before "A B"
    std::sort(spacedSchemas.begin(), spacedSchemas.end(), longestFirst);
    std::sort(spacedOwners.begin(), spacedOwners.end(), longestFirst);
    for (const QString &line : lines) {
        if (line.startsWith(u';') || line.trimmed().isEmpty())
            continue;
        if (auto e = parseTocLine(line, spacedSchemas, spacedOwners)) {
            toc.m_index.insert(e->id, int(toc.m_entries.size()));
            toc.m_entries.append(*e);
        }
    }
    // "-- TOC entry 255 (class 1259 OID 16866)\n-- Dependencies: 1043 325\n-- Name: ...\n" then SQL.
    static const QRegularExpression header(QStringLiteral("^-- TOC entry (\\d+) "), QRegularExpression::MultilineOption);
    auto it = header.globalMatch(schemaSql);
    QList<std::pair<int, qsizetype>> starts;
    while (it.hasNext()) {
        const auto m = it.next();
        starts.append({m.captured(1).toInt(), m.capturedStart()});
    }
    for (int i = 0; i < starts.size(); ++i) {
        const qsizetype begin = starts.at(i).second;
        qsizetype end = i + 1 < starts.size() ? starts.at(i + 1).second : schemaSql.size();
        // The block before the next header ends with "--\n" lines that belong to the next one.
        QString block = schemaSql.mid(begin, end - begin);
        while (block.endsWith(QLatin1String("--\n")))
            block.chop(3);
        const int at = toc.m_index.value(starts.at(i).first, -1);
        if (at < 0)
            continue;
        ArchiveEntry &e = toc.m_entries[at];
        const QStringList lines = block.split(u'\n');
        QStringList sqlLines;
        bool inHeader = true;
        for (const QString &l : lines) {
            if (inHeader && l.startsWith(QLatin1String("-- Dependencies: "))) {
                for (const QString &d : l.mid(17).split(u' ', Qt::SkipEmptyParts))
                    e.deps.append(d.toInt());
                continue;
            }
            if (inHeader && l.startsWith(QLatin1String("--")))
                continue;
            inHeader = false;
            sqlLines << l;
        }
        e.sql = sqlLines.join(u'\n').trimmed();
    }
    // Data entries are not in the schema-only SQL: they depend on their table or sequence.
    for (ArchiveEntry &e : toc.m_entries) {
        if (e.desc == QLatin1String("TABLE DATA")) {
            if (const ArchiveEntry *t = toc.find(QStringLiteral("TABLE"), e.schema, e.tag))
                e.deps = {t->id};
        } else if (e.desc == QLatin1String("SEQUENCE SET")) {
            if (const ArchiveEntry *s = toc.find(QStringLiteral("SEQUENCE"), e.schema, e.tag))
                e.deps = {s->id};
        }
    }
    for (const ArchiveEntry &e : toc.m_entries)
        for (int d : e.deps)
            toc.m_dependents[d].append(e.id);
    return toc;
}

Result<ArchiveToc> ArchiveToc::load(const QString &backupPath, const PgTool &pgRestore, const std::atomic_bool &cancel)
{
    const QString dump = backupPath + u'/' + Manifest::DatabaseArchive;
    QString tocText = readText(backupPath + QStringLiteral("/database/database.toc"));
    QTemporaryDir work;
    if (!work.isValid())
        return Error{QStringLiteral("Cannot create a temporary folder: %1").arg(work.errorString())};
    const QString schemaFile = work.filePath(QStringLiteral("schema.sql"));
    QString lastLine;
    const auto run = runTool(pgRestore.path,
                             {QStringLiteral("--verbose"), QStringLiteral("--schema-only"), QStringLiteral("-f"), schemaFile, dump},
                             QProcessEnvironment::systemEnvironment(), cancel,
                             [&](const QString &l) { lastLine = l; });
    if (!run.ok())
        return Error{QStringLiteral("%1 cannot read the archive database/database.dump: %2")
                         .arg(pgRestore.path, run.errorTail.isEmpty() ? lastLine : run.errorTail)};
    if (tocText.isEmpty()) {
        const QString listFile = work.filePath(QStringLiteral("toc.txt"));
        const auto list = runTool(pgRestore.path, {QStringLiteral("-l"), QStringLiteral("-f"), listFile, dump},
                                  QProcessEnvironment::systemEnvironment(), cancel, {});
        if (!list.ok())
            return Error{QStringLiteral("pg_restore -l failed on database/database.dump: %1").arg(list.errorTail)};
        tocText = readText(listFile);
    }
    return parse(tocText, readText(schemaFile));
}

const ArchiveEntry *ArchiveToc::entry(int id) const
{
    const int at = m_index.value(id, -1);
    return at < 0 ? nullptr : &m_entries.at(at);
}

const ArchiveEntry *ArchiveToc::find(const QString &desc, const QString &schema, const QString &tag) const
{
    for (const ArchiveEntry &e : m_entries)
        if (e.desc == desc && e.schema == schema && e.tag == tag)
            return &e;
    return nullptr;
}

QList<int> ArchiveToc::dependents(int id) const
{
    return m_dependents.value(id);
}

QList<RowStatement> parseRowStatements(const QString &text)
{
    static const QRegularExpression insert(QStringLiteral("^INSERT INTO (\\S+) "));
    static const QString marker = QStringLiteral("json_populate_record(NULL::");
    QList<RowStatement> rows;
    for (const QString &line : text.split(u'\n')) {
        const auto m = insert.match(line);
        if (!m.hasMatch())
            continue;
        const qsizetype at = line.indexOf(marker);
        if (at < 0)
            continue;
        const qsizetype comma = line.indexOf(QLatin1String(", "), at);
        if (comma < 0)
            continue;
        const QString json = readLiteral(line, int(comma + 2));
        RowStatement r;
        r.table = m.captured(1);
        r.statement = line;
        r.row = QJsonDocument::fromJson(json.toUtf8()).object();
        rows.append(r);
    }
    return rows;
}

Result<RestoreInventory> RestoreInventory::load(const QString &backupPath, const std::atomic_bool &cancel)
{
    RestoreInventory inv;
    inv.path = QDir(backupPath).absolutePath();
    auto manifest = BackupStore::readManifest(inv.path);
    if (!manifest)
        return Error{manifest.error()};
    inv.manifest = manifest.value();

    QHash<QString, qint64> sizes;
    for (const ManifestFile &f : inv.manifest.allFiles())
        sizes.insert(f.path, f.size);
    auto add = [&](RestoreKind kind, const QString &key, const QString &label, const QString &detail, qint64 size) {
        RestoreItem item;
        item.kind = kind;
        item.key = key;
        item.label = label;
        item.detail = detail;
        item.size = size;
        inv.items.append(item);
    };

    if (inv.has(QStringLiteral("roles/roles.sql")))
        add(RestoreKind::Roles, QStringLiteral("all"), QStringLiteral("PostgreSQL roles and memberships"), {},
            sizes.value(QStringLiteral("roles/roles.sql")));
    if (inv.has(QStringLiteral("roles/database_settings.sql")) || inv.has(QStringLiteral("roles/database_grants.sql")))
        add(RestoreKind::DatabaseSettings, QStringLiteral("all"), QStringLiteral("Database settings and grants"), {},
            sizes.value(QStringLiteral("roles/database_settings.sql")) + sizes.value(QStringLiteral("roles/database_grants.sql")));

    if (inv.has(Manifest::DatabaseArchive)) {
        const int dumpMajor = inv.manifest.pgDumpVersion.section(u'.', 0, 0).toInt();
        auto tool = ToolLocator::find(QStringLiteral("pg_restore"), std::max(dumpMajor, inv.manifest.serverVersionNum / 10000));
        if (!tool)
            return Error{tool.error()};
        auto toc = ArchiveToc::load(inv.path, tool.value(), cancel);
        if (!toc)
            return Error{toc.error()};
        inv.toc = std::move(toc).value();
        QMap<QString, int> tablesPerSchema;
        // The CSV export names each table's file ("data/public.user~2.csv" beside "data/public.User.csv").
        const ComponentResult *csv = inv.manifest.component(Component::DataCsv);
        const QJsonObject csvTables = csv ? csv->details.value(QStringLiteral("tables")).toObject() : QJsonObject();
        // A table's size and rows are its CSV's. A partitioned table's are its partitions'
        // (ATTACH PARTITION entries tagged with the partition's name).
        struct Amount
        {
            qint64 size = 0;
            qint64 rows = -1; ///< -1: the backup has no count
        };
        std::function<Amount(const ArchiveEntry &, int *)> tableAmount = [&](const ArchiveEntry &t, int *partitions) {
            const QJsonObject ownCsv = csvTables.value(t.qualifiedName()).toObject();
            Amount a{sizes.value(ownCsv.value(QStringLiteral("file")).toString(), 0),
                     ownCsv.contains(QStringLiteral("rows")) ? ownCsv.value(QStringLiteral("rows")).toInteger() : -1};
            for (int d : inv.toc.dependents(t.id)) {
                const ArchiveEntry *attach = inv.toc.entry(d);
                if (!attach || attach->desc != QLatin1String("TABLE ATTACH"))
                    continue;
                const ArchiveEntry *part = inv.toc.find(QStringLiteral("TABLE"), attach->schema, attach->tag);
                if (part && part->id != t.id) {
                    const Amount p = tableAmount(*part, nullptr);
                    a.size += p.size;
                    if (p.rows >= 0)
                        a.rows = std::max<qint64>(0, a.rows) + p.rows;
                    if (partitions)
                        ++*partitions;
                }
            }
            return a;
        };
        for (const ArchiveEntry &e : inv.toc.entries()) {
            if (e.desc != QLatin1String("TABLE"))
                continue;
            tablesPerSchema[e.schema] += 1;
            const QString key = e.qualifiedName();
            int partitions = 0;
            const Amount amount = tableAmount(e, &partitions);
            const bool hasData = inv.toc.find(QStringLiteral("TABLE DATA"), e.schema, e.tag) != nullptr;
            const QString note = partitions > 0 ? QStringLiteral("%1 partition(s)").arg(partitions)
                                 : hasData      ? QString()
                                                : QStringLiteral("definition only");
            add(RestoreKind::Table, key, key, note, amount.size);
            inv.items.last().rows = amount.rows;
        }
        QSet<QString> schemas;
        for (const ArchiveEntry &e : inv.toc.entries())
            if (!e.schema.isEmpty())
                schemas.insert(e.schema);
        QStringList sorted(schemas.begin(), schemas.end());
        sorted.sort();
        for (const QString &s : sorted)
            add(RestoreKind::Schema, s, s, QStringLiteral("%1 table(s)").arg(tablesPerSchema.value(s)), 0);
    }

    const QString users = readText(inv.absolutePath(QStringLiteral("auth_users/users.sql")));
    inv.userRows = parseRowStatements(users);
    QHash<QString, int> identities;
    for (const RowStatement &r : inv.userRows)
        if (r.table == QLatin1String("auth.identities"))
            identities[r.row.value(QStringLiteral("user_id")).toString()] += 1;
    for (const RowStatement &r : inv.userRows) {
        if (r.table != QLatin1String("auth.users"))
            continue;
        const QString id = r.row.value(QStringLiteral("id")).toString();
        const QString email = r.row.value(QStringLiteral("email")).toString();
        const int n = identities.value(id);
        add(RestoreKind::User, email.isEmpty() ? id : email, email.isEmpty() ? id : email,
            n == 0 ? QStringLiteral("no identity") : QStringLiteral("%1 identit%2").arg(n).arg(QLatin1String(n == 1 ? "y" : "ies")),
            r.statement.size());
    }
    const QString authVersions = readText(inv.absolutePath(QStringLiteral("auth_users/auth_schema_migrations.txt")));
    inv.authMigrations = authVersions.split(u'\n', Qt::SkipEmptyParts);
    // data/storage.migrations.csv: "id,name,hash,executed_at"; the names are plain words.
    const QStringList storageLines = readText(inv.absolutePath(QStringLiteral("data/storage.migrations.csv")))
                                         .split(u'\n', Qt::SkipEmptyParts);
    for (int i = 1; i < storageLines.size(); ++i)
        inv.storageMigrations << storageLines.at(i).section(u',', 1, 1).remove(u'"');

    auto filesIn = [&](const QString &folder, const QStringList &filters) {
        return QDir(inv.absolutePath(folder)).entryList(filters, QDir::Files, QDir::Name);
    };
    for (const QString &f : filesIn(QStringLiteral("rls_policies"), {QStringLiteral("*.sql")})) {
        const QString text = readText(inv.absolutePath(QStringLiteral("rls_policies/") + f));
        const int n = int(text.count(QLatin1String("\nCREATE POLICY ")) + (text.startsWith(QLatin1String("CREATE POLICY ")) ? 1 : 0));
        add(RestoreKind::Policies, f.chopped(4), f.chopped(4), QStringLiteral("%1 polic%2").arg(n).arg(QLatin1String(n == 1 ? "y" : "ies")),
            sizes.value(QStringLiteral("rls_policies/") + f));
    }
    for (const QString &f : filesIn(QStringLiteral("functions"), {QStringLiteral("*.sql")}))
        add(RestoreKind::Function, f.chopped(4), f.chopped(4), {}, sizes.value(QStringLiteral("functions/") + f));
    if (inv.has(QStringLiteral("encryption/settings.sql")))
        add(RestoreKind::Encryption, QStringLiteral("all"), QStringLiteral("Secret database settings"), {},
            sizes.value(QStringLiteral("encryption/settings.sql")));
    if (!filesIn(QStringLiteral("user_roles"), {QStringLiteral("*.sql")}).isEmpty())
        add(RestoreKind::RoleAssignments, QStringLiteral("all"), QStringLiteral("Role tables, memberships and grants"), {}, 0);

    inv.migrationRows = parseRowStatements(readText(inv.absolutePath(QStringLiteral("migrations/schema_migrations.sql"))));
    if (inv.has(QStringLiteral("migrations/schema_migrations.sql")))
        add(RestoreKind::MigrationHistory, QStringLiteral("all"), QStringLiteral("supabase_migrations.schema_migrations"),
            QStringLiteral("%1 row(s)").arg(inv.migrationRows.size()), sizes.value(QStringLiteral("migrations/schema_migrations.sql")));
    for (const QString &f : filesIn(QStringLiteral("migrations/files"), {QStringLiteral("*.sql")}))
        add(RestoreKind::Migration, f.section(u'_', 0, 0), f, {}, sizes.value(QStringLiteral("migrations/files/") + f));

    const QDir edge(inv.absolutePath(QStringLiteral("edge_functions")));
    for (const QFileInfo &fi : edge.entryInfoList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden, QDir::Name)) {
        qint64 size = 0;
        int files = 0;
        const QString prefix = QStringLiteral("edge_functions/") + fi.fileName();
        for (auto it = sizes.cbegin(); it != sizes.cend(); ++it) {
            if (BackupStore::covers({prefix}, it.key())) {
                size += it.value();
                ++files;
            }
        }
        add(RestoreKind::EdgeFunction, fi.fileName(), fi.fileName(), QStringLiteral("%1 file(s)").arg(files), size);
    }

    inv.storageRows = parseRowStatements(readText(inv.absolutePath(QStringLiteral("storage/buckets.sql")))
                                         + u'\n' + readText(inv.absolutePath(QStringLiteral("storage/objects.sql"))));
    QHash<QString, int> objects;
    for (const RowStatement &r : inv.storageRows)
        if (r.table == QLatin1String("storage.objects"))
            objects[r.row.value(QStringLiteral("bucket_id")).toString()] += 1;
    for (const RowStatement &r : inv.storageRows) {
        if (r.table != QLatin1String("storage.buckets"))
            continue;
        const QString id = r.row.value(QStringLiteral("id")).toString();
        add(RestoreKind::Bucket, id, id, QStringLiteral("%1 object(s)").arg(objects.value(id)), 0);
    }
    for (const QString &f : filesIn(QStringLiteral("config"), {}))
        add(RestoreKind::ConfigFile, f, f, {}, sizes.value(QStringLiteral("config/") + f));
    return inv;
}

const RestoreItem *RestoreInventory::item(const QString &id) const
{
    for (const RestoreItem &i : items)
        if (i.id() == id)
            return &i;
    return nullptr;
}

QList<RestoreItem> RestoreInventory::itemsOf(RestoreKind kind) const
{
    QList<RestoreItem> out;
    for (const RestoreItem &i : items)
        if (i.kind == kind)
            out.append(i);
    return out;
}

bool RestoreInventory::has(const QString &relativePath) const
{
    return QFileInfo::exists(absolutePath(relativePath));
}

QString RestoreInventory::absolutePath(const QString &relativePath) const
{
    return path + u'/' + relativePath;
}

} // namespace lifeboat
