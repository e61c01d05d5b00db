#pragma once

#include "Exporter.h"

namespace lifeboat {

/// `functions`: every function and procedure in non-system schemas that no extension owns
/// (pg_get_functiondef), with owner and EXECUTE grants; one file per name (overloads together).
class FunctionsExporter final : public Exporter
{
public:
    QString name() const override { return Component::Functions; }
    void run(BackupContext &ctx, ComponentResult &r) override;
};

} // namespace lifeboat
