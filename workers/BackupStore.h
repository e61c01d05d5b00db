#pragma once

#include "BackupInfo.h"
#include "Manifest.h"
#include "Result.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>
#include <optional>

namespace lifeboat {

/// What `verify` found.
struct VerifyReport
{
    int filesChecked = 0;
    QStringList problems; ///< "damaged: database/database.dump (checksum differs)", "missing: ..."
    bool ok() const { return problems.isEmpty(); }
};

/// Reads backup folders: lists them, reads manifests, verifies checksums. Off the GUI thread.
class BackupStore
{
public:
    /// Every backup below `root` (`<root>/<stack id>/<timestamp>[.partial|.failed|.cancelled]`),
    /// newest first.
    static QList<BackupInfo> list(const QString &root);
    /// One folder. A `.partial` folder whose writer is still alive is Running, else Incomplete.
    static BackupInfo inspect(const QString &path);
    /// Whether `name` is one a run gives its folder (`<YYYYMMDD-HHMMSS>[-N][.partial|...]`).
    static bool isBackupFolderName(const QString &name);
    /// Deletes one backup folder (complete or not) and everything in it. Refuses a folder that
    /// is not named as a run names it, and one a live process is still writing.
    static Status remove(const QString &backupPath);

    /// The lock a run holds while it writes a backup folder: `<stack dir>/<name>.lock` beside
    /// `<name>.partial` (a QLockFile: pid, host and program; released when the run has renamed
    /// or marked its folder). Not inside the folder, so it never reaches a finished backup.
    static QString lockPathFor(const QString &backupPath);
    struct Writer
    {
        qint64 pid = 0;
        QString program;
    };
    /// The live process writing `backupPath`, if any. A lock left by a killed run is stale:
    /// it is removed and nothing is returned.
    static std::optional<Writer> activeWriter(const QString &backupPath);
    /// Removes the stale locks in one stack's folder, those whose folder is gone or was never
    /// made (a run killed between taking its lock and creating its folder) included.
    static void sweepStaleLocks(const QString &stackDir);
    static Result<Manifest> readManifest(const QString &backupPath);
    /// Whether `file` (a path relative to the backup folder) is one of `paths` or below one.
    static bool covers(const QStringList &paths, const QString &file);
    /// Checks every file the manifest lists (size and SHA-256) and the manifest itself against
    /// SHA256SUMS. `onFile(done, total, path)` reports progress.
    /// With `only`, just the files at those paths or below those folders (what a restore reads);
    /// files at the paths in `skip` are left out (a caller that has checked them already).
    /// When `stop` turns true it stops within a MiB and reports "not checked: ..." for the file
    /// it was at (for a caller that no longer needs the answer: the program is quitting).
    static VerifyReport verify(const QString &backupPath,
                               const std::function<void(int, int, const QString &)> &onFile = {},
                               const QStringList &only = {},
                               const QStringList &skip = {},
                               const std::atomic_bool *stop = nullptr);
};

} // namespace lifeboat
