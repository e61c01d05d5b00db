#pragma once

#include "Exporter.h"

namespace lifeboat {

/// `rls_policies`: for every table with row-level security, ENABLE/FORCE and each policy as
/// DROP POLICY IF EXISTS + CREATE POLICY, one file per table so a table's policies can be
/// restored alone.
class RlsPoliciesExporter final : public Exporter
{
public:
    QString name() const override { return Component::RlsPolicies; }
    void run(BackupContext &ctx, ComponentResult &r) override;
};

} // namespace lifeboat
