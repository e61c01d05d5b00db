#include "StackCatalog.h"
#include "StackService.h"
#include "TestUtil.h"

#include <QFile>
#include <QTemporaryDir>

#include <gtest/gtest.h>

using namespace lifeboat;

TEST(StackCatalog, ProfilesSurviveARestartWithoutPasswords)
{
    QTemporaryDir dir;
    const QString ini = dir.filePath(QStringLiteral("lifeboat.conf"));
    {
        StackCatalog catalog(ini);
        Stack p;
        p.name = QStringLiteral("Shop Dev");
        p.connection = {QStringLiteral("db.local"), 6543, QStringLiteral("shop"), QStringLiteral("app")};
        ASSERT_TRUE(catalog.saveProfile(p).ok());
        EXPECT_EQ(p.id, QStringLiteral("shop-dev"));
        catalog.sync();
    }
    StackCatalog reopened(ini);
    const QList<Stack> profiles = reopened.profiles();
    ASSERT_EQ(profiles.size(), 1);
    EXPECT_EQ(profiles.first().name, QStringLiteral("Shop Dev"));
    EXPECT_EQ(profiles.first().connection,
              (ConnectionInfo{QStringLiteral("db.local"), 6543, QStringLiteral("shop"), QStringLiteral("app")}));
    EXPECT_FALSE(profiles.first().isProject());

    QFile f(ini);
    ASSERT_TRUE(f.open(QIODevice::ReadOnly));
    EXPECT_FALSE(f.readAll().toLower().contains("password")) << "no password key in the settings file";

    reopened.removeProfile(QStringLiteral("shop-dev"));
    EXPECT_TRUE(reopened.profiles().isEmpty());
}

TEST(StackCatalog, RejectsIncompleteProfilesWithAClearMessage)
{
    QTemporaryDir dir;
    StackCatalog catalog(dir.filePath(QStringLiteral("c.conf")));
    Stack p;
    p.name = QStringLiteral("x");
    p.connection.port = 0;
    const Status st = catalog.saveProfile(p);
    ASSERT_FALSE(st.ok());
    EXPECT_TRUE(st.error().contains(QStringLiteral("port"))) << st.error().toStdString();
    Stack unnamed;
    EXPECT_TRUE(catalog.saveProfile(unnamed).error().contains(QStringLiteral("name")));
    EXPECT_TRUE(catalog.profiles().isEmpty());
}

TEST(StackCatalog, RemovedProjectsStayHiddenUntilAddedAgain)
{
    QTemporaryDir dir;
    ASSERT_TRUE(test::writeFile(dir.filePath(QStringLiteral("root/a/supabase/config.toml")), "project_id = \"a\"\n"));
    ASSERT_TRUE(test::writeFile(dir.filePath(QStringLiteral("root/b/supabase/config.toml")), "project_id = \"b\"\n"));
    StackCatalog catalog(dir.filePath(QStringLiteral("c.conf")));
    SecretStore secrets;
    StackService service(&catalog, &secrets);
    catalog.addScanRoot(dir.filePath(QStringLiteral("root")));

    auto ids = [&] {
        QStringList out;
        for (const Stack &s : test::await(service.loadStacks()))
            out << s.id;
        return out;
    };
    EXPECT_EQ(ids(), (QStringList{QStringLiteral("a"), QStringLiteral("b")}));
    catalog.hideProjectDir(dir.filePath(QStringLiteral("root/a")));
    EXPECT_EQ(ids(), QStringList{QStringLiteral("b")});
    catalog.addProjectDir(dir.filePath(QStringLiteral("root/a")));
    EXPECT_EQ(ids(), (QStringList{QStringLiteral("a"), QStringLiteral("b")}));
}

TEST(StackCatalog, DuplicateIdsAreMadeUnique)
{
    QList<Stack> stacks(3);
    stacks[0].id = QStringLiteral("app");
    stacks[1].id = QStringLiteral("app");
    stacks[2].id = QStringLiteral("app");
    StackService::makeIdsUnique(stacks);
    EXPECT_EQ(stacks[0].id, QStringLiteral("app"));
    EXPECT_EQ(stacks[1].id, QStringLiteral("app-2"));
    EXPECT_EQ(stacks[2].id, QStringLiteral("app-3"));
}

TEST(StackCatalog, IdsFromNamesAreFolderSafe)
{
    EXPECT_EQ(stackIdFromName(QStringLiteral("My App!")), QStringLiteral("my-app"));
    EXPECT_EQ(stackIdFromName(QStringLiteral("../etc/passwd")), QStringLiteral("etc-passwd"));
    EXPECT_EQ(stackIdFromName(QStringLiteral("???")), QStringLiteral("stack"));
}
