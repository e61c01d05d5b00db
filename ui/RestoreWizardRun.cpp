// The restore wizard's last pages: Check (the plan), Run and Summary.
#include "RestoreWizard.h"
#include "RestoreWizardParts.h"

#include "BackupHistoryModel.h"
#include "BackupService.h"
#include "BackupStore.h"
#include "Futures.h"
#include "RestoreChecklistModel.h"
#include "RestoreRunner.h"

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

// ---- 4. Check ----------------------------------------------------------------------------------

QWizardPage *RestoreWizard::makeCheckPage()
{
    auto *page = new RestoreWizardPage([this] { return !m_planning && m_plan && m_plan->runnable(); });
    page->setTitle(tr("Check"));
    page->setSubTitle(tr("The plan, what already exists in the target and what to watch out for. This is the last "
                         "page before anything changes."));
    page->setCommitPage(true);
    page->setButtonText(QWizard::CommitButton, tr("&Restore"));
    auto *layout = new QVBoxLayout(page);
    m_checkHeadline = wrapLabel(tr("Planning…"));
    m_checkHeadline->setTextFormat(Qt::RichText); // always markup or escaped text
    layout->addWidget(m_checkHeadline);
    m_planText = new QPlainTextEdit;
    m_planText->setReadOnly(true);
    m_planText->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_planText->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    layout->addWidget(m_planText, 1);
    auto *bar = new QHBoxLayout;
    m_saveScript = new QPushButton(tr("Save as script…"));
    m_saveScript->setToolTip(tr("The same commands as a bash script that runs without Lifeboat"));
    bar->addWidget(m_saveScript);
    bar->addStretch();
    layout->addLayout(bar);
    connect(m_saveScript, &QPushButton::clicked, this, &RestoreWizard::saveScript);
    return page;
}

void RestoreWizard::saveScript()
{
    if (!m_plan)
        return;
    const QString file = QFileDialog::getSaveFileName(this, tr("Save the restore plan as a script"),
                                                      QDir::home().filePath(QStringLiteral("lifeboat-restore-plan.sh")),
                                                      tr("Shell scripts (*.sh)"));
    if (file.isEmpty())
        return;
    QFile f(file);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(m_plan->script().toUtf8()) < 0) {
        QMessageBox::warning(this, tr("Save as script"), tr("Cannot write %1: %2").arg(file, f.errorString()));
        return;
    }
    f.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
}

// ---- 5. Run ------------------------------------------------------------------------------------

QWizardPage *RestoreWizard::makeRunPage()
{
    auto *page = new RestoreWizardPage([this] { return m_report.has_value(); });
    page->setTitle(tr("Restoring"));
    page->setSubTitle(tr("Database steps run in one transaction: if one fails, the target is left as it was."));
    auto *layout = new QVBoxLayout(page);
    m_overall = new QProgressBar;
    m_overall->setRange(0, 1000);
    m_overall->setFormat(tr("%p% overall"));
    layout->addWidget(m_overall);
    m_steps = new QTreeWidget;
    m_steps->setColumnCount(3);
    m_steps->setHeaderLabels({tr("Step"), tr("State"), tr("Progress")});
    m_steps->setRootIsDecorated(false);
    m_steps->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_steps->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_steps->header()->setStretchLastSection(false);
    m_steps->header()->resizeSection(2, 160);
    layout->addWidget(m_steps, 1);
    m_log = new QPlainTextEdit;
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(5000);
    m_log->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_log->setMaximumHeight(160);
    layout->addWidget(m_log);
    auto *bar = new QHBoxLayout;
    bar->addStretch();
    m_cancel = new QPushButton(tr("Cancel restore"));
    m_cancel->setToolTip(tr("Stops between steps, or interrupts the running one; its transaction rolls back"));
    bar->addWidget(m_cancel);
    layout->addLayout(bar);
    connect(m_cancel, &QPushButton::clicked, this, &RestoreWizard::cancelRestore);
    return page;
}

void RestoreWizard::initializePage(int id)
{
    if (id == WherePage || id == CheckPage) {
        updateTargetWidgets();
        if (!m_plan && !m_planning)
            scheduleReplan();
    }
    if (id == CheckPage)
        showPlan();
    if (id == RunPage)
        startRestore();
    QWizard::initializePage(id);
}

void RestoreWizard::startRestore()
{
    if (!m_plan || m_restoreStarted)
        return;
    m_restoreStarted = true;
    button(QWizard::CancelButton)->setEnabled(false);
    m_steps->clear();
    for (const RestoreStep &s : m_plan->steps) {
        auto *item = new QTreeWidgetItem(m_steps, {s.title, stateText(StepOutcome::State::Pending)});
        item->setToolTip(0, s.touches.mid(0, 20).join(u'\n'));
        auto *bar = new QProgressBar;
        bar->setRange(0, 1);
        bar->setValue(0);
        bar->setTextVisible(false);
        bar->setMaximumHeight(14);
        m_steps->setItemWidget(item, 2, bar);
    }
    const QString target = m_plan->target.describe();
    m_log->appendPlainText(tr("Restoring into %1").arg(target));

    const RestorePlan plan = m_plan.value();
    whenReady(m_credentials(plan.target.stack), this, [this, plan](const Credentials &c) {
        RestoreRun run;
        run.plan = plan;
        run.credentials = c;
        run.verified = m_verified.value_or(false);
        m_job = RestoreService::run(run);
        if (m_cancelRequested)
            m_job->cancel();
        connect(m_job.get(), &RestoreJob::logLine, this, [this](const QString &line) { m_log->appendPlainText(line); });
        connect(m_job.get(), &RestoreJob::stepChanged, this, [this](int i, const StepOutcome &o) {
            QTreeWidgetItem *item = m_steps->topLevelItem(i);
            if (!item)
                return;
            item->setText(1, stateText(o.state));
            if (!o.message.isEmpty())
                item->setToolTip(1, o.message);
            auto *bar = qobject_cast<QProgressBar *>(m_steps->itemWidget(item, 2));
            if (bar) {
                if (o.state == StepOutcome::State::Running) {
                    bar->setRange(0, 0); // busy
                } else {
                    bar->setRange(0, 1);
                    bar->setValue(o.state == StepOutcome::State::Done ? 1 : 0);
                }
            }
            const QColor color = o.state == StepOutcome::State::Failed ? QColor(0xcf, 0x22, 0x2e)
                               : o.state == StepOutcome::State::Done   ? QColor(0x2d, 0xa4, 0x4e)
                                                                       : palette().color(QPalette::Text);
            item->setForeground(1, color);
            m_steps->scrollToItem(item);
        });
        auto *watcher = new QFutureWatcher<RestoreReport>(this);
        connect(watcher, &QFutureWatcherBase::progressValueChanged, m_overall, &QProgressBar::setValue);
        watcher->setFuture(m_job->future());
        whenReady(m_job->future(), this, [this, watcher](const RestoreReport &r) {
            watcher->deleteLater();
            m_overall->setValue(1000);
            m_cancel->setEnabled(false);
            showReport(r);
            asPage(page(RunPage))->changed();
            emit restoreFinished(r);
            next();
        });
    });
}

// ---- 6. Summary --------------------------------------------------------------------------------

QWizardPage *RestoreWizard::makeSummaryPage()
{
    auto *page = new RestoreWizardPage([] { return true; });
    page->setTitle(tr("Summary"));
    page->setSubTitle(tr("What was restored, what was not, and the way back."));
    page->setFinalPage(true);
    auto *layout = new QVBoxLayout(page);
    m_summaryHeadline = wrapLabel();
    QFont f = m_summaryHeadline->font();
    f.setPointSizeF(f.pointSizeF() * 1.25);
    m_summaryHeadline->setFont(f);
    m_summaryDetails = wrapLabel();
    m_summaryOwners = new QPlainTextEdit;
    m_summaryOwners->setReadOnly(true);
    m_summaryOwners->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_summaryOwners->setVisible(false);
    auto *bar = new QHBoxLayout;
    m_showSafety = new QPushButton(tr("Show the safety backup in History"));
    m_openLog = new QPushButton(tr("Open the log"));
    bar->addWidget(m_showSafety);
    bar->addWidget(m_openLog);
    bar->addStretch();
    m_summarySteps = new QTreeWidget;
    m_summarySteps->setColumnCount(2);
    m_summarySteps->setHeaderLabels({tr("Step"), tr("Result")});
    m_summarySteps->setRootIsDecorated(false);
    m_summarySteps->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_summarySteps->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_summarySteps->setMaximumHeight(180);
    layout->addWidget(m_summaryHeadline);
    layout->addWidget(m_summarySteps);
    layout->addWidget(m_summaryDetails);
    layout->addWidget(m_summaryOwners, 1);
    layout->addLayout(bar);
    layout->addStretch();
    connect(m_showSafety, &QPushButton::clicked, this, [this] {
        if (m_report && !m_report->safetyBackupPath.isEmpty())
            emit showBackupRequested(m_report->safetyBackupPath);
    });
    connect(m_openLog, &QPushButton::clicked, this, [this] {
        if (m_report)
            QDesktopServices::openUrl(QUrl::fromLocalFile(m_report->logPath));
    });
    return page;
}

void RestoreWizard::showReport(const RestoreReport &r)
{
    m_report = r;
    const int done = r.count(StepOutcome::State::Done);
    const int failed = r.count(StepOutcome::State::Failed);
    const int rolledBack = r.count(StepOutcome::State::RolledBack);
    const int notRun = r.count(StepOutcome::State::Skipped) + r.count(StepOutcome::State::Cancelled);
    switch (r.outcome) {
    case RestoreReport::Outcome::Complete:
        m_summaryHeadline->setText(tr("<span style='color:#2da44e'>✔</span> <b>Restore complete</b>"));
        break;
    case RestoreReport::Outcome::Cancelled:
        m_summaryHeadline->setText(tr("<b>Restore cancelled</b>"));
        break;
    case RestoreReport::Outcome::Refused:
        m_summaryHeadline->setText(tr("<span style='color:#cf222e'>✘</span> <b>Nothing was restored</b>"));
        break;
    case RestoreReport::Outcome::Failed:
        m_summaryHeadline->setText(tr("<span style='color:#cf222e'>✘</span> <b>Restore failed</b>"));
        break;
    }
    QString details = tr("Steps: %1 restored, %2 failed, %3 rolled back, %4 not run.")
                          .arg(done)
                          .arg(failed)
                          .arg(rolledBack)
                          .arg(notRun)
                          .toHtmlEscaped();
    details += QStringLiteral("<br><br>") + r.message.toHtmlEscaped();
    if (!r.safetyBackupPath.isEmpty())
        details += tr("<br><br>Safety backup taken before the restore:<br><code>%1</code>").arg(r.safetyBackupPath.toHtmlEscaped());
    details += tr("<br><br>Log: <code>%1</code>").arg(r.logPath.toHtmlEscaped());
    if (!r.ownersNotSet.isEmpty())
        details += tr("<br><br>%n object(s) belong to the connecting role because their owner could not be set:", nullptr,
                      int(r.ownersNotSet.size()));
    m_summaryDetails->setText(details);
    m_summarySteps->clear();
    for (int i = 0; i < r.steps.size() && m_plan && i < m_plan->steps.size(); ++i) {
        auto *item = new QTreeWidgetItem(m_summarySteps, {m_plan->steps.at(i).title, stateText(r.steps.at(i).state)});
        item->setToolTip(1, r.steps.at(i).message);
        if (r.steps.at(i).state == StepOutcome::State::Failed)
            item->setForeground(1, QColor(0xcf, 0x22, 0x2e));
    }
    m_summaryOwners->setPlainText(r.ownersNotSet.join(u'\n'));
    m_summaryOwners->setVisible(!r.ownersNotSet.isEmpty());
    m_showSafety->setVisible(!r.safetyBackupPath.isEmpty());
}

QString RestoreWizard::summaryText() const
{
    return m_summaryHeadline->text() + u'\n' + m_summaryDetails->text();
}

} // namespace lifeboat
