#include "RestoreWizard.h"
#include "RestoreWizardParts.h"

#include "BackupHistoryModel.h"
#include "BackupPreferences.h"
#include "BackupService.h"
#include "BackupStore.h"
#include "Futures.h"
#include "RestoreChecklistModel.h"
#include "RestoreRunner.h"
#include "WorkerThreads.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QDate>
#include <QDesktopServices>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QSortFilterProxyModel>
#include <QTimer>
#include <QTreeView>
#include <QTreeWidget>
#include <QUrl>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace lifeboat {

using namespace wizard;


RestoreWizard::RestoreWizard(const QString &backupPath, const QList<Stack> &stacks, CredentialsProvider credentials,
                             QWidget *parent)
    : QWizard(parent)
    , m_backupPath(QFileInfo(backupPath).absoluteFilePath())
    , m_stacks(stacks)
    , m_credentials(std::move(credentials))
{
    setWindowTitle(tr("Restore from %1").arg(QFileInfo(m_backupPath).fileName()));
    setWizardStyle(QWizard::ModernStyle);
    setOption(QWizard::NoBackButtonOnLastPage);
    setOption(QWizard::NoCancelButtonOnLastPage);
    setMinimumSize(860, 620);

    m_checklist = new RestoreChecklistModel(this);
    m_replanTimer = new QTimer(this);
    m_replanTimer->setSingleShot(true);
    m_replanTimer->setInterval(300);
    connect(m_replanTimer, &QTimer::timeout, this, &RestoreWizard::replan);
    connect(m_checklist, &RestoreChecklistModel::selectionChanged, this, &RestoreWizard::scheduleReplan);

    setPage(BackupPage, makeBackupPage());
    setPage(WhatPage, makeWhatPage());
    setPage(WherePage, makeWherePage());
    setPage(CheckPage, makeCheckPage());
    setPage(RunPage, makeRunPage());
    setPage(SummaryPage, makeSummaryPage());
    setStartId(BackupPage);
    loadBackup();
}

RestoreWizard::~RestoreWizard()
{
    if (m_stopVerify)
        *m_stopVerify = true;
    if (m_job)
        m_job->cancel();
}

void RestoreWizard::reject()
{
    if (isRestoring())
        return cancelRestore();
    QWizard::reject();
}

void RestoreWizard::cancelRestore()
{
    if (!isRestoring())
        return;
    m_cancelRequested = true; // a job still waiting for its password is cancelled as it starts
    if (m_job)
        m_job->cancel();
    m_cancel->setEnabled(false);
    m_cancel->setText(tr("Cancelling…"));
}

QString RestoreWizard::targetText() const
{
    return m_plan ? m_plan->target.describe() : QString();
}

bool RestoreWizard::backupReady() const
{
    return m_inventory && m_verified.value_or(false);
}

// ---- 1. Backup ---------------------------------------------------------------------------------

QWizardPage *RestoreWizard::makeBackupPage()
{
    auto *page = new RestoreWizardPage([this] { return backupReady(); });
    page->setTitle(tr("Backup"));
    page->setSubTitle(tr("The backup to restore from. Every file is checked against its SHA-256 first; nothing "
                         "changes anywhere until you confirm on the Check page."));
    auto *layout = new QVBoxLayout(page);
    m_backupSummary = wrapLabel(tr("Reading %1…").arg(m_backupPath));
    m_verifyLabel = wrapLabel(tr("Checking every file against its SHA-256…"));
    layout->addWidget(m_backupSummary);
    layout->addSpacing(8);
    layout->addWidget(m_verifyLabel);
    layout->addStretch();
    return page;
}

void RestoreWizard::loadBackup()
{
    auto manifest = BackupStore::readManifest(m_backupPath);
    if (manifest) {
        const Manifest &m = manifest.value();
        int ok = 0;
        for (const ComponentResult &c : m.components)
            ok += c.status == ComponentResult::Status::Ok;
        QString text = tr("<b>%1</b> — backup of %2 (%3:%4/%5)<br>Taken %6, %7 in %8 files; %9 of %10 components.")
                           .arg(QFileInfo(m_backupPath).fileName().toHtmlEscaped(), m.stackName.toHtmlEscaped(),
                                m.host.toHtmlEscaped())
                           .arg(m.port)
                           .arg(m.database.toHtmlEscaped(), QLocale().toString(m.startedAt, QLocale::LongFormat),
                                formatSize(m.totalSize()))
                           .arg(m.allFiles().size())
                           .arg(ok)
                           .arg(m.components.size());
        if (!m.note.isEmpty())
            text += tr("<br>Note: %1").arg(m.note.toHtmlEscaped());
        text += tr("<br><small>%1</small>").arg(m_backupPath.toHtmlEscaped());
        m_backupSummary->setText(text);
    } else {
        m_backupSummary->setText(manifest.error());
    }
    for (int i = 0; i < m_stacks.size(); ++i)
        if (manifest && m_stacks.at(i).id == manifest->stackId)
            m_backupStackIndex = i;
    // The backup's own stack is the natural target; otherwise a new database (a trial restore).
    updateTargetWidgets();
    (m_backupStackIndex >= 0 ? m_inPlace : m_newDatabase)->setChecked(true);

    const QString path = m_backupPath;
    if (m_stopVerify)
        *m_stopVerify = true; // an earlier backup's check
    m_stopVerify = WorkerThreads::stopFlagAtExit();
    whenReady(QtConcurrent::run(
                  WorkerThreads::pool(),
                  [path, stop = m_stopVerify] { return BackupStore::verify(path, {}, {}, {}, stop.get()); }),
              this,
              [this](const VerifyReport &v) {
                  m_verified = v.ok();
                  m_damaged = v.problems;
                  if (v.ok())
                      m_verifyLabel->setText(
                          tr("<span style='color:#2da44e'>✔</span> Verified: %n file(s) match their SHA-256.",
                             nullptr,
                             v.filesChecked));
                  else
                      m_verifyLabel->setText(
                          tr("<span style='color:#cf222e'>✘ This backup is damaged and cannot be restored:</span>"
                             "<br>%1<br>Pick another backup in History.")
                              .arg(escapedLines(v.problems.mid(0, 8))));
                  asPage(page(BackupPage))->changed();
              });
    whenReady(RestoreService::loadInventory(path), this, [this](const Result<InventoryPtr> &inv) {
        if (!inv) {
            m_loadError = inv.error();
            m_verifyLabel->setText(m_verifyLabel->text() + QStringLiteral("<br>") + inv.error().toHtmlEscaped());
            return;
        }
        m_inventory = inv.value();
        m_checklist->setItems(m_inventory->items);
        if (m_tree)
            m_tree->expandToDepth(0);
        updateTargetWidgets();
        asPage(page(BackupPage))->changed();
        emit inventoryLoaded();
    });
}

// ---- 2. What -----------------------------------------------------------------------------------

QWizardPage *RestoreWizard::makeWhatPage()
{
    auto *page = new RestoreWizardPage([this] { return m_checklist->checkedCount() > 0; });
    page->setTitle(tr("What to restore"));
    page->setSubTitle(tr("Pick whole kinds or single items. What they need comes along and is listed below."));
    auto *layout = new QVBoxLayout(page);
    auto *bar = new QHBoxLayout;
    m_filter = new QLineEdit;
    m_filter->setPlaceholderText(tr("Filter: table, user, policy, function…"));
    m_filter->setClearButtonEnabled(true);
    auto *all = new QPushButton(tr("Select all"));
    auto *none = new QPushButton(tr("Select none"));
    bar->addWidget(m_filter, 1);
    bar->addWidget(all);
    bar->addWidget(none);
    layout->addLayout(bar);

    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_checklist);
    m_proxy->setRecursiveFilteringEnabled(true);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_tree = new QTreeView;
    m_tree->setModel(m_proxy);
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(RestoreChecklistModel::NameColumn, QHeaderView::Stretch);
    m_tree->header()->setSectionResizeMode(RestoreChecklistModel::DetailColumn, QHeaderView::ResizeToContents);
    m_tree->header()->setSectionResizeMode(RestoreChecklistModel::SizeColumn, QHeaderView::ResizeToContents);
    m_tree->header()->setSectionResizeMode(RestoreChecklistModel::RowsOnlyColumn, QHeaderView::ResizeToContents);
    layout->addWidget(m_tree, 1);
    m_closure = wrapLabel();
    m_closure->setMinimumHeight(48);
    m_closure->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    layout->addWidget(m_closure);

    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString &t) {
        m_proxy->setFilterFixedString(t);
        if (!t.isEmpty())
            m_tree->expandAll();
    });
    connect(all, &QPushButton::clicked, this, [this] { m_checklist->setAllChecked(true); });
    connect(none, &QPushButton::clicked, this, [this] { m_checklist->setAllChecked(false); });
    connect(m_checklist, &RestoreChecklistModel::selectionChanged, page, [page] { page->changed(); });
    return page;
}

QString RestoreWizard::closureText() const
{
    return m_closure ? m_closure->text() : QString();
}

// ---- 3. Where and how --------------------------------------------------------------------------

QWizardPage *RestoreWizard::makeWherePage()
{
    auto *page = new RestoreWizardPage([this] {
        if (m_newDatabase->isChecked() && m_newDbName->text().trimmed().isEmpty())
            return false;
        return m_stacks.size() > 0;
    });
    page->setTitle(tr("Where and how"));
    page->setSubTitle(tr("The target, and what to do with what it already has. Nothing is overwritten silently."));
    auto *layout = new QVBoxLayout(page);

    auto *where = new QGroupBox(tr("Restore into"));
    auto *grid = new QGridLayout(where);
    m_targetGroup = new QButtonGroup(this);
    m_inPlace = new QRadioButton;
    m_otherStack = new QRadioButton(tr("Another stack:"));
    m_newDatabase = new QRadioButton(tr("A new database on:"));
    m_otherStackCombo = new QComboBox;
    m_serverCombo = new QComboBox;
    for (const Stack &s : m_stacks) {
        m_otherStackCombo->addItem(QStringLiteral("%1 (%2)").arg(s.name, s.connection.displayAddress()));
        m_serverCombo->addItem(QStringLiteral("%1 (%2:%3)").arg(s.name, s.connection.host).arg(s.connection.port));
    }
    m_newDbName = new QLineEdit;
    m_newDbName->setPlaceholderText(tr("database name"));
    m_targetGroup->addButton(m_inPlace);
    m_targetGroup->addButton(m_otherStack);
    m_targetGroup->addButton(m_newDatabase);
    grid->addWidget(m_inPlace, 0, 0, 1, 3);
    grid->addWidget(m_otherStack, 1, 0);
    grid->addWidget(m_otherStackCombo, 1, 1, 1, 2);
    grid->addWidget(m_newDatabase, 2, 0);
    grid->addWidget(m_serverCombo, 2, 1);
    grid->addWidget(m_newDbName, 2, 2);
    auto *trial = new QLabel(tr("<small>A new database is also a trial restore: it proves the backup restores "
                                "without touching anything.</small>"));
    grid->addWidget(trial, 3, 1, 1, 2);
    grid->setColumnStretch(1, 1);
    grid->setColumnStretch(2, 1);
    layout->addWidget(where);

    auto *how = new QGroupBox(tr("When something already exists in the target"));
    auto *form = new QGridLayout(how);
    m_tables = new QComboBox;
    m_tables->addItem(tr("Replace (drop and restore)"), int(TableConflict::Replace));
    m_tables->addItem(tr("Empty and reload the rows"), int(TableConflict::Truncate));
    m_tables->addItem(tr("Add the backup's rows (keep existing)"), int(TableConflict::Append));
    m_tables->addItem(tr("Skip"), int(TableConflict::Skip));
    m_rows = new QComboBox;
    m_rows->addItem(tr("Replace with the backup's"), int(RowConflict::Replace));
    m_rows->addItem(tr("Skip"), int(RowConflict::Skip));
    m_files = new QComboBox;
    m_files->addItem(tr("Write beside (NAME.restored)"), int(FileConflict::Beside));
    m_files->addItem(tr("Overwrite"), int(FileConflict::Overwrite));
    m_files->addItem(tr("Skip"), int(FileConflict::Skip));
    m_tablesCount = new QLabel;
    m_rowsCount = new QLabel;
    m_filesCount = new QLabel;
    int row = 0;
    for (auto [label, combo, count] : {std::tuple{tr("Tables:"), m_tables, m_tablesCount},
                                       std::tuple{tr("Users, policies, functions:"), m_rows, m_rowsCount},
                                       std::tuple{tr("Files:"), m_files, m_filesCount}}) {
        form->addWidget(new QLabel(label), row, 0);
        form->addWidget(combo, row, 1);
        form->addWidget(count, row, 2);
        ++row;
    }
    form->setColumnStretch(2, 1);
    layout->addWidget(how);

    auto *other = new QGroupBox(tr("Ownership, safety and files"));
    auto *oform = new QFormLayout(other);
    m_owners = new QComboBox;
    m_owners->addItem(tr("Keep the owners when the connecting role can"), int(OwnerHandling::Auto));
    m_owners->addItem(tr("Always keep the owners (needs a superuser)"), int(OwnerHandling::KeepOwners));
    m_owners->addItem(tr("Everything belongs to the connecting role"), int(OwnerHandling::NoOwners));
    m_parents = new QComboBox;
    m_parents->addItem(tr("Restore them too"), int(MissingParents::Include));
    m_parents->addItem(tr("Restore without that foreign key"), int(MissingParents::DropConstraint));
    m_safety = new QCheckBox(tr("Back up the target first (shown in History as \"before restore of …\")"));
    m_safety->setChecked(true);
    m_projectDir = new QLineEdit;
    m_projectDir->setPlaceholderText(tr("project folder for migrations, edge functions and config files"));
    m_storageDir = new QLineEdit;
    m_storageDir->setPlaceholderText(tr("folder that receives storage files (<bucket>/<name>)"));
    oform->addRow(tr("Owners:"), m_owners);
    oform->addRow(tr("Foreign-key parents not picked:"), m_parents);
    oform->addRow(m_safety);
    oform->addRow(tr("Project folder:"), m_projectDir);
    oform->addRow(tr("Storage folder:"), m_storageDir);
    layout->addWidget(other);
    m_whereStatus = wrapLabel();
    layout->addWidget(m_whereStatus);
    layout->addStretch();

    for (QComboBox *c : {m_otherStackCombo, m_serverCombo, m_tables, m_rows, m_files, m_owners, m_parents})
        connect(c, &QComboBox::currentIndexChanged, this, &RestoreWizard::scheduleReplan);
    for (QLineEdit *e : {m_newDbName, m_projectDir, m_storageDir})
        connect(e, &QLineEdit::textChanged, this, &RestoreWizard::scheduleReplan);
    connect(m_safety, &QCheckBox::toggled, this, &RestoreWizard::scheduleReplan);
    connect(m_targetGroup, &QButtonGroup::buttonToggled, this, [this, page](QAbstractButton *, bool on) {
        if (!on)
            return;
        updateTargetWidgets();
        scheduleReplan();
        page->changed();
    });
    connect(m_newDbName, &QLineEdit::textChanged, page, [page] { page->changed(); });
    updateTargetWidgets();
    return page;
}

void RestoreWizard::updateTargetWidgets()
{
    if (!m_inPlace)
        return;
    const bool own = m_backupStackIndex >= 0;
    m_inPlace->setEnabled(own);
    m_inPlace->setText(own ? tr("This stack, in place: %1").arg(m_stacks.at(m_backupStackIndex).name)
                           : tr("This stack, in place (the backup's stack is not known here)"));
    if (!m_targetGroup->checkedButton()) {
        if (own) {
            m_inPlace->setChecked(true);
        } else if (!m_stacks.isEmpty()) {
            m_newDatabase->setChecked(true);
        }
    }
    if (m_newDbName->text().isEmpty() && m_inventory)
        m_newDbName->setText(QStringLiteral("%1_restored_%2")
                                 .arg(m_inventory->manifest.database.isEmpty() ? QStringLiteral("postgres")
                                                                                : m_inventory->manifest.database,
                                      QDate::currentDate().toString(QStringLiteral("yyyyMMdd"))));
    m_otherStackCombo->setEnabled(m_otherStack->isChecked());
    m_serverCombo->setEnabled(m_newDatabase->isChecked());
    m_newDbName->setEnabled(m_newDatabase->isChecked());
    m_safety->setEnabled(!m_newDatabase->isChecked());
    const RestoreTarget t = currentTarget();
    if (m_projectDir->text().isEmpty() && !t.stack.projectDir.isEmpty())
        m_projectDir->setText(t.stack.projectDir);
    if (m_storageDir->text().isEmpty() && !t.stack.id.isEmpty())
        m_storageDir->setText(BackupPreferences::request(t.stack).storageDir);
}

RestoreTarget RestoreWizard::currentTarget() const
{
    RestoreTarget t;
    if (m_stacks.isEmpty())
        return t;
    if (m_newDatabase && m_newDatabase->isChecked()) {
        t.kind = RestoreTarget::Kind::NewDatabase;
        t.stack = m_stacks.value(std::max(0, m_serverCombo->currentIndex()));
        t.newDatabase = m_newDbName->text().trimmed();
    } else if (m_otherStack && m_otherStack->isChecked()) {
        t = RestoreService::targetFor(m_inventory, m_stacks.value(std::max(0, m_otherStackCombo->currentIndex())));
    } else {
        t.kind = RestoreTarget::Kind::InPlace;
        t.stack = m_stacks.value(std::max(0, m_backupStackIndex));
    }
    return t;
}

RestoreOptions RestoreWizard::currentOptions() const
{
    RestoreOptions o;
    o.tables = TableConflict(m_tables->currentData().toInt());
    o.rows = RowConflict(m_rows->currentData().toInt());
    o.files = FileConflict(m_files->currentData().toInt());
    o.owners = OwnerHandling(m_owners->currentData().toInt());
    o.parents = MissingParents(m_parents->currentData().toInt());
    o.safetyBackup = m_safety->isChecked();
    o.projectDir = m_projectDir->text().trimmed();
    o.storageDir = m_storageDir->text().trimmed();
    // The safety backup goes where this stack's backups go, so History shows it.
    const Stack target = currentTarget().stack;
    o.safetyBackupRoot = BackupPreferences::root(target);
    return o;
}

// ---- planning (read-only, off the GUI thread) --------------------------------------------------

void RestoreWizard::scheduleReplan()
{
    if (currentId() == RunPage || currentId() == SummaryPage)
        return;
    m_planning = true;
    if (m_closure && m_checklist->checkedCount() > 0)
        m_closure->setText(tr("Working out what comes along…"));
    if (auto *p = page(CheckPage))
        asPage(p)->changed();
    m_replanTimer->start();
}

void RestoreWizard::replan()
{
    if (!m_inventory || m_stacks.isEmpty() || m_checklist->checkedCount() == 0) {
        m_planning = false;
        m_plan.reset();
        showPlan();
        return;
    }
    const int generation = ++m_planGeneration;
    PlanInput input;
    input.inventory = m_inventory;
    input.selection = m_checklist->selection();
    input.target = currentTarget();
    input.options = currentOptions();
    whenReady(m_credentials(input.target.stack), this, [this, input, generation](const Credentials &c) mutable {
        if (generation != m_planGeneration)
            return;
        input.credentials = c;
        whenReady(RestoreService::plan(input), this, [this, generation](const Result<RestorePlan> &plan) {
            if (generation != m_planGeneration)
                return;
            m_planning = false;
            if (plan) {
                m_plan = plan.value();
                m_planError.clear();
            } else {
                m_plan.reset();
                m_planError = plan.error();
            }
            showPlan();
            emit planUpdated();
        });
    });
}

void RestoreWizard::showPlan()
{
    if (m_closure) {
        if (!m_planError.isEmpty())
            m_closure->setText(tr("<span style='color:#cf222e'>%1</span>").arg(m_planError.toHtmlEscaped()));
        else if (!m_plan || m_checklist->checkedCount() == 0)
            m_closure->setText(tr("Nothing picked yet."));
        else if (m_plan->closure.isEmpty())
            m_closure->setText(tr("%n item(s) picked; nothing else needs to come along.", nullptr, m_checklist->checkedCount()));
        else
            m_closure->setText(tr("%n item(s) picked. Also restored, because of what you picked:", nullptr,
                                  m_checklist->checkedCount())
                               + QStringLiteral("<br>") + escapedLines(m_plan->closure));
    }
    m_tablesCount->setText(conflictCount(m_plan, {QStringLiteral("tables")}));
    m_rowsCount->setText(conflictCount(m_plan, {QStringLiteral("users"), QStringLiteral("policies"),
                                                QStringLiteral("functions"), QStringLiteral("buckets")}));
    m_filesCount->setText(conflictCount(m_plan, {QStringLiteral("files")}));
    m_whereStatus->setText(m_planError.isEmpty() ? QString()
                                                 : tr("<span style='color:#cf222e'>%1</span>").arg(m_planError.toHtmlEscaped()));
    if (m_planText) {
        if (m_plan) {
            m_planText->setPlainText(m_plan->report());
            int steps = int(m_plan->steps.size());
            if (m_plan->runnable())
                m_checkHeadline->setText(tr("<b>%n step(s) will run</b> into %1. Read the plan, then press Restore.", nullptr, steps)
                                             .arg(m_plan->target.describe().toHtmlEscaped()));
            else
                m_checkHeadline->setText(tr("<span style='color:#cf222e'><b>This plan cannot run:</b> %1</span>")
                                             .arg(m_plan->blockers.join(u' ').toHtmlEscaped()));
        } else {
            m_planText->setPlainText(m_planError);
            m_checkHeadline->setText(m_planning ? tr("Planning…") : m_planError.toHtmlEscaped());
        }
        m_saveScript->setEnabled(m_plan.has_value());
    }
    if (auto *p = page(CheckPage))
        asPage(p)->changed();
}

} // namespace lifeboat
