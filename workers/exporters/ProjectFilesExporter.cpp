#include "ProjectFilesExporter.h"

#include <QDir>
#include <QFileInfo>

#include <algorithm>

namespace lifeboat {

namespace {
constexpr qint64 MaxConfigFileSize = 1 << 20;

/// The files of a project folder's tree, relative to it, in name order; node_modules and .git
/// are left out. A link to a file is read as the file. A link to a folder outside the tree is
/// followed (its files are the project's too, say a monorepo's shared code) unless it leads back
/// to a folder being walked; a link into the tree is not, since its files are there anyway.
/// Whatever cannot be copied is named in `warnings`.
class TreeWalk
{
public:
    explicit TreeWalk(const QString &root)
        : m_root(root)
        , m_canonicalRoot(QFileInfo(root).canonicalFilePath())
    {
        walk(QString(), {m_canonicalRoot});
    }
    QStringList files;
    QStringList warnings;

private:
    static bool isWithin(const QString &path, const QString &dir) { return path == dir || path.startsWith(dir + u'/'); }
    void walk(const QString &rel, const QStringList &ancestors)
    {
        const QDir dir(rel.isEmpty() ? m_root : m_root + u'/' + rel);
        const QFileInfoList entries
            = dir.entryInfoList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Name);
        for (const QFileInfo &fi : entries) {
            const QString path = rel.isEmpty() ? fi.fileName() : rel + u'/' + fi.fileName();
            if (fi.isSymLink() && !fi.exists()) {
                warnings << QStringLiteral("%1 is a link to %2, which does not exist: it is not in the backup.")
                                .arg(path, fi.symLinkTarget());
            } else if (fi.isDir()) {
                if (fi.fileName() == QLatin1String("node_modules") || fi.fileName() == QLatin1String(".git"))
                    continue;
                const QString target = fi.canonicalFilePath();
                if (fi.isSymLink()) {
                    if (std::any_of(ancestors.begin(), ancestors.end(), [&](const QString &a) {
                            return isWithin(a, target);
                        })) {
                        warnings << QStringLiteral("%1 is a link to %2, a folder that holds it: not followed.")
                                        .arg(path, fi.symLinkTarget());
                        continue;
                    }
                    if (isWithin(target, m_canonicalRoot)) {
                        warnings << QStringLiteral("%1 is a link to %2 in the same tree, whose files are in the "
                                                   "backup there; the link itself is not kept.")
                                        .arg(path, fi.symLinkTarget());
                        continue;
                    }
                    warnings << QStringLiteral("%1 is a link to %2: the backup holds a copy of its files, and a "
                                               "restore writes them back as a folder where the link is gone.")
                                    .arg(path, target);
                }
                walk(path, ancestors + QStringList{target});
            } else if (fi.isFile()) {
                files << path;
            } else {
                warnings << QStringLiteral("%1 is not a regular file (a pipe, socket or device): it is not in the "
                                           "backup.")
                                .arg(path);
            }
        }
    }

    QString m_root;
    QString m_canonicalRoot;
};

} // namespace

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
    const TreeWalk tree(root);
    const QStringList &files = tree.files;
    r.warnings << tree.warnings;
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
