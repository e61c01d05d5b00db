#pragma once

#include "BackupInfo.h"
#include "Stack.h"
#include "StackStatus.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QList>

namespace lifeboat {

/// The Stacks table: one row per known stack with its live status. Fed value types on the
/// GUI thread; never talks to a database itself.
class StackTableModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { NameColumn, ProjectColumn, AddressColumn, StatusColumn, LastBackupColumn, BackupSizeColumn, ColumnCount };
    enum Role { RawRole = Qt::UserRole + 1, StackIdRole, StatusKeyRole };

    explicit StackTableModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /// Replaces the list; statuses of stacks that stay are kept.
    void setStacks(const QList<Stack> &stacks);
    void setStatus(const QString &stackId, const StackStatus &status);

    /// What the stack's backup folder holds: the newest run (whatever its state) and the number
    /// and size of the complete backups.
    struct BackupSummary
    {
        QDateTime lastTime;
        QString lastState; ///< "complete", "failed", ... (BackupInfo::stateKey)
        qint64 totalSize = 0;
        int count = 0;
        /// From a stack's backups, newest first.
        static BackupSummary of(const QList<BackupInfo> &backups);
    };
    void setBackupSummary(const QString &stackId, const BackupSummary &summary);

    const Stack *stackAt(int row) const;
    int rowOf(const QString &stackId) const;
    StackStatus statusOf(const QString &stackId) const;

private:
    struct Row
    {
        Stack stack;
        StackStatus status;
        BackupSummary backups;
    };
    QList<Row> m_rows;
};

} // namespace lifeboat
