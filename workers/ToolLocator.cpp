#include "ToolLocator.h"

#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QMutex>
#include <QProcess>
#include <QRegularExpression>

namespace lifeboat {

namespace {

QStringList candidateDirs()
{
    QStringList dirs;
    const QString overridden = qEnvironmentVariable("LIFEBOAT_PG_BINDIR");
    if (!overridden.isEmpty())
        dirs << overridden;
    QDir root(QStringLiteral("/usr/lib/postgresql"));
    const QStringList versions = root.entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &v : versions)
        dirs << root.filePath(v + QStringLiteral("/bin"));
    dirs += qEnvironmentVariable("PATH").split(u':', Qt::SkipEmptyParts);
    return dirs;
}

} // namespace

PgTool ToolLocator::probe(const QString &name, const QString &path)
{
    static QMutex mutex;
    static QHash<QString, PgTool> cache;
    QMutexLocker lock(&mutex);
    if (auto it = cache.constFind(path); it != cache.cend())
        return *it;

    PgTool tool{name, path, {}, 0};
    QProcess p;
    p.start(path, {QStringLiteral("--version")});
    if (p.waitForFinished(10000) && p.exitCode() == 0) {
        // "pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)"
        static const QRegularExpression re(QStringLiteral("\\(PostgreSQL\\)\\s+(\\d+)(\\.\\d+)?"));
        const auto m = re.match(QString::fromUtf8(p.readAllStandardOutput()));
        if (m.hasMatch()) {
            tool.major = m.captured(1).toInt();
            tool.version = m.captured(1) + m.captured(2);
        }
    }
    cache.insert(path, tool);
    return tool;
}

Result<PgTool> ToolLocator::find(const QString &name, int serverMajor)
{
    PgTool best;
    QStringList seen;
    for (const QString &dir : candidateDirs()) {
        const QFileInfo fi(QDir(dir).filePath(name));
        if (!fi.isExecutable())
            continue;
        const QString path = fi.canonicalFilePath();
        if (seen.contains(path))
            continue;
        const PgTool tool = probe(name, path);
        if (tool.major == 0)
            continue;
        seen << path;
        if (tool.major < serverMajor)
            continue;
        // Prefer the server's own major; otherwise the newest.
        if (best.major == 0 || tool.major == serverMajor || (best.major != serverMajor && tool.major > best.major))
            best = tool;
        // Nothing beats the server's own major: the PATH's entries (Debian's pg_wrapper, a Perl
        // script that takes a tenth of a second to say its version) need no asking then.
        if (best.major == serverMajor)
            break;
    }
    if (best.major != 0)
        return best;

    QStringList found;
    for (const QString &path : std::as_const(seen))
        found << QStringLiteral("%1 (%2)").arg(path, probe(name, path).version);
    return Error{
        QStringLiteral("%1 for PostgreSQL %2 or newer is needed: the server runs PostgreSQL %2%3. "
                       "Install the Debian package postgresql-client-%2; if apt cannot find it, add the PostgreSQL "
                       "apt repository (apt.postgresql.org) first.")
            .arg(name)
            .arg(serverMajor)
            .arg(found.isEmpty() ? QStringLiteral(" and no %1 was found").arg(name)
                                 : QStringLiteral(", but only %1 was found").arg(found.join(QStringLiteral(", "))))};
}

} // namespace lifeboat
