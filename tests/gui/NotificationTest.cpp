// Runs on a private session bus (with-keyring.sh) where this test provides
// org.freedesktop.Notifications itself, on a connection of its own, and records every Notify.
#include "BackupService.h"
#include "DesktopNotifier.h"
#include "FakeNotifications.h"
#include "HistoryPane.h"
#include "MainWindow.h"
#include "SecretStore.h"
#include "StackCatalog.h"
#include "StackService.h"
#include "StartupBackup.h"
#include "SupabaseFixture.h"
#include "TestUtil.h"
#include "TrayController.h"

#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QProcess>
#include <QSignalSpy>
#include <QSystemTrayIcon>
#include <QTemporaryDir>

#include <gtest/gtest.h>

using namespace lifeboat;
using namespace lifeboat::test;

namespace {

class NotificationTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        ASSERT_FALSE(qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS")) << "run through with-keyring.sh";
        ASSERT_FALSE(QSystemTrayIcon::isSystemTrayAvailable()) << "offscreen: no tray, so D-Bus it is";
        ASSERT_TRUE(notifications.isRegistered());

        catalog = std::make_unique<StackCatalog>(settings.filePath(QStringLiteral("lifeboat.conf")));
        service = std::make_unique<StackService>(catalog.get(), &secrets);
        window = std::make_unique<MainWindow>(service.get(), &backups);
        tray = std::make_unique<TrayController>(window.get(), &backups, &notifier);
    }
    void TearDown() override
    {
        tray.reset();
        window.reset();
        qunsetenv("PGPASSFILE");
    }

    FakeNotificationService notifications;
    FakeNotifications &server = notifications.server;
    QTemporaryDir settings, out;
    SecretStore secrets;
    BackupService backups;
    DesktopNotifier notifier;
    std::unique_ptr<StackCatalog> catalog;
    std::unique_ptr<StackService> service;
    std::unique_ptr<MainWindow> window;
    std::unique_ptr<TrayController> tray;
};

} // namespace

TEST_F(NotificationTest, AFinishedStartupBackupSendsExactlyOneNotifyNamingTheStack)
{
    SupabaseFixture fixture;
    QString error;
    ASSERT_TRUE(fixture.setUp(&error)) << error.toStdString();
    qputenv("PGPASSFILE", fixture.cluster().pgpassFile().toLocal8Bit());
    catalog->addProjectDir(fixture.projectDir());
    QSettings().setValue(QStringLiteral("stacks/lifeboat-demo/backup/root"), out.path());

    StartupBackup startup(window.get(), service.get(), &backups, tray.get());
    QSignalSpy finished(&startup, &StartupBackup::finished);
    startup.start(fixture.projectDir(), 30);
    ASSERT_TRUE(waitUntil([&] { return finished.count() == 1; }, 120000));
    EXPECT_EQ(finished.first().first().toInt(), 0);
    ASSERT_TRUE(waitUntil([&] { return !server.calls.isEmpty(); }, 10000));
    waitUntil([] { return false; }, 500); // nothing more arrives
    ASSERT_EQ(server.calls.size(), 1);
    EXPECT_TRUE(server.calls.first().summary.contains(QStringLiteral("lifeboat-demo")))
        << server.calls.first().summary.toStdString();
    EXPECT_TRUE(server.calls.first().summary.contains(QStringLiteral("finished")));
    EXPECT_TRUE(server.calls.first().actions.contains(QStringLiteral("default"))) << "clicking it shows the backup";
    EXPECT_FALSE(window->isVisible()) << "a startup backup runs in the background";

    // Clicking the notification (the server sends ActionInvoked "default") shows the backup.
    QDBusMessage click = QDBusMessage::createSignal(QStringLiteral("/org/freedesktop/Notifications"),
                                                    QStringLiteral("org.freedesktop.Notifications"),
                                                    QStringLiteral("ActionInvoked"));
    click << uint(1) << QStringLiteral("default");
    ASSERT_TRUE(notifications.bus().send(click));
    ASSERT_TRUE(waitUntil([&] {
        const BackupInfo *b = window->historyPane()->selectedBackup();
        return window->isVisible() && b && b->state == BackupInfo::State::Complete;
    }));
    EXPECT_TRUE(window->historyPane()->selectedBackup()->path.startsWith(out.path()));
    QSettings().remove(QStringLiteral("stacks/lifeboat-demo"));
}

TEST_F(NotificationTest, AStackThatNeverComesUpIsReportedAsAFailure)
{
    SupabaseFixture fixture;
    QString error;
    ASSERT_TRUE(fixture.setUp(&error)) << error.toStdString();
    catalog->addProjectDir(fixture.projectDir());
    fixture.cluster().stop();

    StartupBackup startup(window.get(), service.get(), &backups, tray.get());
    QSignalSpy finished(&startup, &StartupBackup::finished);
    startup.start(QStringLiteral("lifeboat-demo"), 3);
    ASSERT_TRUE(waitUntil([&] { return finished.count() == 1; }, 60000));
    EXPECT_EQ(finished.first().first().toInt(), 1);
    ASSERT_TRUE(waitUntil([&] { return server.calls.size() == 1; }, 10000));
    EXPECT_TRUE(server.calls.first().summary.contains(QStringLiteral("failed")));
    EXPECT_TRUE(server.calls.first().body.contains(QStringLiteral("did not accept connections within 3 s")))
        << server.calls.first().body.toStdString();
}

TEST_F(NotificationTest, CliBackupWithNotifySendsOneNotify)
{
    SupabaseFixture fixture;
    QString error;
    ASSERT_TRUE(fixture.setUp(&error)) << error.toStdString();
    QProcess cli;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("PGPASSFILE"), fixture.cluster().pgpassFile());
    cli.setProcessEnvironment(env);
    cli.start(QStringLiteral(LIFEBOAT_CLI_PATH),
              {QStringLiteral("backup"), QStringLiteral("--project"), fixture.projectDir(), QStringLiteral("--out"),
               out.path(), QStringLiteral("--wait"), QStringLiteral("10"), QStringLiteral("--notify")});
    // Keep this process's event loop turning: it serves the notifications.
    ASSERT_TRUE(waitUntil([&] { return cli.state() == QProcess::NotRunning; }, 120000));
    EXPECT_EQ(cli.exitCode(), 0) << cli.readAllStandardError().toStdString();
    ASSERT_EQ(server.calls.size(), 1);
    EXPECT_TRUE(server.calls.first().summary.contains(QStringLiteral("lifeboat-demo")));
}

TEST_F(NotificationTest, AnUnknownStackExitsWithTwo)
{
    StartupBackup startup(window.get(), service.get(), &backups, tray.get());
    QSignalSpy finished(&startup, &StartupBackup::finished);
    startup.start(QStringLiteral("no-such-stack"), 3);
    ASSERT_TRUE(waitUntil([&] { return finished.count() == 1; }, 30000));
    EXPECT_EQ(finished.first().first().toInt(), 2);
}
