#include "BackupStore.h"

#include "BackupFinalizer.h"
#include "Sha256.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLockFile>
#include <QRegularExpression>
#include <QSysInfo>

#include <algorithm>
#include <cerrno>
#include <csignal>

namespace lifeboat {

namespace {

/// `<YYYYMMDD-HHMMSS>[-N][.partial|.failed|.cancelled]`: the folders a run creates.
const QRegularExpression &folderPattern()
{
    static const QRegularExpression pattern(
        QStringLiteral("^(\\d{8}-\\d{6})(-\\d+)?(\\.partial|\\.failed|\\.cancelled)?$"));
    return pattern;
}

} // namespace

bool BackupStore::isBackupFolderName(const QString &name)
{
    return folderPattern().match(name).hasMatch();
}

BackupInfo BackupStore::inspect(const QString &path)
{
    const QRegularExpression &pattern = folderPattern();
    const QFileInfo fi(path);
    BackupInfo info;
    info.path = fi.absoluteFilePath();
    info.stackId = fi.absoluteDir().dirName();
    const auto m = pattern.match(fi.fileName());
    info.name = m.hasMatch() ? m.captured(1) + m.captured(2) : fi.fileName();
    info.timestamp = QDateTime::fromString(m.captured(1), QStringLiteral("yyyyMMdd-HHmmss"));
    const QString suffix = m.captured(3);

    if (suffix == QLatin1String(".failed") || suffix == QLatin1String(".cancelled")) {
        info.state = suffix == QLatin1String(".failed") ? BackupInfo::State::Failed : BackupInfo::State::Cancelled;
        QFile status(path + u'/' + BackupFinalizer::StatusFileName);
        if (status.open(QIODevice::ReadOnly))
            info.message = QJsonDocument::fromJson(status.readAll()).object().value(QStringLiteral("message")).toString();
        return info;
    }
    if (suffix == QLatin1String(".partial")) {
        if (const auto writer = activeWriter(path)) {
            info.state = BackupInfo::State::Running;
            info.message = writer->pid > 0 ? QStringLiteral("Being written by %1 (process %2).")
                                                 .arg(writer->program.isEmpty() ? QStringLiteral("Lifeboat")
                                                                                : writer->program)
                                                 .arg(writer->pid)
                                           : QStringLiteral("Being written by another Lifeboat process.");
            return info;
        }
        info.state = BackupInfo::State::Incomplete;
        info.message = QStringLiteral("Never finished: the run that wrote it was killed or crashed. It can be removed.");
        return info;
    }
    auto manifest = readManifest(path);
    if (!manifest) {
        info.state = BackupInfo::State::Damaged;
        info.message = manifest.error();
        return info;
    }
    info.state = BackupInfo::State::Complete;
    info.manifest = manifest.value();
    return info;
}

QString BackupStore::lockPathFor(const QString &backupPath)
{
    static const QRegularExpression suffix(QStringLiteral("(\\.partial|\\.failed|\\.cancelled)$"));
    QString base = QFileInfo(backupPath).absoluteFilePath();
    base.remove(suffix);
    return base + QStringLiteral(".lock");
}

std::optional<BackupStore::Writer> BackupStore::activeWriter(const QString &backupPath)
{
    const QString lockPath = lockPathFor(backupPath);
    if (!QFileInfo::exists(lockPath))
        return std::nullopt;
    QLockFile lock(lockPath);
    lock.setStaleLockTime(0); // a backup may run for hours: only a dead owner makes the lock stale
    if (lock.tryLock(0)) {
        lock.unlock(); // the owner was gone: the stale lock is removed with ours
        return std::nullopt;
    }
    Writer writer;
    QString host;
    const bool known = lock.getLockInfo(&writer.pid, &host, &writer.program);
    // tryLock also fails when a stale lock cannot be removed (no write access to the folder):
    // then the recorded process decides.
    if (known && writer.pid > 0 && host == QSysInfo::machineHostName() && ::kill(pid_t(writer.pid), 0) == -1
        && errno == ESRCH)
        return std::nullopt;
    return writer; // held by a live process, or being written this very moment
}

Status BackupStore::remove(const QString &backupPath)
{
    const QFileInfo fi(backupPath);
    if (!fi.exists())
        return success();
    // Only what a run created is ever deleted: a mistyped path must not take a folder with it.
    if (!fi.isDir() || !isBackupFolderName(fi.fileName()))
        return Error{QStringLiteral("%1 is not a Lifeboat backup folder (<root>/<stack>/<YYYYMMDD-HHMMSS>); nothing "
                                    "was deleted. `lifeboat-cli list` shows the backups.")
                         .arg(backupPath)};
    if (const auto writer = activeWriter(backupPath))
        return Error{QStringLiteral("%1 is still being written (process %2). Cancel that backup, or wait for it to "
                                    "finish, before deleting it.")
                         .arg(backupPath)
                         .arg(writer->pid)};
    if (!QDir(backupPath).removeRecursively())
        return Error{QStringLiteral("Could not delete every file of %1; check its permissions.").arg(backupPath)};
    return success();
}

void BackupStore::sweepStaleLocks(const QString &stackDir)
{
    const QDir dir(stackDir);
    for (const QString &lock : dir.entryList({QStringLiteral("*.lock")}, QDir::Files | QDir::Hidden))
        activeWriter(dir.filePath(lock.chopped(5)));
}

QList<BackupInfo> BackupStore::list(const QString &root)
{
    QList<BackupInfo> result;
    const QFileInfoList stacks = QDir(root).entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QFileInfo &stack : stacks) {
        const QFileInfoList runs = QDir(stack.absoluteFilePath()).entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot);
        for (const QFileInfo &run : runs)
            if (isBackupFolderName(run.fileName()))
                result.append(inspect(run.absoluteFilePath()));
        sweepStaleLocks(stack.absoluteFilePath());
    }
    std::sort(result.begin(), result.end(), [](const BackupInfo &a, const BackupInfo &b) {
        return a.timestamp != b.timestamp ? a.timestamp > b.timestamp : a.path > b.path;
    });
    return result;
}

Result<Manifest> BackupStore::readManifest(const QString &backupPath)
{
    const QString path = backupPath + u'/' + Manifest::FileName;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return Error{QStringLiteral("%1 has no readable manifest.json (%2); it is not a complete backup.")
                         .arg(backupPath, f.errorString())};
    return Manifest::fromJson(f.readAll(), path);
}

bool BackupStore::covers(const QStringList &paths, const QString &file)
{
    return std::any_of(
        paths.cbegin(), paths.cend(), [&file](const QString &p) { return file == p || file.startsWith(p + u'/'); });
}

VerifyReport BackupStore::verify(const QString &backupPath,
                                 const std::function<void(int, int, const QString &)> &onFile,
                                 const QStringList &only,
                                 const QStringList &skip,
                                 const std::atomic_bool *stop)
{
    VerifyReport report;
    auto manifest = readManifest(backupPath);
    if (!manifest) {
        report.problems << QStringLiteral("damaged: %1 (%2)").arg(Manifest::FileName, manifest.error());
        return report;
    }

    // The manifest itself, against SHA256SUMS.
    QFile sums(backupPath + u'/' + Manifest::ChecksumsName);
    if (!sums.open(QIODevice::ReadOnly)) {
        report.problems << QStringLiteral("missing: %1").arg(Manifest::ChecksumsName);
    } else {
        QString recorded;
        while (!sums.atEnd()) {
            const QByteArray line = sums.readLine().trimmed();
            if (line.endsWith(QByteArray("  " + Manifest::FileName.toUtf8())))
                recorded = QString::fromLatin1(line.left(64));
        }
        if (recorded.isEmpty())
            report.problems << QStringLiteral("damaged: %1 (does not list manifest.json)").arg(Manifest::ChecksumsName);
        else if (Sha256::ofFile(backupPath + u'/' + Manifest::FileName) != recorded)
            report.problems << QStringLiteral("damaged: %1 (checksum differs from SHA256SUMS)").arg(Manifest::FileName);
    }

    QList<ManifestFile> files = manifest->allFiles();
    files.removeIf(
        [&](const ManifestFile &f) { return skip.contains(f.path) || (!only.isEmpty() && !covers(only, f.path)); });
    for (int i = 0; i < files.size(); ++i) {
        const ManifestFile &f = files.at(i);
        if (onFile)
            onFile(i, int(files.size()), f.path);
        const QString path = backupPath + u'/' + f.path;
        if (!QFileInfo::exists(path)) {
            report.problems << QStringLiteral("missing: %1").arg(f.path);
            continue;
        }
        qint64 size = -1;
        const QString sha = Sha256::ofFile(path, &size, stop);
        if (stop && stop->load()) {
            report.problems << QStringLiteral("not checked: %1 (verification stopped)").arg(f.path);
            break;
        }
        if (sha.isEmpty())
            report.problems << QStringLiteral("unreadable: %1").arg(f.path);
        else if (size != f.size)
            report.problems << QStringLiteral("damaged: %1 (size %2, expected %3)").arg(f.path).arg(size).arg(f.size);
        else if (sha != f.sha256)
            report.problems << QStringLiteral("damaged: %1 (checksum differs)").arg(f.path);
        ++report.filesChecked;
    }
    if (onFile)
        onFile(int(files.size()), int(files.size()), {});
    return report;
}

} // namespace lifeboat
