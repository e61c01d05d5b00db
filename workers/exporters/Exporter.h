#pragma once

#include "BackupContext.h"
#include "BackupTypes.h"

namespace lifeboat {

/// One component of a backup. `run` is called on a worker thread with a result whose name
/// is set; it fills in status, counts, warnings and files. A component that does not apply
/// (no auth schema in a plain database) reports Skipped, which is not a failure.
class Exporter
{
public:
    virtual ~Exporter() = default;
    virtual QString name() const = 0;
    virtual void run(BackupContext &context, ComponentResult &result) = 0;

protected:
    static void fail(ComponentResult &r, const QString &message)
    {
        r.status = ComponentResult::Status::Failed;
        r.message = message;
    }
    static void skip(ComponentResult &r, const QString &why)
    {
        r.status = ComponentResult::Status::Skipped;
        r.message = why;
    }
    /// Opens the snapshot connection or fails the component; null when it failed.
    static bool connect(BackupContext &ctx, ComponentResult &r, PgConnection &conn)
    {
        QString error;
        conn = ctx.openSnapshotConnection(&error);
        if (!conn.isOpen()) {
            fail(r, QStringLiteral("cannot connect to %1: %2").arg(ctx.connection.displayAddress(), error));
            return false;
        }
        return true;
    }
};

} // namespace lifeboat
