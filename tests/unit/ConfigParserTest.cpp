#include "SupabaseConfigParser.h"
#include "SupabaseFixture.h"

#include <gtest/gtest.h>

using namespace lifeboat;

TEST(ConfigParser, ReadsTheFixtureProjectConfig)
{
    const QString path = test::SupabaseFixture::fixturesDir() + QStringLiteral("/supabase/project/supabase/config.toml");
    auto config = SupabaseConfigParser::parseFile(path);
    ASSERT_TRUE(config.ok()) << config.error().toStdString();
    EXPECT_EQ(config->projectId, QStringLiteral("lifeboat-demo"));
    EXPECT_EQ(config->dbPort, 54322);
    EXPECT_EQ(config->apiPort, 54321);
    EXPECT_EQ(config->shadowPort, 54320);
    EXPECT_EQ(config->studioPort, 54323);
    EXPECT_EQ(config->inbucketPort, 54324);
    EXPECT_EQ(config->majorVersion, 15);
    EXPECT_GE(config->functions.size(), 3);
}

TEST(ConfigParser, ReadsFunctionsBlocks)
{
    const QByteArray text = "project_id = \"shop\"\n"
                            "[functions.send-email]\n"
                            "verify_jwt = false\n"
                            "import_map = \"./functions/send-email/deno.json\"\n"
                            "entrypoint = \"./functions/send-email/index.ts\"\n"
                            "[functions.hello]\n";
    auto config = SupabaseConfigParser::parse(text, QStringLiteral("config.toml"));
    ASSERT_TRUE(config.ok()) << config.error().toStdString();
    ASSERT_EQ(config->functions.size(), 2);
    const EdgeFunctionConfig &send = config->functions.at(0).name == QLatin1String("send-email")
        ? config->functions.at(0)
        : config->functions.at(1);
    EXPECT_FALSE(send.verifyJwt);
    EXPECT_EQ(send.importMap, QStringLiteral("./functions/send-email/deno.json"));
    EXPECT_EQ(send.entrypoint, QStringLiteral("./functions/send-email/index.ts"));
}

TEST(ConfigParser, MissingKeysTakeSupabaseDefaults)
{
    auto config = SupabaseConfigParser::parse("project_id = \"minimal\"\n", QStringLiteral("config.toml"));
    ASSERT_TRUE(config.ok()) << config.error().toStdString();
    EXPECT_EQ(config->projectId, QStringLiteral("minimal"));
    EXPECT_EQ(config->dbPort, 54322);
    EXPECT_EQ(config->apiPort, 54321);
    EXPECT_EQ(config->majorVersion, 0);
    EXPECT_TRUE(config->functions.isEmpty());

    auto empty = SupabaseConfigParser::parse("", QStringLiteral("config.toml"));
    ASSERT_TRUE(empty.ok());
    EXPECT_EQ(empty->dbPort, 54322);
}

TEST(ConfigParser, MalformedFileNamesFileLineAndProblem)
{
    const QByteArray text = "project_id = \"broken\"\n"
                            "[db]\n"
                            "port = \n"
                            "major_version = 15\n";
    auto config = SupabaseConfigParser::parse(text, QStringLiteral("/p/supabase/config.toml"));
    ASSERT_FALSE(config.ok());
    const QString e = config.error();
    EXPECT_TRUE(e.startsWith(QStringLiteral("/p/supabase/config.toml:3:"))) << e.toStdString();
    EXPECT_GT(e.size(), QStringLiteral("/p/supabase/config.toml:3:1: ").size()) << "the problem must be described";
}

TEST(ConfigParser, WrongTypeIsAnErrorWithLine)
{
    const QByteArray text = "project_id = \"x\"\n\n[db]\nport = \"54322\"\n";
    auto config = SupabaseConfigParser::parse(text, QStringLiteral("config.toml"));
    ASSERT_FALSE(config.ok());
    EXPECT_TRUE(config.error().contains(QStringLiteral("config.toml:4"))) << config.error().toStdString();
    EXPECT_TRUE(config.error().contains(QStringLiteral("port"))) << config.error().toStdString();
}

TEST(ConfigParser, PortOutOfRangeIsAnError)
{
    auto config = SupabaseConfigParser::parse("[db]\nport = 99999\n", QStringLiteral("config.toml"));
    ASSERT_FALSE(config.ok());
    EXPECT_TRUE(config.error().contains(QStringLiteral("99999"))) << config.error().toStdString();
}

TEST(ConfigParser, UnreadableFileIsAnError)
{
    auto config = SupabaseConfigParser::parseFile(QStringLiteral("/nonexistent/supabase/config.toml"));
    ASSERT_FALSE(config.ok());
    EXPECT_TRUE(config.error().contains(QStringLiteral("/nonexistent/supabase/config.toml")));
}
