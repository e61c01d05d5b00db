#include "BackupStore.h"
#include "RetentionPolicy.h"
#include "RunCatalog.h"
#include "TestUtil.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <gtest/gtest.h>

using namespace lifeboat;

namespace {

BackupInfo complete(const QString &path, int minutesAgo, std::optional<bool> verified = std::nullopt)
{
    BackupInfo b;
    b.path = path;
    b.state = BackupInfo::State::Complete;
    b.timestamp = QDateTime::currentDateTime().addSecs(-60 * minutesAgo);
    b.manifest = Manifest{};
    b.verifiedOk = verified;
    return b;
}

} // namespace

TEST(Retention, KeepsTheLastNCompleteBackupsAndTheLastVerifiedOne)
{
    QList<BackupInfo> list{complete(QStringLiteral("/b/1"), 1), complete(QStringLiteral("/b/2"), 2),
                           complete(QStringLiteral("/b/3"), 3, true), complete(QStringLiteral("/b/4"), 4, true),
                           complete(QStringLiteral("/b/5"), 5)};
    BackupInfo failed;
    failed.path = QStringLiteral("/b/0.failed");
    failed.state = BackupInfo::State::Failed;
    failed.timestamp = QDateTime::currentDateTime();
    list.prepend(failed);

    EXPECT_EQ(backupsBeyondRetention(list, 2), (QStringList{QStringLiteral("/b/4"), QStringLiteral("/b/5")}))
        << "/b/3 is the newest verified one and stays";
    EXPECT_EQ(backupsBeyondRetention(list, 4), QStringList{QStringLiteral("/b/5")});
    EXPECT_TRUE(backupsBeyondRetention(list, 0).isEmpty()) << "0 keeps everything";
    EXPECT_TRUE(backupsBeyondRetention(list, 10).isEmpty());
}

TEST(RunCatalog, RecordsRunsVerificationsAndFailedRunsWithoutAFolder)
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("catalog.sqlite"));
    Stack stack;
    stack.id = QStringLiteral("shop");
    stack.name = QStringLiteral("shop");
    {
        RunCatalog catalog(file);
        EXPECT_TRUE(catalog.wasRebuilt()) << "a new file starts empty";
        BackupResult ok;
        ok.outcome = BackupOutcome::Complete;
        ok.path = dir.filePath(QStringLiteral("shop/20261127-101010"));
        ok.manifest.startedAt = QDateTime::currentDateTimeUtc().addSecs(-60);
        catalog.recordBackup(stack, ok);
        BackupResult noFolder;
        noFolder.outcome = BackupOutcome::Failed;
        noFolder.message = QStringLiteral("Cannot connect to the database");
        catalog.recordBackup(stack, noFolder);
        VerifyReport damaged;
        damaged.problems << QStringLiteral("damaged: database/database.dump (checksum differs)");
        catalog.recordVerification(ok.path, damaged);
    }
    RunCatalog reopened(file);
    EXPECT_FALSE(reopened.wasRebuilt());
    const QList<RunCatalog::Run> runs = reopened.runs(QStringLiteral("shop"));
    ASSERT_EQ(runs.size(), 2);
    EXPECT_EQ(runs.first().outcome, QStringLiteral("failed")) << "newest first";
    EXPECT_TRUE(runs.first().path.isEmpty());
    EXPECT_EQ(runs.first().message, QStringLiteral("Cannot connect to the database"));
    const auto v = reopened.verification(runs.last().path);
    ASSERT_TRUE(v.has_value());
    EXPECT_FALSE(v->ok);
    EXPECT_EQ(v->problems.size(), 1);
    EXPECT_EQ(QFile::permissions(file) & (QFile::ReadOther | QFile::ReadGroup), 0);
}

TEST(RunCatalog, ADamagedFileIsRebuiltAndSyncFollowsTheDisk)
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("catalog.sqlite"));
    ASSERT_TRUE(test::writeFile(file, QByteArray("this is not a database").repeated(200)));
    RunCatalog catalog(file);
    EXPECT_TRUE(catalog.wasRebuilt());

    BackupInfo byHand;
    byHand.path = dir.filePath(QStringLiteral("shop/20261127-090000"));
    byHand.state = BackupInfo::State::Complete;
    byHand.timestamp = QDateTime::currentDateTime();
    catalog.sync(QStringLiteral("shop"), {byHand});
    ASSERT_EQ(catalog.runs(QStringLiteral("shop")).size(), 1) << "a folder added by hand is indexed";
    catalog.sync(QStringLiteral("shop"), {});
    EXPECT_TRUE(catalog.runs(QStringLiteral("shop")).isEmpty()) << "a folder removed by hand is dropped";
}
