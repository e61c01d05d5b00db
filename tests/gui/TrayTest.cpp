// Runs on Xvfb with trayer as the system tray (support/with-tray.sh): the tray icon, its
// menu, and the balloon that says how a backup ended.
#include "BackupService.h"
#include "GuiTestUtil.h"
#include "MainWindow.h"
#include "SecretStore.h"
#include "StackCatalog.h"
#include "StackService.h"
#include "StackTableModel.h"
#include "SupabaseFixture.h"
#include "TestUtil.h"
#include "TrayController.h"

#include <QMenu>
#include <QSettings>
#include <QSignalSpy>
#include <QSystemTrayIcon>
#include <QTemporaryDir>

#include <gtest/gtest.h>

using namespace lifeboat;
using namespace lifeboat::test;

TEST(Tray, ABackupFromTheTrayMenuEndsWithABalloonNamingTheStack)
{
    ASSERT_TRUE(waitUntil([] { return QSystemTrayIcon::isSystemTrayAvailable(); }, 10000))
        << "run through with-tray.sh (Xvfb + trayer)";
    SupabaseFixture fixture;
    QString error;
    ASSERT_TRUE(fixture.setUp(&error)) << error.toStdString();
    qputenv("PGPASSFILE", fixture.cluster().pgpassFile().toLocal8Bit());
    QTemporaryDir settings, out;
    QSettings().setValue(QStringLiteral("stacks/lifeboat-demo/backup/root"), out.path());
    StackCatalog catalog(settings.filePath(QStringLiteral("lifeboat.conf")));
    catalog.addProjectDir(fixture.projectDir());
    SecretStore secrets;
    StackService service(&catalog, &secrets);
    BackupService backups;
    MainWindow window(&service, &backups);
    TrayController tray(&window, &backups, nullptr);
    ASSERT_TRUE(tray.hasTray());
    EXPECT_TRUE(tray.trayIcon()->isVisible());
    ASSERT_TRUE(waitUntil([&] { return window.stackModel()->rowCount() == 1; }));

    // The menu offers the stack under "Back up now".
    QMenu *menu = tray.trayIcon()->contextMenu();
    emit menu->aboutToShow();
    QAction *backUp = nullptr;
    for (QAction *a : menu->actions())
        if (a->menu() && a->text() == QLatin1String("Back up now"))
            for (QAction *s : a->menu()->actions())
                if (s->text() == QLatin1String("lifeboat-demo"))
                    backUp = s;
    ASSERT_TRUE(backUp);

    QSignalSpy notified(&tray, &TrayController::notified);
    backUp->trigger();
    ASSERT_TRUE(waitUntil([&] { return backups.isRunning(QStringLiteral("lifeboat-demo")); }));
    EXPECT_TRUE(tray.trayIcon()->toolTip().contains(QStringLiteral("backing up")))
        << tray.trayIcon()->toolTip().toStdString();
    ASSERT_TRUE(waitUntil([&] { return notified.count() == 1; }, 120000));
    EXPECT_EQ(notified.first().at(0).value<TrayController::Channel>(), TrayController::Channel::Tray);
    EXPECT_TRUE(notified.first().at(1).toString().contains(QStringLiteral("lifeboat-demo")));
    EXPECT_TRUE(notified.first().at(1).toString().contains(QStringLiteral("finished")));
    EXPECT_EQ(tray.trayIcon()->toolTip(), QStringLiteral("Lifeboat"));
    QSettings().remove(QStringLiteral("stacks/lifeboat-demo"));
    qunsetenv("PGPASSFILE");
}

namespace {

QAction *quitIn(const QList<QAction *> &actions)
{
    for (QAction *a : actions)
        if (a->text().remove(u'&') == QLatin1String("Quit"))
            return a;
    return nullptr;
}

} // namespace

TEST(Tray, QuitQuitsWhileTheWindowIsOpenFromTheMenuAndFromTheTray)
{
    // With a tray, closing the window only hides it; Quit, from the window's File menu or the
    // tray's menu, must still end Lifeboat, window open or not.
    ASSERT_TRUE(waitUntil([] { return QSystemTrayIcon::isSystemTrayAvailable(); }, 10000))
        << "run through with-tray.sh (Xvfb + trayer)";
    QTemporaryDir settings;
    StackCatalog catalog(settings.filePath(QStringLiteral("lifeboat.conf")));
    SecretStore secrets;
    StackService service(&catalog, &secrets);
    BackupService backups;
    for (const QString &from : {QStringLiteral("window"), QStringLiteral("tray")}) {
        SCOPED_TRACE(from.toStdString());
        MainWindow window(&service, &backups);
        TrayController tray(&window, &backups, nullptr);
        ASSERT_TRUE(tray.hasTray());
        window.show();
        ASSERT_TRUE(waitUntil([&] { return window.isVisible(); }));
        QSignalSpy quitting(&window, &MainWindow::quitting);
        const int code = runUntilQuit(
            [&] {
                QAction *quit = nullptr;
                if (from == QLatin1String("window")) {
                    quit = quitIn(window.findChildren<QAction *>());
                } else {
                    QMenu *menu = tray.trayIcon()->contextMenu();
                    emit menu->aboutToShow();
                    quit = quitIn(menu->actions());
                }
                if (quit)
                    quit->trigger();
            },
            10000);
        EXPECT_EQ(code, 0) << "Quit left Lifeboat running";
        EXPECT_EQ(quitting.count(), 1);
        EXPECT_FALSE(window.isVisible());
    }
}
