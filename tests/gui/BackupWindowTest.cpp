// Backing up from the window, offscreen, against the real fixture: the sheet, the progress
// panel, History, verify and cancel — what a person clicks.
#include "BackupEngine.h"
#include "BackupHistoryModel.h"
#include "BackupProgressWidget.h"
#include "BackupService.h"
#include "BackupStore.h"
#include "BackupTestUtil.h"
#include "BackupWindowFixture.h"
#include "GuiTestUtil.h"
#include "HistoryPane.h"
#include "MainWindow.h"
#include "ManifestTreeModel.h"
#include "MessageBar.h"
#include "RunCatalog.h"
#include "SecretStore.h"
#include "SettingsDialog.h"
#include "StackCatalog.h"
#include "StackService.h"
#include "StackStatus.h"
#include "StackTableModel.h"
#include "SupabaseFixture.h"
#include "TestUtil.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QDockWidget>
#include <QFileInfo>
#include <QLabel>
#include <QLockFile>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>
#include <QTreeView>

#include <algorithm>
#include <atomic>
#include <thread>

#include <gtest/gtest.h>

using namespace lifeboat;
using namespace lifeboat::test;

TEST_F(BackupWindowTest, BackUpNowFillsEveryBarAndAddsACompleteRow)
{
    QAbstractItemModelTester historyTester(window->historyPane()->model(),
                                           QAbstractItemModelTester::FailureReportingMode::Fatal);
    QAbstractItemModelTester manifestTester(window->historyPane()->manifestModel(),
                                            QAbstractItemModelTester::FailureReportingMode::Fatal);
    QSignalSpy finished(window.get(), &MainWindow::backupFinished);
    clickBackUpNow();
    BackupProgressWidget *panel = waitForPanel();
    ASSERT_TRUE(panel);
    bool shot = false;
    // The overall bar sums the rows; it must never be ahead of what the rows show.
    QStringList aheadOfRows;
    QObject::connect(panel->overallBar(), &QProgressBar::valueChanged, panel, [&](int value) {
        double sum = 0, weights = 0;
        bool allDone = true;
        for (const QString &c : Component::all()) {
            const int row = panel->componentBar(c) ? panel->componentBar(c)->value() : 0;
            sum += row * BackupEngine::componentWeight(c);
            weights += BackupEngine::componentWeight(c);
            allDone = allDone && row == 1000;
        }
        const double rows = 0.99 * sum / weights;
        if (!allDone && value > rows + 2)
            aheadOfRows << QStringLiteral("overall %1 with rows at %2").arg(value).arg(rows, 0, 'f', 0);
        if (!shot && value > 450 && value < 900) {
            shot = true;
            // After the component updates already queued behind this one, so the rows and the
            // overall bar in the picture are of the same moment.
            QTimer::singleShot(0, panel, [&] { saveScreenshot(*window, QStringLiteral("backup-in-progress.png")); });
        }
    });
    ASSERT_TRUE(waitUntil([&] { return finished.count() == 1; }, 120000));
    const BackupResult result = finished.first().first().value<BackupResult>();
    ASSERT_EQ(result.outcome, BackupOutcome::Complete) << result.message.toStdString();

    EXPECT_EQ(panel->overallBar()->value(), 1000);
    EXPECT_TRUE(aheadOfRows.isEmpty()) << aheadOfRows.join(QStringLiteral("; ")).toStdString();
    for (const QString &c : Component::all()) {
        ASSERT_TRUE(panel->componentBar(c)) << c.toStdString();
        EXPECT_EQ(panel->componentBar(c)->value(), 1000) << c.toStdString();
    }
    EXPECT_TRUE(panel->resultText().contains(QStringLiteral("Backup complete"))) << panel->resultText().toStdString();

    const BackupHistoryModel *history = window->historyPane()->model();
    ASSERT_TRUE(waitUntil([&] { return history->rowCount() == 1 && history->statusKey(0) == QLatin1String("complete"); }));
    EXPECT_EQ(history->data(history->index(0, 0), BackupHistoryModel::PathRole)
                  .toString(),
              result.path);
    ASSERT_TRUE(window->historyPane()->selectedBackup());
    EXPECT_EQ(window->historyPane()->manifestModel()->rowCount(), Component::all().size())
        << "the manifest browser lists every component";
    const QString caption = window->historyPane()->manifestCaption();
    EXPECT_TRUE(
        QRegularExpression(QStringLiteral("^<b>Manifest</b> of \\d{8}-\\d{6}: \\d+ files, [0-9.]+ (bytes|kB|MB|GB) — "
                                          "PostgreSQL 15\\.\\d+$"))
            .match(caption)
            .hasMatch())
        << caption.toStdString();
    const StackTableModel *stacks = window->stackModel();
    EXPECT_TRUE(stacks->data(stacks->index(0, StackTableModel::LastBackupColumn)).toString().contains(QStringLiteral("complete")));
    EXPECT_TRUE(stacks->index(0, StackTableModel::BackupSizeColumn)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .startsWith(QStringLiteral("1 complete backup")));
    window->historyPane()->tree()->expandAll();
    saveScreenshot(*window, QStringLiteral("main-window-history.png"));
}

TEST_F(BackupWindowTest, CancelShowsCancelledAndKeepsNoCompleteRow)
{
    QSignalSpy finished(window.get(), &MainWindow::backupFinished);
    BackupProgressWidget *panel = backUpABulkTable();
    ASSERT_TRUE(panel);
    ASSERT_TRUE(waitUntil([&] { return panel->overallBar()->value() > 0; }, 60000));
    QPushButton *cancel = nullptr;
    for (QPushButton *b : panel->findChildren<QPushButton *>())
        if (b->text() == QLatin1String("Cancel"))
            cancel = b;
    ASSERT_TRUE(cancel);
    cancel->click();
    ASSERT_TRUE(waitUntil([&] { return finished.count() == 1; }, 30000));
    EXPECT_EQ(finished.first().first().value<BackupResult>().outcome, BackupOutcome::Cancelled);
    EXPECT_TRUE(panel->resultText().contains(QStringLiteral("Cancelled")));
    ASSERT_TRUE(waitUntil([&] {
        return window->historyPane()->model()->rowCount() == 1
            && window->historyPane()->model()->statusKey(0) == QLatin1String("cancelled");
    })) << window->historyPane()->model()->statusKey(0).toStdString();
}

TEST_F(BackupWindowTest, AFailedBackupSaysWhyAndWhatToDoAndLeavesAFailedRow)
{
    // postgres loses BYPASSRLS: the policies of tables it does not own would hide rows from it.
    QString error;
    ASSERT_TRUE(fixture.cluster().exec(QStringLiteral("ALTER ROLE postgres NOBYPASSRLS"), &error))
        << error.toStdString();
    QSignalSpy finished(window.get(), &MainWindow::backupFinished);
    clickBackUpNow();
    BackupProgressWidget *panel = waitForPanel();
    ASSERT_TRUE(panel);
    ASSERT_TRUE(waitUntil([&] { return finished.count() == 1; }, 60000));
    EXPECT_EQ(finished.first().first().value<BackupResult>().outcome, BackupOutcome::Failed);
    const QString said = panel->resultText();
    EXPECT_TRUE(said.startsWith(QStringLiteral("Backup failed. Row-level security hides rows of ")))
        << said.toStdString();
    EXPECT_TRUE(said.contains(QStringLiteral("storage.buckets"))) << said.toStdString();
    EXPECT_TRUE(said.contains(QStringLiteral("from \"postgres\", so a backup as \"postgres\" would miss them")))
        << said.toStdString();
    EXPECT_TRUE(said.contains(QStringLiteral("ALTER ROLE postgres BYPASSRLS"))) << said.toStdString();
    ASSERT_TRUE(waitUntil([&] {
        return window->historyPane()->model()->rowCount() == 1
               && window->historyPane()->model()->statusKey(0) == QLatin1String("failed");
    })) << window->historyPane()->model()->statusKey(0).toStdString();
    saveScreenshot(*window, QStringLiteral("backup-failed.png"));
}

TEST_F(BackupWindowTest, ABackupThatLetsAMigrationThroughStartsAgainAndSaysSo)
{
    // One CSV connection: it reads public.bulk first and public.tasks after the migration's
    // ALTER has queued for it, behind the backup. The backup lets the migration through and
    // starts again; the window says so and ends with one complete backup. (Without the
    // database component: with it, the CSVs come from the dump, which locked every table
    // before the migration came.)
    QStringList components = Component::all();
    components.removeAll(Component::Database);
    QSettings().setValue(QStringLiteral("stacks/lifeboat-demo/backup/components"), components);
    QSettings().setValue(QStringLiteral("stacks/lifeboat-demo/backup/jobs"), 1);
    QSignalSpy finished(window.get(), &MainWindow::backupFinished);
    BackupProgressWidget *panel = backUpABulkTable();
    ASSERT_TRUE(panel);
    ASSERT_TRUE(waitUntil([&] { return panel->componentBar(Component::DataCsv)->value() > 0; }, 60000));
    ASSERT_EQ(finished.count(), 0) << "the backup ended before the migration started; grow public.bulk";

    const PgConnection migration = fixture.cluster().connect();
    std::atomic_bool migrated{false};
    std::thread alter([&] {
        migrated = PgConnection::succeeded(
            migration.exec(QStringLiteral("ALTER TABLE public.tasks ADD COLUMN estimate integer")).get());
    });
    auto saysAgain = [&] {
        const QList<QLabel *> labels = panel->findChildren<QLabel *>();
        return std::any_of(labels.cbegin(), labels.cend(), [](const QLabel *l) {
            return l->text().contains(QStringLiteral("again: it let a migration through"));
        });
    };
    const bool again = waitUntil(saysAgain, 60000);
    if (!again) // free both, so that the test can end
        fixture.cluster().exec(QStringLiteral("SELECT pg_cancel_backend(pid) FROM pg_stat_activity "
                                              "WHERE query LIKE 'ALTER TABLE public.tasks%'"));
    alter.join();
    ASSERT_TRUE(again) << "the window never said the backup started again; its log:\n"
                       << panel->findChild<QPlainTextEdit *>()->toPlainText().toStdString();
    EXPECT_TRUE(migrated.load());
    saveScreenshot(*window, QStringLiteral("backup-started-again.png"));

    ASSERT_TRUE(waitUntil([&] { return finished.count() == 1; }, 120000));
    const BackupResult result = finished.first().first().value<BackupResult>();
    ASSERT_EQ(result.outcome, BackupOutcome::Complete) << result.message.toStdString();
    EXPECT_TRUE(panel->resultText().contains(QStringLiteral("Backup complete"))) << panel->resultText().toStdString();
    for (const QString &c : std::as_const(components))
        EXPECT_EQ(panel->componentBar(c)->value(), 1000) << c.toStdString();
    EXPECT_TRUE(
        readAll(result.path + QStringLiteral("/data/public.tasks.csv")).split('\n').value(0).endsWith(",estimate"));
    const BackupHistoryModel *history = window->historyPane()->model();
    ASSERT_TRUE(waitUntil([&] {
        return history->rowCount() == 1 && history->statusKey(0) == QLatin1String("complete");
    })) << "one complete backup, and no failed row for the run that gave way";
}

TEST_F(BackupWindowTest, VerifyShowsDamagedWithTheFileNamed)
{
    QSignalSpy finished(window.get(), &MainWindow::backupFinished);
    window->startBackup(*window->selectedStack());
    ASSERT_TRUE(waitUntil([&] { return finished.count() == 1; }, 120000));
    const BackupResult result = finished.first().first().value<BackupResult>();
    ASSERT_EQ(result.outcome, BackupOutcome::Complete) << result.message.toStdString();
    ASSERT_TRUE(waitUntil([&] {
        const BackupInfo *b = window->historyPane()->selectedBackup();
        return b && b->state == BackupInfo::State::Complete; // not a .partial row seen mid-way
    }));

    QFile f(result.path + QStringLiteral("/auth_users/users.sql"));
    ASSERT_TRUE(f.open(QIODevice::ReadWrite));
    f.seek(200);
    f.write("#");
    f.close();

    QSignalSpy verified(window.get(), &MainWindow::verificationFinished);
    action(*window, QStringLiteral("Verify"))->trigger();
    ASSERT_TRUE(waitUntil([&] { return verified.count() == 1; }, 60000));
    EXPECT_FALSE(verified.first().at(1).toBool());
    EXPECT_EQ(window->historyPane()->model()->statusKey(0), QStringLiteral("damaged"));
    EXPECT_TRUE(window->messageBar()->text().contains(QStringLiteral("auth_users/users.sql")))
        << window->messageBar()->text().toStdString();
}

TEST_F(BackupWindowTest, ASecondBackupOfTheSameStackIsRefused)
{
    QString error;
    ASSERT_TRUE(fixture.cluster().exec(QStringLiteral("CREATE TABLE public.bulk AS SELECT g, repeat(md5(g::text), 8) "
                                                      "FROM generate_series(1, 300000) g"),
                                       &error))
        << error.toStdString();
    QSignalSpy finished(window.get(), &MainWindow::backupFinished);
    window->startBackup(*window->selectedStack());
    ASSERT_TRUE(waitUntil([&] { return backups->isRunning(QStringLiteral("lifeboat-demo")); }));
    window->startBackup(*window->selectedStack());
    EXPECT_TRUE(window->messageBar()->text().contains(QStringLiteral("already running")))
        << window->messageBar()->text().toStdString();
    ASSERT_TRUE(waitUntil([&] { return finished.count() == 1; }, 120000));
    EXPECT_EQ(window->progressWidgets().size(), 1);
}

TEST_F(BackupWindowTest, VerificationIsRememberedAcrossARestart)
{
    QSignalSpy finished(window.get(), &MainWindow::backupFinished);
    window->startBackup(*window->selectedStack());
    ASSERT_TRUE(waitUntil([&] { return finished.count() == 1; }, 120000));
    ASSERT_TRUE(waitUntil([&] {
        const BackupInfo *b = window->historyPane()->selectedBackup();
        return b && b->state == BackupInfo::State::Complete; // not a .partial row seen mid-way
    }));
    QSignalSpy verified(window.get(), &MainWindow::verificationFinished);
    action(*window, QStringLiteral("Verify"))->trigger();
    ASSERT_TRUE(waitUntil([&] { return verified.count() == 1; }, 60000));
    EXPECT_EQ(window->historyPane()->model()->statusKey(0), QStringLiteral("verified"));
    auto progressDock = [&] { return window->findChild<QDockWidget *>(QStringLiteral("progressDock")); };
    ASSERT_TRUE(progressDock() && progressDock()->isVisible()) << "the finished run's panel is still up";

    // A new window on the same catalog: the result is still there.
    window.reset(); // saves the window's layout, the progress dock shown in it
    backups = std::make_unique<BackupService>(runs.get());
    window = std::make_unique<MainWindow>(service.get(), backups.get());
    QSignalSpy loaded(window.get(), &MainWindow::historyLoaded);
    window->show();
    ASSERT_TRUE(waitUntil([&] { return window->historyPane()->model()->rowCount() == 1; }));
    EXPECT_EQ(window->historyPane()->model()->statusKey(0), QStringLiteral("verified"));
    ASSERT_TRUE(progressDock());
    EXPECT_FALSE(progressDock()->isVisible()) << "no empty \"Backups in progress\" dock after a restart";
}

TEST_F(BackupWindowTest, RetentionShowsWhatItWouldDeleteAndDeletesOnlyOnRequest)
{
    QSettings().setValue(QStringLiteral("retention/keepLast"), 1);
    QSignalSpy finished(window.get(), &MainWindow::backupFinished);
    window->startBackup(*window->selectedStack());
    ASSERT_TRUE(waitUntil([&] { return finished.count() == 1; }, 120000));
    QThread::msleep(1100); // the next backup gets its own timestamp
    window->startBackup(*window->selectedStack());
    ASSERT_TRUE(waitUntil([&] { return finished.count() == 2; }, 120000));
    ASSERT_TRUE(waitUntil([&] { return window->messageBar()->text().contains(QStringLiteral("Retention")); }))
        << window->messageBar()->text().toStdString();
    EXPECT_EQ(window->historyPane()->model()->rowCount(), 2) << "nothing is deleted before the click";
    QPushButton *remove = nullptr;
    for (QPushButton *b : window->messageBar()->findChildren<QPushButton *>())
        if (b->text().startsWith(QStringLiteral("Delete 1 old backup")))
            remove = b;
    ASSERT_TRUE(remove);
    remove->click();
    ASSERT_TRUE(waitUntil([&] { return window->historyPane()->model()->rowCount() == 1; }));
    EXPECT_EQ(window->historyPane()->model()->backupAt(0)->path,
              finished.at(1).first().value<BackupResult>().path) << "the newest one stays";
}

TEST_F(BackupWindowTest, ABackupMadeByTheCliAppearsWithoutARestart)
{
    ASSERT_TRUE(waitUntil([&] { return window->historyPane()->caption().contains(QStringLiteral("History")); }));
    // As a startup hook runs it: no --out, no --storage-dir. The CLI takes the backup root and
    // the storage folder chosen for this stack in Lifeboat (set up as the sheet saves them), so
    // the backup lands in this History and carries the object files.
    QByteArray so, se;
    ASSERT_EQ(cliBackup(QStringLiteral("database,functions,storage"), &so, &se), 0) << se.toStdString();
    const QString path = QString::fromUtf8(so.trimmed());
    EXPECT_EQ(QFileInfo(path).absolutePath(), out.path() + QStringLiteral("/lifeboat-demo")) << path.toStdString();
    EXPECT_TRUE(se.contains("using the choices saved in Lifeboat")) << "the CLI says where its choices came from";
    EXPECT_TRUE(QFileInfo::exists(
        path + QStringLiteral("/storage/files/avatars/00000000-0000-4000-8000-000000000001/avatar.png")))
        << "the remembered storage folder was used";
    ASSERT_TRUE(waitUntil([&] { return window->historyPane()->model()->rowCount() == 1; }, 15000))
        << "the History follows the folder on disk";
    EXPECT_EQ(window->historyPane()->model()->backupAt(0)->path, path);

    // `list --project` looks where this stack's backups go, not only in the project folder.
    ASSERT_EQ(runProgram(QStringLiteral(LIFEBOAT_CLI_PATH),
                         {QStringLiteral("list"), QStringLiteral("--project"), fixture.projectDir()},
                         &so,
                         &se),
              0)
        << se.toStdString();
    EXPECT_TRUE(so.contains(path.toUtf8())) << so.toStdString();
}

TEST_F(BackupWindowTest, SettingsDefaultsReachTheBackupSheetAndTheCli)
{
    // A first backup through the sheet, its connections and compression left as they were:
    // they stay the defaults' to decide.
    QSignalSpy finished(window.get(), &MainWindow::backupFinished);
    clickBackUpNow();
    ASSERT_TRUE(waitUntil([&] { return finished.count() == 1; }, 60000));

    // Settings…: three connections and compression 4 as the defaults of every stack.
    QTimer::singleShot(100, [] {
        auto *dialog = qobject_cast<QDialog *>(QApplication::activeModalWidget());
        ASSERT_TRUE(dialog) << "the settings dialog opens";
        for (QSpinBox *box : dialog->findChildren<QSpinBox *>()) {
            if (box->accessibleName() == QLatin1String("Default parallel connections"))
                box->setValue(3);
            if (box->accessibleName() == QLatin1String("Default compression level"))
                box->setValue(4);
        }
        saveScreenshot(*dialog, QStringLiteral("settings.png"));
        dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Save)->click();
    });
    action(*window, QStringLiteral("Settings…"))->trigger();

    // The sheet opens with them.
    QTimer::singleShot(100, [] {
        auto *dialog = qobject_cast<QDialog *>(QApplication::activeModalWidget());
        ASSERT_TRUE(dialog) << "the backup sheet opens";
        QStringList values;
        for (QSpinBox *box : dialog->findChildren<QSpinBox *>())
            values << box->accessibleName() + u'=' + QString::number(box->value());
        EXPECT_TRUE(values.contains(QStringLiteral("Parallel connections=3"))) << values.join(u' ').toStdString();
        EXPECT_TRUE(values.contains(QStringLiteral("Compression level=4"))) << values.join(u' ').toStdString();
        dialog->reject();
    });
    action(*window, QStringLiteral("Back up now"))->trigger();

    // And so does lifeboat-cli, which says so.
    QByteArray so, se;
    ASSERT_EQ(cliBackup(QStringLiteral("functions"), &so, &se), 0) << se.toStdString();
    EXPECT_TRUE(se.contains("3 connections") && se.contains("compression 4")) << se.toStdString();
}

TEST_F(BackupWindowTest, ABackupBeingWrittenElsewhereShowsInProgressAndCannotBeDeleted)
{
    ASSERT_TRUE(waitUntil([&] { return window->historyPane()->caption().contains(QStringLiteral("History")); }));
    // A run of another Lifeboat process, as it looks on disk: the folder and the run's lock.
    // The lock is held by this process, which is alive, as that run's would be.
    const QString stackDir = out.path() + QStringLiteral("/lifeboat-demo");
    const QString folder = stackDir + QStringLiteral("/20261127-101500.partial");
    ASSERT_TRUE(QDir().mkpath(stackDir));
    auto lock = std::make_unique<QLockFile>(BackupStore::lockPathFor(folder));
    lock->setStaleLockTime(0);
    ASSERT_TRUE(lock->tryLock(0));
    ASSERT_TRUE(QDir().mkpath(folder));

    const BackupHistoryModel *history = window->historyPane()->model();
    ASSERT_TRUE(waitUntil([&] { return history->rowCount() == 1 && history->statusKey(0) == QLatin1String("running"); },
                          15000));
    EXPECT_EQ(history->index(0, BackupHistoryModel::StatusColumn).data().toString(), QStringLiteral("in progress"));
    window->historyPane()->selectBackup(folder);
    EXPECT_TRUE(window->historyPane()->manifestCaption().startsWith(QStringLiteral("<b>in progress</b>: Being written by")))
        << window->historyPane()->manifestCaption().toStdString();
    EXPECT_FALSE(action(*window, QStringLiteral("Delete backup"))->isEnabled()) << "a backup being written is not deleted";
    EXPECT_FALSE(action(*window, QStringLiteral("Verify"))->isEnabled());
    EXPECT_FALSE(action(*window, QStringLiteral("Restore…"))->isEnabled());
    const StackTableModel *stacks = window->stackModel();
    ASSERT_TRUE(waitUntil([&] {
        return stacks->index(0, StackTableModel::LastBackupColumn).data().toString().contains(QStringLiteral("in progress"));
    }));
    EXPECT_EQ(stacks->index(0, StackTableModel::BackupSizeColumn).data().toString(), QString())
        << "no complete backup, so no size";
    saveScreenshot(*window, QStringLiteral("main-window-backup-running-elsewhere.png"));

    lock.reset(); // that run is over without finishing its folder (killed)
    ASSERT_TRUE(waitUntil([&] { return history->rowCount() == 1 && history->statusKey(0) == QLatin1String("incomplete"); },
                          15000));
    window->historyPane()->selectBackup(folder);
    EXPECT_TRUE(action(*window, QStringLiteral("Delete backup"))->isEnabled()) << "a killed run can be removed";
}

TEST_F(BackupWindowTest, AStackSetToBackUpOnStartIsBackedUpWhenItComesUp)
{
    SettingsDialog::setBacksUpOnStart(QStringLiteral("lifeboat-demo"), true);
    QSignalSpy settled(window.get(), &MainWindow::statusesSettled);
    fixture.cluster().stop();
    window->refreshStatuses();
    ASSERT_TRUE(waitUntil([&] {
        return window->stackModel()->statusOf(QStringLiteral("lifeboat-demo")).state == StackStatus::State::Down;
    }));
    EXPECT_FALSE(backups->isRunning(QStringLiteral("lifeboat-demo")));

    QString error;
    ASSERT_TRUE(fixture.cluster().restart(&error)) << error.toStdString();
    QSignalSpy started(window.get(), &MainWindow::stackStarted);
    QSignalSpy finished(window.get(), &MainWindow::backupFinished);
    window->refreshStatuses();
    ASSERT_TRUE(waitUntil([&] { return finished.count() == 1; }, 120000)) << "a backup ran when the stack came up";
    EXPECT_EQ(started.count(), 1);
    EXPECT_EQ(finished.first().first().value<BackupResult>().outcome, BackupOutcome::Complete);

    window->refreshStatuses(); // still up: no second backup for the same start
    waitUntil([] { return false; }, 1500);
    EXPECT_EQ(finished.count(), 1);
    SettingsDialog::setBacksUpOnStart(QStringLiteral("lifeboat-demo"), false);
}

TEST_F(BackupWindowTest, TwoStacksBackUpAtOnceAndClosingHidesIntoTheTray)
{
    SupabaseFixture other;
    QString error;
    ASSERT_TRUE(other.setUp(&error)) << error.toStdString();
    Stack profile;
    profile.name = QStringLiteral("second");
    profile.connection = other.cluster().connection(QStringLiteral("postgres"), QStringLiteral("postgres"));
    ASSERT_TRUE(catalog->saveProfile(profile).ok());
    QSettings().setValue(QStringLiteral("stacks/second/backup/root"), out.path());
    // Both clusters' passwords in one password file.
    const QString pgpass = settings.filePath(QStringLiteral("pgpass"));
    ASSERT_TRUE(writeFile(pgpass, QStringLiteral("127.0.0.1:%1:*:*:%2\n127.0.0.1:%3:*:*:%4\n")
                                      .arg(fixture.cluster().port())
                                      .arg(fixture.cluster().password())
                                      .arg(other.cluster().port())
                                      .arg(other.cluster().password())
                                      .toUtf8()));
    QFile::setPermissions(pgpass, QFile::ReadOwner | QFile::WriteOwner);
    qputenv("PGPASSFILE", pgpass.toLocal8Bit());
    window->refresh();
    ASSERT_TRUE(waitUntil([&] { return window->stackModel()->rowCount() == 2; }));

    QSignalSpy finished(window.get(), &MainWindow::backupFinished);
    window->startBackup(*window->stackModel()->stackAt(window->stackModel()->rowOf(QStringLiteral("lifeboat-demo"))));
    window->startBackup(*window->stackModel()->stackAt(window->stackModel()->rowOf(QStringLiteral("second"))));
    ASSERT_TRUE(waitUntil([&] { return backups->runningCount() == 2 || finished.count() > 0; }));
    ASSERT_TRUE(waitUntil([&] { return finished.count() == 2; }, 120000));
    for (const QList<QVariant> &args : std::as_const(finished))
        EXPECT_EQ(args.first().value<BackupResult>().outcome, BackupOutcome::Complete)
            << args.first().value<BackupResult>().message.toStdString();
    EXPECT_EQ(window->progressWidgets().size(), 2);

    window->setKeepRunningInTray(true);
    window->close();
    EXPECT_FALSE(window->isVisible()) << "hidden, still running";
    EXPECT_FALSE(QCoreApplication::closingDown());
    QSettings().remove(QStringLiteral("stacks/second"));
}
