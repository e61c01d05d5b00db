#pragma once

// What the snapshot holder does besides holding the snapshot: it keeps the tables from being
// dropped under the readers, refuses a role that row-level security would shortchange, and
// watches for sessions its locks keep waiting.

#include "BackupContext.h"
#include "PgConnection.h"

#include <QSet>
#include <QString>
#include <QStringList>

namespace lifeboat {

/// What to do about a "permission denied", after `message` (which it completes to a sentence).
QString permissionHint(const QString &message, const QString &user);

/// Begins the REPEATABLE READ transaction whose snapshot the backup shares; the first query
/// after it takes the snapshot. With `lockTables`, every table is first locked in ACCESS SHARE
/// mode until the backup ends, so that a table dropped or changed meanwhile does not fail a
/// reader half-way, and so that the snapshot sees each table as the last migration committed
/// it; a table another session holds is waited for (logging who), up to a limit, and a cancel
/// is heard. False with `message` set (and no transaction open).
bool beginSnapshotTransaction(BackupContext &ctx, const PgConnection &holder, bool lockTables, QString *message);

/// False with `message` set when row-level security would hide rows from the backup's role.
bool checkRowSecurity(const BackupContext &ctx, const PgConnection &holder, QString *message);

/// Looks, from the snapshot holder, for sessions that wait for the backup's locks.
class LockWatch
{
public:
    explicit LockWatch(const PgConnection &holder)
        : m_holder(holder)
    {}
    struct Seen
    {
        QStringList newWaiters; ///< A line for each session seen waiting for the first time.
        QString deadlock;       ///< Set when a waiter also blocks one of the backup's own sessions,
        QString blocker;        ///< and that waiter: "pid 4242 (psql: ALTER TABLE ...)".
    };
    Seen look();

private:
    const PgConnection &m_holder;
    QSet<int> m_told;
};

} // namespace lifeboat
