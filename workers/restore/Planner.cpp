// The planner's decisions: what was picked, table and row conflicts, ownership, warnings.
// The closure is in PlannerClosure.cpp, the ordered steps in PlannerSteps.cpp.
#include "Planner.h"

#include <QMap>
#include <QRegularExpression>
#include <QSet>

namespace lifeboat::restore {

RestorePlan Planner::run()
{
    collectPicked();
    closeOverDependencies();
    addCrossParts();
    closeOverDependencies();
    leaveIndexesToAttach();
    resolveTableConflicts();
    decideOwnership();
    resolveRowConflicts();
    addWarnings();
    buildSteps();
    return plan;
}

// What was picked: tables and schemas straight into the archive sets, the rest by kind.
void Planner::collectPicked()
{
    // What was picked.
    QSet<QString> dataOnly(sel.dataOnly.begin(), sel.dataOnly.end());
    for (const QString &id : sel.items) {
        const RestoreItem *item = inv.item(id);
        if (!item) {
            plan.blockers << QStringLiteral("%1 is not in this backup.").arg(id);
            continue;
        }
        plan.picked << *item;
        switch (item->kind) {
        case RestoreKind::Roles: roles = true; break;
        case RestoreKind::DatabaseSettings: settings = true; break;
        case RestoreKind::Encryption: encryption = true; break;
        case RestoreKind::RoleAssignments: roleAssignments = true; break;
        case RestoreKind::MigrationHistory: history = true; break;
        case RestoreKind::User: users << *item; break;
        case RestoreKind::Policies: policies << *item; break;
        case RestoreKind::Function: functions << *item; break;
        case RestoreKind::Migration: migrations << *item; break;
        case RestoreKind::EdgeFunction: edgeFunctions << *item; break;
        case RestoreKind::Bucket: buckets << *item; break;
        case RestoreKind::ConfigFile: configFiles << *item; break;
        case RestoreKind::Table:
            if (const ArchiveEntry *t = toc.find(QStringLiteral("TABLE"), item->key.section(u'.', 0, 0),
                                                 item->key.section(u'.', 1)))
                addTableFamily(*t, dataOnly.contains(item->key), QString());
            break;
        case RestoreKind::Schema:
            for (const ArchiveEntry &e : toc.entries()) {
                if (e.schema != item->key && !(e.desc == QLatin1String("SCHEMA") && e.tag == item->key))
                    continue;
                if (e.desc == QLatin1String("TABLE")) {
                    addTableFamily(e, false, QString());
                } else if (e.desc == QLatin1String("SEQUENCE SET")) {
                    if (const ArchiveEntry *seq = toc.find(QStringLiteral("SEQUENCE"), e.schema, e.tag); seq && !exists(seq->id))
                        dataIds.insert(e.id);
                } else if (e.desc == QLatin1String("MATERIALIZED VIEW DATA")) {
                    dataIds.insert(e.id);
                } else if (!e.isData() && !AttachedDescs.contains(e.desc) && !TablePartDescs.contains(e.desc)
                           && !(PullableDescs.contains(e.desc) && exists(e.id))) {
                    addDefinition(e.id, QString()); // types, functions, views and their rules, ...
                }
            }
            break;
        }
    }
    if (sel.wholeArchive) {
        // Objects outside any schema: extensions, event triggers, publications, ...
        for (const ArchiveEntry &e : toc.entries())
            if (e.schema.isEmpty() && e.isData())
                dataIds.insert(e.id); // large objects
            else if (e.schema.isEmpty() && !AttachedDescs.contains(e.desc) && e.desc != QLatin1String("SCHEMA") && !exists(e.id))
                addDefinition(e.id, QString());
    }
    if (!st.databaseExists && !newDatabase)
        plan.blockers << QStringLiteral("The target database does not exist.");
    if (newDatabase && st.databaseExists)
        plan.blockers << QStringLiteral("A database called %1 exists already on this server: pick another name, or restore "
                                        "into it as another stack.")
                             .arg(plan.target.newDatabase);

    // Users need auth.users (and identities) in the target.
    if (!users.isEmpty() && !st.hasAuthUsers) {
        for (const char *name : {"users", "identities"})
            if (const ArchiveEntry *t = toc.find(QStringLiteral("TABLE"), QStringLiteral("auth"), QLatin1String(name)))
                if (!picked(t->qualifiedName())) {
                    definitionOnly.insert(t->qualifiedName()); // the picked users' rows only
                    addTableDefinition(*t, QStringLiteral("because users are restored"));
                    note(QStringLiteral("because users are restored"), QStringLiteral("table"));
                }
        if (!toc.find(QStringLiteral("TABLE"), QStringLiteral("auth"), QStringLiteral("users")))
            plan.blockers << QStringLiteral("The target has no auth.users table and the backup has no definition of it.");
    }
    // Policies need their table.
    for (const RestoreItem &p : policies) {
        const bool tableThere = st.existingTables.contains(p.key) && !newDatabase;
        if (!tableThere && !picked(p.key)) {
            if (const ArchiveEntry *t = toc.find(QStringLiteral("TABLE"), p.key.section(u'.', 0, 0), p.key.section(u'.', 1)))
                addTable(*t, false, QStringLiteral("because its policies were picked"));
            else
                plan.blockers << QStringLiteral("The policies of %1 need that table, which is neither in the target nor in "
                                                "the backup.")
                                     .arg(p.key);
        }
    }

}

// Tables already in the target, and what replacing them takes along.
void Planner::resolveTableConflicts()
{
    // Conflicts.
    if (!replacedTables.isEmpty())
        plan.conflicts << RestoreConflict{QStringLiteral("tables"), replacedTables,
                                          QStringLiteral("dropped and restored from the backup")};
    if (!truncatedTables.isEmpty())
        plan.conflicts << RestoreConflict{QStringLiteral("tables"), truncatedTables,
                                          QStringLiteral("emptied and reloaded from the backup")};
    if (!appendedTables.isEmpty())
        plan.conflicts << RestoreConflict{QStringLiteral("tables"), appendedTables,
                                          QStringLiteral("the backup's rows added; rows with an existing key kept as they are")};
    if (!skippedTables.isEmpty())
        plan.conflicts << RestoreConflict{QStringLiteral("tables"), skippedTables, QStringLiteral("left as they are")};
    for (const QString &t : replacedTables) {
        for (const QStringList &dep : st.dropDependents.value(t)) {
            // DROP ... CASCADE takes views and functions with it: bring them back from the archive.
            const ArchiveEntry *e = toc.find(dep.at(0), dep.at(1), dep.at(2));
            if (!e && dep.at(0) == QLatin1String("FUNCTION"))
                e = toc.find(QStringLiteral("PROCEDURE"), dep.at(1), dep.at(2));
            if (!e) {
                plan.warnings << QStringLiteral("Replacing %1 drops the %2 %3.%4, which is not in the backup: re-create it "
                                                "by hand afterwards.")
                                     .arg(t, dep.at(0).toLower(), dep.at(1), dep.at(2));
                continue;
            }
            if (!defs.contains(e->id)) {
                addDefinition(e->id, QStringLiteral("because %1 is replaced").arg(t));
                if (e->desc == QLatin1String("MATERIALIZED VIEW"))
                    if (const ArchiveEntry *data
                        = toc.find(QStringLiteral("MATERIALIZED VIEW DATA"), e->schema, e->tag))
                        dataIds.insert(data->id); // REFRESH, after the tables' rows
                for (int d : toc.dependents(e->id))
                    if (const ArchiveEntry *rule = toc.entry(d); rule && rule->desc == QLatin1String("RULE"))
                        addDefinition(d, QString());
            }
        }
        for (const QString &c : st.fkChildren.value(t)) {
            if (picked(c))
                continue;
            // The archive's foreign keys from other tables to this one are re-created below.
            bool inArchive = false;
            for (const ArchiveEntry &e : toc.entries())
                if (e.desc == QLatin1String("FK CONSTRAINT") && e.tag.startsWith(c.section(u'.', 1) + u' ')
                    && e.schema == c.section(u'.', 0, 0))
                    inArchive = true;
            if (!inArchive)
                plan.warnings << QStringLiteral("Replacing %1 drops the foreign key of %2 that refers to it.").arg(t, c);
        }
    }
    // Foreign keys of other tables that point at a replaced table: DROP ... CASCADE removes them.
    for (const QString &t : replacedTables) {
        const ArchiveEntry *table = toc.find(QStringLiteral("TABLE"), t.section(u'.', 0, 0), t.section(u'.', 1));
        if (!table)
            continue;
        for (const auto &[key, fk] : onKeysOf(*table, QStringLiteral("FK CONSTRAINT"))) {
            if (defs.contains(fk->id))
                continue;
            const ArchiveEntry *child = tableOf(*fk);
            if (child && (tableExists(*child) || picked(child->qualifiedName()))) {
                defs.insert(fk->id);
                note(QStringLiteral("because %1 is replaced").arg(t), QStringLiteral("foreign key"));
            }
        }
    }
}

// Owners kept or not, roles the restored objects need, grants to missing roles.
void Planner::decideOwnership()
{
    // Ownership.
    QMap<QString, QStringList> ownedBy;
    QList<int> ordered;
    for (const ArchiveEntry &e : toc.entries())
        if (defs.contains(e.id))
            ordered << e.id;
    for (int id : ordered) {
        const ArchiveEntry *e = toc.entry(id);
        if (!e->owner.isEmpty() && !AttachedDescs.contains(e->desc))
            ownedBy[e->owner] << e->display();
    }
    bool canKeep = st.superuser;
    if (!canKeep) {
        canKeep = true;
        for (auto it = ownedBy.cbegin(); it != ownedBy.cend(); ++it)
            if (it.key() != st.role && !st.roles.value(it.key(), false))
                canKeep = false;
    }
    roleFile = parseRoles(readText(inv.absolutePath(QStringLiteral("roles/roles.sql"))));
    switch (opt.owners) {
    case OwnerHandling::NoOwners: plan.keepOwners = false; break;
    case OwnerHandling::KeepOwners:
        plan.keepOwners = true;
        if (!canKeep)
            plan.blockers << QStringLiteral("%1 cannot give objects to other owners (it is not a superuser nor a member "
                                            "of every owning role). Connect as a superuser or let Lifeboat restore "
                                            "without owners.")
                                 .arg(st.role);
        break;
    case OwnerHandling::Auto: plan.keepOwners = canKeep; break;
    }
    if (plan.keepOwners) {
        for (auto it = ownedBy.cbegin(); it != ownedBy.cend(); ++it)
            if (!st.roles.contains(it.key()))
                neededRoles.insert(it.key());
    } else {
        for (auto it = ownedBy.cbegin(); it != ownedBy.cend(); ++it)
            if (it.key() != st.role)
                for (const QString &o : it.value())
                    plan.ownersNotSet << QStringLiteral("%1 (owner %2)").arg(o, it.key());
    }
    // Grantees the target lacks.
    noAcl = false;
    QStringList missingGrantees;
    for (int id : ordered) {
        const ArchiveEntry *e = toc.entry(id);
        if (e->desc != QLatin1String("ACL"))
            continue;
        for (const QString &g : grantees(e->sql))
            if (!st.roles.contains(g) && !missingGrantees.contains(g))
                missingGrantees << g;
    }
    for (const QString &g : missingGrantees) {
        if (st.superuser && roleFile.byRole.contains(g))
            neededRoles.insert(g);
    }
    for (const QString &g : missingGrantees) {
        if (!neededRoles.contains(g)) {
            noAcl = true;
            plan.warnings << QStringLiteral("Role %1 is missing in the target and cannot be created here: grants are not "
                                            "restored for the picked objects.")
                                 .arg(g);
        }
    }
    for (const QString &r : neededRoles) {
        if (!roleFile.byRole.contains(r)) {
            plan.blockers << QStringLiteral("Role %1 owns restored objects but exists neither in the target nor in the "
                                            "backup's roles.sql.")
                                 .arg(r);
        } else if (!roles) {
            note(QStringLiteral("because restored objects need them"), QStringLiteral("role"));
        }
    }
    if (roles && !st.superuser) {
        QStringList missing;
        for (auto it = roleFile.byRole.cbegin(); it != roleFile.byRole.cend(); ++it)
            if (!st.roles.contains(it.key()))
                missing << it.key();
        if (!missing.isEmpty())
            plan.blockers << QStringLiteral("Creating the roles %1 needs a superuser; %2 is not one. Unpick the roles or "
                                            "connect as a superuser (on Supabase: supabase_admin).")
                                 .arg(missing.join(QStringLiteral(", ")), st.role);
        else
            plan.warnings << QStringLiteral("Every role of the backup exists in the target; %1 is not a superuser, so "
                                            "they are left as they are.")
                                 .arg(st.role);
        roles = false;
    }

    if (!truncatedTables.isEmpty() && !st.superuser) {
        // A superuser empties with DELETE while foreign-key triggers are off and checks the
        // keys afterwards; anyone else needs TRUNCATE, which refuses referenced tables.
        for (const QString &t : truncatedTables)
            for (const QString &c : st.fkChildren.value(t))
                if (!truncatedTables.contains(c))
                    plan.blockers << QStringLiteral("%1 cannot be emptied: %2 refers to it with a foreign key. Pick %2 too "
                                                    "or choose \"replace\".")
                                         .arg(t, c);
    }
    if (!appendedTables.isEmpty())
        plan.warnings << QStringLiteral("Appending keeps the target's sequences: check them if new rows are inserted later.");
    // Rows go into the target's definition as it is: its columns must take them.
    for (const QString &t : truncatedTables + appendedTables) {
        const ArchiveEntry *table = toc.find(QStringLiteral("TABLE"), t.section(u'.', 0, 0), t.section(u'.', 1));
        const QStringList backup = table ? copiedColumns(*table) : QStringList();
        if (backup.isEmpty() || !st.columns.contains(t))
            continue;
        QStringList missing, required;
        for (const QString &c : backup)
            if (!st.columns.value(t).contains(c))
                missing << c;
        for (const QString &c : st.requiredColumns.value(t))
            if (!backup.contains(c))
                required << c;
        if (!missing.isEmpty())
            plan.blockers << QStringLiteral("%1 in the target has no column %2, which the backup's rows have (a "
                                            "migration since the backup dropped or renamed it?): replace the table "
                                            "instead of loading its rows, or add the column first.")
                                 .arg(t, missing.join(QStringLiteral(", ")));
        if (!required.isEmpty())
            plan.blockers << QStringLiteral("%1 in the target has a column %2 that must be filled and has no default, "
                                            "which the backup's rows lack: replace the table instead of loading its "
                                            "rows, or give the column a default first.")
                                 .arg(t, required.join(QStringLiteral(", ")));
    }
}

// Users, policies, functions and buckets already in the target.
void Planner::resolveRowConflicts()
{
    QStringList existingUsers, existingPolicies, existingFunctions, existingBuckets;
    for (const RestoreItem &u : users) {
        for (const RowStatement &r : inv.userRows) {
            if (r.table != QLatin1String("auth.users"))
                continue;
            const QString id = r.row.value(QStringLiteral("id")).toString();
            const QString email = r.row.value(QStringLiteral("email")).toString();
            if (email == u.key || id == u.key) {
                pickedUserIds.insert(id);
                if (!newDatabase && st.existingUserIds.contains(id))
                    existingUsers << u.key;
            }
        }
    }
    const QString rowResolution = opt.rows == RowConflict::Replace ? QStringLiteral("replaced by the backup's")
                                                                    : QStringLiteral("left as they are");
    if (!existingUsers.isEmpty())
        plan.conflicts << RestoreConflict{QStringLiteral("users"), existingUsers, rowResolution};
    // Only an owner (or a superuser) may replace a function or a table's policies: what the
    // connecting role cannot touch is left out and named, instead of failing the transaction.
    auto canActAs = [&](const QString &owner) {
        return owner.isEmpty() || st.superuser || owner == st.role || st.roles.value(owner, false);
    };
    QStringList notOwned;
    for (const RestoreItem &p : QList<RestoreItem>(policies)) {
        const ArchiveEntry *t = toc.find(QStringLiteral("TABLE"), p.key.section(u'.', 0, 0), p.key.section(u'.', 1));
        if (!newDatabase && t && tableExists(*t) && !picked(p.key) && !canActAs(t->owner)) {
            notOwned << QStringLiteral("policies of %1 (owner %2)").arg(p.key, t->owner);
            policies.removeIf([&](const RestoreItem &i) { return i.key == p.key; });
        }
    }
    for (const RestoreItem &p : policies) {
        const QString text = readText(inv.absolutePath(QStringLiteral("rls_policies/%1.sql").arg(p.key)));
        QStringList kept;
        static const QRegularExpression name(QStringLiteral("^(?:CREATE|DROP) POLICY (?:IF EXISTS )?\"((?:[^\"]|\"\")+)\""));
        QString current;
        for (const QString &line : text.split(u'\n')) {
            const auto m = name.match(line);
            if (m.hasMatch())
                current = m.captured(1).replace(QStringLiteral("\"\""), QStringLiteral("\""));
            const bool there = !newDatabase && st.existingPolicies.contains(p.key + u'|' + current);
            if (m.hasMatch() && line.startsWith(QLatin1String("CREATE")) && there && !existingPolicies.contains(p.key + u' ' + current))
                existingPolicies << QStringLiteral("%1 on %2").arg(current, p.key);
            if (opt.rows == RowConflict::Skip && there && !current.isEmpty() && !line.startsWith(QLatin1String("ALTER TABLE")))
                continue; // the policy's statements, until the next policy
            if (line.startsWith(QLatin1String("ALTER TABLE")))
                current.clear();
            kept << line;
        }
        policyText.insert(p.key, kept.join(u'\n'));
    }
    if (!existingPolicies.isEmpty())
        plan.conflicts << RestoreConflict{QStringLiteral("policies"), existingPolicies, rowResolution};
    static const QRegularExpression functionOwner(QStringLiteral("^ALTER (?:FUNCTION|PROCEDURE) .* OWNER TO (\\S+);$"),
                                                  QRegularExpression::MultilineOption);
    for (const RestoreItem &f : functions) {
        if (!newDatabase && st.existingFunctions.contains(f.key)) {
            existingFunctions << f.key;
            if (opt.rows == RowConflict::Skip)
                continue;
            const auto m = functionOwner.match(readText(inv.absolutePath(QStringLiteral("functions/%1.sql").arg(f.key))));
            const QString owner = m.hasMatch() ? unquote(m.captured(1)) : QString();
            if (!canActAs(owner)) {
                notOwned << QStringLiteral("function %1 (owner %2)").arg(f.key, owner);
                continue;
            }
        }
        functionsToRun << f;
    }
    if (!existingFunctions.isEmpty())
        plan.conflicts << RestoreConflict{QStringLiteral("functions"), existingFunctions, rowResolution};
    if (!notOwned.isEmpty())
        plan.warnings << QStringLiteral("%1 cannot replace what other roles own; left as they are: %2. Restore them as a "
                                        "superuser (on Supabase: supabase_admin).")
                             .arg(st.role, notOwned.join(QStringLiteral(", ")));
    for (const RestoreItem &b : buckets)
        if (!newDatabase && st.existingBuckets.contains(b.key))
            existingBuckets << b.key;
    if (!existingBuckets.isEmpty())
        plan.conflicts << RestoreConflict{QStringLiteral("buckets"), existingBuckets, rowResolution};

}

// Supabase specifics, and the closure in words for a person.
void Planner::addWarnings()
{
    // Supabase specifics.
    bool authRows = !users.isEmpty();
    for (const QString &t : restoredTables)
        authRows = authRows || t.startsWith(QStringLiteral("auth."));
    if (authRows && !st.authMigrations.isEmpty() && !inv.authMigrations.isEmpty()
        && st.authMigrations != inv.authMigrations)
        plan.warnings << QStringLiteral("The target's auth schema is at migration %1, the backup's at %2: columns may "
                                        "differ; check the restored users can sign in.")
                             .arg(st.authMigrations.last(), inv.authMigrations.last());
    bool storageRows = !buckets.isEmpty();
    for (const QString &t : restoredTables)
        storageRows = storageRows || t.startsWith(QStringLiteral("storage."));
    if (storageRows && !st.storageMigrations.isEmpty() && !inv.storageMigrations.isEmpty()
        && st.storageMigrations != inv.storageMigrations)
        plan.warnings << QStringLiteral("The target's storage schema is at migration %1, the backup's at %2: columns may "
                                        "differ; check the restored buckets and objects.")
                             .arg(st.storageMigrations.last(), inv.storageMigrations.last());
    if (encryption || restoredTables.contains(QStringLiteral("vault.secrets")))
        plan.warnings << QStringLiteral("Vault secrets are encrypted with the source stack's key: they can only be read "
                                        "where that key (pgsodium root key) is the same.");
    if (!st.superuser && (!users.isEmpty() || !buckets.isEmpty()))
        plan.warnings << QStringLiteral("%1 is not a superuser: triggers on auth and storage tables fire while rows are "
                                        "restored (session_replication_role needs a superuser).")
                             .arg(st.role);

    // Closure notes for a person.
    for (auto it = closureCounts.cbegin(); it != closureCounts.cend(); ++it) {
        QStringList parts;
        for (auto c = it.value().cbegin(); c != it.value().cend(); ++c)
            parts << objectWords(c.key(), c.value());
        plan.closure << QStringLiteral("+%1 %2").arg(parts.join(QStringLiteral(", ")), it.key());
    }

}

} // namespace lifeboat::restore
