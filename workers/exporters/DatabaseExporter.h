#pragma once

#include "Exporter.h"

namespace lifeboat {

/// `database`: pg_dump -Fc of the whole database in the run's snapshot, its table of
/// contents (pg_restore -l) and plain SQL derived from the archive (no second read of the
/// server).
class DatabaseExporter final : public Exporter
{
public:
    QString name() const override { return Component::Database; }
    void run(BackupContext &ctx, ComponentResult &r) override;
};

} // namespace lifeboat
