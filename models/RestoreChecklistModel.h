#pragma once

#include "RestoreTypes.h"

#include <QAbstractItemModel>

namespace lifeboat {

/// What a backup offers, as a two-level checklist: kinds (tri-state) and their items. Tables
/// have a second check, "rows only", for restoring data into the target's own definition.
class RestoreChecklistModel final : public QAbstractItemModel
{
    Q_OBJECT

public:
    enum Column { NameColumn, DetailColumn, SizeColumn, RowsOnlyColumn, ColumnCount };
    enum Role { ItemIdRole = Qt::UserRole + 1 };

    explicit RestoreChecklistModel(QObject *parent = nullptr);

    void setItems(const QList<RestoreItem> &items);
    RestoreSelection selection() const;
    int checkedCount() const;
    /// Checks (or unchecks) one item by id ("table:public.todos"); false when unknown.
    bool setItemChecked(const QString &id, bool checked);
    void setAllChecked(bool checked);
    /// The index of an item (column 0), for views and tests.
    QModelIndex indexOfItem(const QString &id) const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

signals:
    /// The picked set changed (checks or "rows only").
    void selectionChanged();

private:
    struct Group
    {
        RestoreKind kind;
        QList<RestoreItem> items;
        QList<bool> checked;
        QList<bool> rowsOnly;
        Qt::CheckState state() const;
        qint64 size() const;
    };
    void emitGroupChanged(int group);

    QList<Group> m_groups;
};

} // namespace lifeboat
