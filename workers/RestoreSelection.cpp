// "--only" words and checklist ids into a selection.
#include "RestorePlanner.h"

#include <QHash>

namespace lifeboat {

Result<RestoreSelection> RestorePlanner::parseSelection(const RestoreInventory &inv, const QStringList &words)
{
    // Component words pick every item of their kinds.
    static const QHash<QString, QList<RestoreKind>> components{
        {QStringLiteral("database"), {RestoreKind::Schema}},
        {QStringLiteral("tables"), {RestoreKind::Table}},
        {QStringLiteral("roles"), {RestoreKind::Roles}},
        {QStringLiteral("settings"), {RestoreKind::DatabaseSettings}},
        {QStringLiteral("users"), {RestoreKind::User}},
        {QStringLiteral("auth_users"), {RestoreKind::User}},
        {QStringLiteral("policies"), {RestoreKind::Policies}},
        {QStringLiteral("rls_policies"), {RestoreKind::Policies}},
        {QStringLiteral("functions"), {RestoreKind::Function}},
        {QStringLiteral("encryption"), {RestoreKind::Encryption}},
        {QStringLiteral("user_roles"), {RestoreKind::RoleAssignments}},
        {QStringLiteral("role_assignments"), {RestoreKind::RoleAssignments}},
        {QStringLiteral("migrations"), {RestoreKind::MigrationHistory, RestoreKind::Migration}},
        {QStringLiteral("migration_history"), {RestoreKind::MigrationHistory}},
        {QStringLiteral("edge_functions"), {RestoreKind::EdgeFunction}},
        {QStringLiteral("storage"), {RestoreKind::Bucket}},
        {QStringLiteral("buckets"), {RestoreKind::Bucket}},
        {QStringLiteral("config"), {RestoreKind::ConfigFile}},
    };
    RestoreSelection sel;
    QStringList unknown;
    for (QString w : words) {
        w = w.trimmed();
        if (w.isEmpty())
            continue;
        bool dataOnly = false;
        if (w.startsWith(QLatin1String("data:"))) {
            dataOnly = true;
            w = QStringLiteral("table:") + w.mid(5);
        }
        if (w == QLatin1String("database"))
            sel.wholeArchive = true;
        if (components.contains(w)) {
            for (RestoreKind k : components.value(w))
                for (const RestoreItem &i : inv.itemsOf(k))
                    if (!sel.items.contains(i.id()))
                        sel.items << i.id();
            continue;
        }
        if (!inv.item(w)) {
            unknown << w;
            continue;
        }
        if (!sel.items.contains(w))
            sel.items << w;
        if (dataOnly)
            sel.dataOnly << w.mid(6);
    }
    if (!unknown.isEmpty())
        return Error{QStringLiteral("This backup has nothing called %1. Items look like table:public.todos, "
                                    "user:ann@example.com, policies:public.todos, function:public.my_fn, "
                                    "edge_function:hello, migration:20240101120000, bucket:avatars; components: "
                                    "%2. See lifeboat-cli restore BACKUP --list.")
                         .arg(unknown.join(QStringLiteral(", ")), QStringList(components.keys()).join(QStringLiteral(", ")))};
    if (sel.items.isEmpty())
        return Error{QStringLiteral("Nothing picked: the backup has none of %1.").arg(words.join(QStringLiteral(", ")))};
    return sel;
}

} // namespace lifeboat
