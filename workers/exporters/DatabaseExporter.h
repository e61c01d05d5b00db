#pragma once

#include "Exporter.h"

#include <functional>

namespace lifeboat {

class GrowingFileHasher;

/// `database`: pg_dump -Fc of the whole database in the run's snapshot, its table of
/// contents (pg_restore -l) and plain SQL derived from the archive (no second read of the
/// server).
class DatabaseExporter final : public Exporter
{
public:
    QString name() const override { return Component::Database; }
    void run(BackupContext &ctx, ComponentResult &r) override;

private:
    /// Runs pg_dump into `dumpPath` and pg_restore on the growing archive into `sqlPath`.
    /// `onDumpLine` gets each line pg_dump writes to stderr; `onTick` runs on every pass of the
    /// loop (at least every 20 ms), after `sql` has caught up with what pg_restore wrote.
    bool dumpAndDerive(BackupContext &ctx,
                       const QStringList &dumpArgs,
                       const QString &dumpPath,
                       const QString &sqlPath,
                       GrowingFileHasher &sql,
                       const std::function<void(const QString &)> &onDumpLine,
                       const std::function<void()> &onTick,
                       QString *failure);
};

} // namespace lifeboat
