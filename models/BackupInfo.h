#pragma once

#include "Manifest.h"

#include <QDateTime>
#include <QMetaType>
#include <QString>

#include <optional>

namespace lifeboat {

/// A backup folder as found on disk.
struct BackupInfo
{
    /// Running: a `.partial` folder whose writer is alive; Incomplete: one whose writer is gone.
    enum class State { Complete, Incomplete, Failed, Cancelled, Damaged, Running };

    QString path;
    QString stackId;
    QString name;         ///< "20261127-041500"
    QDateTime timestamp;  ///< From the folder name (local time).
    State state = State::Incomplete;
    QString message;      ///< For failed/cancelled/damaged: why; for running: which process.
    std::optional<Manifest> manifest;
    std::optional<bool> verifiedOk; ///< The last verification's result, when one was recorded.
    QStringList verifyProblems;

    static QString stateKey(State s);
    qint64 size() const { return manifest ? manifest->totalSize() : 0; }
};

} // namespace lifeboat

Q_DECLARE_METATYPE(lifeboat::BackupInfo)
