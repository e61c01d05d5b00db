#pragma once

#include "Credentials.h"
#include "RestoreService.h"
#include "RestoreTypes.h"
#include "Stack.h"

#include <QFuture>
#include <QWizard>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

class QButtonGroup;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QRadioButton;
class QSortFilterProxyModel;
class QTimer;
class QTreeView;
class QTreeWidget;

namespace lifeboat {

class RestoreChecklistModel;
class RestoreJob;

/// How the wizard gets a stack's password (the keychain in the app, a fixed one in tests).
using CredentialsProvider = std::function<QFuture<Credentials>(const Stack &)>;

/// The selective restore: Backup -> What -> Where and how -> Check -> Run -> Summary.
/// Nothing changes anywhere before the user confirms on the Check page.
class RestoreWizard final : public QWizard
{
    Q_OBJECT

public:
    enum PageId { BackupPage, WhatPage, WherePage, CheckPage, RunPage, SummaryPage };

    /// `stacks`: the targets to offer. The backup's own stack among them is the default target.
    RestoreWizard(const QString &backupPath, const QList<Stack> &stacks, CredentialsProvider credentials,
                  QWidget *parent = nullptr);
    ~RestoreWizard() override;

    RestoreChecklistModel *checklist() const { return m_checklist; }
    QLineEdit *filterEdit() const { return m_filter; }
    /// The last plan (empty before the first one).
    const std::optional<RestorePlan> &plan() const { return m_plan; }
    bool isPlanning() const { return m_planning; }
    const std::optional<RestoreReport> &report() const { return m_report; }
    QString closureText() const;
    QString summaryText() const;
    bool backupReady() const;
    /// A restore was started here and has not ended yet.
    bool isRestoring() const { return m_restoreStarted && !m_report; }
    /// Where the restore goes ("database postgres of demo"), once it is planned.
    QString targetText() const;
    /// Asks the running restore to stop: between steps, or inside one, whose transaction
    /// rolls back. restoreFinished() follows with the outcome.
    void cancelRestore();
    /// Closing while a restore runs asks it to stop instead (its transaction rolls back); the
    /// wizard closes once it has.
    void reject() override;

signals:
    void inventoryLoaded();
    void planUpdated();
    void restoreFinished(const lifeboat::RestoreReport &report);
    /// "Show in History" on the summary.
    void showBackupRequested(const QString &path);

protected:
    void initializePage(int id) override;

private:
    friend class RestoreWizardPage;
    QWizardPage *makeBackupPage();
    QWizardPage *makeWhatPage();
    QWizardPage *makeWherePage();
    QWizardPage *makeCheckPage();
    QWizardPage *makeRunPage();
    QWizardPage *makeSummaryPage();

    void loadBackup();
    void scheduleReplan();
    void replan();
    void showPlan();
    RestoreTarget currentTarget() const;
    RestoreOptions currentOptions() const;
    void updateTargetWidgets();
    void saveScript();
    void startRestore();
    void showReport(const RestoreReport &report);

    QString m_backupPath;
    QList<Stack> m_stacks;
    CredentialsProvider m_credentials;
    InventoryPtr m_inventory;
    QString m_loadError;
    std::optional<bool> m_verified;
    QStringList m_damaged;
    /// Stops the check of every file when the wizard closes or Lifeboat quits.
    std::shared_ptr<std::atomic_bool> m_stopVerify;
    std::optional<RestorePlan> m_plan;
    QString m_planError;
    bool m_planning = false;
    int m_planGeneration = 0;
    std::shared_ptr<RestoreJob> m_job;
    bool m_restoreStarted = false;
    bool m_cancelRequested = false;
    std::optional<RestoreReport> m_report;

    // Backup page
    QLabel *m_backupSummary = nullptr;
    QLabel *m_verifyLabel = nullptr;
    // What page
    RestoreChecklistModel *m_checklist = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QTreeView *m_tree = nullptr;
    QLineEdit *m_filter = nullptr;
    QLabel *m_closure = nullptr;
    QTimer *m_replanTimer = nullptr;
    // Where page
    QButtonGroup *m_targetGroup = nullptr;
    QRadioButton *m_inPlace = nullptr;
    QRadioButton *m_otherStack = nullptr;
    QRadioButton *m_newDatabase = nullptr;
    QComboBox *m_otherStackCombo = nullptr;
    QComboBox *m_serverCombo = nullptr;
    QLineEdit *m_newDbName = nullptr;
    QComboBox *m_tables = nullptr;
    QComboBox *m_rows = nullptr;
    QComboBox *m_files = nullptr;
    QComboBox *m_owners = nullptr;
    QComboBox *m_parents = nullptr;
    QLabel *m_tablesCount = nullptr;
    QLabel *m_rowsCount = nullptr;
    QLabel *m_filesCount = nullptr;
    QCheckBox *m_safety = nullptr;
    QLineEdit *m_projectDir = nullptr;
    QLineEdit *m_storageDir = nullptr;
    QLabel *m_whereStatus = nullptr;
    // Check page
    QLabel *m_checkHeadline = nullptr;
    QPlainTextEdit *m_planText = nullptr;
    QPushButton *m_saveScript = nullptr;
    // Run page
    QProgressBar *m_overall = nullptr;
    QTreeWidget *m_steps = nullptr;
    QPlainTextEdit *m_log = nullptr;
    QPushButton *m_cancel = nullptr;
    // Summary page
    QLabel *m_summaryHeadline = nullptr;
    QLabel *m_summaryDetails = nullptr;
    QTreeWidget *m_summarySteps = nullptr;
    QPushButton *m_showSafety = nullptr;
    QPushButton *m_openLog = nullptr;
    QPlainTextEdit *m_summaryOwners = nullptr;
    int m_backupStackIndex = -1;
};

} // namespace lifeboat
