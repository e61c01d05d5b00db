#include "BackupTypes.h"

#include <QCoreApplication>

namespace lifeboat {

QStringList Component::all()
{
    return {Database, Roles, AuthUsers, UserRoles, RlsPolicies, Functions,
            Encryption, Migrations, EdgeFunctions, Storage, DataCsv, Config};
}

QString Component::describe(const QString &name)
{
    auto tr = [](const char *s) { return QCoreApplication::translate("Component", s); };
    if (name == Database)
        return tr("Whole database: custom-format dump, plain SQL and table of contents");
    if (name == Roles)
        return tr("PostgreSQL roles, database settings and database grants");
    if (name == AuthUsers)
        return tr("Auth users with their password hashes, and their identities");
    if (name == UserRoles)
        return tr("Role-assignment tables, role memberships and table grants");
    if (name == RlsPolicies)
        return tr("Row-level security: every policy, per table");
    if (name == Functions)
        return tr("Functions and procedures (RPC) with their grants");
    if (name == Encryption)
        return tr("Extensions, encryption functions, vault and secret settings");
    if (name == Migrations)
        return tr("Migration files, migration history and a drift report");
    if (name == EdgeFunctions)
        return tr("Edge function sources");
    if (name == Storage)
        return tr("Storage buckets and objects, and the files where reachable");
    if (name == DataCsv)
        return tr("Every table as CSV");
    if (name == Config)
        return tr("config.toml, seed.sql and other project files");
    return name;
}

QString ComponentResult::statusKey(Status s)
{
    switch (s) {
    case Status::Ok: return QStringLiteral("ok");
    case Status::Skipped: return QStringLiteral("skipped");
    case Status::Failed: return QStringLiteral("failed");
    case Status::Cancelled: return QStringLiteral("cancelled");
    }
    return QStringLiteral("failed");
}

ComponentResult::Status ComponentResult::statusFromKey(const QString &key)
{
    if (key == QLatin1String("ok"))
        return Status::Ok;
    if (key == QLatin1String("skipped"))
        return Status::Skipped;
    if (key == QLatin1String("cancelled"))
        return Status::Cancelled;
    return Status::Failed;
}

QString outcomeKey(BackupOutcome outcome)
{
    switch (outcome) {
    case BackupOutcome::Complete: return QStringLiteral("complete");
    case BackupOutcome::Failed: return QStringLiteral("failed");
    case BackupOutcome::Cancelled: return QStringLiteral("cancelled");
    }
    return QStringLiteral("failed");
}

} // namespace lifeboat
