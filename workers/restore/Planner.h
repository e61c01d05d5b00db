#pragma once

// The restore planner's working state: one Planner per plan. Internal to RestorePlanner.

#include "PlanSql.h"
#include "RestoreInventory.h"
#include "RestorePlanner.h"
#include "RestoreTypes.h"

#include <QFileInfo>
#include <QHash>
#include <QMap>
#include <QSet>

namespace lifeboat::restore {

class Planner
{
public:
    Planner(const RestoreInventory &inv, const RestoreSelection &sel, const RestoreTarget &target,
            const RestoreOptions &opt, const TargetState &st)
        : inv(inv), toc(inv.toc), sel(sel), opt(opt), st(st)
    {
        plan.backupPath = inv.path;
        plan.backupLabel = QStringLiteral("%1 %2").arg(inv.manifest.stackId, QFileInfo(inv.path).fileName());
        plan.target = target;
        plan.options = opt;
        plan.superuser = st.superuser;
        plan.connectingRole = st.role;
        newDatabase = target.kind == RestoreTarget::Kind::NewDatabase;
    }

    RestorePlan run();

private:
    bool exists(int id) const { return st.existingEntries.contains(id); }
    bool tableExists(const ArchiveEntry &t) const
    {
        return !newDatabase && st.existingTables.contains(t.qualifiedName());
    }
    void addAttached(int id);
    void addDefinition(int id, const QString &why);
    void addTable(const ArchiveEntry &t, bool dataOnly, const QString &why);
    void addTableDefinition(const ArchiveEntry &t, const QString &why);
    /// A picked table with its partitions (or inheriting tables), which hold its rows.
    void addTableFamily(const ArchiveEntry &t, bool dataOnly, const QString &why);
    QList<const ArchiveEntry *> childTables(const ArchiveEntry &t) const;
    /// (index or key of `t`, entry of `desc` that depends on it), say its foreign keys' users.
    QList<std::pair<const ArchiveEntry *, const ArchiveEntry *>> onKeysOf(const ArchiveEntry &t,
                                                                          const QString &desc) const;
    void leaveIndexesToAttach();
    void addData(const ArchiveEntry &t);
    QList<int> ownedSequences(const ArchiveEntry &t) const;
    const ArchiveEntry *tableOf(const ArchiveEntry &e) const;
    const ArchiveEntry *ownerTable(const ArchiveEntry &part) const;
    void addCrossParts();
    void closeOverDependencies();
    void note(const QString &why, const QString &what) { closureCounts[why][what] += 1; }
    void unnote(const QString &why, const QString &what)
    {
        if (auto it = closureCounts.find(why); it != closureCounts.end() && it->value(what) > 0 && --(*it)[what] == 0) {
            it->remove(what);
            if (it->isEmpty())
                closureCounts.erase(it);
        }
    }
    bool picked(const QString &table) const { return restoredTables.contains(table); }
    void addSqlStep(const QString &phase, const QString &title, const QStringList &touches, const QString &script,
                    qint64 weight = 1);
    void collectPicked();
    void resolveTableConflicts();
    void decideOwnership();
    void resolveRowConflicts();
    void addWarnings();
    void buildSteps();
    void addRoleStep();
    void addFileSteps();

    const RestoreInventory &inv;
    const ArchiveToc &toc;
    const RestoreSelection &sel;
    const RestoreOptions &opt;
    const TargetState &st;
    RestorePlan plan;
    bool newDatabase = false;

    QSet<int> defs;       ///< schema entries to restore
    QSet<int> dataIds;    ///< data entries to restore
    QSet<QString> restoredTables;
    QSet<QString> definitionOnly; ///< created for picked rows (users), without the table's data
    QStringList replacedTables, truncatedTables, appendedTables, skippedTables;
    QList<int> droppedFks;
    QMap<QString, QMap<QString, int>> closureCounts; ///< why -> what -> count
    QSet<QString> neededRoles;

    // What was picked, by kind (tables and schemas go straight into defs/dataIds).
    QList<RestoreItem> users, policies, functions, migrations, edgeFunctions, buckets, configFiles;
    bool roles = false, settings = false, encryption = false, roleAssignments = false, history = false;
    RoleStatements roleFile;
    bool noAcl = false;                  ///< grants left out: their roles cannot be created here
    QSet<QString> pickedUserIds;
    QHash<QString, QString> policyText;  ///< policies file per table, minus what is skipped
    QList<RestoreItem> functionsToRun;
};

} // namespace lifeboat::restore
