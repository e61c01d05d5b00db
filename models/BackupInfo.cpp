#include "BackupInfo.h"

namespace lifeboat {

QString BackupInfo::stateKey(State s)
{
    switch (s) {
    case State::Complete: return QStringLiteral("complete");
    case State::Incomplete: return QStringLiteral("incomplete");
    case State::Failed: return QStringLiteral("failed");
    case State::Cancelled: return QStringLiteral("cancelled");
    case State::Damaged: return QStringLiteral("damaged");
    case State::Running: return QStringLiteral("running");
    }
    return QStringLiteral("incomplete");
}

} // namespace lifeboat
