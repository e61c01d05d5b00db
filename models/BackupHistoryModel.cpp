#include "BackupHistoryModel.h"

#include <QColor>
#include <QCoreApplication>
#include <QLocale>

namespace lifeboat {

QString formatSize(qint64 bytes)
{
    return QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeTraditionalFormat);
}

QString formatDuration(qint64 ms)
{
    if (ms < 60000)
        return QCoreApplication::translate("BackupHistoryModel", "%1 s").arg(double(ms) / 1000.0, 0, 'f', 1);
    return QCoreApplication::translate("BackupHistoryModel", "%1 min %2 s")
        .arg(ms / 60000)
        .arg((ms / 1000) % 60, 2, 10, QLatin1Char('0'));
}

QString formatTimeLeft(qint64 elapsedMs, int permille)
{
    if (permille <= 50 || permille >= 1000)
        return {};
    const qint64 left = elapsedMs * (1000 - permille) / permille;
    if (left < 1000)
        return QCoreApplication::translate("BackupHistoryModel", "almost done");
    return QCoreApplication::translate("BackupHistoryModel", "about %1 left").arg(formatDuration(left));
}

BackupHistoryModel::BackupHistoryModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

int BackupHistoryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int BackupHistoryModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString BackupHistoryModel::statusKey(int row) const
{
    const BackupInfo &b = m_rows.at(row);
    if (b.state == BackupInfo::State::Complete) {
        auto it = m_verified.constFind(b.path);
        if (it != m_verified.cend())
            return it->ok ? QStringLiteral("verified") : QStringLiteral("damaged");
        if (b.verifiedOk)
            return *b.verifiedOk ? QStringLiteral("verified") : QStringLiteral("damaged");
    }
    return BackupInfo::stateKey(b.state);
}

QString BackupHistoryModel::stateLabel(const QString &key)
{
    if (key == QLatin1String("complete"))
        return tr("complete");
    if (key == QLatin1String("incomplete"))
        return tr("incomplete");
    if (key == QLatin1String("running"))
        return tr("in progress");
    if (key == QLatin1String("failed"))
        return tr("failed");
    if (key == QLatin1String("cancelled"))
        return tr("cancelled");
    if (key == QLatin1String("verified"))
        return tr("verified");
    if (key == QLatin1String("damaged"))
        return tr("damaged");
    return key;
}

QVariant BackupHistoryModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const BackupInfo &b = m_rows.at(index.row());
    const Manifest *m = b.manifest ? &*b.manifest : nullptr;

    if (role == PathRole)
        return b.path;
    if (role == StatusKeyRole)
        return statusKey(index.row());

    if (role == Qt::DisplayRole || role == RawRole) {
        const bool raw = role == RawRole;
        switch (index.column()) {
        case DateColumn:
            return raw ? QVariant(b.timestamp) : QVariant(QLocale().toString(b.timestamp, QLocale::ShortFormat));
        case DurationColumn:
            if (!m)
                return raw ? QVariant(qint64(-1)) : QVariant();
            return raw ? QVariant(m->durationMs) : QVariant(formatDuration(m->durationMs));
        case SizeColumn:
            if (!m)
                return raw ? QVariant(qint64(-1)) : QVariant();
            return raw ? QVariant(m->totalSize()) : QVariant(formatSize(m->totalSize()));
        case ComponentsColumn: {
            if (!m)
                return raw ? QVariant(0) : QVariant();
            int ok = 0;
            for (const ComponentResult &c : m->components)
                ok += c.status == ComponentResult::Status::Ok;
            if (raw)
                return ok;
            return tr("%1 of %2").arg(ok).arg(m->components.size());
        }
        case StatusColumn: {
            const QString key = statusKey(index.row());
            if (raw)
                return key;
            if (key == QLatin1String("verified"))
                return tr("verified");
            if (key == QLatin1String("damaged"))
                return tr("damaged (%n file(s))", nullptr,
                          int(m_verified.contains(b.path) ? m_verified.value(b.path).problems.size()
                                                          : b.verifyProblems.size()));
            return stateLabel(key);
        }
        case NoteColumn:
            return m ? m->note : QString();
        }
    }
    if (role == Qt::ToolTipRole) {
        if (index.column() == StatusColumn) {
            auto it = m_verified.constFind(b.path);
            if (it != m_verified.cend() && !it->ok)
                return it->problems.join(u'\n');
            if (b.verifiedOk && !*b.verifiedOk)
                return b.verifyProblems.join(u'\n');
            if (!b.message.isEmpty())
                return b.message;
        }
        return b.path;
    }
    if (role == Qt::DecorationRole && index.column() == StatusColumn) {
        const QString key = statusKey(index.row());
        if (key == QLatin1String("complete") || key == QLatin1String("verified"))
            return QColor(0x2d, 0xa4, 0x4e);
        if (key == QLatin1String("incomplete") || key == QLatin1String("cancelled"))
            return QColor(0x8c, 0x95, 0x9f);
        if (key == QLatin1String("running"))
            return QColor(0x09, 0x69, 0xda);
        return QColor(0xcf, 0x22, 0x2e);
    }
    if (role == Qt::TextAlignmentRole && (index.column() == SizeColumn || index.column() == DurationColumn))
        return int(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant BackupHistoryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case DateColumn: return tr("Date");
    case DurationColumn: return tr("Duration");
    case SizeColumn: return tr("Size");
    case ComponentsColumn: return tr("Components");
    case StatusColumn: return tr("Status");
    case NoteColumn: return tr("Note");
    }
    return {};
}

void BackupHistoryModel::setBackups(const QList<BackupInfo> &backups)
{
    beginResetModel();
    m_rows = backups;
    endResetModel();
}

void BackupHistoryModel::setVerification(const QString &path, const Verification &verification)
{
    m_verified.insert(path, verification);
    const int row = rowOf(path);
    if (row >= 0)
        emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

const BackupInfo *BackupHistoryModel::backupAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? &m_rows.at(row) : nullptr;
}

int BackupHistoryModel::rowOf(const QString &path) const
{
    for (int i = 0; i < m_rows.size(); ++i)
        if (m_rows.at(i).path == path)
            return i;
    return -1;
}

} // namespace lifeboat
