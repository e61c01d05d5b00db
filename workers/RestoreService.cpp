#include "RestoreService.h"

#include "ConnectionOpener.h"
#include "RestorePlanner.h"
#include "WorkerThreads.h"

#include <QtConcurrent/QtConcurrentRun>

namespace lifeboat {

QFuture<Result<InventoryPtr>> RestoreService::loadInventory(const QString &backupPath)
{
    return QtConcurrent::run(WorkerThreads::pool(), [backupPath]() -> Result<InventoryPtr> {
        std::atomic_bool never{false};
        auto inv = RestoreInventory::load(backupPath, never);
        if (!inv)
            return Error{inv.error()};
        return InventoryPtr(std::make_shared<RestoreInventory>(std::move(inv).value()));
    });
}

QFuture<Result<RestorePlan>> RestoreService::plan(const PlanInput &input)
{
    return QtConcurrent::run(WorkerThreads::pool(), [input]() -> Result<RestorePlan> {
        if (!input.inventory)
            return Error{QStringLiteral("No backup loaded.")};
        ConnectionInfo server = input.target.connection();
        if (input.target.kind == RestoreTarget::Kind::NewDatabase) {
            if (input.target.newDatabase.trimmed().isEmpty())
                return Error{QStringLiteral("Give the new database a name.")};
            server.database = input.target.stack.connection.database;
        }
        OpenedConnection opened = openWithCredentials(server, input.credentials, 10, QStringLiteral("lifeboat-restore-plan"));
        if (!opened.connection.isOpen())
            return Error{QStringLiteral("Cannot connect to the target %1 as %2: %3%4")
                             .arg(server.displayAddress(), server.user, opened.connection.errorMessage(),
                                  isAuthFailure(opened.connection)
                                      ? QStringLiteral(" Save the right password for this stack, or put it in ~/.pgpass.")
                                      : QStringLiteral(" Is the stack running?"))};
        opened.connection.exec(QStringLiteral("SET search_path = pg_catalog"));
        auto state = RestorePlanner::probe(opened.connection, *input.inventory, input.target);
        if (!state)
            return Error{state.error()};
        return RestorePlanner::plan(*input.inventory, input.selection, input.target, input.options, state.value());
    });
}

Result<RestoreSelection> RestoreService::parseSelection(const RestoreInventory &inventory, const QStringList &words)
{
    return RestorePlanner::parseSelection(inventory, words);
}

RestoreTarget RestoreService::targetFor(const InventoryPtr &inventory, const Stack &stack)
{
    RestoreTarget t;
    t.stack = stack;
    const bool same = inventory && (inventory->manifest.stackId == stack.id
                                    || (inventory->manifest.host == stack.connection.host
                                        && inventory->manifest.port == stack.connection.port
                                        && inventory->manifest.database == stack.connection.database));
    t.kind = same ? RestoreTarget::Kind::InPlace : RestoreTarget::Kind::OtherStack;
    return t;
}

} // namespace lifeboat
