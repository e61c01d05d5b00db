#pragma once

#include "BackupRequest.h"

namespace lifeboat {

class BackupContext;

/// The last steps of a run: checksums, manifest, restore script, fsync, the atomic rename
/// that makes a backup complete; or, for a failed or cancelled run, the marker that says so.
namespace BackupFinalizer {

inline const QString StatusFileName = QStringLiteral("lifeboat-status.json");

/// Hashes every file, writes restore.sh, manifest.json, BACKUP_MANIFEST.md and SHA256SUMS,
/// fsyncs files and folders and renames `<name>.partial` to `<name>`. `finalPath` gets the result.
bool finish(BackupContext &ctx, Manifest &manifest, QString *finalPath, QString *error);

/// Removes what a failed or cancelled run wrote (a partial backup is no backup, and it may
/// be large) and leaves `<name>.failed` or `<name>.cancelled` with a status file naming the cause.
void markUnfinished(const QString &partialFolder, const BackupResult &result, QString *markedPath);

} // namespace BackupFinalizer
} // namespace lifeboat
