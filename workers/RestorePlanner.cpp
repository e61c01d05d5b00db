#include "RestorePlanner.h"

#include "restore/Planner.h"

namespace lifeboat {

RestorePlan RestorePlanner::plan(const RestoreInventory &inventory, const RestoreSelection &selection,
                                 const RestoreTarget &target, const RestoreOptions &options, const TargetState &state)
{
    return restore::Planner(inventory, selection, target, options, state).run();
}

} // namespace lifeboat
