#include "SupabaseFixture.h"
#include "TestUtil.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <gtest/gtest.h>

using namespace lifeboat::test;

namespace {

QJsonArray stacksJson(const QStringList &args, const QStringList &env, QByteArray *errOut = nullptr)
{
    QByteArray out, err;
    const int rc = runProgram(QStringLiteral(LIFEBOAT_CLI_PATH), args, &out, &err, env);
    EXPECT_EQ(rc, 0) << err.toStdString();
    if (errOut)
        *errOut = err;
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(out, &pe);
    EXPECT_EQ(pe.error, QJsonParseError::NoError) << out.toStdString();
    return doc.object().value(QStringLiteral("stacks")).toArray();
}

QJsonObject byId(const QJsonArray &stacks, const QString &id)
{
    for (const QJsonValue &v : stacks)
        if (v.toObject().value(QStringLiteral("id")).toString() == id)
            return v.toObject();
    return {};
}

} // namespace

TEST(CliStacks, ListsTheFixtureProjectAsUpThenDown)
{
    SupabaseFixture fixture;
    QString error;
    ASSERT_TRUE(fixture.setUp(&error)) << error.toStdString();
    const QString scanRoot = QFileInfo(fixture.projectDir()).absolutePath();
    const QStringList env{QStringLiteral("PGPASSFILE=") + fixture.cluster().pgpassFile()};
    const QStringList args{QStringLiteral("stacks"), QStringLiteral("--scan"), scanRoot, QStringLiteral("--json")};

    const QJsonArray stacks = stacksJson(args, env);
    ASSERT_EQ(stacks.size(), 1);
    const QJsonObject s = stacks.first().toObject();
    EXPECT_EQ(s.value(QStringLiteral("id")).toString(), QStringLiteral("lifeboat-demo"));
    EXPECT_EQ(s.value(QStringLiteral("name")).toString(), QStringLiteral("lifeboat-demo"));
    EXPECT_EQ(s.value(QStringLiteral("project_dir")).toString(), QDir(fixture.projectDir()).canonicalPath());
    EXPECT_EQ(s.value(QStringLiteral("host")).toString(), QStringLiteral("127.0.0.1"));
    EXPECT_EQ(s.value(QStringLiteral("port")).toInt(), fixture.cluster().port());
    EXPECT_EQ(s.value(QStringLiteral("database")).toString(), QStringLiteral("postgres"));
    EXPECT_EQ(s.value(QStringLiteral("status")).toString(), QStringLiteral("up"))
        << s.value(QStringLiteral("status_detail")).toString().toStdString();
    EXPECT_EQ(s.value(QStringLiteral("server_version_num")).toInt() / 10000, 15);

    // Human output: a table a person can read.
    QByteArray out;
    ASSERT_EQ(runProgram(QStringLiteral(LIFEBOAT_CLI_PATH), {QStringLiteral("stacks"), QStringLiteral("--scan"), scanRoot},
                         &out, nullptr, env),
              0);
    EXPECT_TRUE(out.contains("lifeboat-demo")) << out.toStdString();
    EXPECT_TRUE(out.contains(" up ")) << out.toStdString();

    fixture.cluster().stop();
    const QJsonObject down = stacksJson(args, env).first().toObject();
    EXPECT_EQ(down.value(QStringLiteral("status")).toString(), QStringLiteral("down"));
    EXPECT_TRUE(down.value(QStringLiteral("status_detail")).toString().contains(QStringLiteral("supabase start")));
}

TEST(CliStacks, ProfilesAddedByTheCliAreListedAndRemoved)
{
    TempCluster cluster;
    QString error;
    ASSERT_TRUE(cluster.start(&error)) << error.toStdString();
    const QStringList env{QStringLiteral("PGPASSFILE=") + cluster.pgpassFile()};
    QByteArray out, err;
    ASSERT_EQ(runProgram(QStringLiteral(LIFEBOAT_CLI_PATH),
                         {QStringLiteral("profile"), QStringLiteral("add"), QStringLiteral("Legacy DB"),
                          QStringLiteral("--port"), QString::number(cluster.port())},
                         &out, &err, env),
              0)
        << err.toStdString();
    EXPECT_TRUE(out.contains("legacy-db")) << out.toStdString();

    const QJsonObject p = byId(stacksJson({QStringLiteral("stacks"), QStringLiteral("--json")}, env),
                               QStringLiteral("legacy-db"));
    EXPECT_EQ(p.value(QStringLiteral("name")).toString(), QStringLiteral("Legacy DB"));
    EXPECT_TRUE(p.value(QStringLiteral("project_dir")).isNull());
    EXPECT_EQ(p.value(QStringLiteral("status")).toString(), QStringLiteral("up"))
        << p.value(QStringLiteral("status_detail")).toString().toStdString();

    const QJsonObject noPass = byId(stacksJson({QStringLiteral("stacks"), QStringLiteral("--json")}, {}),
                                    QStringLiteral("legacy-db"));
    EXPECT_EQ(noPass.value(QStringLiteral("status")).toString(), QStringLiteral("auth_failed"));

    ASSERT_EQ(runProgram(QStringLiteral(LIFEBOAT_CLI_PATH),
                         {QStringLiteral("profile"), QStringLiteral("remove"), QStringLiteral("legacy-db")}, &out, &err,
                         env),
              0)
        << err.toStdString();
    EXPECT_TRUE(byId(stacksJson({QStringLiteral("stacks"), QStringLiteral("--json")}, env), QStringLiteral("legacy-db"))
                    .isEmpty());
}

TEST(CliStacks, UnknownCommandAndBadPortAreClearErrors)
{
    QByteArray out, err;
    EXPECT_EQ(runProgram(QStringLiteral(LIFEBOAT_CLI_PATH), {QStringLiteral("frobnicate")}, &out, &err), 2);
    EXPECT_TRUE(err.contains("unknown command \"frobnicate\"")) << err.toStdString();
    EXPECT_EQ(runProgram(QStringLiteral(LIFEBOAT_CLI_PATH),
                         {QStringLiteral("profile"), QStringLiteral("add"), QStringLiteral("x"), QStringLiteral("--port"),
                          QStringLiteral("abc")},
                         &out, &err),
              2);
    EXPECT_TRUE(err.contains("--port")) << err.toStdString();
}

TEST(CliStacks, EachCommandsHelpNamesTheCommandAndAnUnknownOptionIsABadArgument)
{
    const QStringList commands{QStringLiteral("stacks"),
                               QStringLiteral("profile"),
                               QStringLiteral("backup"),
                               QStringLiteral("list"),
                               QStringLiteral("show"),
                               QStringLiteral("verify"),
                               QStringLiteral("delete"),
                               QStringLiteral("prune"),
                               QStringLiteral("restore")};
    for (const QString &command : commands) {
        QByteArray out, err;
        EXPECT_EQ(runProgram(QStringLiteral(LIFEBOAT_CLI_PATH), {command, QStringLiteral("--help")}, &out, &err), 0)
            << command.toStdString() << ": " << err.toStdString();
        // The usage line a user copies from, not the path the binary was started by.
        EXPECT_TRUE(QString::fromUtf8(out).startsWith(QStringLiteral("Usage: lifeboat-cli %1 [options]").arg(command)))
            << out.toStdString();
        EXPECT_TRUE(out.contains("-h, --help")) << out.toStdString();
        EXPECT_FALSE(out.contains(QStringLiteral(LIFEBOAT_CLI_PATH).toUtf8())) << out.toStdString();

        EXPECT_EQ(runProgram(QStringLiteral(LIFEBOAT_CLI_PATH), {command, QStringLiteral("--frobnicate")}, &out, &err),
                  2)
            << command.toStdString();
        const QString message = QString::fromUtf8(err);
        EXPECT_TRUE(message.contains(QStringLiteral("lifeboat-cli: %1: Unknown option 'frobnicate'").arg(command)))
            << err.toStdString();
        EXPECT_TRUE(message.contains(QStringLiteral("lifeboat-cli %1 --help").arg(command))) << err.toStdString();
    }
    QByteArray out, err;
    EXPECT_EQ(
        runProgram(QStringLiteral(LIFEBOAT_CLI_PATH), {QStringLiteral("backup"), QStringLiteral("--jobs")}, &out, &err),
        2);
    EXPECT_TRUE(err.contains("Missing value after '--jobs'")) << err.toStdString();
}

TEST(CliStacks, ShowAndVerifyOfAFolderThatIsNoBackupSaySo)
{
    QTemporaryDir notABackup;
    for (const QString &command : {QStringLiteral("show"), QStringLiteral("verify")}) {
        QByteArray out, err;
        EXPECT_EQ(runProgram(QStringLiteral(LIFEBOAT_CLI_PATH), {command, notABackup.path()}, &out, &err), 2);
        EXPECT_TRUE(err.contains("is not a Lifeboat backup folder (it has no manifest.json)")) << err.toStdString();
        EXPECT_FALSE(err.contains("DAMAGED")) << err.toStdString();
    }
}
