#pragma once

#include "Exporter.h"

namespace lifeboat {

/// `storage`: storage.buckets and storage.objects rows as SQL and CSV; the object files too
/// when the stack's storage folder is reachable, with a report of rows whose file is missing.
class StorageExporter final : public Exporter
{
public:
    QString name() const override { return Component::Storage; }
    void run(BackupContext &ctx, ComponentResult &r) override;
};

} // namespace lifeboat
