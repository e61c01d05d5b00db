#pragma once

#include "Exporter.h"

namespace lifeboat {

/// `user_roles`: the application's role-assignment tables (tables in app schemas whose name
/// matches the request's patterns, by default `%role%`) as CSV and SQL, PostgreSQL role
/// memberships, and table grants as a readable matrix plus SQL.
class UserRolesExporter final : public Exporter
{
public:
    QString name() const override { return Component::UserRoles; }
    void run(BackupContext &ctx, ComponentResult &r) override;

    /// Schemas that Supabase manages; everything else that is not a catalog is an app schema.
    static QString managedSchemasSql();
};

} // namespace lifeboat
