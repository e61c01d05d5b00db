#include "StackScanner.h"

#include "SupabaseConfigParser.h"
#include "WorkerThreads.h"

#include <QDir>
#include <QFileInfo>
#include <QSet>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

namespace lifeboat {

namespace {

bool isProjectDir(const QDir &dir)
{
    return QFileInfo(dir.filePath(QStringLiteral("supabase/config.toml"))).isFile();
}

void walk(const QDir &dir, int depthLeft, QSet<QString> &found)
{
    if (isProjectDir(dir)) {
        found.insert(dir.canonicalPath());
        return; // a project's own folders hold no further projects worth listing
    }
    if (depthLeft <= 0)
        return;
    // QDir::Hidden is left out, so ".git", ".cache" and friends are never entered.
    const QFileInfoList children = dir.entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot | QDir::NoSymLinks);
    for (const QFileInfo &child : children) {
        if (child.fileName() == QLatin1String("node_modules"))
            continue;
        walk(QDir(child.filePath()), depthLeft - 1, found);
    }
}

} // namespace

Stack StackScanner::stackFromProjectDir(const QString &projectDir)
{
    Stack stack;
    stack.kind = Stack::Kind::SupabaseProject;
    const QString canonical = QDir(projectDir).canonicalPath();
    stack.projectDir = canonical.isEmpty() ? QDir::cleanPath(QDir(projectDir).absolutePath()) : canonical;
    const QString folderName = QFileInfo(stack.projectDir).fileName();

    auto config = SupabaseConfigParser::parseFile(stack.configPath());
    if (config) {
        stack.supabase = config.value();
        stack.connection.port = stack.supabase.dbPort;
        stack.wantedMajorVersion = stack.supabase.majorVersion;
    } else {
        stack.configError = config.error();
        stack.connection.port = SupabaseConfig{}.dbPort;
    }
    const QString projectId = stack.supabase.projectId;
    stack.name = projectId.isEmpty() ? folderName : projectId;
    stack.id = stackIdFromName(stack.name);
    stack.connection.host = QStringLiteral("127.0.0.1");
    stack.connection.database = QStringLiteral("postgres");
    stack.connection.user = QStringLiteral("postgres");
    return stack;
}

QList<Stack> StackScanner::scanBlocking(const QStringList &roots, int maxDepth)
{
    QSet<QString> found;
    for (const QString &root : roots) {
        QDir dir(root);
        if (!dir.exists())
            continue;
        // Someone may point at the `supabase` folder itself.
        if (dir.dirName() == QLatin1String("supabase") && QFileInfo(dir.filePath(QStringLiteral("config.toml"))).isFile()) {
            dir.cdUp();
        }
        walk(dir, maxDepth, found);
    }
    QStringList dirs(found.begin(), found.end());
    std::sort(dirs.begin(), dirs.end());
    QList<Stack> stacks;
    for (const QString &d : std::as_const(dirs))
        stacks.append(stackFromProjectDir(d));
    return stacks;
}

QFuture<QList<Stack>> StackScanner::scan(const QStringList &roots, int maxDepth)
{
    return QtConcurrent::run(WorkerThreads::pool(), [roots, maxDepth] { return scanBlocking(roots, maxDepth); });
}

} // namespace lifeboat
