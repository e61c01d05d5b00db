#pragma once

#include "Credentials.h"
#include "Stack.h"
#include "StackStatus.h"

#include <QFuture>

namespace lifeboat {

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
