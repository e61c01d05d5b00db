#include "RestoreChecklistModel.h"

#include "BackupHistoryModel.h"

#include <QFont>

#include <array>

namespace lifeboat {

namespace {

// The order a person looks for things in.
constexpr std::array<RestoreKind, 14> KindOrder{
    RestoreKind::Table,         RestoreKind::User,      RestoreKind::Policies,         RestoreKind::Function,
    RestoreKind::Schema,        RestoreKind::Roles,     RestoreKind::DatabaseSettings, RestoreKind::Encryption,
    RestoreKind::RoleAssignments, RestoreKind::MigrationHistory, RestoreKind::Migration, RestoreKind::EdgeFunction,
    RestoreKind::Bucket,        RestoreKind::ConfigFile,
};

QString groupTitle(RestoreKind kind)
{
    switch (kind) {
    case RestoreKind::Table: return RestoreChecklistModel::tr("Tables");
    case RestoreKind::User: return RestoreChecklistModel::tr("Auth users (with identities)");
    case RestoreKind::Policies: return RestoreChecklistModel::tr("Row-level security policies");
    case RestoreKind::Function: return RestoreChecklistModel::tr("Functions (RPC)");
    case RestoreKind::Schema: return RestoreChecklistModel::tr("Whole schemas");
    case RestoreKind::Roles: return RestoreChecklistModel::tr("PostgreSQL roles");
    case RestoreKind::DatabaseSettings: return RestoreChecklistModel::tr("Database settings and grants");
    case RestoreKind::Encryption: return RestoreChecklistModel::tr("Encryption settings");
    case RestoreKind::RoleAssignments: return RestoreChecklistModel::tr("Role assignments");
    case RestoreKind::MigrationHistory: return RestoreChecklistModel::tr("Migration history");
    case RestoreKind::Migration: return RestoreChecklistModel::tr("Migration files");
    case RestoreKind::EdgeFunction: return RestoreChecklistModel::tr("Edge functions");
    case RestoreKind::Bucket: return RestoreChecklistModel::tr("Storage buckets");
    case RestoreKind::ConfigFile: return RestoreChecklistModel::tr("Project files");
    }
    return {};
}

/// Sizes as History shows them; nothing for items without one.
QString sizeText(qint64 bytes)
{
    return bytes > 0 ? formatSize(bytes) : QString();
}

constexpr quintptr GroupId = 0;

} // namespace

Qt::CheckState RestoreChecklistModel::Group::state() const
{
    const auto n = std::count(checked.cbegin(), checked.cend(), true);
    return n == 0 ? Qt::Unchecked : n == checked.size() ? Qt::Checked : Qt::PartiallyChecked;
}

qint64 RestoreChecklistModel::Group::size() const
{
    qint64 s = 0;
    for (const RestoreItem &i : items)
        s += i.size;
    return s;
}

RestoreChecklistModel::RestoreChecklistModel(QObject *parent)
    : QAbstractItemModel(parent)
{}

void RestoreChecklistModel::setItems(const QList<RestoreItem> &items)
{
    beginResetModel();
    m_groups.clear();
    for (RestoreKind kind : KindOrder) {
        Group g{kind, {}, {}, {}};
        for (const RestoreItem &i : items) {
            if (i.kind != kind)
                continue;
            g.items << i;
            g.checked << false;
            g.rowsOnly << false;
        }
        if (!g.items.isEmpty())
            m_groups << g;
    }
    endResetModel();
    emit selectionChanged();
}

RestoreSelection RestoreChecklistModel::selection() const
{
    RestoreSelection s;
    for (const Group &g : m_groups) {
        for (int i = 0; i < g.items.size(); ++i) {
            if (!g.checked.at(i))
                continue;
            s.items << g.items.at(i).id();
            if (g.rowsOnly.at(i))
                s.dataOnly << g.items.at(i).key;
        }
        // Every schema picked: the archive's objects outside schemas (extensions, ...) too.
        if (g.kind == RestoreKind::Schema && g.state() == Qt::Checked)
            s.wholeArchive = true;
    }
    return s;
}

int RestoreChecklistModel::checkedCount() const
{
    int n = 0;
    for (const Group &g : m_groups)
        n += int(std::count(g.checked.cbegin(), g.checked.cend(), true));
    return n;
}

bool RestoreChecklistModel::setItemChecked(const QString &id, bool checked)
{
    const QModelIndex idx = indexOfItem(id);
    return idx.isValid() && setData(idx, checked ? Qt::Checked : Qt::Unchecked, Qt::CheckStateRole);
}

void RestoreChecklistModel::setAllChecked(bool checked)
{
    for (int g = 0; g < m_groups.size(); ++g) {
        m_groups[g].checked.fill(checked);
        emitGroupChanged(g);
    }
    emit selectionChanged();
}

QModelIndex RestoreChecklistModel::indexOfItem(const QString &id) const
{
    for (int g = 0; g < m_groups.size(); ++g)
        for (int i = 0; i < m_groups.at(g).items.size(); ++i)
            if (m_groups.at(g).items.at(i).id() == id)
                return createIndex(i, 0, quintptr(g + 1));
    return {};
}

QModelIndex RestoreChecklistModel::index(int row, int column, const QModelIndex &parent) const
{
    if (column < 0 || column >= ColumnCount || row < 0)
        return {};
    if (!parent.isValid())
        return row < m_groups.size() ? createIndex(row, column, GroupId) : QModelIndex();
    if (parent.internalId() != GroupId || parent.row() >= m_groups.size())
        return {};
    return row < m_groups.at(parent.row()).items.size() ? createIndex(row, column, quintptr(parent.row() + 1)) : QModelIndex();
}

QModelIndex RestoreChecklistModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalId() == GroupId)
        return {};
    return createIndex(int(child.internalId() - 1), 0, GroupId);
}

int RestoreChecklistModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_groups.size());
    if (parent.column() != 0 || parent.internalId() != GroupId)
        return 0;
    return int(m_groups.at(parent.row()).items.size());
}

int RestoreChecklistModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QVariant RestoreChecklistModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    if (index.internalId() == GroupId) {
        const Group &g = m_groups.at(index.row());
        if (role == Qt::CheckStateRole && index.column() == NameColumn)
            return g.state();
        if (role == Qt::DisplayRole) {
            switch (index.column()) {
            case NameColumn: return groupTitle(g.kind);
            case DetailColumn: {
                const auto n = std::count(g.checked.cbegin(), g.checked.cend(), true);
                return tr("%1 of %2 picked").arg(n).arg(g.items.size());
            }
            case SizeColumn: return sizeText(g.size());
            default: return {};
            }
        }
        if (role == Qt::FontRole && index.column() == NameColumn) {
            QFont f;
            f.setBold(true);
            return f;
        }
        return {};
    }
    const Group &g = m_groups.at(int(index.internalId() - 1));
    const RestoreItem &item = g.items.at(index.row());
    if (role == ItemIdRole)
        return item.id();
    if (role == Qt::CheckStateRole) {
        if (index.column() == NameColumn)
            return g.checked.at(index.row()) ? Qt::Checked : Qt::Unchecked;
        if (index.column() == RowsOnlyColumn && item.kind == RestoreKind::Table)
            return g.rowsOnly.at(index.row()) ? Qt::Checked : Qt::Unchecked;
        return {};
    }
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case NameColumn: return item.label;
        case DetailColumn: return item.detail;
        case SizeColumn: return sizeText(item.size);
        default: return {};
        }
    }
    if (role == Qt::ToolTipRole)
        return index.column() == RowsOnlyColumn ? tr("Restore only the rows, into the target's own definition of the table")
                                                : item.id();
    return {};
}

bool RestoreChecklistModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (!index.isValid() || role != Qt::CheckStateRole)
        return false;
    const bool on = value.toInt() != Qt::Unchecked;
    if (index.internalId() == GroupId) {
        if (index.column() != NameColumn)
            return false;
        m_groups[index.row()].checked.fill(on);
        emitGroupChanged(index.row());
        emit selectionChanged();
        return true;
    }
    const int g = int(index.internalId() - 1);
    if (index.column() == NameColumn) {
        m_groups[g].checked[index.row()] = on;
    } else if (index.column() == RowsOnlyColumn && m_groups.at(g).kind == RestoreKind::Table) {
        m_groups[g].rowsOnly[index.row()] = on;
        if (on)
            m_groups[g].checked[index.row()] = true;
    } else {
        return false;
    }
    emitGroupChanged(g);
    emit selectionChanged();
    return true;
}

void RestoreChecklistModel::emitGroupChanged(int group)
{
    const QModelIndex parent = index(group, 0);
    emit dataChanged(parent, index(group, ColumnCount - 1), {Qt::CheckStateRole, Qt::DisplayRole});
    const int n = rowCount(parent);
    if (n > 0)
        emit dataChanged(index(0, 0, parent), index(n - 1, ColumnCount - 1, parent), {Qt::CheckStateRole});
}

Qt::ItemFlags RestoreChecklistModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    if (index.column() == NameColumn)
        f |= Qt::ItemIsUserCheckable;
    if (index.internalId() != GroupId && index.column() == RowsOnlyColumn
        && m_groups.at(int(index.internalId() - 1)).kind == RestoreKind::Table)
        f |= Qt::ItemIsUserCheckable;
    return f;
}

QVariant RestoreChecklistModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn: return tr("Item");
    case DetailColumn: return tr("Details");
    case SizeColumn: return tr("Size");
    case RowsOnlyColumn: return tr("Rows only");
    }
    return {};
}

} // namespace lifeboat
