#pragma once

#include "BackupInfo.h"
#include "BackupRequest.h"

#include <QMainWindow>
#include <QSet>
#include <QStringList>

class QAction;
class QLabel;
class QSortFilterProxyModel;
class QStackedWidget;
class QTableView;
class QTimer;

namespace lifeboat {

class RestoreWizard;

class BackupProgressDock;
class BackupProgressWidget;
class BackupService;
class HistoryPane;
class MessageBar;
class StackService;
class StackTableModel;
struct BackupResult;
struct Stack;

/// Lifeboat's main window: the stacks a user has, and whether each is up.
class MainWindow final : public QMainWindow
{
    Q_OBJECT

public:
    /// `extraScanRoots` come from the command line and are not remembered.
    MainWindow(StackService *service, BackupService *backups, const QStringList &extraScanRoots = {},
               QWidget *parent = nullptr);
    ~MainWindow() override;

    StackTableModel *stackModel() const { return m_model; }
    QTableView *stackView() const { return m_view; }
    MessageBar *messageBar() const { return m_messages; }
    HistoryPane *historyPane() const { return m_history; }
    QList<BackupProgressWidget *> progressWidgets() const;
    /// The stack whose history is shown.
    const Stack *selectedStack() const;
    void selectStack(const QString &stackId);
    /// With a tray icon, closing the window hides it and Lifeboat keeps running.
    void setKeepRunningInTray(bool keep) { m_keepRunningInTray = keep; }
    /// True from the moment Quit was agreed to.
    bool isQuitting() const { return m_quit != QuitState::Running; }

public slots:
    /// Opens the backup sheet for the selected stack.
    void backUpSelected();
    /// Starts a backup of `stack` with its remembered choices (tray, startup backup).
    void startBackup(const Stack &stack);
    /// Checks every checksum of the selected backup off the GUI thread.
    void verifySelected();
    void deleteSelected();
    /// Opens the restore wizard on the selected backup.
    void restoreSelected();
    /// Re-reads the selected stack's backups.
    void refreshHistory();
    /// Shows a backup folder in History: selects its stack, then its row.
    void revealBackup(const QString &path);
    /// Re-reads the known stacks (disk walk off the GUI thread), then probes each.
    void refresh();
    /// Probes every listed stack again, without re-reading the list.
    void refreshStatuses();
    /// Quits Lifeboat (File > Quit, the tray, SIGTERM). A running backup or restore is named
    /// and, once the user agrees (`ask`; without it at once), cancelled; Lifeboat quits when
    /// it has stopped, so nothing is left half-written or half-restored unrecorded. Asked a
    /// second time without `ask` while stopping, it quits at once.
    void quitApplication(bool ask = true);
    /// Shows the window on top (a second start of Lifeboat asks for it).
    void bringToFront();
    /// Also looks for projects below `roots` (not remembered), then refreshes.
    void addScanRoots(const QStringList &roots);

protected:
    void closeEvent(QCloseEvent *event) override;

signals:
    /// A stack's database went from down to up (a stack start).
    void stackStarted(const QString &stackId);
    /// Emitted after a refresh when every probe has answered (tests and screenshots wait on it).
    void statusesSettled();
    /// The history of the selected stack was (re)loaded.
    void historyLoaded();
    void backupFinished(const lifeboat::BackupResult &result);
    void verificationFinished(const QString &path, bool ok);
    /// The restore wizard was opened (tests drive it from here).
    void restoreWizardOpened(lifeboat::RestoreWizard *wizard);
    /// Nothing runs any more and the application is told to quit.
    void quitting();

private:
    void createActions();
    void addProjectFolder();
    void addProfile();
    void removeSelected();
    void probe(const Stack &stack);
    void updateDetails();
    void updateSummary();
    void updateActions();
    void loadBackupSummaries();
    void launchBackup(const BackupRequest &request);
    void offerRetention(const QList<BackupInfo> &backups);
    QString backupRootOf(const Stack &stack) const;
    /// "a backup of “demo”", "a restore into ...": what quitting would stop.
    QStringList runningWork() const;
    void quitWhenStopped();
    void finishQuit();
    static QString capitalized(const QString &text);

    StackService *m_service;
    BackupService *m_backups;
    HistoryPane *m_history;
    BackupProgressDock *m_progressDock;
    QTimer *m_historyReload;
    QAction *m_backupAction = nullptr;
    QAction *m_verifyAction = nullptr;
    QAction *m_deleteAction = nullptr;
    QAction *m_restoreAction = nullptr;
    QAction *m_onStartAction = nullptr;
    QString m_pendingReveal;
    bool m_keepRunningInTray = false;
    enum class QuitState { Running, Stopping, Quitting } m_quit = QuitState::Running;
    QStringList m_extraRoots;
    StackTableModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_view;
    QStackedWidget *m_pages;
    MessageBar *m_messages;
    QLabel *m_details;
    QLabel *m_summary;
    QTimer *m_statusTimer;
    QAction *m_removeAction = nullptr;
    QSet<QString> m_probing;
};

} // namespace lifeboat
