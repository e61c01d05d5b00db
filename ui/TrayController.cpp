#include "TrayController.h"

#include "BackupHistoryModel.h"
#include "BackupService.h"
#include "DesktopNotifier.h"
#include "HistoryPane.h"
#include "MainWindow.h"
#include "MessageBar.h"
#include "StackTableModel.h"

#include <QApplication>
#include <QFutureWatcher>
#include <QMenu>
#include <QPainter>
#include <QSystemTrayIcon>

namespace lifeboat {

TrayController::TrayController(MainWindow *window, BackupService *backups, DesktopNotifier *notifier, QObject *parent)
    : QObject(parent)
    , m_window(window)
    , m_backups(backups)
    , m_notifier(notifier)
{
    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        m_menu = new QMenu;
        m_tray = new QSystemTrayIcon(window->windowIcon(), this);
        m_tray->setContextMenu(m_menu);
        connect(m_menu, &QMenu::aboutToShow, this, &TrayController::rebuildMenu);
        connect(m_tray, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
            if (reason == QSystemTrayIcon::Trigger)
                showBackup({});
        });
        connect(m_tray, &QSystemTrayIcon::messageClicked, this, [this] { showBackup(m_lastBackupPath); });
        rebuildMenu();
        updateTooltip();
        m_tray->show();
    }
    // With a tray, closing the window leaves Lifeboat watching in the tray; without one,
    // closing the window quits.
    window->setKeepRunningInTray(hasTray());
    QApplication::setQuitOnLastWindowClosed(!hasTray());
    if (m_notifier)
        connect(m_notifier, &DesktopNotifier::activated, this, &TrayController::showBackup);

    connect(m_backups, &BackupService::backupStarted, this,
            [this](const QString &, const std::shared_ptr<BackupJob> &job) {
                auto *watcher = new QFutureWatcher<BackupResult>(this);
                connect(watcher, &QFutureWatcherBase::progressValueChanged, this, [this](int value) {
                    m_percent = value / 10;
                    updateTooltip();
                });
                connect(watcher, &QFutureWatcherBase::finished, watcher, &QObject::deleteLater);
                watcher->setFuture(job->future());
                updateTooltip();
            });
    connect(m_backups, &BackupService::backupFinished, this, [this](const QString &stackId, const BackupResult &r) {
        m_percent = -1;
        updateTooltip();
        QString name = stackId;
        const int row = m_window->stackModel()->rowOf(stackId);
        if (row >= 0)
            name = m_window->stackModel()->stackAt(row)->name;
        notifyFinished(name, r);
    });
}

TrayController::~TrayController()
{
    delete m_menu;
}

TrayController::Channel TrayController::notifyFinished(const QString &stackName, const BackupResult &result)
{
    QString title, body;
    const bool failed = result.outcome != BackupOutcome::Complete;
    switch (result.outcome) {
    case BackupOutcome::Complete:
        title = tr("Backup of %1 finished").arg(stackName);
        body = tr("%1 in %2").arg(formatSize(result.manifest.totalSize()), formatDuration(result.manifest.durationMs));
        break;
    case BackupOutcome::Cancelled:
        title = tr("Backup of %1 cancelled").arg(stackName);
        body = tr("Nothing was kept.");
        break;
    case BackupOutcome::Failed:
        title = tr("Backup of %1 failed").arg(stackName);
        body = result.message;
        break;
    }
    m_lastBackupPath = result.outcome == BackupOutcome::Complete ? result.path : QString();

    Channel channel = Channel::Window;
    if (m_tray) {
        m_tray->showMessage(title, body, failed ? QSystemTrayIcon::Critical : QSystemTrayIcon::Information, 10000);
        channel = Channel::Tray;
    } else if (m_notifier && m_notifier->notify(title, body, failed, m_lastBackupPath.isEmpty() ? QStringLiteral("-")
                                                                                                : m_lastBackupPath)) {
        channel = Channel::Desktop;
    } else {
        m_window->messageBar()->showMessage(failed ? MessageBar::Kind::Error : MessageBar::Kind::Information,
                                            title + QStringLiteral(": ") + body);
    }
    emit notified(channel, title, body);
    return channel;
}

void TrayController::rebuildMenu()
{
    if (!m_menu)
        return;
    m_menu->clear();
    QMenu *backUp = m_menu->addMenu(tr("Back up now"));
    const StackTableModel *stacks = m_window->stackModel();
    for (int row = 0; row < stacks->rowCount(); ++row) {
        const Stack stack = *stacks->stackAt(row);
        QAction *a = backUp->addAction(stack.name, this, [this, stack] { m_window->startBackup(stack); });
        a->setEnabled(!stack.hasConfigError() && !m_backups->isRunning(stack.id));
    }
    backUp->setEnabled(stacks->rowCount() > 0);
    m_menu->addAction(tr("Show Lifeboat"), this, [this] { showBackup({}); });
    m_menu->addSeparator();
    m_menu->addAction(tr("Quit"), m_window, [this] { m_window->quitApplication(true); });
}

void TrayController::updateTooltip()
{
    if (!m_tray)
        return;
    // The icon shows a running backup: a progress ring over the lifebuoy.
    const bool running = m_backups->runningCount() > 0;
    if (!running) {
        m_tray->setIcon(m_window->windowIcon());
    } else {
        QPixmap pixmap = m_window->windowIcon().pixmap(64, 64);
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setPen(QPen(QColor(0x1f, 0x6f, 0xeb), 8));
        const int span = m_percent >= 0 ? -360 * 16 * m_percent / 100 : -90 * 16;
        painter.drawArc(QRectF(6, 6, 52, 52), 90 * 16, span);
        painter.end();
        m_tray->setIcon(QIcon(pixmap));
    }
    if (m_backups->runningCount() > 0 && m_percent >= 0)
        m_tray->setToolTip(tr("Lifeboat — backing up: %1%").arg(m_percent));
    else if (m_backups->runningCount() > 0)
        m_tray->setToolTip(tr("Lifeboat — backing up"));
    else
        m_tray->setToolTip(tr("Lifeboat"));
}

void TrayController::showBackup(const QString &path)
{
    m_window->show();
    m_window->raise();
    m_window->activateWindow();
    if (!path.isEmpty() && path != QLatin1String("-"))
        m_window->revealBackup(path);
}

} // namespace lifeboat
