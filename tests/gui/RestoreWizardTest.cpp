// The restore wizard, offscreen, against the real fixture: opened from History, every page
// walked the way a person would, one table restored in place, the summary and its safety
// backup; a restore that waits keeps the window painting and is cancelled by quitting.
// Saves screenshots of the pages for docs/.
#include "RestoreWizard.h"
#include "BackupHistoryModel.h"
#include "BackupService.h"
#include "BackupTestUtil.h"
#include "BackupWindowFixture.h"
#include "GuiTestUtil.h"
#include "HistoryPane.h"
#include "MainWindow.h"
#include "RestoreChecklistModel.h"
#include "RunCatalog.h"
#include "SecretStore.h"
#include "StackCatalog.h"
#include "StackService.h"
#include "StackTableModel.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QMessageBox>
#include <QMutex>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QTemporaryDir>
#include <QTimer>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <thread>

#include <gtest/gtest.h>

using namespace lifeboat;
using namespace lifeboat::test;

namespace {

int taskCount(const SupabaseFixture &f)
{
    PgConnection conn = PgConnection::open(f.cluster().connection(), f.cluster().password());
    PgResultPtr r = conn.exec(QStringLiteral("SELECT count(*) FROM public.tasks"));
    return PgConnection::value(r.get(), 0, 0).toInt();
}

} // namespace

TEST(RestoreWizardTest, OneTableFromHistoryThroughEveryPage)
{
    SupabaseFixture fixture;
    QString error;
    ASSERT_TRUE(fixture.setUp(&error)) << error.toStdString();
    QTemporaryDir out, settings;
    qputenv("PGPASSFILE", fixture.cluster().pgpassFile().toLocal8Bit());
    const BackupResult backup = runBackup(requestFor(fixture, out.path()));
    ASSERT_EQ(backup.outcome, BackupOutcome::Complete) << backup.message.toStdString();
    const int tasksAtBackup = taskCount(fixture);
    ASSERT_TRUE(fixture.cluster().exec(QStringLiteral("DELETE FROM public.tasks WHERE id % 2 = 0")));
    ASSERT_LT(taskCount(fixture), tasksAtBackup);

    StackCatalog catalog(settings.filePath(QStringLiteral("lifeboat.conf")));
    catalog.addProjectDir(fixture.projectDir());
    SecretStore secrets;
    StackService service(&catalog, &secrets);
    QSettings().setValue(QStringLiteral("stacks/lifeboat-demo/backup/root"), out.path());
    RunCatalog runs(settings.filePath(QStringLiteral("catalog.sqlite")));
    BackupService backups(&runs);
    MainWindow window(&service, &backups);
    window.resize(1280, 860);
    window.show();
    ASSERT_TRUE(waitUntil([&] { return window.selectedStack() && window.historyPane()->model()->rowCount() >= 1; }));

    // History: pick the backup, then Restore….
    window.historyPane()->selectBackup(backup.path);
    QAction *restore = nullptr;
    for (QAction *a : window.findChildren<QAction *>())
        if (a->text() == QStringLiteral("Restore…"))
            restore = a;
    ASSERT_NE(restore, nullptr);
    ASSERT_TRUE(waitUntil([&] { return restore->isEnabled(); }));
    RestoreWizard *wizard = nullptr;
    QObject::connect(&window, &MainWindow::restoreWizardOpened, &window, [&](RestoreWizard *w) { wizard = w; });
    restore->trigger();
    ASSERT_NE(wizard, nullptr);
    wizard->resize(900, 680);
    QAbstractItemModelTester tester(wizard->checklist(), QAbstractItemModelTester::FailureReportingMode::Warning);

    // 1. Backup: verified before anything else.
    EXPECT_EQ(wizard->currentId(), RestoreWizard::BackupPage);
    ASSERT_TRUE(waitUntil([&] { return wizard->backupReady(); }, 30000));
    EXPECT_TRUE(wizard->currentPage()->isComplete());
    saveScreenshot(*wizard, QStringLiteral("restore-1-backup.png"));
    wizard->next();

    // 2. What: filter, tick one table, see what comes along.
    ASSERT_EQ(wizard->currentId(), RestoreWizard::WhatPage);
    EXPECT_FALSE(wizard->currentPage()->isComplete()) << "nothing picked yet";
    wizard->filterEdit()->setText(QStringLiteral("tasks"));
    ASSERT_TRUE(wizard->checklist()->setItemChecked(QStringLiteral("table:public.tasks"), true));
    EXPECT_TRUE(wizard->currentPage()->isComplete());
    ASSERT_TRUE(waitUntil([&] { return !wizard->isPlanning() && wizard->plan().has_value(); }, 30000));
    EXPECT_TRUE(wizard->closureText().contains(QStringLiteral("1 sequence"))) << wizard->closureText().toStdString();
    EXPECT_TRUE(wizard->closureText().contains(QStringLiteral("because of public.tasks")));
    saveScreenshot(*wizard, QStringLiteral("restore-2-checklist.png"));
    wizard->next();

    // 3. Where and how: this stack in place by default, the table's conflict counted.
    ASSERT_EQ(wizard->currentId(), RestoreWizard::WherePage);
    ASSERT_TRUE(waitUntil([&] { return !wizard->isPlanning() && wizard->plan().has_value(); }, 30000));
    EXPECT_EQ(wizard->plan()->target.kind, RestoreTarget::Kind::InPlace);
    ASSERT_EQ(wizard->plan()->conflicts.size(), 1);
    EXPECT_EQ(wizard->plan()->conflicts.first().items, QStringList{QStringLiteral("public.tasks")});
    saveScreenshot(*wizard, QStringLiteral("restore-3-where.png"));
    wizard->next();

    // 4. Check: nothing has run yet.
    ASSERT_EQ(wizard->currentId(), RestoreWizard::CheckPage);
    ASSERT_TRUE(waitUntil([&] { return wizard->currentPage()->isComplete(); }, 30000));
    EXPECT_LT(taskCount(fixture), tasksAtBackup) << "nothing runs before Restore is pressed";
    saveScreenshot(*wizard, QStringLiteral("restore-4-check.png"));
    wizard->next();

    // 5 and 6. Run, then the summary.
    ASSERT_TRUE(waitUntil([&] { return wizard->currentId() == RestoreWizard::SummaryPage; }, 120000));
    ASSERT_TRUE(wizard->report().has_value());
    EXPECT_EQ(wizard->report()->outcome, RestoreReport::Outcome::Complete) << wizard->report()->message.toStdString();
    EXPECT_TRUE(wizard->summaryText().contains(QStringLiteral("Restore complete"))) << wizard->summaryText().toStdString();
    EXPECT_EQ(taskCount(fixture), tasksAtBackup);
    saveScreenshot(*wizard, QStringLiteral("restore-6-summary.png"));

    // The safety backup is in History, with its note, and the summary leads to it.
    const QString safety = wizard->report()->safetyBackupPath;
    ASSERT_FALSE(safety.isEmpty());
    QPushButton *show = nullptr;
    for (QPushButton *b : wizard->findChildren<QPushButton *>())
        if (b->text() == QStringLiteral("Show the safety backup in History"))
            show = b;
    ASSERT_NE(show, nullptr);
    show->click();
    ASSERT_TRUE(waitUntil([&] {
        const BackupInfo *b = window.historyPane()->selectedBackup();
        return b && b->path == safety;
    }, 20000));
    const BackupHistoryModel *history = window.historyPane()->model();
    const int row = history->rowOf(safety);
    ASSERT_GE(row, 0);
    EXPECT_EQ(history->data(history->index(row, BackupHistoryModel::NoteColumn), Qt::DisplayRole).toString(),
              QStringLiteral("before restore of lifeboat-demo %1").arg(QFileInfo(backup.path).fileName()));
    wizard->accept();
}

TEST(RestoreWizardTest, ATrialRestoreIntoANewDatabaseNeedsNoSafetyBackup)
{
    SupabaseFixture fixture;
    QString error;
    ASSERT_TRUE(fixture.setUp(&error)) << error.toStdString();
    QTemporaryDir out;
    const BackupResult backup = runBackup(requestFor(fixture, out.path()));
    ASSERT_EQ(backup.outcome, BackupOutcome::Complete) << backup.message.toStdString();

    const Stack stack = fixture.stack();
    const QString password = fixture.cluster().password();
    RestoreWizard wizard(backup.path, {stack}, [password](const Stack &) {
        return QtFuture::makeReadyFuture(Credentials{password, {}});
    });
    wizard.resize(900, 680);
    wizard.show();
    ASSERT_TRUE(waitUntil([&] { return wizard.backupReady(); }, 30000));
    wizard.next();
    ASSERT_TRUE(wizard.checklist()->setItemChecked(QStringLiteral("user:user03@example.com"), true));
    ASSERT_TRUE(wizard.checklist()->setItemChecked(QStringLiteral("table:public.projects"), true));
    wizard.next();
    ASSERT_EQ(wizard.currentId(), RestoreWizard::WherePage);
    QRadioButton *newDb = nullptr;
    for (QRadioButton *b : wizard.findChildren<QRadioButton *>())
        if (b->text() == QStringLiteral("A new database on:"))
            newDb = b;
    ASSERT_NE(newDb, nullptr);
    newDb->click();
    QLineEdit *name = nullptr;
    for (QLineEdit *e : wizard.findChildren<QLineEdit *>())
        if (e->placeholderText() == QStringLiteral("database name"))
            name = e;
    ASSERT_NE(name, nullptr);
    name->setText(QStringLiteral("trial_from_wizard"));
    ASSERT_TRUE(waitUntil([&] {
        return !wizard.isPlanning() && wizard.plan() && wizard.plan()->target.newDatabase == QStringLiteral("trial_from_wizard");
    }, 30000));
    EXPECT_TRUE(wizard.plan()->conflicts.isEmpty());
    EXPECT_NE(wizard.plan()->steps.first().kind, RestoreStep::Kind::SafetyBackup) << "a new database has nothing to save";
    wizard.next();
    ASSERT_TRUE(waitUntil([&] { return wizard.currentPage()->isComplete(); }, 30000)) << wizard.plan()->report().toStdString();
    wizard.next();
    ASSERT_TRUE(waitUntil([&] { return wizard.currentId() == RestoreWizard::SummaryPage; }, 120000));
    ASSERT_EQ(wizard.report()->outcome, RestoreReport::Outcome::Complete) << wizard.report()->message.toStdString();
    EXPECT_TRUE(wizard.report()->safetyBackupPath.isEmpty());

    PgConnection conn = PgConnection::open(fixture.cluster().connection(QStringLiteral("trial_from_wizard")), password);
    PgResultPtr r = conn.exec(QStringLiteral("SELECT (SELECT count(*) FROM auth.users WHERE email = 'user03@example.com'), "
                                             "(SELECT count(*) FROM public.projects)"));
    ASSERT_TRUE(PgConnection::succeeded(r.get())) << PgConnection::resultError(r.get()).toStdString();
    EXPECT_EQ(PgConnection::value(r.get(), 0, 0), QStringLiteral("1"));
    EXPECT_GT(PgConnection::value(r.get(), 0, 1).toInt(), 0);
}

namespace {

// public.tasks, half deleted since the backup, restored in place through the wizard while
// another session holds the table: the restore's step waits there, as a long one would.
class RestoreThatWaits : public BackupWindowTest
{
protected:
    void SetUp() override
    {
        BackupWindowTest::SetUp();
        ASSERT_FALSE(HasFatalFailure());
        const BackupResult backup = runBackup(requestFor(fixture, out.path()));
        ASSERT_EQ(backup.outcome, BackupOutcome::Complete) << backup.message.toStdString();
        ASSERT_TRUE(fixture.cluster().exec(QStringLiteral("DELETE FROM public.tasks WHERE id % 2 = 0")));
        tasksBefore = taskCount(fixture);

        window->refreshHistory();
        ASSERT_TRUE(waitUntil([&] { return window->historyPane()->model()->rowOf(backup.path) >= 0; }));
        window->historyPane()->selectBackup(backup.path);
        QObject::connect(
            window.get(), &MainWindow::restoreWizardOpened, window.get(), [&](RestoreWizard *w) { wizard = w; });
        window->restoreSelected();
        ASSERT_NE(wizard, nullptr);
        wizard->resize(900, 680);
        // The wizard deletes itself once closed: keep what it reports.
        QObject::connect(
            wizard, &RestoreWizard::restoreFinished, window.get(), [&](const RestoreReport &r) { report = r; });

        holder = PgConnection::open(fixture.cluster().connection(), fixture.cluster().password());
        // Its own session: inside the holder's transaction pg_stat_activity stays as first read.
        observer = PgConnection::open(fixture.cluster().connection(), fixture.cluster().password());
        ASSERT_TRUE(PgConnection::succeeded(
            holder.exec(QStringLiteral("BEGIN; LOCK TABLE public.tasks IN ACCESS SHARE MODE")).get()));
    }
    void TearDown() override
    {
        stopWatching = true;
        if (watchdog.joinable())
            watchdog.join();
        BackupWindowTest::TearDown();
    }

    // Walks the wizard to Run with public.tasks picked; returns once the restore waits.
    // From here on a watchdog releases the table if the window stops answering for 15 s
    // (`froze` says so), so a frozen window fails the test instead of hanging it.
    void startRestoreThatWaits()
    {
        auto *heartbeat = new QTimer(window.get());
        QObject::connect(heartbeat, &QTimer::timeout, window.get(), [this] { lastBeatMs = clock.elapsed(); });
        heartbeat->start(100);
        clock.start();
        watchdog = std::thread([this] {
            while (!stopWatching) {
                std::this_thread::sleep_for(std::chrono::milliseconds(200));
                if (clock.elapsed() - lastBeatMs > 15000 && !froze) {
                    froze = true;
                    releaseTheTable();
                }
            }
        });
        ASSERT_TRUE(waitUntil([&] { return wizard->backupReady(); }, 30000));
        wizard->next();
        ASSERT_TRUE(wizard->checklist()->setItemChecked(QStringLiteral("table:public.tasks"), true));
        ASSERT_TRUE(waitUntil([&] { return !wizard->isPlanning() && wizard->plan().has_value(); }, 30000));
        wizard->next();
        ASSERT_TRUE(waitUntil([&] { return !wizard->isPlanning() && wizard->plan().has_value(); }, 30000));
        wizard->next();
        ASSERT_TRUE(waitUntil([&] { return wizard->currentPage()->isComplete(); }, 30000));
        wizard->next(); // Run: the safety backup, then the step that waits
        ASSERT_TRUE(waitUntil([&] { return froze || sessionsWaiting() == 1; }, 120000))
            << "the restore never waited for the table";
        ASSERT_FALSE(froze) << "the window froze while the restore ran";
    }

    int sessionsWaiting()
    {
        PgResultPtr r = observer.exec(QStringLiteral("SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                                                     "'lifeboat-restore' AND wait_event_type = 'Lock'"));
        return PgConnection::value(r.get(), 0, 0).toInt();
    }

    void releaseTheTable()
    {
        QMutexLocker lock(&holderMutex);
        holder.exec(QStringLiteral("ROLLBACK"));
    }

    int tasksBefore = 0;
    RestoreWizard *wizard = nullptr;
    std::optional<RestoreReport> report;
    QMutex holderMutex; ///< the watchdog may release the table from its thread
    PgConnection holder, observer;
    QElapsedTimer clock;
    std::atomic<qint64> lastBeatMs{0};
    std::atomic_bool froze{false}, stopWatching{false};
    std::thread watchdog;
};

} // namespace

TEST_F(RestoreThatWaits, TheWindowKeepsPaintingWhileTheRestoreWaits)
{
    // Qt paints large areas on the global thread pool and waits for it; a restore holding
    // every thread of that pool (two on a 2-core machine) froze the window for as long as
    // its step waited.
    startRestoreThatWaits();
    ASSERT_FALSE(HasFatalFailure());
    // Paint every window, whole, for a while as the step waits.
    QElapsedTimer painting;
    painting.start();
    while (painting.elapsed() < 2000) {
        window->grab();
        wizard->grab();
        QCoreApplication::processEvents();
    }
    EXPECT_FALSE(froze) << "the window froze while the restore waited";
    EXPECT_EQ(sessionsWaiting(), 1) << "the step is still waiting";
    saveScreenshot(*wizard, QStringLiteral("restore-5-waiting.png"));
    wizard->cancelRestore();
    ASSERT_TRUE(waitUntil([&] { return report.has_value(); }, 30000));
    releaseTheTable();
    EXPECT_EQ(report->outcome, RestoreReport::Outcome::Cancelled) << report->message.toStdString();
    EXPECT_EQ(taskCount(fixture), tasksBefore);
}

TEST_F(RestoreThatWaits, QuittingAsksThenCancelsItAndTheTargetIsLeftAsItWas)
{
    QString question;
    bool answered = false;
    const int code = runUntilQuit(
        [&] {
            startRestoreThatWaits();
            if (HasFatalFailure())
                return QCoreApplication::exit(7);
            // The tray's Quit (the window itself is blocked by the wizard).
            QTimer::singleShot(200, [&] {
                auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
                ASSERT_TRUE(box) << "quitting asks first";
                question = box->text();
                saveScreenshot(*box, QStringLiteral("quit-while-restoring.png"));
                for (QAbstractButton *b : box->buttons())
                    if (b->text() == QLatin1String("Cancel and quit")) {
                        answered = true;
                        b->click();
                    }
            });
            window->quitApplication(true);
        },
        180000);
    releaseTheTable();
    EXPECT_FALSE(froze) << "the window froze while the restore waited";
    EXPECT_EQ(code, 0) << "Lifeboat did not quit once the restore had stopped";
    EXPECT_TRUE(answered);
    EXPECT_TRUE(question.startsWith(QStringLiteral("A restore into "))) << question.toStdString();
    ASSERT_TRUE(report.has_value());
    EXPECT_EQ(report->outcome, RestoreReport::Outcome::Cancelled) << report->message.toStdString();
    EXPECT_TRUE(report->message.contains(QStringLiteral("rolled back"))) << report->message.toStdString();
    EXPECT_EQ(taskCount(fixture), tasksBefore) << "the cancelled step changed the target";
}
