#pragma once

#include "Credentials.h"
#include "PgConnection.h"

namespace lifeboat {

/// A connection opened with the first credential that worked, and that credential (so child
/// processes can be given the same one through a password file).
struct OpenedConnection
{
    PgConnection connection;
    /// Empty when the server asked for none; the one libpq found itself (PGPASSWORD, a
    /// password file) when none was given.
    std::optional<QString> password;
};

OpenedConnection openWithCredentials(const ConnectionInfo &info, const Credentials &credentials,
                                     int timeoutSeconds, const QString &applicationName = QStringLiteral("lifeboat"));

/// True when a failed connection was refused for its credentials.
bool isAuthFailure(const PgConnection &conn);

} // namespace lifeboat
