#pragma once

#include "Exporter.h"

namespace lifeboat {

/// `encryption`: installed extensions, the functions that call pgcrypto, pgsodium or vault,
/// the number of vault secrets (they need the vault key, which is not in the database), and
/// secret database settings such as app.settings.jwt_secret (a secret file).
class EncryptionExporter final : public Exporter
{
public:
    QString name() const override { return Component::Encryption; }
    void run(BackupContext &ctx, ComponentResult &r) override;
};

} // namespace lifeboat
