// MainWindow's way out: File > Quit, the tray's Quit, closing the window without a tray and
// SIGTERM all end here. Nothing running is dropped on the floor: a backup or restore is named
// first, cancelled once the user agrees, and Lifeboat quits when it has stopped.
#include "MainWindow.h"

#include "BackupService.h"
#include "MessageBar.h"
#include "RestoreWizard.h"

#include <QCloseEvent>
#include <QCoreApplication>
#include <QMessageBox>
#include <QPushButton>
#include <QTimer>

#include <algorithm>

namespace lifeboat {

namespace {
// Cancel stops tools and connections in well under two seconds; this is the last resort
// for one that does not, so a quit is never stuck behind it.
constexpr int StopTimeoutMs = 30000;
} // namespace

QStringList MainWindow::runningWork() const
{
    QStringList backups;
    for (const std::shared_ptr<BackupJob> &job : m_backups->runningJobs())
        backups << tr("a backup of \u201c%1\u201d").arg(job->stack().name);
    std::sort(backups.begin(), backups.end());
    QStringList work = backups;
    for (const RestoreWizard *wizard : findChildren<RestoreWizard *>())
        if (wizard->isRestoring())
            work << tr("a restore into %1").arg(wizard->targetText());
    return work;
}

void MainWindow::quitApplication(bool ask)
{
    if (m_quit == QuitState::Stopping) {
        if (!ask) // a second SIGTERM: the user means it
            finishQuit();
        return;
    }
    if (m_quit != QuitState::Running)
        return;
    QStringList work = runningWork();
    if (work.isEmpty())
        return finishQuit();

    if (ask) {
        if (isHidden()) { // quitting from the tray: show what would be stopped
            showNormal();
            raise();
        }
        QMessageBox box(QMessageBox::Warning,
                        tr("Quit Lifeboat"),
                        work.size() == 1 ? tr("%1 is running.").arg(capitalized(work.first()))
                                         : tr("These are running: %1.").arg(work.join(QStringLiteral(", "))),
                        QMessageBox::NoButton,
                        this);
        QStringList effects{work.size() == 1 ? tr("Quitting cancels it.") : tr("Quitting cancels them.")};
        if (!m_backups->runningJobs().isEmpty())
            effects << tr("A cancelled backup is kept as cancelled, never as complete.");
        if (work.size() > m_backups->runningJobs().size())
            effects << tr("A cancelled restore rolls back the step it is in; the steps before it stay done.");
        box.setInformativeText(effects.join(u' '));
        QPushButton *stop = box.addButton(tr("Cancel and quit"), QMessageBox::DestructiveRole);
        QPushButton *keep = box.addButton(tr("Keep running"), QMessageBox::RejectRole);
        box.setDefaultButton(keep);
        box.setEscapeButton(keep);
        box.exec();
        if (box.clickedButton() != stop)
            return;
        work = runningWork(); // some may have ended while the question was open
        if (work.isEmpty())
            return finishQuit();
    }

    m_quit = QuitState::Stopping;
    m_messages->showMessage(MessageBar::Kind::Information,
                            tr("Stopping %1 before quitting\u2026").arg(work.join(QStringLiteral(", "))));
    for (const std::shared_ptr<BackupJob> &job : m_backups->runningJobs())
        job->cancel();
    for (RestoreWizard *wizard : findChildren<RestoreWizard *>()) {
        connect(wizard, &RestoreWizard::restoreFinished, this, &MainWindow::quitWhenStopped);
        wizard->cancelRestore();
    }
    connect(m_backups, &BackupService::backupFinished, this, &MainWindow::quitWhenStopped);
    QTimer::singleShot(StopTimeoutMs, this, &MainWindow::finishQuit);
}

void MainWindow::quitWhenStopped()
{
    // Queued: the finished backup's own handlers (the catalog, History) run first.
    QTimer::singleShot(0, this, [this] {
        if (m_quit == QuitState::Stopping && runningWork().isEmpty())
            finishQuit();
    });
}

void MainWindow::finishQuit()
{
    if (m_quit == QuitState::Quitting)
        return;
    m_quit = QuitState::Quitting;
    emit quitting();
    QCoreApplication::quit(); // closes every window first: closeEvent lets this one go now
}

QString MainWindow::capitalized(const QString &text)
{
    return text.isEmpty() ? text : text.at(0).toUpper() + text.mid(1);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_quit == QuitState::Quitting)
        return QMainWindow::closeEvent(event);
    if (m_keepRunningInTray) {
        hide();
        event->ignore();
        return;
    }
    // Without a tray, closing the window quits Lifeboat: the same question as File > Quit.
    if (!runningWork().isEmpty()) {
        event->ignore();
        QTimer::singleShot(0, this, [this] { quitApplication(true); });
        return;
    }
    QMainWindow::closeEvent(event);
}

} // namespace lifeboat
