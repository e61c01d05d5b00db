#pragma once

#include "BackupInfo.h"
#include "Manifest.h"
#include "Result.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

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
    /// One folder.
    static BackupInfo inspect(const QString &path);
    static Result<Manifest> readManifest(const QString &backupPath);
    /// Checks every file the manifest lists (size and SHA-256) and the manifest itself against
    /// SHA256SUMS. `onFile(done, total, path)` reports progress.
    /// With `only`, just the files at those paths or below those folders (what a restore reads).
    static VerifyReport verify(const QString &backupPath,
                               const std::function<void(int, int, const QString &)> &onFile = {},
                               const QStringList &only = {});
};

} // namespace lifeboat
