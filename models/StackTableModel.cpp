#include "StackTableModel.h"

#include "BackupHistoryModel.h"

#include <QColor>
#include <QHash>
#include <QLocale>

namespace lifeboat {

StackTableModel::StackTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

int StackTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int StackTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant StackTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    const Stack &s = row.stack;

    if (role == StackIdRole)
        return s.id;
    if (role == StatusKeyRole)
        return StackStatus::key(row.status.state);

    if (role == Qt::DisplayRole || role == RawRole) {
        switch (index.column()) {
        case NameColumn: return s.name;
        case ProjectColumn:
            return s.isProject() ? s.projectDir : (role == RawRole ? QString() : tr("(PostgreSQL profile)"));
        case AddressColumn: return s.connection.displayAddress();
        case StatusColumn:
            if (role == RawRole)
                return int(row.status.state);
            if (row.status.state == StackStatus::State::Up && row.status.serverVersionNum)
                return tr("up (PostgreSQL %1)").arg(row.status.serverMajor());
            return row.status.label();
        case LastBackupColumn:
            if (role == RawRole)
                return row.backups.lastTime;
            if (!row.backups.lastTime.isValid())
                return tr("never");
            return tr("%1 (%2)").arg(QLocale().toString(row.backups.lastTime, QLocale::ShortFormat),
                                     BackupHistoryModel::stateLabel(row.backups.lastState));
        case BackupSizeColumn:
            if (role == RawRole)
                return row.backups.totalSize;
            return row.backups.count == 0 ? QString() : QLocale().formattedDataSize(row.backups.totalSize, 1,
                                                                                   QLocale::DataSizeTraditionalFormat);
        }
    }
    if (role == Qt::DecorationRole && index.column() == StatusColumn) {
        switch (row.status.state) {
        case StackStatus::State::Up: return QColor(0x2d, 0xa4, 0x4e);
        case StackStatus::State::Down: return QColor(0x8c, 0x95, 0x9f);
        case StackStatus::State::Unknown:
        case StackStatus::State::Checking: return QColor(0xd0, 0xd7, 0xde);
        default: return QColor(0xcf, 0x22, 0x2e);
        }
    }
    if (role == Qt::ToolTipRole) {
        if (index.column() == StatusColumn && !row.status.detail.isEmpty())
            return row.status.detail;
        if (s.hasConfigError())
            return s.configError;
        if (index.column() == ProjectColumn && s.isProject())
            return s.configPath();
        if (index.column() == BackupSizeColumn && row.backups.count > 0)
            return tr("%n complete backup(s), %1 in all", nullptr, row.backups.count)
                .arg(QLocale().formattedDataSize(row.backups.totalSize, 1, QLocale::DataSizeTraditionalFormat));
    }
    return {};
}

QVariant StackTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn: return tr("Stack");
    case ProjectColumn: return tr("Project folder");
    case AddressColumn: return tr("Database");
    case StatusColumn: return tr("Status");
    case LastBackupColumn: return tr("Last backup");
    case BackupSizeColumn: return tr("Backups");
    }
    return {};
}

void StackTableModel::setStacks(const QList<Stack> &stacks)
{
    QHash<QString, StackStatus> previous;
    QHash<QString, BackupSummary> previousBackups;
    for (const Row &r : std::as_const(m_rows)) {
        previous.insert(r.stack.id, r.status);
        previousBackups.insert(r.stack.id, r.backups);
    }

    beginResetModel();
    m_rows.clear();
    for (const Stack &s : stacks) {
        StackStatus status = previous.value(s.id);
        const BackupSummary summary = previousBackups.value(s.id);
        if (s.hasConfigError())
            status = {StackStatus::State::ConfigError, s.configError, 0};
        m_rows.append({s, status, summary});
    }
    endResetModel();
}

void StackTableModel::setStatus(const QString &stackId, const StackStatus &status)
{
    const int row = rowOf(stackId);
    if (row < 0)
        return;
    m_rows[row].status = status;
    emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

StackTableModel::BackupSummary StackTableModel::BackupSummary::of(const QList<BackupInfo> &backups)
{
    BackupSummary summary;
    for (const BackupInfo &b : backups) {
        if (b.state != BackupInfo::State::Complete)
            continue;
        ++summary.count;
        summary.totalSize += b.size();
    }
    if (!backups.isEmpty()) {
        summary.lastTime = backups.first().timestamp;
        summary.lastState = BackupInfo::stateKey(backups.first().state);
    }
    return summary;
}

void StackTableModel::setBackupSummary(const QString &stackId, const BackupSummary &summary)
{
    const int row = rowOf(stackId);
    if (row < 0)
        return;
    m_rows[row].backups = summary;
    emit dataChanged(index(row, LastBackupColumn), index(row, BackupSizeColumn));
}

const Stack *StackTableModel::stackAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? &m_rows.at(row).stack : nullptr;
}

int StackTableModel::rowOf(const QString &stackId) const
{
    for (int i = 0; i < m_rows.size(); ++i)
        if (m_rows.at(i).stack.id == stackId)
            return i;
    return -1;
}

StackStatus StackTableModel::statusOf(const QString &stackId) const
{
    const int row = rowOf(stackId);
    return row < 0 ? StackStatus{} : m_rows.at(row).status;
}

} // namespace lifeboat
