#pragma once

#include "Result.h"
#include "Stack.h"

#include <QStringList>

#include <optional>

namespace lifeboat {

/// The password to try for a stack: one from the keychain, or none (libpq then uses
/// PGPASSWORD / PGPASSFILE / ~/.pgpass), plus fallbacks tried only when the server asks
/// for a password that libpq did not have (Supabase's documented local default).
struct Credentials
{
    std::optional<QString> password;
    QStringList fallbacks;

    static Credentials forStack(const Stack &stack, const std::optional<QString> &stored);
};

/// Parses a libpq URL or key=value string ("postgresql://user@host:5432/db"). A password in it
/// is handed back separately; the ConnectionInfo never holds one.
Result<ConnectionInfo> parseConnectionString(const QString &dsn, std::optional<QString> *password);

} // namespace lifeboat
