#pragma once

#include "Exporter.h"

namespace lifeboat {

/// `edge_functions`: the supabase/functions tree without node_modules; `.env` files are kept
/// and marked secret.
class EdgeFunctionsExporter final : public Exporter
{
public:
    QString name() const override { return Component::EdgeFunctions; }
    void run(BackupContext &ctx, ComponentResult &r) override;
};

/// `config`: config.toml, seed.sql and the other small files at the top of supabase/.
class ConfigExporter final : public Exporter
{
public:
    QString name() const override { return Component::Config; }
    void run(BackupContext &ctx, ComponentResult &r) override;
};

/// `.env`, `.env.local`, ...: files that hold secrets by convention.
bool isSecretFileName(const QString &fileName);

} // namespace lifeboat
