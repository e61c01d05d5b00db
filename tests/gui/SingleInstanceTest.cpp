// One Lifeboat per user: the `lifeboat` binary itself, started as a user (or the autostart entry,
// or a hook) would start it, several times over. Runs on the private session bus of
// with-keyring.sh, where this test serves the desktop notifications.
#include "BackupStore.h"
#include "FakeNotifications.h"
#include "SupabaseFixture.h"
#include "TestUtil.h"

#include <QFileInfo>
#include <QProcess>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <gtest/gtest.h>

#include <memory>

using namespace lifeboat;
using namespace lifeboat::test;

namespace {

class SingleInstanceTest : public ::testing::Test
{
protected:
    void SetUp() override { ASSERT_TRUE(notifications.isRegistered()); }
    void TearDown() override
    {
        // SIGTERM, as a logout sends: Lifeboat quits cleanly.
        for (const auto &p : m_running) {
            p->terminate();
            if (!waitUntil([&] { return p->state() == QProcess::NotRunning; }, 15000))
                p->kill();
            p->waitForFinished(5000);
        }
    }

    QProcess *start(const QStringList &args, const QString &workDir = QString())
    {
        auto p = std::make_unique<QProcess>();
        p->setProcessEnvironment(m_env);
        if (!workDir.isEmpty())
            p->setWorkingDirectory(workDir);
        p->start(QStringLiteral(LIFEBOAT_GUI_PATH), args);
        m_running.push_back(std::move(p));
        return m_running.back().get();
    }

    struct Ended
    {
        int code = -1;
        QString out, err;
    };
    // Runs `lifeboat ARGS` to its end, this process's event loop turning meanwhile (it serves
    // the notifications the running Lifeboat sends).
    Ended run(const QStringList &args, int timeoutMs, const QString &workDir = QString())
    {
        QProcess *p = start(args, workDir);
        Ended e;
        if (!waitUntil([&] { return p->state() == QProcess::NotRunning; }, timeoutMs))
            return e;
        e.code = p->exitStatus() == QProcess::NormalExit ? p->exitCode() : -1;
        e.out = QString::fromLocal8Bit(p->readAllStandardOutput());
        e.err = QString::fromLocal8Bit(p->readAllStandardError());
        return e;
    }

    // The first Lifeboat listens once its socket is there.
    static QString socketPath()
    {
        return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation)
               + QStringLiteral("/lifeboat/lifeboat-window.socket");
    }
    QProcess *startFirst(const QStringList &args = {})
    {
        QProcess *first = start(args);
        EXPECT_TRUE(waitUntil([&] { return QFileInfo::exists(socketPath()) || first->state() == QProcess::NotRunning; },
                              30000));
        EXPECT_EQ(first->state(), QProcess::Running) << first->readAllStandardError().toStdString();
        return first;
    }

    FakeNotificationService notifications;
    QProcessEnvironment m_env = QProcessEnvironment::systemEnvironment();
    std::vector<std::unique_ptr<QProcess>> m_running;
};

QString pidOf(const QProcess *p)
{
    return QString::number(p->processId());
}

} // namespace

TEST_F(SingleInstanceTest, ALaterStartBringsTheRunningWindowToTheFrontAndExits)
{
    QProcess *first = startFirst();

    const Ended fromMenu = run({}, 30000);
    EXPECT_EQ(fromMenu.code, 0) << fromMenu.err.toStdString();
    EXPECT_TRUE(fromMenu.out.contains(
        QStringLiteral("Lifeboat already runs (process %1): its window is in front.").arg(pidOf(first))))
        << fromMenu.out.toStdString();

    // The autostart entry a second time: nothing to show, nothing new.
    const Ended autostart = run({QStringLiteral("--hidden")}, 30000);
    EXPECT_EQ(autostart.code, 0) << autostart.err.toStdString();
    EXPECT_TRUE(autostart.out.contains(QStringLiteral("Lifeboat already runs (process %1).").arg(pidOf(first))))
        << autostart.out.toStdString();

    EXPECT_EQ(first->state(), QProcess::Running) << "the first Lifeboat goes on";
}

TEST_F(SingleInstanceTest, AStartupBackupIsHandedToTheRunningLifeboatWhichBacksUpOnceAndNotifiesOnce)
{
    SupabaseFixture fixture;
    QString error;
    ASSERT_TRUE(fixture.setUp(&error)) << error.toStdString();
    m_env.insert(QStringLiteral("PGPASSFILE"), fixture.cluster().pgpassFile());
    QTemporaryDir out;
    {
        QSettings settings;
        settings.setValue(QStringLiteral("stacks/lifeboat-demo/backup/root"), out.path());
        settings.sync();
    }
    QProcess *first = startFirst();

    // A hook in the project's parent folder, naming the project folder relative to it.
    const QFileInfo project(fixture.projectDir());
    const Ended hook = run({QStringLiteral("--startup-backup"),
                            project.fileName(),
                            QStringLiteral("--quit-when-done"),
                            QStringLiteral("--wait"),
                            QStringLiteral("30")},
                           180000,
                           project.absolutePath());
    EXPECT_EQ(hook.code, 0) << hook.err.toStdString();
    EXPECT_TRUE(hook.out.contains(
        QStringLiteral("Lifeboat (process %1): Backed up lifeboat-demo to %2").arg(pidOf(first), out.path())))
        << hook.out.toStdString();

    const QList<BackupInfo> backups = BackupStore::list(out.path());
    ASSERT_EQ(backups.size(), 1) << "one backup of the start, by the running Lifeboat";
    EXPECT_EQ(backups.first().state, BackupInfo::State::Complete);
    ASSERT_TRUE(waitUntil([&] { return !notifications.server.calls.isEmpty(); }, 10000));
    waitUntil([] { return false; }, 500); // nothing more arrives
    ASSERT_EQ(notifications.server.calls.size(), 1);
    EXPECT_TRUE(notifications.server.calls.first().summary.contains(QStringLiteral("lifeboat-demo")))
        << notifications.server.calls.first().summary.toStdString();
    EXPECT_EQ(first->state(), QProcess::Running) << "the running Lifeboat goes on after the backup";
    QSettings().remove(QStringLiteral("stacks/lifeboat-demo"));
}

TEST_F(SingleInstanceTest, AKilledLifeboatDoesNotStopTheNextStart)
{
    QProcess *killed = startFirst();
    killed->kill(); // SIGKILL: its lock file and socket stay behind
    ASSERT_TRUE(waitUntil([&] { return killed->state() == QProcess::NotRunning; }, 10000));
    ASSERT_TRUE(QFileInfo::exists(socketPath()));

    QProcess *next = start({});
    EXPECT_FALSE(waitUntil([&] { return next->state() == QProcess::NotRunning; }, 3000))
        << "the next start runs as the first: " << next->readAllStandardOutput().toStdString()
        << next->readAllStandardError().toStdString();
    const Ended later = run({}, 30000);
    EXPECT_EQ(later.code, 0) << later.err.toStdString();
    EXPECT_TRUE(later.out.contains(QStringLiteral("(process %1)").arg(pidOf(next)))) << later.out.toStdString();
}
