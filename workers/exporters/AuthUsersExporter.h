#pragma once

#include "Exporter.h"

namespace lifeboat {

/// `auth_users`: auth.users and auth.identities as restorable SQL (insert or update by id,
/// never the generated columns; bcrypt hashes byte-identical), the auth server's migration
/// versions, and a warning naming users who have no identity.
class AuthUsersExporter final : public Exporter
{
public:
    QString name() const override { return Component::AuthUsers; }
    void run(BackupContext &ctx, ComponentResult &r) override;
};

} // namespace lifeboat
