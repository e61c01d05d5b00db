#include "RetentionPolicy.h"

#include <algorithm>

namespace lifeboat {

QStringList backupsBeyondRetention(const QList<BackupInfo> &backups, int keepLast)
{
    if (keepLast <= 0)
        return {};
    QList<const BackupInfo *> complete;
    for (const BackupInfo &b : backups)
        if (b.state == BackupInfo::State::Complete && !b.path.isEmpty())
            complete.append(&b);
    std::sort(complete.begin(), complete.end(),
              [](const BackupInfo *a, const BackupInfo *b) { return a->timestamp > b->timestamp; });
    const BackupInfo *newestVerified = nullptr;
    for (const BackupInfo *b : std::as_const(complete))
        if (b->verifiedOk.value_or(false)) {
            newestVerified = b;
            break;
        }
    QStringList remove;
    for (int i = keepLast; i < complete.size(); ++i)
        if (complete.at(i) != newestVerified)
            remove << complete.at(i)->path;
    return remove;
}

} // namespace lifeboat
