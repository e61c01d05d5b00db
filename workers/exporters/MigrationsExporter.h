#pragma once

#include "Exporter.h"

namespace lifeboat {

/// `migrations`: the files of supabase/migrations, the rows of
/// supabase_migrations.schema_migrations, and a drift report: files never applied, applied
/// versions without a file, files whose content differs from the recorded statements.
class MigrationsExporter final : public Exporter
{
public:
    QString name() const override { return Component::Migrations; }
    void run(BackupContext &ctx, ComponentResult &r) override;

    /// Whitespace, comments-free comparison form of migration SQL.
    static QString normalized(const QString &sql);
};

} // namespace lifeboat
