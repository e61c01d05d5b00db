#include "BackupFinalizer.h"

#include "BackupContext.h"
#include "Sha256.h"

#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QThread>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentMap>

#include <fcntl.h>
#include <unistd.h>

#include <memory>

namespace lifeboat::BackupFinalizer {

namespace {

const QFile::Permissions OwnerOnlyFile = QFile::ReadOwner | QFile::WriteOwner;

bool fsyncPath(const QString &path)
{
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    const bool ok = ::fsync(fd) == 0;
    ::close(fd);
    return ok;
}

// One `sha256sum` line; names with a backslash or newline use GNU's escaped form.
QByteArray sumLine(const QString &sha, const QString &path)
{
    QByteArray name = path.toUtf8();
    if (!name.contains('\\') && !name.contains('\n'))
        return sha.toLatin1() + "  " + name + '\n';
    name.replace("\\", "\\\\").replace("\n", "\\n");
    return '\\' + sha.toLatin1() + "  " + name + '\n';
}

bool writeWhole(const QString &path, const QByteArray &data, QFile::Permissions perms, QString *error)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(data) != data.size() || !f.flush()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, f.errorString());
        return false;
    }
    f.setPermissions(perms);
    return true;
}

} // namespace

bool finish(BackupContext &ctx, Manifest &manifest, QString *finalPath, QString *error)
{
    // Every component file: size and SHA-256, hashed in parallel.
    QList<ManifestFile *> files;
    for (ComponentResult &c : manifest.components)
        for (ManifestFile &f : c.files)
            files.append(&f);
    QElapsedTimer clock;
    clock.start();
    // Threads of its own, one per core: never the global pool, which the window's painting
    // waits for (see WorkerThreads).
    QThreadPool pool;
    pool.setMaxThreadCount(QThread::idealThreadCount());
    std::atomic_bool readError{false};
    QtConcurrent::blockingMap(&pool, files, [&](ManifestFile *f) {
        if (!f->sha256.isEmpty())
            return; // hashed while it was written
        f->sha256 = Sha256::ofFile(ctx.absolutePath(f->path), &f->size);
        if (f->sha256.isEmpty())
            readError = true;
    });
    if (readError) {
        *error = QStringLiteral("a file of the backup could not be read back for its checksum");
        return false;
    }

    qint64 bytes = 0;
    for (const ManifestFile *f : std::as_const(files))
        bytes += f->size;
    ctx.log(QString(), QStringLiteral("SHA-256 of %1 files (%2 MB) in %3 s")
                           .arg(files.size())
                           .arg(bytes / (1024 * 1024))
                           .arg(double(clock.restart()) / 1000.0, 0, 'f', 2));

    // The restore script that works without Lifeboat.
    QFile script(QStringLiteral(":/lifeboat/restore.sh"));
    if (!script.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("the restore script is missing from this build");
        return false;
    }
    const QString scriptPath = ctx.absolutePath(Manifest::RestoreScriptName);
    if (!writeWhole(scriptPath, script.readAll(), OwnerOnlyFile | QFile::ExeOwner, error))
        return false;
    ManifestFile scriptEntry{Manifest::RestoreScriptName, 0, {}, false};
    scriptEntry.sha256 = Sha256::ofFile(scriptPath, &scriptEntry.size);
    manifest.extraFiles = {scriptEntry};

    if (!writeWhole(ctx.absolutePath(Manifest::FileName), manifest.toJson(), OwnerOnlyFile, error)
        || !writeWhole(ctx.absolutePath(Manifest::MarkdownName), manifest.toMarkdown().toUtf8(), OwnerOnlyFile, error))
        return false;

    // SHA256SUMS: everything but itself, in `sha256sum --check` format.
    QByteArray sums;
    for (const ManifestFile &f : manifest.allFiles())
        sums += sumLine(f.sha256, f.path);
    for (const QString &name : {Manifest::FileName, Manifest::MarkdownName})
        sums += sumLine(Sha256::ofFile(ctx.absolutePath(name)), name);
    if (!writeWhole(ctx.absolutePath(Manifest::ChecksumsName), sums, OwnerOnlyFile, error))
        return false;

    // Durable before it is visible under its final name.
    QDirIterator it(ctx.folder, QDir::Files | QDir::Dirs | QDir::Hidden | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    QStringList paths{ctx.folder};
    while (it.hasNext())
        paths << it.next();
    std::atomic_bool syncFailed{false};
    QtConcurrent::blockingMap(&pool, paths, [&](const QString &p) {
        if (!fsyncPath(p))
            syncFailed = true;
    });
    ctx.log(QString(), QStringLiteral("fsync of %1 files and folders in %2 s")
                           .arg(paths.size())
                           .arg(double(clock.elapsed()) / 1000.0, 0, 'f', 2));
    if (syncFailed) {
        *error = QStringLiteral("fsync failed in %1 (disk full or failing?)").arg(ctx.folder);
        return false;
    }
    QString target = ctx.folder;
    target.chop(QStringLiteral(".partial").size());
    if (::rename(QFile::encodeName(ctx.folder).constData(), QFile::encodeName(target).constData()) != 0) {
        *error = QStringLiteral("cannot rename %1 to %2: %3").arg(ctx.folder, target, QString::fromLocal8Bit(strerror(errno)));
        return false;
    }
    fsyncPath(QFileInfo(target).absolutePath());
    *finalPath = target;
    return true;
}

void markUnfinished(const QString &partialFolder, const BackupResult &result, QString *markedPath)
{
    QDir dir(partialFolder);
    if (!dir.exists())
        return;
    dir.removeRecursively();
    QString target = partialFolder;
    if (target.endsWith(QLatin1String(".partial")))
        target.chop(QStringLiteral(".partial").size());
    target += result.outcome == BackupOutcome::Cancelled ? QStringLiteral(".cancelled") : QStringLiteral(".failed");
    QDir().mkpath(target);
    QFile::setPermissions(target, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    const QJsonObject status{{QStringLiteral("status"), outcomeKey(result.outcome)},
                             {QStringLiteral("component"), result.failedComponent},
                             {QStringLiteral("message"), result.message},
                             {QStringLiteral("stack"), result.manifest.stackId},
                             {QStringLiteral("started_at"), result.manifest.startedAt.toString(Qt::ISODateWithMs)},
                             {QStringLiteral("finished_at"),
                              QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)}};
    QString ignored;
    writeWhole(target + u'/' + StatusFileName, QJsonDocument(status).toJson(), OwnerOnlyFile, &ignored);
    *markedPath = target;
}

} // namespace lifeboat::BackupFinalizer
