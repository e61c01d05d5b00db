#include "PlanSql.h"

#include "ExportSql.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QMap>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>

namespace lifeboat::restore {

const QSet<QString> RelationDescs{QStringLiteral("TABLE"), QStringLiteral("VIEW"), QStringLiteral("MATERIALIZED VIEW"),
                                  QStringLiteral("SEQUENCE"), QStringLiteral("FOREIGN TABLE")};
const QSet<QString> TypeDescs{QStringLiteral("TYPE"), QStringLiteral("DOMAIN")};
const QSet<QString> FunctionDescs{QStringLiteral("FUNCTION"), QStringLiteral("PROCEDURE"), QStringLiteral("AGGREGATE")};
/// Objects a restored object may need; pulled from the archive when the target lacks them.
const QSet<QString> PullableDescs{QStringLiteral("SCHEMA"),
                                  QStringLiteral("EXTENSION"),
                                  QStringLiteral("TYPE"),
                                  QStringLiteral("DOMAIN"),
                                  QStringLiteral("FUNCTION"),
                                  QStringLiteral("PROCEDURE"),
                                  QStringLiteral("AGGREGATE"),
                                  QStringLiteral("VIEW"),
                                  QStringLiteral("COLLATION"),
                                  QStringLiteral("SEQUENCE"),
                                  QStringLiteral("SERVER"),
                                  QStringLiteral("FOREIGN DATA WRAPPER")};
/// What comes along with a table: its definition's parts.
const QSet<QString> TablePartDescs{QStringLiteral("INDEX"),
                                   QStringLiteral("CONSTRAINT"),
                                   QStringLiteral("FK CONSTRAINT"),
                                   QStringLiteral("CHECK CONSTRAINT"),
                                   QStringLiteral("DEFAULT"),
                                   QStringLiteral("TRIGGER"),
                                   QStringLiteral("POLICY"),
                                   QStringLiteral("ROW SECURITY"),
                                   QStringLiteral("ACL"),
                                   QStringLiteral("COMMENT"),
                                   QStringLiteral("INDEX ATTACH"),
                                   QStringLiteral("TABLE ATTACH"),
                                   QStringLiteral("SEQUENCE OWNED BY"),
                                   QStringLiteral("SEQUENCE"),
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
        {QStringLiteral("table attach"), {"partition attachment", "partition attachments"}},
        {QStringLiteral("index attach"), {"partition index attachment", "partition index attachments"}},
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

/// The same for a new database: straight into it, outside a transaction, in parallel when it pays.
QString pgRestoreDirect(const QList<int> &ids, const QString &section, bool noOwner, bool noAcl, bool replica)
{
    QStringList idText;
    for (int id : ids)
        idText << QString::number(id);
    QString cmd;
    if (replica)
        cmd += QStringLiteral("PGOPTIONS=\"${PGOPTIONS:-} -c session_replication_role=replica\" ");
    // Two jobs pay for their extra connections only with several entries to share out.
    const QString jobs = ids.size() >= 6 ? QStringLiteral(" --jobs=2") : QString();
    cmd += QStringLiteral("pg_restore --section=%1%2 --exit-on-error -d \"$PGDATABASE\" -L <(printf '%s;\\n' %3)")
               .arg(section, jobs, idText.join(u' '));
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

QStringList copiedColumns(const ArchiveEntry &table)
{
    static const QRegularExpression quoted(QStringLiteral("^\"((?:[^\"]|\"\")+)\""));
    const qsizetype open = table.sql.indexOf(QLatin1String(" (\n"));
    if (!table.sql.startsWith(QLatin1String("CREATE ")) || open < 0
        || table.sql.contains(QLatin1String("\nINHERITS (")))
        return {};
    QStringList columns;
    for (const QString &raw : table.sql.mid(open + 3).split(u'\n')) {
        if (raw.startsWith(u')'))
            return columns;
        const QString line = raw.trimmed();
        if (line.startsWith(QLatin1String("CONSTRAINT ")) || line.contains(QLatin1String(" GENERATED ALWAYS AS (")))
            continue;
        const auto m = quoted.match(line);
        columns << (m.hasMatch() ? m.captured(1).replace(QStringLiteral("\"\""), QStringLiteral("\""))
                                 : line.section(u' ', 0, 0));
    }
    return {};
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

} // namespace lifeboat::restore
