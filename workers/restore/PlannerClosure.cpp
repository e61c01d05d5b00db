// The closure of a selection: what a picked table, type or function brings with it
// (definitions, owned sequences, attached parts, cross-table parts, data) until nothing
// the plan needs is missing.
#include "Planner.h"

#include <algorithm>

namespace lifeboat::restore {

const ArchiveEntry *Planner::tableOf(const ArchiveEntry &e) const
{
    for (int d : e.deps)
        if (const ArchiveEntry *p = toc.entry(d); p && p->desc == QLatin1String("TABLE"))
            return p;
    return nullptr;
}

void Planner::addAttached(int id)
{
    for (int d : toc.dependents(id))
        if (const ArchiveEntry *e = toc.entry(d); e && AttachedDescs.contains(e->desc))
            defs.insert(d);
}

void Planner::addDefinition(int id, const QString &why)
{
    if (defs.contains(id))
        return;
    defs.insert(id);
    addAttached(id);
    if (!why.isEmpty())
        if (const ArchiveEntry *e = toc.entry(id))
            note(why, e->desc.toLower());
}

QList<int> Planner::ownedSequences(const ArchiveEntry &t) const
{
    QList<int> out;
    for (int d : toc.dependents(t.id)) {
        const ArchiveEntry *e = toc.entry(d);
        if (!e)
            continue;
        if (e->desc == QLatin1String("SEQUENCE OWNED BY") || e->desc == QLatin1String("SEQUENCE")) {
            for (int s : e->deps)
                if (const ArchiveEntry *seq = toc.entry(s); seq && seq->desc == QLatin1String("SEQUENCE"))
                    out << seq->id;
            if (e->desc == QLatin1String("SEQUENCE"))
                out << e->id; // identity column sequence, defined by ALTER TABLE
        }
    }
    return out;
}

const ArchiveEntry *Planner::ownerTable(const ArchiveEntry &part) const
{
    // Constraints, triggers, policies and defaults are tagged "<table> <name>".
    for (int d : part.deps) {
        const ArchiveEntry *t = toc.entry(d);
        if (t && t->desc == QLatin1String("TABLE") && t->schema == part.schema
            && (part.tag == t->tag || part.tag.startsWith(t->tag + u' ')))
            return t;
    }
    return tableOf(part);
}

void Planner::addTableDefinition(const ArchiveEntry &t, const QString &why)
{
    addDefinition(t.id, QString());
    for (int d : toc.dependents(t.id)) {
        const ArchiveEntry *e = toc.entry(d);
        if (!e || !TablePartDescs.contains(e->desc) || defs.contains(d))
            continue;
        // Another table's policy or foreign key that refers to this one comes along only
        // when that table is there too (see addCrossParts).
        const ArchiveEntry *owner = ownerTable(*e);
        if (owner && owner->id != t.id)
            continue;
        addDefinition(d, why);
    }
    for (int s : ownedSequences(t)) {
        if (!defs.contains(s))
            addDefinition(s, why);
        for (int d : toc.dependents(s))
            if (const ArchiveEntry *e = toc.entry(d); e && e->desc == QLatin1String("SEQUENCE OWNED BY"))
                defs.insert(d);
    }
}

void Planner::addCrossParts()
{
    for (const ArchiveEntry &t : toc.entries()) {
        if (t.desc != QLatin1String("TABLE") || !defs.contains(t.id))
            continue;
        for (int d : toc.dependents(t.id)) {
            const ArchiveEntry *e = toc.entry(d);
            if (!e || !TablePartDescs.contains(e->desc) || defs.contains(d))
                continue;
            const ArchiveEntry *owner = ownerTable(*e);
            if (!owner || owner->id == t.id)
                continue;
            if (picked(owner->qualifiedName()) || tableExists(*owner))
                addDefinition(d, QStringLiteral("because of ") + t.qualifiedName());
        }
    }
}

void Planner::addData(const ArchiveEntry &t)
{
    if (const ArchiveEntry *data = toc.find(QStringLiteral("TABLE DATA"), t.schema, t.tag))
        dataIds.insert(data->id);
    for (int s : ownedSequences(t))
        if (const ArchiveEntry *seq = toc.entry(s))
            if (const ArchiveEntry *set = toc.find(QStringLiteral("SEQUENCE SET"), seq->schema, seq->tag))
                dataIds.insert(set->id);
}

void Planner::addTable(const ArchiveEntry &t, bool dataOnly, const QString &why)
{
    const QString name = t.qualifiedName();
    if (restoredTables.contains(name))
        return;
    restoredTables.insert(name);
    if (!why.isEmpty())
        note(why, QStringLiteral("table"));
    const QString reason = QStringLiteral("because of ") + name;
    if (!tableExists(t)) {
        addTableDefinition(t, reason);
        addData(t);
        if (dataOnly)
            plan.warnings << QStringLiteral("%1 is not in the target: its definition is restored too.").arg(name);
        return;
    }
    TableConflict mode = opt.tables;
    if (dataOnly && mode == TableConflict::Replace)
        mode = TableConflict::Truncate; // data only: keep the target's definition
    switch (mode) {
    case TableConflict::Replace:
        replacedTables << name;
        addTableDefinition(t, reason);
        addData(t);
        break;
    case TableConflict::Truncate:
        truncatedTables << name;
        addData(t);
        break;
    case TableConflict::Append:
        appendedTables << name;
        if (const ArchiveEntry *data = toc.find(QStringLiteral("TABLE DATA"), t.schema, t.tag))
            dataIds.insert(data->id);
        break;
    case TableConflict::Skip:
        skippedTables << name;
        break;
    }
}

QList<std::pair<const ArchiveEntry *, const ArchiveEntry *>> Planner::onKeysOf(const ArchiveEntry &t,
                                                                               const QString &desc) const
{
    QList<std::pair<const ArchiveEntry *, const ArchiveEntry *>> out;
    for (int d : toc.dependents(t.id)) {
        const ArchiveEntry *key = toc.entry(d);
        if (!key || (key->desc != QLatin1String("CONSTRAINT") && key->desc != QLatin1String("INDEX")))
            continue;
        for (int o : toc.dependents(d))
            if (const ArchiveEntry *on = toc.entry(o); on && on->desc == desc)
                out.append(std::make_pair(key, on));
    }
    return out;
}

QList<const ArchiveEntry *> Planner::childTables(const ArchiveEntry &t) const
{
    QList<const ArchiveEntry *> out;
    for (int d : toc.dependents(t.id)) {
        const ArchiveEntry *e = toc.entry(d);
        if (!e)
            continue;
        if (e->desc == QLatin1String("TABLE ATTACH")) {
            // "ALTER TABLE ONLY parent ATTACH PARTITION part ...", tagged with the partition's name.
            if (const ArchiveEntry *part = ownerTable(*e); part && part->id != t.id)
                out << part;
        } else if (e->desc == QLatin1String("TABLE") && e->sql.contains(QLatin1String("\nINHERITS ("))) {
            out << e;
        }
    }
    return out;
}

void Planner::addTableFamily(const ArchiveEntry &t, bool dataOnly, const QString &why)
{
    const QString name = t.qualifiedName();
    if (picked(name))
        return;
    addTable(t, dataOnly, why);
    QSet<QString> inArchive;
    for (const ArchiveEntry *child : childTables(t)) {
        inArchive.insert(child->qualifiedName());
        addTableFamily(*child, dataOnly, QStringLiteral("that belong to ") + name);
    }
    if (!tableExists(t))
        return;
    for (const QString &child : st.childTables.value(name)) {
        if (inArchive.contains(child))
            continue;
        if (replacedTables.contains(name))
            plan.warnings << QStringLiteral("Replacing %1 drops %2, which belongs to it but is not in the backup, with "
                                            "its rows%3.")
                                 .arg(name,
                                      child,
                                      opt.safetyBackup ? QStringLiteral(" (the safety backup keeps them)") : QString());
        else if (truncatedTables.contains(name))
            plan.warnings
                << QStringLiteral("%1 belongs to %2 but is not in the backup: it keeps its rows.").arg(child, name);
    }
}

void Planner::leaveIndexesToAttach()
{
    // A partition attached to a table the target keeps gets that table's indexes and keys
    // from ATTACH PARTITION itself; the archive's copies of them would collide.
    for (const ArchiveEntry &attach : toc.entries()) {
        if (attach.desc != QLatin1String("TABLE ATTACH") || !defs.contains(attach.id))
            continue;
        const ArchiveEntry *part = ownerTable(attach);
        for (int p : attach.deps) {
            const ArchiveEntry *parent = toc.entry(p);
            if (!parent || !part || parent->id == part->id || parent->desc != QLatin1String("TABLE")
                || defs.contains(p))
                continue;
            for (const auto &[index, attachIndex] : onKeysOf(*part, QStringLiteral("INDEX ATTACH")))
                for (const ArchiveEntry *gone : {index, attachIndex})
                    if (defs.remove(gone->id))
                        unnote(QStringLiteral("because of ") + part->qualifiedName(), gone->desc.toLower());
        }
    }
}

void Planner::closeOverDependencies()
{
    bool changed = true;
    while (changed) {
        changed = false;
        QList<int> current(defs.begin(), defs.end());
        std::sort(current.begin(), current.end());
        for (int id : current) {
            const ArchiveEntry *e = toc.entry(id);
            if (!e || !defs.contains(id))
                continue;
            for (int d : e->deps) {
                const ArchiveEntry *dep = toc.entry(d);
                if (!dep)
                    continue;
                // A foreign key's parent is checked even when its definition is already planned:
                // a parent created empty (or with only picked rows) does not satisfy a full child.
                const bool fkParentRef = e->desc == QLatin1String("FK CONSTRAINT")
                                         && (dep->desc == QLatin1String("CONSTRAINT") || dep->desc == QLatin1String("INDEX")
                                             || dep->desc == QLatin1String("TABLE"));
                if (defs.contains(d) && !fkParentRef)
                    continue;
                const ArchiveEntry *self = e->desc == QLatin1String("FK CONSTRAINT") ? ownerTable(*e) : nullptr;
                if (e->desc == QLatin1String("FK CONSTRAINT")
                    && (dep->desc == QLatin1String("CONSTRAINT") || dep->desc == QLatin1String("INDEX")
                        || (dep->desc == QLatin1String("TABLE") && (!self || self->id != dep->id)))) {
                    const ArchiveEntry *parent = dep->desc == QLatin1String("TABLE") ? dep : tableOf(*dep);
                    if (!parent || picked(parent->qualifiedName()) || tableExists(*parent))
                        continue;
                    // Rows picked one by one (users and their identities) refer to each other only.
                    if (self && definitionOnly.contains(parent->qualifiedName())
                        && definitionOnly.contains(self->qualifiedName()))
                        continue;
                    if (opt.parents == MissingParents::Include) {
                        addTable(*parent, false, QStringLiteral("because the foreign key %1 needs it").arg(e->tag));
                    } else {
                        defs.remove(id);
                        droppedFks << id;
                        plan.warnings << QStringLiteral("Foreign key %1 is not restored: its parent table %2 is neither "
                                                        "picked nor in the target.")
                                             .arg(e->qualifiedName(), parent->qualifiedName());
                    }
                    changed = true;
                    break;
                }
                if (dep->desc == QLatin1String("TABLE") && e->desc != QLatin1String("TABLE DATA")) {
                    // A view, function or policy that reads a table missing from the target.
                    if (picked(dep->qualifiedName()) || tableExists(*dep) || definitionOnly.contains(dep->qualifiedName()))
                        continue;
                    addTable(*dep, false, QStringLiteral("because of %1").arg(e->qualifiedName()));
                    changed = true;
                    continue;
                }
                if (PullableDescs.contains(dep->desc) && !exists(d)) {
                    addDefinition(d, QStringLiteral("because of %1").arg(e->qualifiedName()));
                    changed = true;
                }
            }
        }
    }
}

} // namespace lifeboat::restore
