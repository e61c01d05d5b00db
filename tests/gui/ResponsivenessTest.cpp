// The window stays responsive while a ~1 GB backup runs: a 10 ms timer on the GUI thread
// records the longest gap between its ticks. The figure is printed; the test fails only
// past 250 ms (the goal is under 100 ms).
#include "BackupService.h"
#include "MainWindow.h"
#include "SecretStore.h"
#include "StackCatalog.h"
#include "StackService.h"
#include "StackTableModel.h"
#include "TempCluster.h"
#include "TestUtil.h"

#include <QElapsedTimer>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTimer>

#include <gtest/gtest.h>

#include <cstdio>

using namespace lifeboat;
using namespace lifeboat::test;

TEST(Responsiveness, GuiThreadNeverStallsDuringAOneGigabyteBackup)
{
    TempCluster cluster;
    QString error;
    ASSERT_TRUE(cluster.start(&error)) << error.toStdString();
    const QStringList env{QStringLiteral("PGPASSFILE=") + cluster.pgpassFile()};
    QByteArray out, err;
    ASSERT_EQ(runProgram(TempCluster::binDir() + QStringLiteral("/pgbench"),
                         {QStringLiteral("-i"), QStringLiteral("-q"), QStringLiteral("-s"), QStringLiteral("50"),
                          QStringLiteral("-h"), cluster.host(), QStringLiteral("-p"), QString::number(cluster.port()),
                          QStringLiteral("-U"), cluster.superuser(), QStringLiteral("postgres")},
                         &out, &err, env, 600000),
              0)
        << err.toStdString();
    qputenv("PGPASSFILE", cluster.pgpassFile().toLocal8Bit());

    QTemporaryDir settings, backupsDir;
    StackCatalog catalog(settings.filePath(QStringLiteral("lifeboat.conf")));
    Stack profile;
    profile.name = QStringLiteral("big");
    profile.connection = cluster.connection();
    ASSERT_TRUE(catalog.saveProfile(profile).ok());
    QSettings().setValue(QStringLiteral("stacks/big/backup/root"), backupsDir.path());
    SecretStore secrets;
    StackService service(&catalog, &secrets);
    BackupService backups;
    MainWindow window(&service, &backups);
    window.show();
    ASSERT_TRUE(waitUntil([&] { return window.stackModel()->rowCount() == 1; }));

    QElapsedTimer clock;
    qint64 last = 0, longest = 0;
    QTimer ticker;
    ticker.setTimerType(Qt::PreciseTimer);
    QObject::connect(&ticker, &QTimer::timeout, [&] {
        const qint64 now = clock.elapsed();
        longest = std::max(longest, now - last);
        last = now;
    });
    QSignalSpy finished(&window, &MainWindow::backupFinished);
    clock.start();
    ticker.start(10);
    window.startBackup(*window.stackModel()->stackAt(0));
    ASSERT_TRUE(waitUntil([&] { return finished.count() == 1; }, 600000));
    ticker.stop();
    const qint64 total = clock.elapsed();
    const BackupResult result = finished.first().first().value<BackupResult>();
    ASSERT_EQ(result.outcome, BackupOutcome::Complete) << result.message.toStdString();

    std::printf("[ figures ] %.1f GB backup in %.1f s; longest GUI-thread stall: %lld ms (goal < 100 ms)\n",
                double(result.manifest.totalSize()) / 1e9, double(total) / 1000.0, static_cast<long long>(longest));
    EXPECT_LT(longest, 250) << "the GUI thread stalled for " << longest << " ms";
    QSettings().remove(QStringLiteral("stacks/big"));
    qunsetenv("PGPASSFILE");
}
