#pragma once

#include <QWidget>

class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QTableView;
class QTreeView;

namespace lifeboat {

class BackupHistoryModel;
class ManifestTreeModel;
struct BackupInfo;

/// The selected stack's backups (a sortable, filterable table) and, for the selected
/// backup, the manifest browser.
class HistoryPane final : public QWidget
{
    Q_OBJECT

public:
    explicit HistoryPane(QWidget *parent = nullptr);

    BackupHistoryModel *model() const { return m_model; }
    ManifestTreeModel *manifestModel() const { return m_manifest; }
    QTableView *table() const { return m_table; }
    QTreeView *tree() const { return m_tree; }

    /// The selected backup, or null.
    const BackupInfo *selectedBackup() const;
    /// Selects the row of a backup folder (e.g. one that just finished).
    void selectBackup(const QString &path);
    void setCaption(const QString &text);
    QString caption() const;
    /// The line above the manifest: which backup it shows, or why there is none.
    QString manifestCaption() const;

signals:
    void selectionChanged();

private:
    void showManifest();
    void treeContextMenu(const QPoint &pos);

    BackupHistoryModel *m_model;
    QSortFilterProxyModel *m_proxy;
    ManifestTreeModel *m_manifest;
    QLabel *m_caption;
    QLineEdit *m_filter;
    QTableView *m_table;
    QTreeView *m_tree;
    QLabel *m_manifestCaption;
};

} // namespace lifeboat
