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
/// Writes `password` for `info`'s host, port and user (any database) into a 0600 password file
/// in the private folder `dir`, for child tools (PGPASSFILE): never on a command line.
Result<QString> writePasswordFile(const QString &dir, const ConnectionInfo &info, const QString &password);

Result<ConnectionInfo> parseConnectionString(const QString &dsn, std::optional<QString> *password);

} // namespace lifeboat
