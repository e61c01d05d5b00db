#pragma once

#include <QStringList>

namespace lifeboat {
class StackService;
}

namespace lifeboat::cli {

/// `lifeboat-cli stacks [--scan DIR]... [--json]`: every known stack and whether it is up.
/// Finishes by calling QCoreApplication::exit().
void runStacks(StackService *service, const QStringList &scanRoots, bool json);

/// `lifeboat-cli profile add|remove ...`: manages plain PostgreSQL profiles.
void runProfile(StackService *service, const QStringList &arguments);

} // namespace lifeboat::cli
