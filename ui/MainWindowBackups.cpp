// MainWindow's backup side: history, backing up, verifying, deleting, restoring.
// The stacks side (layout, actions, stack list) is in MainWindow.cpp.
#include "MainWindow.h"

#include "BackupDialog.h"
#include "BackupHistoryModel.h"
#include "BackupPreferences.h"
#include "BackupProgressDock.h"
#include "BackupProgressWidget.h"
#include "BackupService.h"
#include "Credentials.h"
#include "Futures.h"
#include "HistoryPane.h"
#include "MessageBar.h"
#include "RestoreWizard.h"
#include "RetentionPolicy.h"
#include "StackService.h"
#include "StackTableModel.h"

#include <QDir>
#include <QFileInfo>
#include <QMessageBox>
#include <QStatusBar>

namespace lifeboat {

void MainWindow::revealBackup(const QString &path)
{
    const QString stackId = QFileInfo(path).dir().dirName();
    const Stack *current = selectedStack();
    if (current && current->id == stackId && m_history->model()->rowOf(path) >= 0) {
        m_history->selectBackup(path);
        return;
    }
    m_pendingReveal = path;
    selectStack(stackId);
    refreshHistory();
}

void MainWindow::restoreSelected()
{
    const BackupInfo *b = m_history->selectedBackup();
    if (!b || b->state != BackupInfo::State::Complete)
        return;
    QList<Stack> stacks;
    for (int row = 0; row < m_model->rowCount(); ++row)
        if (const Stack *s = m_model->stackAt(row); s && !s->hasConfigError())
            stacks << *s;
    // Passwords come from the keychain, per target, when the wizard needs them.
    StackService *service = m_service;
    CredentialsProvider credentials = [service](const Stack &stack) {
        return service->secrets()->readPassword(stack.id).then([stack](const SecretStore::ReadResult &stored) {
            return Credentials::forStack(stack, stored.password);
        });
    };
    auto *wizard = new RestoreWizard(b->path, stacks, credentials, this);
    wizard->setAttribute(Qt::WA_DeleteOnClose);
    connect(wizard, &RestoreWizard::showBackupRequested, this, &MainWindow::revealBackup);
    connect(wizard, &RestoreWizard::restoreFinished, this, [this] { refreshHistory(); });
    wizard->open();
    emit restoreWizardOpened(wizard);
}

QString MainWindow::backupRootOf(const Stack &stack) const
{
    return BackupPreferences::root(stack);
}

void MainWindow::refreshHistory()
{
    const Stack *s = selectedStack();
    if (!s) {
        m_history->model()->setBackups({});
        m_history->setCaption(QString());
        return;
    }
    const Stack stack = *s;
    const QString root = backupRootOf(stack);
    m_backups->watch(stack, root);
    whenReady(m_backups->history(stack, root), this, [this, stack, root](const QList<BackupInfo> &list) {
        const Stack *current = selectedStack();
        if (!current || current->id != stack.id)
            return; // the selection moved on meanwhile
        const BackupInfo *selected = m_history->selectedBackup();
        const QString keep = selected ? selected->path : QString();
        m_history->model()->setBackups(list);
        m_history->setCaption(tr("<b>History of %1</b> — %2").arg(stack.name.toHtmlEscaped(), root.toHtmlEscaped()));
        if (!m_pendingReveal.isEmpty() && m_history->model()->rowOf(m_pendingReveal) >= 0)
            m_history->selectBackup(std::exchange(m_pendingReveal, QString()));
        else if (!keep.isEmpty())
            m_history->selectBackup(keep);
        else if (!list.isEmpty())
            m_history->selectBackup(list.first().path);
        updateActions();
        emit historyLoaded();
    });
}

void MainWindow::loadBackupSummaries()
{
    for (int row = 0; row < m_model->rowCount(); ++row) {
        const Stack stack = *m_model->stackAt(row);
        whenReady(m_backups->listBackups(stack, backupRootOf(stack)), this, [this, id = stack.id](const QList<BackupInfo> &list) {
            m_model->setBackupSummary(id, StackTableModel::BackupSummary::of(list));
        });
    }
}

void MainWindow::backUpSelected()
{
    const Stack *s = selectedStack();
    if (!s)
        return;
    BackupDialog dialog(*s, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    launchBackup(dialog.request());
}

void MainWindow::startBackup(const Stack &stack)
{
    launchBackup(BackupPreferences::request(stack));
}

void MainWindow::launchBackup(const BackupRequest &base)
{
    if (m_backups->isRunning(base.stack.id)) {
        m_messages->showMessage(MessageBar::Kind::Warning,
                                tr("A backup of \"%1\" is already running; wait for it or cancel it.").arg(base.stack.name));
        return;
    }
    // The password comes from the keychain first; the run itself happens off this thread.
    if (m_quit != QuitState::Running)
        return;
    whenReady(
        m_service->secrets()->readPassword(base.stack.id), this, [this, base](const SecretStore::ReadResult &stored) {
            if (m_quit != QuitState::Running)
                return; // Lifeboat is quitting: no new backup
            BackupRequest request = base;
            request.password = stored.password;
            request.passwordFallbacks = Credentials::forStack(request.stack, stored.password).fallbacks;
            QString refusal;
            std::shared_ptr<BackupJob> job = m_backups->startBackup(request, &refusal);
            if (!job) {
                m_messages->showMessage(MessageBar::Kind::Warning, refusal);
                return;
            }
            const QStringList components = request.components.isEmpty() ? Component::all() : request.components;
            auto *panel = new BackupProgressWidget(request.stack.name, components, job, m_progressDock);
            m_progressDock->addPanel(panel);
            const QString stackId = request.stack.id;
            connect(panel, &BackupProgressWidget::finished, this, [this, stackId](const BackupResult &result) {
                loadBackupSummaries();
                const Stack *current = selectedStack();
                if (current && current->id == stackId && result.outcome == BackupOutcome::Complete) {
                    whenReady(m_backups->history(*current, backupRootOf(*current)),
                              this,
                              [this, result](const QList<BackupInfo> &list) {
                                  m_history->model()->setBackups(list);
                                  m_history->selectBackup(result.path);
                                  updateActions();
                                  offerRetention(list);
                                  emit historyLoaded();
                              });
                }
                emit backupFinished(result);
            });
            connect(panel, &BackupProgressWidget::showBackupRequested, this, &MainWindow::revealBackup);
        });
}

QList<BackupProgressWidget *> MainWindow::progressWidgets() const
{
    return m_progressDock->panels();
}

void MainWindow::offerRetention(const QList<BackupInfo> &backups)
{
    const int keep = BackupPreferences::keepLast();
    const QStringList remove = backupsBeyondRetention(backups, keep);
    if (remove.isEmpty())
        return;
    QStringList names;
    for (const QString &path : remove)
        names << QFileInfo(path).fileName();
    // Shown before anything is deleted; nothing happens without the click.
    m_messages->showMessage(MessageBar::Kind::Information,
                            tr("Retention keeps the last %1 complete backups (and the last verified one). "
                               "Older ones: %2.")
                                .arg(keep)
                                .arg(names.join(QStringLiteral(", "))));
    m_messages->addAction(tr("Delete %n old backup(s)", nullptr, int(remove.size())), [this, remove] {
        for (const QString &path : remove)
            whenReady(m_backups->remove(path), this, [this](const Status &st) {
                if (!st)
                    m_messages->showMessage(MessageBar::Kind::Error, st.error());
                refreshHistory();
                loadBackupSummaries();
            });
    });
}

void MainWindow::verifySelected()
{
    const BackupInfo *b = m_history->selectedBackup();
    if (!b)
        return;
    const QString path = b->path;
    const QString name = b->name;
    statusBar()->showMessage(tr("Verifying %1…").arg(name));
    whenReady(m_backups->verify(path), this, [this, path, name](const VerifyReport &report) {
        m_history->model()->setVerification(path, {report.ok(), report.problems});
        if (report.ok())
            m_messages->showMessage(MessageBar::Kind::Information,
                                    tr("Backup %1 verified: %n file(s) match their SHA-256.", nullptr,
                                       report.filesChecked)
                                        .arg(name));
        else
            m_messages->showMessage(MessageBar::Kind::Error,
                                    tr("Backup %1 is damaged: %2").arg(name, report.problems.join(QStringLiteral("; "))));
        statusBar()->clearMessage();
        emit verificationFinished(path, report.ok());
    });
}

void MainWindow::deleteSelected()
{
    const BackupInfo *b = m_history->selectedBackup();
    if (!b)
        return;
    const QString path = b->path;
    const QString what = b->manifest ? tr("the %1 backup %2 (%3)").arg(BackupInfo::stateKey(b->state), b->name,
                                                                       formatSize(b->size()))
                                     : tr("the %1 run %2").arg(BackupInfo::stateKey(b->state), b->name);
    const auto answer = QMessageBox::question(this, tr("Delete backup"),
                                              tr("Delete %1?\n\nThis removes the folder %2 and everything in it.")
                                                  .arg(what, path));
    if (answer != QMessageBox::Yes)
        return;
    whenReady(m_backups->remove(path), this, [this](const Status &st) {
        if (!st)
            m_messages->showMessage(MessageBar::Kind::Error, st.error());
        refreshHistory();
        loadBackupSummaries();
    });
}

} // namespace lifeboat
