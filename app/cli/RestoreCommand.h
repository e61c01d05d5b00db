#pragma once

#include <QStringList>

namespace lifeboat {
class StackService;
}

namespace lifeboat::cli {

/// `lifeboat-cli restore BACKUP (--dsn URL | --project DIR | --new-db NAME --dsn SERVER_URL)
/// [--only ITEM,...] [--conflict MODE] [--no-safety-backup] [--dry-run] [--yes] [--json]`.
/// Finishes with QCoreApplication::exit(): 0 complete, 1 failed, 2 bad arguments or a plan
/// that cannot run, 3 damaged backup or refused, 4 not confirmed, 130 cancelled.
void runRestore(StackService *service, const QStringList &arguments);

} // namespace lifeboat::cli
