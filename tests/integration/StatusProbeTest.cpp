#include "SecretStore.h"
#include "StackCatalog.h"
#include "StackService.h"
#include "StatusProbe.h"
#include "SupabaseFixture.h"
#include "TempCluster.h"
#include "TestUtil.h"

#include <QTemporaryDir>

#include <gtest/gtest.h>

using namespace lifeboat;
using namespace lifeboat::test;
using State = StackStatus::State;

namespace {

class StatusProbeTest : public ::testing::Test
{
protected:
    static void SetUpTestSuite()
    {
        cluster = new TempCluster;
        QString error;
        started = cluster->start(&error);
        startError = error;
    }
    static void TearDownTestSuite()
    {
        delete cluster;
        cluster = nullptr;
    }
    void SetUp() override { ASSERT_TRUE(started) << startError.toStdString(); }

    static Credentials with(const QString &password) { return Credentials{password, {}}; }

    static inline TempCluster *cluster = nullptr;
    static inline bool started = false;
    static inline QString startError;
};

// Sets an environment variable for one scope.
struct ScopedEnv
{
    ScopedEnv(const char *name, const QByteArray &value)
        : m_name(name)
    {
        qputenv(name, value);
    }
    ~ScopedEnv() { qunsetenv(m_name); }
    const char *m_name;
};

} // namespace

TEST_F(StatusProbeTest, UpWithTheRightPassword)
{
    const StackStatus s = StatusProbe::check(cluster->connection(), with(cluster->password()), 15);
    EXPECT_EQ(s.state, State::Up) << s.detail.toStdString();
    EXPECT_EQ(s.serverMajor(), 15);
    EXPECT_TRUE(s.detail.contains(QString::number(cluster->port())));
}

TEST_F(StatusProbeTest, AuthFailedWithAWrongPasswordNamesTheUserAndTheFix)
{
    const StackStatus s = StatusProbe::check(cluster->connection(), with(QStringLiteral("wrong")), 0);
    EXPECT_EQ(s.state, State::AuthFailed) << s.detail.toStdString();
    EXPECT_TRUE(s.detail.contains(QStringLiteral("\"postgres\""))) << s.detail.toStdString();
    EXPECT_TRUE(s.detail.contains(QStringLiteral("pgpass"))) << s.detail.toStdString();
    EXPECT_FALSE(s.detail.contains(QStringLiteral("wrong"))) << "the password tried is never shown";
}

TEST_F(StatusProbeTest, AuthFailedWhenNoPasswordIsAvailableAnywhere)
{
    const StackStatus s = StatusProbe::check(cluster->connection(), Credentials{}, 0);
    EXPECT_EQ(s.state, State::AuthFailed) << s.detail.toStdString();
}

TEST_F(StatusProbeTest, UsesLibpqPasswordFile)
{
    ScopedEnv env("PGPASSFILE", cluster->pgpassFile().toLocal8Bit());
    const StackStatus s = StatusProbe::check(cluster->connection(), Credentials{}, 0);
    EXPECT_EQ(s.state, State::Up) << s.detail.toStdString();
}

TEST_F(StatusProbeTest, WrongVersionWhenTheProjectWantsAnotherMajor)
{
    const StackStatus s = StatusProbe::check(cluster->connection(), with(cluster->password()), 17);
    EXPECT_EQ(s.state, State::WrongVersion);
    EXPECT_TRUE(s.detail.contains(QStringLiteral("17")) && s.detail.contains(QStringLiteral("15")))
        << s.detail.toStdString();
}

TEST_F(StatusProbeTest, ErrorNamesAMissingDatabase)
{
    const StackStatus s = StatusProbe::check(cluster->connection(QStringLiteral("nosuchdb")),
                                             with(cluster->password()), 0);
    EXPECT_EQ(s.state, State::Error);
    EXPECT_TRUE(s.detail.contains(QStringLiteral("nosuchdb"))) << s.detail.toStdString();
}

TEST_F(StatusProbeTest, FutureDeliversTheStatus)
{
    const StackStatus s = await(StatusProbe::probe(cluster->connection(), with(cluster->password()), 0));
    EXPECT_EQ(s.state, State::Up);
}

TEST(StatusProbeDownTest, DownWhenTheClusterIsStopped)
{
    TempCluster c;
    QString error;
    ASSERT_TRUE(c.start(&error)) << error.toStdString();
    c.stop();
    const StackStatus s = StatusProbe::check(c.connection(), Credentials{c.password(), {}}, 15, 2);
    EXPECT_EQ(s.state, State::Down);
    EXPECT_TRUE(s.detail.contains(QStringLiteral("127.0.0.1:%1").arg(c.port()))) << s.detail.toStdString();
}

TEST(StatusProbeSupabaseTest, ProjectStackUpThroughTheServiceAndSupabaseDefaultPassword)
{
    SupabaseFixture fixture;
    QString error;
    ASSERT_TRUE(fixture.setUp(&error)) << error.toStdString();
    QTemporaryDir settings;
    StackCatalog catalog(settings.filePath(QStringLiteral("lifeboat.conf")));
    SecretStore secrets; // no keychain entry for this stack: libpq sources, then the default
    StackService service(&catalog, &secrets);

    const Stack stack = fixture.stack();
    EXPECT_EQ(await(service.probe(stack)).state, State::AuthFailed)
        << "the fixture's password is random, so Supabase's default does not open it";

    {
        ScopedEnv env("PGPASSFILE", fixture.cluster().pgpassFile().toLocal8Bit());
        const StackStatus viaPgpass = await(service.probe(stack));
        EXPECT_EQ(viaPgpass.state, State::Up) << viaPgpass.detail.toStdString();
    }

    ASSERT_TRUE(fixture.cluster().exec(QStringLiteral("ALTER ROLE postgres PASSWORD 'postgres'"), &error))
        << error.toStdString();
    const StackStatus viaDefault = await(service.probe(stack));
    EXPECT_EQ(viaDefault.state, State::Up) << viaDefault.detail.toStdString();

    Stack profile = stack;
    profile.kind = Stack::Kind::PostgresProfile;
    profile.projectDir.clear();
    EXPECT_EQ(await(service.probe(profile)).state, State::AuthFailed)
        << "plain profiles never guess a password";
}
