#pragma once

#include "Credentials.h"
#include "RestoreInventory.h"
#include "RestoreRunner.h"
#include "RestoreTypes.h"
#include "Result.h"

#include <QFuture>

#include <memory>

namespace lifeboat {

using InventoryPtr = std::shared_ptr<const RestoreInventory>;

/// What the planner needs: the backup's inventory, the choices, and how to reach the target.
struct PlanInput
{
    InventoryPtr inventory;
    RestoreSelection selection;
    RestoreTarget target;
    RestoreOptions options;
    Credentials credentials;
};

/// The restore facade for the window and the CLI: everything off the caller's thread.
class RestoreService
{
public:
    /// Reads what a backup offers (its manifest and the archive's table of contents).
    static QFuture<Result<InventoryPtr>> loadInventory(const QString &backupPath);
    /// Connects to the target, reads what is there, and plans. Read-only.
    static QFuture<Result<RestorePlan>> plan(const PlanInput &input);
    /// The target a stack gives for a backup: in place when it is the stack the backup was
    /// taken from, else another stack.
    /// "--only" words and the wizard's checks: components (`users`, ...) and items (`table:public.x`).
    static Result<RestoreSelection> parseSelection(const RestoreInventory &inventory, const QStringList &words);
    static RestoreTarget targetFor(const InventoryPtr &inventory, const Stack &stack);
    static std::shared_ptr<RestoreJob> run(RestoreRun run) { return RestoreRunner::start(std::move(run)); }
};

} // namespace lifeboat
