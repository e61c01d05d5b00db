#pragma once

#include "Exporter.h"

namespace lifeboat {

/// `roles`: pg_dumpall --roles-only (a secret: it holds password hashes), plus what a
/// single-database dump leaves out: ALTER DATABASE ... SET settings and database grants.
class RolesExporter final : public Exporter
{
public:
    QString name() const override { return Component::Roles; }
    void run(BackupContext &ctx, ComponentResult &r) override;
};

} // namespace lifeboat
