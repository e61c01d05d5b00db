#pragma once

#include "BackupInfo.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>

namespace lifeboat {

/// The History table: one row per backup folder of the selected stack, newest first. Fed
/// BackupInfo values read off the GUI thread; verification results are merged in by path.
class BackupHistoryModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { DateColumn, DurationColumn, SizeColumn, ComponentsColumn, StatusColumn, NoteColumn, ColumnCount };
    enum Role { RawRole = Qt::UserRole + 1, PathRole, StatusKeyRole };

    /// What a verification found for one backup.
    struct Verification
    {
        bool ok = false;
        QStringList problems;
    };

    explicit BackupHistoryModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /// Replaces the rows; rows whose path stays keep their place in views (reset otherwise).
    void setBackups(const QList<BackupInfo> &backups);
    void setVerification(const QString &path, const Verification &verification);

    const BackupInfo *backupAt(int row) const;
    int rowOf(const QString &path) const;
    /// "complete", "verified", "damaged", "incomplete", "running", "failed", "cancelled".
    QString statusKey(int row) const;
    /// How a person reads a status key ("running" is "in progress"); the Status column's words.
    static QString stateLabel(const QString &key);

private:
    QList<BackupInfo> m_rows;
    QHash<QString, Verification> m_verified;
};

/// "1.2 MB", "830 KB" for people.
QString formatSize(qint64 bytes);
/// "4.2 s", "3 min 05 s".
QString formatDuration(qint64 ms);
/// What is left of a run `elapsedMs` into it, `permille` done: "about 12.0 s left", "almost
/// done" under a second, empty while too little is done (under 5%) to extrapolate from.
QString formatTimeLeft(qint64 elapsedMs, int permille);

} // namespace lifeboat
