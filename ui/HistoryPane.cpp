#include "HistoryPane.h"

#include "BackupHistoryModel.h"
#include "ManifestTreeModel.h"

#include <QApplication>
#include <QClipboard>
#include <QDesktopServices>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QTreeView>
#include <QUrl>
#include <QVBoxLayout>

namespace lifeboat {

HistoryPane::HistoryPane(QWidget *parent)
    : QWidget(parent)
    , m_model(new BackupHistoryModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_manifest(new ManifestTreeModel(this))
    , m_caption(new QLabel(this))
    , m_filter(new QLineEdit(this))
    , m_table(new QTableView(this))
    , m_tree(new QTreeView(this))
    , m_manifestCaption(new QLabel(tr("Select a backup to see its manifest."), this))
{
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(BackupHistoryModel::RawRole);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_filter->setPlaceholderText(tr("Filter (status, date, size)…"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setAccessibleName(tr("Filter backups"));
    connect(m_filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);

    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(BackupHistoryModel::DateColumn, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->setAccessibleName(tr("Backup history"));
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] {
        showManifest();
        emit selectionChanged();
    });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        showManifest();
        emit selectionChanged();
    });

    m_tree->setModel(m_manifest);
    m_tree->setAlternatingRowColors(true);
    m_tree->setUniformRowHeights(true);
    m_tree->setContextMenuPolicy(Qt::CustomContextMenu);
    m_tree->setAccessibleName(tr("Manifest"));
    m_tree->header()->setStretchLastSection(true);
    m_tree->header()->setSectionResizeMode(ManifestTreeModel::SizeColumn, QHeaderView::ResizeToContents);
    // Until a manifest sizes it, the name column is wide enough for its header and a file name.
    m_tree->setColumnWidth(ManifestTreeModel::NameColumn, fontMetrics().horizontalAdvance(QStringLiteral("x")) * 36);
    connect(m_tree, &QTreeView::customContextMenuRequested, this, &HistoryPane::treeContextMenu);
    connect(m_tree, &QTreeView::activated, this, [](const QModelIndex &index) {
        const QString path = index.data(ManifestTreeModel::PathRole).toString();
        if (!path.isEmpty())
            QDesktopServices::openUrl(QUrl::fromLocalFile(path));
    });
    m_manifestCaption->setWordWrap(true);

    auto *left = new QWidget(this);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(m_caption);
    leftLayout->addWidget(m_filter);
    leftLayout->addWidget(m_table, 1);
    auto *right = new QWidget(this);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(m_manifestCaption);
    rightLayout->addWidget(m_tree, 1);

    auto *split = new QSplitter(Qt::Horizontal, this);
    split->setObjectName(QStringLiteral("historySplitter"));
    split->addWidget(left);
    split->addWidget(right);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(split);
}

void HistoryPane::setCaption(const QString &text)
{
    m_caption->setText(text);
}

QString HistoryPane::caption() const
{
    return m_caption->text();
}

QString HistoryPane::manifestCaption() const
{
    return m_manifestCaption->text();
}

const BackupInfo *HistoryPane::selectedBackup() const
{
    const QModelIndex current = m_table->selectionModel()->currentIndex();
    if (!current.isValid())
        return nullptr;
    return m_model->backupAt(m_proxy->mapToSource(current).row());
}

void HistoryPane::selectBackup(const QString &path)
{
    const int row = m_model->rowOf(path);
    if (row < 0)
        return;
    const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
    m_table->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->scrollTo(index);
}

void HistoryPane::showManifest()
{
    const BackupInfo *b = selectedBackup();
    if (!b) {
        m_manifest->clear();
        m_manifestCaption->setText(tr("Select a backup to see its manifest."));
        return;
    }
    if (!b->manifest) {
        m_manifest->clear();
        // The state as the Status column words it ("in progress", "failed", ...).
        const QModelIndex current = m_proxy->mapToSource(m_table->selectionModel()->currentIndex());
        const QString state = m_model->index(current.row(), BackupHistoryModel::StatusColumn).data().toString();
        m_manifestCaption->setText(tr("<b>%1</b>: %2").arg(state.toHtmlEscaped(), b->message.toHtmlEscaped()));
        return;
    }
    m_manifest->setManifest(*b->manifest, b->path);
    // One line at the window's usual width: the server's build details ("15.18 (Debian
    // 15.18-0+deb12u1)") are in the manifest itself.
    const QString server = b->manifest->serverVersion.section(QStringLiteral(" ("), 0, 0);
    m_manifestCaption->setText(tr("<b>Manifest</b> of %1: %2 files, %3 — PostgreSQL %4")
                                   .arg(b->name.toHtmlEscaped())
                                   .arg(b->manifest->allFiles().size())
                                   .arg(formatSize(b->manifest->totalSize()), server.toHtmlEscaped()));
    // Wide enough for the file names, but the sizes and checksums stay in view.
    m_tree->expandAll();
    m_tree->resizeColumnToContents(ManifestTreeModel::NameColumn);
    m_tree->setColumnWidth(ManifestTreeModel::NameColumn,
                           std::min(m_tree->columnWidth(ManifestTreeModel::NameColumn), m_tree->viewport()->width() / 2));
    m_tree->collapseAll();
}

void HistoryPane::treeContextMenu(const QPoint &pos)
{
    const QModelIndex index = m_tree->indexAt(pos);
    const BackupInfo *b = selectedBackup();
    if (!b)
        return;
    const QString file = index.data(ManifestTreeModel::PathRole).toString();
    QMenu menu(this);
    if (!file.isEmpty()) {
        menu.addAction(tr("Open file"), this, [file] { QDesktopServices::openUrl(QUrl::fromLocalFile(file)); });
        menu.addAction(tr("Copy file path"), this, [file] { QApplication::clipboard()->setText(file); });
    }
    const QString folder = b->path;
    menu.addAction(tr("Open backup folder"), this, [folder] { QDesktopServices::openUrl(QUrl::fromLocalFile(folder)); });
    menu.addAction(tr("Copy backup path"), this, [folder] { QApplication::clipboard()->setText(folder); });
    menu.exec(m_tree->viewport()->mapToGlobal(pos));
}

} // namespace lifeboat
