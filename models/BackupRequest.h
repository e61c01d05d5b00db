#pragma once

#include "Manifest.h"
#include "Stack.h"

#include <QString>
#include <QStringList>

#include <optional>

namespace lifeboat {

/// Everything a backup run needs, copied before the work starts: a worker never reads a
/// widget or a setting while it runs.
struct BackupRequest
{
    Stack stack;
    std::optional<QString> password; ///< From the keychain; empty: libpq's own sources.
    QStringList passwordFallbacks;   ///< Tried when the server asks for a password libpq lacks.
    QString outputRoot;              ///< Holds <stack id>/<timestamp>/.
    QStringList components;          ///< Empty: all of them.
    int jobs = 2;                    ///< Parallel COPY connections for data_csv.
    int compressLevel = 1;           ///< pg_dump -Z; 1 is about twice as fast as the default for ~4% more size.
    QString storageDir;              ///< Where the storage server keeps object files; empty: not reachable.
    QStringList roleTablePatterns{QStringLiteral("%role%")}; ///< LIKE patterns for role-assignment tables.
    QString note; ///< Recorded in the manifest and shown in History ("before restore of ...").
};

/// How a run ended and where its folder is.
struct BackupResult
{
    BackupOutcome outcome = BackupOutcome::Failed;
    QString path;             ///< The complete backup, or the marked failed/cancelled folder; may be empty.
    QString message;          ///< For failures: what failed, on which object, what to do.
    QString failedComponent;
    Manifest manifest;        ///< Complete backups; for others, what the components did so far.
};

} // namespace lifeboat
