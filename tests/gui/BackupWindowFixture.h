#pragma once

// The window on the Supabase fixture, offscreen, with a private catalog and backup root:
// what BackupWindowTest.cpp and QuitTest.cpp click through.
#include "BackupEngine.h"
#include "BackupProgressWidget.h"
#include "BackupService.h"
#include "GuiTestUtil.h"
#include "MainWindow.h"
#include "RunCatalog.h"
#include "SecretStore.h"
#include "StackCatalog.h"
#include "StackService.h"
#include "StackTableModel.h"
#include "SupabaseFixture.h"
#include "TestUtil.h"

#include <QAction>
#include <QApplication>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTimer>

#include <memory>

#include <gtest/gtest.h>

namespace lifeboat::test {

inline QAction *action(QWidget &w, const QString &text)
{
    for (QAction *a : w.findChildren<QAction *>())
        if (a->text() == text)
            return a;
    return nullptr;
}

class BackupWindowTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        QString error;
        ASSERT_TRUE(fixture.setUp(&error)) << error.toStdString();
        qputenv("PGPASSFILE", fixture.cluster().pgpassFile().toLocal8Bit());
        catalog = std::make_unique<StackCatalog>(settings.filePath(QStringLiteral("lifeboat.conf")));
        catalog->addProjectDir(fixture.projectDir());
        service = std::make_unique<StackService>(catalog.get(), &secrets);
        // Backups of this test go to a temp root, as if chosen in the sheet.
        QSettings().setValue(QStringLiteral("stacks/lifeboat-demo/backup/root"), out.path());
        QSettings().setValue(QStringLiteral("stacks/lifeboat-demo/backup/storageDir"), fixture.storageDir());
        runs = std::make_unique<RunCatalog>(settings.filePath(QStringLiteral("catalog.sqlite")));
        backups = std::make_unique<BackupService>(runs.get());
        window = std::make_unique<MainWindow>(service.get(), backups.get());
        window->resize(1280, 860);
        window->show();
        ASSERT_TRUE(waitUntil([&] { return window->stackModel()->rowCount() == 1 && window->selectedStack(); }));
    }
    void TearDown() override
    {
        window.reset();
        QSettings().remove(QStringLiteral("retention"));
        QSettings().remove(QStringLiteral("defaults"));
        QSettings().remove(QStringLiteral("stacks/lifeboat-demo"));
        qunsetenv("PGPASSFILE");
    }

    // Clicks "Back up now" and accepts the sheet as it comes up.
    void clickBackUpNow()
    {
        QTimer::singleShot(100, [] {
            auto *dialog = qobject_cast<QDialog *>(QApplication::activeModalWidget());
            ASSERT_TRUE(dialog) << "the backup sheet opens";
            saveScreenshot(*dialog, QStringLiteral("backup-sheet.png"));
            dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->click();
        });
        action(*window, QStringLiteral("Back up now"))->trigger();
    }

    // `lifeboat-cli backup --project` of the fixture, with no option but the components: as a
    // startup hook runs it, so the stack's saved choices decide the rest.
    int cliBackup(const QString &components, QByteArray *so, QByteArray *se)
    {
        return runProgram(QStringLiteral(LIFEBOAT_CLI_PATH),
                          {QStringLiteral("backup"),
                           QStringLiteral("--project"),
                           fixture.projectDir(),
                           QStringLiteral("--components"),
                           components},
                          so,
                          se);
    }

    BackupProgressWidget *waitForPanel()
    {
        EXPECT_TRUE(waitUntil([&] { return !window->progressWidgets().isEmpty(); }));
        return window->progressWidgets().isEmpty() ? nullptr : window->progressWidgets().first();
    }

    // Adds public.bulk (600,000 rows: seconds of CSV export), clicks "Back up now" and returns
    // the progress panel.
    BackupProgressWidget *backUpABulkTable()
    {
        QString error;
        EXPECT_TRUE(fixture.cluster().exec(QStringLiteral("SET ROLE postgres; CREATE TABLE public.bulk AS SELECT g, "
                                                          "repeat(md5(g::text), 8) FROM generate_series(1, 600000) g"),
                                           &error))
            << error.toStdString();
        clickBackUpNow();
        return waitForPanel();
    }

    // One backup ended, cancelled, and its folder is marked so.
    void expectOneCancelledBackup(const QSignalSpy &finished)
    {
        ASSERT_EQ(finished.count(), 1);
        EXPECT_EQ(finished.first().first().value<BackupResult>().outcome, BackupOutcome::Cancelled);
        const QStringList folders
            = QDir(out.filePath(QStringLiteral("lifeboat-demo"))).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
        ASSERT_EQ(folders.size(), 1) << folders.join(u' ').toStdString();
        EXPECT_TRUE(folders.first().endsWith(QStringLiteral(".cancelled"))) << folders.first().toStdString();
    }

    SupabaseFixture fixture;
    QTemporaryDir settings, out;
    std::unique_ptr<StackCatalog> catalog;
    SecretStore secrets;
    std::unique_ptr<StackService> service;
    std::unique_ptr<RunCatalog> runs;
    std::unique_ptr<BackupService> backups;
    std::unique_ptr<MainWindow> window;
};

} // namespace lifeboat::test
