// MainWindow's stacks side: layout, actions, the stack list and its statuses. The backup
// side (history, backing up, verifying, deleting, restoring) is in MainWindowBackups.cpp.
#include "MainWindow.h"

#include "BackupProgressDock.h"
#include "BackupService.h"
#include "HistoryPane.h"
#include "Futures.h"
#include "MessageBar.h"
#include "SettingsDialog.h"
#include "ProfileDialog.h"
#include "StackScanner.h"
#include "StackService.h"
#include "StackTableModel.h"

#include <QAction>
#include <QCloseEvent>
#include <QSplitter>
#include <QApplication>
#include <QFileDialog>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

namespace lifeboat {

namespace {
constexpr int StatusRefreshMs = 15000;
}

MainWindow::MainWindow(StackService *service, BackupService *backups, const QStringList &extraScanRoots,
                       QWidget *parent)
    : QMainWindow(parent)
    , m_service(service)
    , m_backups(backups)
    , m_history(new HistoryPane(this))
    , m_progressDock(new BackupProgressDock(this))
    , m_historyReload(new QTimer(this))
    , m_extraRoots(extraScanRoots)
    , m_model(new StackTableModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_view(new QTableView(this))
    , m_pages(new QStackedWidget(this))
    , m_messages(new MessageBar(this))
    , m_details(new QLabel(this))
    , m_summary(new QLabel(this))
    , m_statusTimer(new QTimer(this))
{
    setWindowTitle(tr("Lifeboat"));
    QIcon icon;
    for (int size : {16, 32, 48, 64, 128, 256})
        icon.addFile(QStringLiteral(":/icons/lifeboat-%1.png").arg(size), QSize(size, size));
    setWindowIcon(icon);

    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(StackTableModel::RawRole);
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(StackTableModel::NameColumn, Qt::AscendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setAlternatingRowColors(true);
    m_view->verticalHeader()->hide();
    m_view->setWordWrap(false);
    m_view->setTextElideMode(Qt::ElideMiddle);
    m_view->horizontalHeader()->setStretchLastSection(false);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setSectionResizeMode(StackTableModel::ProjectColumn, QHeaderView::Stretch);
    m_view->setAccessibleName(tr("Stacks"));
    // However small the window, three whole stacks stay in view: a table scrolled to half a row
    // looks broken.
    m_view->setMinimumHeight(m_view->horizontalHeader()->sizeHint().height()
                             + 3 * m_view->verticalHeader()->defaultSectionSize() + 2 * m_view->frameWidth());

    m_details->setWordWrap(true);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_details->setAccessibleName(tr("Selected stack details"));

    auto *stacksPage = new QWidget(this);
    auto *stacksLayout = new QVBoxLayout(stacksPage);
    stacksLayout->setContentsMargins(0, 0, 0, 0);
    stacksLayout->addWidget(m_view, 1);
    stacksLayout->addWidget(m_details);

    auto *emptyPage = new QWidget(this);
    auto *emptyLayout = new QVBoxLayout(emptyPage);
    auto *emptyText = new QLabel(tr("<h3>No stacks yet</h3><p>Add a folder that holds Supabase projects "
                                    "(<code>supabase/config.toml</code>) or a PostgreSQL connection profile.</p>"),
                                 emptyPage);
    emptyText->setAlignment(Qt::AlignCenter);
    emptyText->setWordWrap(true);
    auto *addFolderButton = new QPushButton(tr("Add project folder…"), emptyPage);
    auto *addProfileButton = new QPushButton(tr("Add PostgreSQL profile…"), emptyPage);
    connect(addFolderButton, &QPushButton::clicked, this, &MainWindow::addProjectFolder);
    connect(addProfileButton, &QPushButton::clicked, this, &MainWindow::addProfile);
    auto *buttons = new QHBoxLayout;
    buttons->addStretch();
    buttons->addWidget(addFolderButton);
    buttons->addWidget(addProfileButton);
    buttons->addStretch();
    emptyLayout->addStretch();
    emptyLayout->addWidget(emptyText);
    emptyLayout->addLayout(buttons);
    emptyLayout->addStretch();

    m_pages->addWidget(emptyPage);
    m_pages->addWidget(stacksPage);

    auto *split = new QSplitter(Qt::Vertical, this);
    split->setObjectName(QStringLiteral("mainSplitter"));
    split->addWidget(m_pages);
    split->addWidget(m_history);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->addWidget(m_messages);
    layout->addWidget(split, 1);
    setCentralWidget(central);
    statusBar()->addPermanentWidget(m_summary);

    addDockWidget(Qt::BottomDockWidgetArea, m_progressDock);
    m_progressDock->hide();

    createActions();
    connect(m_history, &HistoryPane::selectionChanged, this, &MainWindow::updateActions);
    m_historyReload->setSingleShot(true);
    m_historyReload->setInterval(300);
    connect(m_historyReload, &QTimer::timeout, this, &MainWindow::refreshHistory);
    connect(m_backups, &BackupService::backupsChanged, this, [this](const QString &stackId) {
        const Stack *s = selectedStack();
        if (s && s->id == stackId)
            m_historyReload->start();
        loadBackupSummaries();
    });

    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] {
        updateDetails();
        refreshHistory();
    });
    connect(m_model, &QAbstractItemModel::dataChanged, this, &MainWindow::updateDetails);
    connect(m_statusTimer, &QTimer::timeout, this, &MainWindow::refreshStatuses);
    m_statusTimer->start(StatusRefreshMs);

    QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray()))
        resize(1200, 760);
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    // The saved layout keeps where the progress dock was, not that it was showing: a new
    // window has no run to show in it.
    m_progressDock->hide();
    for (QSplitter *splitter : findChildren<QSplitter *>())
        splitter->restoreState(settings.value(QStringLiteral("window/") + splitter->objectName()).toByteArray());

    QTimer::singleShot(0, this, &MainWindow::refresh);
}

MainWindow::~MainWindow()
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    for (QSplitter *splitter : findChildren<QSplitter *>())
        settings.setValue(QStringLiteral("window/") + splitter->objectName(), splitter->saveState());
}

void MainWindow::createActions()
{
    auto *toolbar = addToolBar(tr("Stacks"));
    toolbar->setObjectName(QStringLiteral("stacksToolbar"));
    toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    auto *fileMenu = menuBar()->addMenu(tr("&Stacks"));

    auto add = [&](const QString &text, QStyle::StandardPixmap icon, const QKeySequence &shortcut, auto slot) {
        auto *action = new QAction(style()->standardIcon(icon), text, this);
        action->setShortcut(shortcut);
        connect(action, &QAction::triggered, this, slot);
        toolbar->addAction(action);
        fileMenu->addAction(action);
        return action;
    };
    add(tr("Add project folder…"), QStyle::SP_DirOpenIcon, QKeySequence::Open, &MainWindow::addProjectFolder);
    add(tr("Add PostgreSQL profile…"), QStyle::SP_FileDialogNewFolder, QKeySequence::New, &MainWindow::addProfile);
    m_removeAction = add(tr("Remove stack"), QStyle::SP_TrashIcon, QKeySequence(), &MainWindow::removeSelected);
    toolbar->addSeparator();
    fileMenu->addSeparator();
    m_backupAction = add(tr("Back up now"), QStyle::SP_DialogSaveButton, QKeySequence(Qt::CTRL | Qt::Key_B),
                         &MainWindow::backUpSelected);
    m_verifyAction = add(tr("Verify"), QStyle::SP_DialogApplyButton, QKeySequence(), &MainWindow::verifySelected);
    m_deleteAction = add(tr("Delete backup"), QStyle::SP_DialogDiscardButton, QKeySequence::Delete,
                         &MainWindow::deleteSelected);
    m_restoreAction = add(tr("Restore…"), QStyle::SP_ArrowBack, QKeySequence(Qt::CTRL | Qt::Key_R),
                          &MainWindow::restoreSelected);
    m_restoreAction->setToolTip(tr("Restore all or part of the selected backup, after a safety backup of the target"));
    toolbar->addSeparator();
    add(tr("Refresh"), QStyle::SP_BrowserReload, QKeySequence::Refresh, &MainWindow::refresh);
    m_onStartAction = new QAction(tr("Back up when this stack starts"), this);
    m_onStartAction->setCheckable(true);
    m_onStartAction->setToolTip(tr("While Lifeboat runs, back this stack up each time its database comes up."));
    connect(m_onStartAction, &QAction::toggled, this, [this](bool on) {
        if (const Stack *s = selectedStack())
            SettingsDialog::setBacksUpOnStart(s->id, on);
    });
    fileMenu->insertAction(m_backupAction, m_onStartAction);
    for (QAction *a : {m_backupAction, m_verifyAction, m_deleteAction, m_restoreAction})
        a->setEnabled(false);
    fileMenu->addSeparator();
    fileMenu->addAction(tr("Settings…"), this, [this] {
        SettingsDialog dialog(this);
        dialog.exec();
    });
    auto *quit = fileMenu->addAction(tr("&Quit"), this, [this] { quitApplication(true); });
    quit->setShortcut(QKeySequence::Quit);
    m_removeAction->setEnabled(false);
}

void MainWindow::bringToFront()
{
    if (isMinimized())
        showNormal();
    else
        show();
    raise();
    activateWindow();
}

void MainWindow::addScanRoots(const QStringList &roots)
{
    bool added = false;
    for (const QString &root : roots) {
        if (!m_extraRoots.contains(root)) {
            m_extraRoots << root;
            added = true;
        }
    }
    if (added)
        refresh();
}

void MainWindow::refresh()
{
    whenReady(m_service->loadStacks(m_extraRoots), this, [this](const QList<Stack> &stacks) {
        const QString current = selectedStack() ? selectedStack()->id : QString();
        m_model->setStacks(stacks);
        m_pages->setCurrentIndex(stacks.isEmpty() ? 0 : 1);
        int row = m_model->rowOf(current);
        if (row < 0 && !stacks.isEmpty())
            row = 0;
        if (row >= 0)
            m_view->selectRow(m_proxy->mapFromSource(m_model->index(row, 0)).row());
        refreshStatuses();
        loadBackupSummaries();
        refreshHistory();
    });
}

void MainWindow::refreshStatuses()
{
    for (int row = 0; row < m_model->rowCount(); ++row)
        probe(*m_model->stackAt(row));
    updateSummary();
}

void MainWindow::probe(const Stack &stack)
{
    if (m_probing.contains(stack.id))
        return;
    m_probing.insert(stack.id);
    if (m_model->statusOf(stack.id).state == StackStatus::State::Unknown)
        m_model->setStatus(stack.id, {StackStatus::State::Checking, {}, 0});
    const QString id = stack.id;
    whenReady(m_service->probe(stack), this, [this, id](const StackStatus &status) {
        m_probing.remove(id);
        const StackStatus::State before = m_model->statusOf(id).state;
        m_model->setStatus(id, status);
        if (before == StackStatus::State::Down && status.state == StackStatus::State::Up) {
            emit stackStarted(id);
            const int row = m_model->rowOf(id);
            if (row >= 0 && SettingsDialog::backsUpOnStart(id) && !m_backups->isRunning(id))
                startBackup(*m_model->stackAt(row));
        }
        updateSummary();
        if (m_probing.isEmpty())
            emit statusesSettled();
    });
}

void MainWindow::addProjectFolder()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Folder with Supabase projects"), QDir::homePath());
    if (dir.isEmpty())
        return;
    whenReady(StackScanner::scan({dir}), this, [this, dir](const QList<Stack> &found) {
        if (found.isEmpty()) {
            m_messages->showMessage(MessageBar::Kind::Warning,
                                    tr("No supabase/config.toml was found in %1 or up to %2 folders below it. "
                                       "Pick the folder that holds your project, or add a PostgreSQL profile.")
                                        .arg(dir)
                                        .arg(StackScanner::DefaultMaxDepth));
            return;
        }
        if (found.size() == 1 && found.first().projectDir == QDir(dir).canonicalPath())
            m_service->catalog()->addProjectDir(dir);
        else
            m_service->catalog()->addScanRoot(dir);
        for (const Stack &s : found)
            m_service->catalog()->addProjectDir(s.projectDir);
        m_service->catalog()->sync();
        m_messages->showMessage(MessageBar::Kind::Information,
                                tr("Found %n Supabase project(s) in %1.", nullptr, int(found.size())).arg(dir));
        refresh();
    });
}

void MainWindow::addProfile()
{
    ProfileDialog dialog(this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const Stack profile = dialog.profile();
    whenReady(m_service->addProfile(profile, dialog.password()), this, [this, profile](const SecretStore::WriteResult &r) {
        if (!r.message.isEmpty())
            m_messages->showMessage(r.persisted ? MessageBar::Kind::Error : MessageBar::Kind::Warning, r.message);
        refresh();
    });
}

void MainWindow::removeSelected()
{
    const Stack *stack = selectedStack();
    if (!stack)
        return;
    const Stack s = *stack;
    const auto answer = QMessageBox::question(
        this, tr("Remove stack"),
        tr("Remove \"%1\" from Lifeboat's list?\n\nIts database, its project folder and its backups are not "
           "touched.")
            .arg(s.name));
    if (answer != QMessageBox::Yes)
        return;
    if (s.isProject()) {
        m_service->catalog()->hideProjectDir(s.projectDir);
    } else {
        m_service->catalog()->removeProfile(s.id);
        whenReady(m_service->secrets()->removePassword(s.id), this, [this](const Status &st) {
            if (!st)
                m_messages->showMessage(MessageBar::Kind::Warning, st.error());
        });
    }
    m_service->catalog()->sync();
    refresh();
}

const Stack *MainWindow::selectedStack() const
{
    const QModelIndex current = m_view->selectionModel()->currentIndex();
    if (!current.isValid())
        return nullptr;
    return m_model->stackAt(m_proxy->mapToSource(current).row());
}

void MainWindow::updateDetails()
{
    const Stack *s = selectedStack();
    updateActions();
    if (!s) {
        m_details->clear();
        return;
    }
    const StackStatus status = m_model->statusOf(s->id);
    QString text = QStringLiteral("<b>%1</b> — %2 as <i>%3</i>")
                       .arg(s->name.toHtmlEscaped(), s->connection.displayAddress().toHtmlEscaped(),
                            s->connection.user.toHtmlEscaped());
    if (s->isProject())
        text += QStringLiteral("<br>") + tr("Project: %1").arg(s->configPath().toHtmlEscaped());
    if (!status.detail.isEmpty())
        text += QStringLiteral("<br>") + status.detail.toHtmlEscaped();
    m_details->setText(text);
}

void MainWindow::updateActions()
{
    const Stack *s = selectedStack();
    const BackupInfo *b = m_history->selectedBackup();
    {
        const QSignalBlocker block(m_onStartAction);
        m_onStartAction->setEnabled(s != nullptr);
        m_onStartAction->setChecked(s && SettingsDialog::backsUpOnStart(s->id));
    }
    m_removeAction->setEnabled(s != nullptr);
    m_backupAction->setEnabled(s != nullptr && !s->hasConfigError());
    m_verifyAction->setEnabled(b && b->state == BackupInfo::State::Complete);
    m_deleteAction->setEnabled(b && b->state != BackupInfo::State::Running);
    m_restoreAction->setEnabled(b && b->state == BackupInfo::State::Complete);
}

void MainWindow::selectStack(const QString &stackId)
{
    const int row = m_model->rowOf(stackId);
    if (row >= 0)
        m_view->selectRow(m_proxy->mapFromSource(m_model->index(row, 0)).row());
}

void MainWindow::updateSummary()
{
    int up = 0;
    for (int row = 0; row < m_model->rowCount(); ++row)
        if (m_model->statusOf(m_model->stackAt(row)->id).state == StackStatus::State::Up)
            ++up;
    m_summary->setText(tr("%1 of %n stack(s) up", nullptr, m_model->rowCount()).arg(up));
}

} // namespace lifeboat
