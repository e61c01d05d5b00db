// How a backup gets into the database: where its password comes from.
#include "BackupStore.h"
#include "BackupTestUtil.h"

#include <QTemporaryDir>

#include <gtest/gtest.h>

using namespace lifeboat;
using namespace lifeboat::test;

TEST(BackupAccess, APasswordFromPgpasswordReachesEveryTool)
{
    SupabaseFixture source;
    QString error;
    ASSERT_TRUE(source.setUp(&error)) << error.toStdString();
    QTemporaryDir out;
    // Only PGPASSWORD knows the password: no password file, no keychain entry, no ~/.pgpass.
    QByteArray so, se;
    const int rc = runProgram(QStringLiteral(LIFEBOAT_CLI_PATH),
                              {QStringLiteral("backup"),
                               QStringLiteral("--project"),
                               source.projectDir(),
                               QStringLiteral("--out"),
                               out.path()},
                              &so,
                              &se,
                              {QStringLiteral("PGPASSWORD=") + source.cluster().password(),
                               QStringLiteral("PGPASSFILE=") + out.path() + QStringLiteral("/no-such-pgpass")});
    ASSERT_EQ(rc, 0) << se.toStdString();
    // pg_dumpall and pg_dump, whose environment Lifeboat clears of PGPASSWORD, got in too.
    EXPECT_TRUE(se.contains("ok        roles")) << se.toStdString();
    EXPECT_TRUE(se.contains("ok        database")) << se.toStdString();
    const QList<BackupInfo> listed = BackupStore::list(out.path());
    ASSERT_EQ(listed.size(), 1);
    EXPECT_EQ(listed.first().state, BackupInfo::State::Complete);
    EXPECT_TRUE(BackupStore::verify(listed.first().path).ok());
}
