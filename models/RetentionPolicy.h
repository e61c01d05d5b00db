#pragma once

#include "BackupInfo.h"

#include <QList>
#include <QStringList>

namespace lifeboat {

/// Which complete backups of a stack to delete so that only the last `keepLast` remain,
/// never touching the newest verified one. Other runs (failed, cancelled, incomplete) are
/// not retention's business. `keepLast` <= 0 keeps everything.
QStringList backupsBeyondRetention(const QList<BackupInfo> &backups, int keepLast);

} // namespace lifeboat
