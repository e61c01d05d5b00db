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
    bool dumpAndDerive(BackupContext &ctx, const QStringList &dumpArgs, const QString &dumpPath, const QString &sqlPath,
                       GrowingFileHasher &sql, const std::function<void(const QString &)> &onDumpLine,
                       QString *failure);
};

} // namespace lifeboat
