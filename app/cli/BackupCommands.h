#pragma once

#include <QStringList>

namespace lifeboat {
class StackService;
}

namespace lifeboat::cli {

/// `lifeboat-cli backup (--project DIR | --dsn URL) [--out ROOT] [--components a,b] [--jobs N]
/// [--compress LEVEL] [--storage-dir DIR] [--json]`. Finishes with QCoreApplication::exit():
/// 0 complete, 1 failed, 2 bad arguments, 130 cancelled.
void runBackup(StackService *service, const QStringList &arguments);

/// `lifeboat-cli list [--out ROOT | --project DIR] [--json]`; returns the exit code.
int runList(StackService *service, const QStringList &arguments);
/// `lifeboat-cli show BACKUP [--json]`.
int runShow(const QStringList &arguments);
/// `lifeboat-cli verify BACKUP`: non-zero naming each bad or missing file.
int runVerify(const QStringList &arguments);
/// `lifeboat-cli delete BACKUP [--yes]`: 0 deleted, 1 refused or failed, 2 bad arguments,
/// 4 not confirmed.
int runDelete(const QStringList &arguments);
/// `lifeboat-cli prune (--project DIR | --dsn URL) [--keep N] [--out ROOT] [--dry-run] [--yes]`:
/// retention from the command line. 0 done (or nothing to do), 1 a deletion failed, 2 bad
/// arguments, 4 not confirmed.
int runPrune(StackService *service, const QStringList &arguments);

} // namespace lifeboat::cli
