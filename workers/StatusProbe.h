#pragma once

#include "Stack.h"
#include "StackStatus.h"

#include <QFuture>
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

/// Finds out whether a stack's database is up, with a short timeout. Blocking in `check`;
/// `probe` runs it on the thread pool so a GUI never waits on the network.
class StatusProbe
{
public:
    static constexpr int DefaultTimeoutSeconds = 3;

    static StackStatus check(const ConnectionInfo &info,
                             const Credentials &credentials,
                             int wantedMajorVersion,
                             int timeoutSeconds = DefaultTimeoutSeconds);

    static QFuture<StackStatus> probe(const ConnectionInfo &info,
                                      const Credentials &credentials,
                                      int wantedMajorVersion,
                                      int timeoutSeconds = DefaultTimeoutSeconds);
};

} // namespace lifeboat
