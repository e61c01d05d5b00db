#include "ProjectFilesExporter.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>

namespace lifeboat {

namespace {
constexpr qint64 MaxConfigFileSize = 1 << 20;
}

bool isSecretFileName(const QString &fileName)
{
    return fileName == QLatin1String(".env") || fileName.startsWith(QLatin1String(".env."))
        || fileName.endsWith(QLatin1String(".env"));
}

void EdgeFunctionsExporter::run(BackupContext &ctx, ComponentResult &r)
{
    const QString root = ctx.request.stack.projectDir.isEmpty()
        ? QString()
        : ctx.request.stack.projectDir + QStringLiteral("/supabase/functions");
    if (root.isEmpty() || !QDir(root).exists())
        return skip(r, ctx.request.stack.projectDir.isEmpty() ? QStringLiteral("no project folder")
                                                               : QStringLiteral("no supabase/functions folder"));
    QStringList files;
    QDirIterator it(root, QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QString rel = QDir(root).relativeFilePath(path);
        if (rel.split(u'/').contains(QStringLiteral("node_modules")) || rel.startsWith(QLatin1String(".git/")))
            continue;
        files << rel;
    }
    files.sort();
    QString error;
    qint64 secrets = 0;
    for (int i = 0; i < files.size(); ++i) {
        if (ctx.isCancelled())
            return;
        ctx.progress(name(), i, files.size(), files.at(i));
        const bool secret = isSecretFileName(QFileInfo(files.at(i)).fileName());
        secrets += secret;
        if (!ctx.copyFile(r, root + u'/' + files.at(i), QStringLiteral("edge_functions/") + files.at(i), secret,
                          &error))
            return fail(r, error);
    }
    qint64 functions = 0;
    for (const QString &d : QDir(root).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        if (d.startsWith(u'_') || d == QLatin1String("node_modules"))
            continue;
        const QDir fn(root + u'/' + d);
        if (fn.exists(QStringLiteral("index.ts")) || fn.exists(QStringLiteral("index.js"))
            || fn.exists(QStringLiteral("index.tsx")) || fn.exists(QStringLiteral("index.mjs")))
            ++functions;
    }
    r.counts.insert(QStringLiteral("functions"), functions);
    r.counts.insert(QStringLiteral("files"), files.size());
    r.counts.insert(QStringLiteral("secret_files"), secrets);
    if (secrets > 0)
        r.warnings << QStringLiteral("%1 .env file(s) are in the backup: they hold secrets.").arg(secrets);
    ctx.progress(name(), files.size(), files.size());
}

void ConfigExporter::run(BackupContext &ctx, ComponentResult &r)
{
    const QString root = ctx.request.stack.projectDir.isEmpty()
        ? QString()
        : ctx.request.stack.projectDir + QStringLiteral("/supabase");
    if (root.isEmpty() || !QDir(root).exists())
        return skip(r, QStringLiteral("no project folder"));
    const QFileInfoList entries = QDir(root).entryInfoList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot,
                                                           QDir::Name);
    QString error;
    int copied = 0;
    for (const QFileInfo &fi : entries) {
        if (fi.size() > MaxConfigFileSize) {
            r.warnings << QStringLiteral("%1 is larger than 1 MiB and was left out.").arg(fi.fileName());
            continue;
        }
        ctx.progress(name(), copied, entries.size(), fi.fileName());
        if (!ctx.copyFile(r, fi.absoluteFilePath(), QStringLiteral("config/") + fi.fileName(),
                          isSecretFileName(fi.fileName()), &error))
            return fail(r, error);
        ++copied;
    }
    r.counts.insert(QStringLiteral("files"), copied);
    if (!QFileInfo::exists(root + QStringLiteral("/config.toml")))
        r.warnings << QStringLiteral("The project has no supabase/config.toml.");
    ctx.progress(name(), copied, copied);
}

} // namespace lifeboat
