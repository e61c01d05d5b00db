#include "StackScanner.h"
#include "TestUtil.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <gtest/gtest.h>

using namespace lifeboat;
using lifeboat::test::writeFile;

namespace {

class StackScannerTest : public ::testing::Test
{
protected:
    void project(const QString &relative, const QByteArray &config = "project_id = \"p\"\n")
    {
        ASSERT_TRUE(writeFile(root.filePath(relative + QStringLiteral("/supabase/config.toml")), config));
    }
    QStringList foundDirs(const QList<Stack> &stacks) const
    {
        QStringList out;
        for (const Stack &s : stacks)
            out << QDir(root.path()).relativeFilePath(s.projectDir);
        return out;
    }
    QTemporaryDir root;
};

} // namespace

TEST_F(StackScannerTest, FindsNestedProjects)
{
    project(QStringLiteral("shop"), "project_id = \"shop\"\n[db]\nport = 55001\nmajor_version = 15\n");
    project(QStringLiteral("clients/acme/api"), "project_id = \"acme-api\"\n");
    project(QStringLiteral("work/a/b"), "project_id = \"deep\"\n");

    const QList<Stack> stacks = StackScanner::scanBlocking({root.path()});
    EXPECT_EQ(foundDirs(stacks), (QStringList{QStringLiteral("clients/acme/api"), QStringLiteral("shop"),
                                               QStringLiteral("work/a/b")}));
    const Stack &shop = stacks.at(1);
    EXPECT_EQ(shop.id, QStringLiteral("shop"));
    EXPECT_EQ(shop.connection.port, 55001);
    EXPECT_EQ(shop.connection.host, QStringLiteral("127.0.0.1"));
    EXPECT_EQ(shop.connection.user, QStringLiteral("postgres"));
    EXPECT_EQ(shop.wantedMajorVersion, 15);
    EXPECT_TRUE(shop.isProject());
    EXPECT_EQ(stacks.at(0).connection.port, 54322) << "default port when config.toml has none";
}

TEST_F(StackScannerTest, SkipsGitNodeModulesAndHiddenFolders)
{
    project(QStringLiteral("visible"));
    project(QStringLiteral("node_modules/some-package"));
    project(QStringLiteral(".git/modules/x"));
    project(QStringLiteral(".cache/old"));
    project(QStringLiteral("app/node_modules/pkg"));

    EXPECT_EQ(foundDirs(StackScanner::scanBlocking({root.path()})), QStringList{QStringLiteral("visible")});
}

TEST_F(StackScannerTest, StopsAtTheDepthLimit)
{
    project(QStringLiteral("1/2/3/4/5/toodeep"));
    project(QStringLiteral("1/2/ok"));
    EXPECT_EQ(foundDirs(StackScanner::scanBlocking({root.path()}, 4)), QStringList{QStringLiteral("1/2/ok")});
    EXPECT_EQ(StackScanner::scanBlocking({root.path()}, 6).size(), 2);
}

TEST_F(StackScannerTest, DoesNotFollowSymlinkLoops)
{
    project(QStringLiteral("real"));
    ASSERT_TRUE(QFile::link(root.path(), root.filePath(QStringLiteral("real/loop"))));
    EXPECT_EQ(foundDirs(StackScanner::scanBlocking({root.path()}, 10)), QStringList{QStringLiteral("real")});
}

TEST_F(StackScannerTest, AcceptsTheProjectOrItsSupabaseFolderAsRoot)
{
    project(QStringLiteral("single"));
    EXPECT_EQ(StackScanner::scanBlocking({root.filePath(QStringLiteral("single"))}).size(), 1);
    const QList<Stack> viaSupabase = StackScanner::scanBlocking({root.filePath(QStringLiteral("single/supabase"))});
    ASSERT_EQ(viaSupabase.size(), 1);
    EXPECT_EQ(foundDirs(viaSupabase), QStringList{QStringLiteral("single")});
}

TEST_F(StackScannerTest, BrokenConfigIsListedWithItsError)
{
    project(QStringLiteral("broken"), "project_id = \"broken\"\n[db\nport = 1\n");
    const QList<Stack> stacks = StackScanner::scanBlocking({root.path()});
    ASSERT_EQ(stacks.size(), 1);
    EXPECT_TRUE(stacks.first().hasConfigError());
    EXPECT_TRUE(stacks.first().configError.contains(QStringLiteral("config.toml:2")))
        << stacks.first().configError.toStdString();
    EXPECT_EQ(stacks.first().name, QStringLiteral("broken")) << "falls back to the folder name";
}

TEST_F(StackScannerTest, AsynchronousScanGivesTheSameStacks)
{
    project(QStringLiteral("async"));
    QFuture<QList<Stack>> f = StackScanner::scan({root.path()});
    const QList<Stack> stacks = test::await(f);
    EXPECT_EQ(stacks.size(), 1);
}

TEST_F(StackScannerTest, MissingRootGivesNothing)
{
    EXPECT_TRUE(StackScanner::scanBlocking({root.filePath(QStringLiteral("does-not-exist"))}).isEmpty());
}
