// The test harness itself: throwaway clusters and the Supabase-shaped fixture that every
// later test stands on. If these fail, nothing else can be believed.
#include "Fingerprint.h"
#include "SupabaseFixture.h"
#include "TempCluster.h"
#include "TestUtil.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QProcess>

#include <gtest/gtest.h>

#include <csignal>

using namespace lifeboat;
using namespace lifeboat::test;

namespace {

QString scalar(const PgConnection &c, const QString &sql)
{
    PgResultPtr r = c.exec(sql);
    EXPECT_TRUE(PgConnection::succeeded(r.get())) << PgConnection::resultError(r.get()).toStdString() << "\n"
                                                  << sql.toStdString();
    return PgConnection::succeeded(r.get()) && PQntuples(r.get()) > 0 ? PgConnection::value(r.get(), 0, 0)
                                                                       : QString();
}

int count(const PgConnection &c, const QString &sql)
{
    return scalar(c, sql).toInt();
}

class SupabaseFixtureTest : public ::testing::Test
{
protected:
    static void SetUpTestSuite()
    {
        fixture = new SupabaseFixture;
        QString error;
        ok = fixture->setUp(&error);
        setupError = error;
    }
    static void TearDownTestSuite()
    {
        delete fixture;
        fixture = nullptr;
    }
    void SetUp() override
    {
        ASSERT_TRUE(ok) << setupError.toStdString();
        conn = fixture->cluster().connect();
        ASSERT_TRUE(conn.isOpen()) << conn.errorMessage().toStdString();
    }

    static inline SupabaseFixture *fixture = nullptr;
    static inline bool ok = false;
    static inline QString setupError;
    PgConnection conn;
};

} // namespace

TEST(TempClusterTest, StartsAcceptsItsPasswordAndCleansUp)
{
    QString dir;
    int port = 0;
    {
        TempCluster cluster;
        QString error;
        ASSERT_TRUE(cluster.start(&error)) << error.toStdString();
        dir = cluster.dir();
        port = cluster.port();
        EXPECT_GT(port, 1024);
        PgConnection c = cluster.connect();
        ASSERT_TRUE(c.isOpen()) << c.errorMessage().toStdString();
        EXPECT_EQ(c.serverVersion() / 10000, 15);
        EXPECT_EQ(scalar(c, QStringLiteral("SHOW fsync")), QStringLiteral("off"));
        EXPECT_EQ(scalar(c, QStringLiteral("SHOW password_encryption")), QStringLiteral("scram-sha-256"));

        PgConnection wrong = PgConnection::open(cluster.connection(), QStringLiteral("not-the-password"));
        EXPECT_FALSE(wrong.isOpen()) << "scram auth must refuse a wrong password";
        EXPECT_EQ(QFile::permissions(cluster.pgpassFile()) & 0x0077, 0) << "pgpass is 0600";
    }
    EXPECT_FALSE(QFileInfo::exists(dir)) << "the cluster folder is removed";
    ConnectionInfo gone{QStringLiteral("127.0.0.1"), port, QStringLiteral("postgres"), QStringLiteral("postgres")};
    EXPECT_FALSE(PgConnection::open(gone, QStringLiteral("x"), 2).isOpen()) << "the server is stopped";
}

TEST(TempClusterTest, TwoClustersRunAtOnceAndAreIndependent)
{
    TempCluster a, b;
    QString error;
    ASSERT_TRUE(a.start(&error)) << error.toStdString();
    ASSERT_TRUE(b.start(&error)) << error.toStdString();
    EXPECT_NE(a.port(), b.port());
    EXPECT_NE(a.password(), b.password());
    ASSERT_TRUE(a.exec(QStringLiteral("CREATE TABLE only_in_a(x int)"), &error)) << error.toStdString();
    PgConnection cb = b.connect();
    EXPECT_EQ(scalar(cb, QStringLiteral("SELECT to_regclass('only_in_a') IS NULL")), QStringLiteral("t"));
}

TEST(TempClusterTest, StopsAndStartsAgainOnTheSamePort)
{
    TempCluster c;
    QString error;
    ASSERT_TRUE(c.start(&error)) << error.toStdString();
    const int port = c.port();
    c.stop();
    EXPECT_FALSE(c.connect().isOpen());
    ASSERT_TRUE(c.restart(&error)) << error.toStdString();
    EXPECT_EQ(c.port(), port);
    EXPECT_TRUE(c.connect().isOpen());
}

TEST(TempClusterTest, AKilledTestProcessStillStopsAndRemovesItsCluster)
{
    QProcess holder;
    holder.start(QStringLiteral(LIFEBOAT_DEMO_STACK_PATH), {QStringLiteral("hold")});
    ASSERT_TRUE(holder.waitForReadyRead(60000)) << holder.readAllStandardError().toStdString();
    const QStringList info = QString::fromUtf8(holder.readLine()).trimmed().split(u' ');
    ASSERT_EQ(info.size(), 2) << info.join(u' ').toStdString();
    const int port = info.at(0).toInt();
    const QString dir = info.at(1);
    ASSERT_TRUE(QFileInfo::exists(dir));

    ::kill(pid_t(holder.processId()), SIGKILL);
    holder.waitForFinished();

    ConnectionInfo ci{QStringLiteral("127.0.0.1"), port, QStringLiteral("postgres"), QStringLiteral("postgres")};
    EXPECT_TRUE(waitUntil([&] { return !QFileInfo::exists(dir); }, 30000)) << "watchdog removed " << dir.toStdString();
    EXPECT_EQ(PQping(QStringLiteral("host=127.0.0.1 port=%1 connect_timeout=2").arg(port).toUtf8().constData()),
              PQPING_NO_RESPONSE);
    Q_UNUSED(ci);
}

TEST_F(SupabaseFixtureTest, RolesAreThoseOfARealStack)
{
    EXPECT_EQ(scalar(conn, QStringLiteral("SELECT rolsuper FROM pg_roles WHERE rolname = 'postgres'")),
              QStringLiteral("f"))
        << "postgres must NOT be a superuser, as on current Supabase images";
    EXPECT_EQ(scalar(conn, QStringLiteral("SELECT rolsuper FROM pg_roles WHERE rolname = 'supabase_admin'")),
              QStringLiteral("t"));
    EXPECT_EQ(scalar(conn, QStringLiteral("SELECT pg_has_role('postgres', 'pg_read_all_data', 'member')")),
              QStringLiteral("t"));
    for (const char *role : {"anon", "authenticated", "service_role", "authenticator", "supabase_auth_admin",
                             "supabase_storage_admin", "dashboard_user"})
        EXPECT_EQ(count(conn, QStringLiteral("SELECT count(*) FROM pg_roles WHERE rolname = '%1'")
                                  .arg(QLatin1String(role))),
                  1)
            << role;
    EXPECT_EQ(scalar(conn, QStringLiteral("SELECT pg_has_role('authenticator', 'authenticated', 'member')")),
              QStringLiteral("t"));
    EXPECT_EQ(scalar(conn, QStringLiteral("SELECT nspowner::regrole FROM pg_namespace WHERE nspname = 'auth'")),
              QStringLiteral("supabase_auth_admin"));
    EXPECT_EQ(scalar(conn, QStringLiteral("SELECT nspowner::regrole FROM pg_namespace WHERE nspname = 'storage'")),
              QStringLiteral("supabase_storage_admin"));
    for (const char *schema : {"extensions", "supabase_migrations", "public"})
        EXPECT_EQ(count(conn, QStringLiteral("SELECT count(*) FROM pg_namespace WHERE nspname = '%1'")
                                  .arg(QLatin1String(schema))),
                  1)
            << schema;
}

TEST_F(SupabaseFixtureTest, AuthUsersHaveRealBcryptHashesAndIdentities)
{
    const int users = count(conn, QStringLiteral("SELECT count(*) FROM auth.users"));
    EXPECT_GE(users, 20);
    EXPECT_EQ(count(conn, QStringLiteral("SELECT count(*) FROM auth.users WHERE encrypted_password !~ '^\\$2a\\$'")),
              0);
    EXPECT_EQ(scalar(conn, QStringLiteral("SELECT encrypted_password = extensions.crypt('password-05', "
                                          "encrypted_password) FROM auth.users WHERE email = 'user05@example.com'")),
              QStringLiteral("t"));
    EXPECT_EQ(scalar(conn, QStringLiteral("SELECT attgenerated FROM pg_attribute WHERE attrelid = 'auth.users'::regclass "
                                          "AND attname = 'confirmed_at'")),
              QStringLiteral("s"))
        << "confirmed_at is a generated column";
    const int identities = count(conn, QStringLiteral("SELECT count(*) FROM auth.identities"));
    EXPECT_GE(identities, 18);
    EXPECT_EQ(count(conn, QStringLiteral("SELECT count(*) FROM auth.users u WHERE NOT EXISTS "
                                         "(SELECT 1 FROM auth.identities i WHERE i.user_id = u.id)")),
              2)
        << "two users without an identity, for the backup's warning";
    EXPECT_GE(count(conn, QStringLiteral("SELECT count(*) FROM pg_trigger t WHERE t.tgrelid = 'auth.users'::regclass "
                                         "AND NOT t.tgisinternal")),
              1);
    EXPECT_EQ(scalar(conn, QStringLiteral("SELECT to_regprocedure('auth.uid()') IS NOT NULL AND "
                                          "to_regprocedure('auth.role()') IS NOT NULL")),
              QStringLiteral("t"));
}

TEST_F(SupabaseFixtureTest, AppSchemaCoversTheTypesAndObjectsBackupsBreakOn)
{
    EXPECT_GE(count(conn, QStringLiteral("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")), 6);
    for (const char *type : {"uuid", "jsonb", "bytea", "numeric", "timestamp with time zone"})
        EXPECT_GE(count(conn, QStringLiteral("SELECT count(*) FROM information_schema.columns WHERE table_schema = "
                                             "'public' AND data_type = '%1'")
                                  .arg(QLatin1String(type))),
                  1)
            << type;
    EXPECT_GE(count(conn, QStringLiteral("SELECT count(*) FROM information_schema.columns WHERE table_schema = "
                                         "'public' AND data_type = 'ARRAY'")),
              1);
    EXPECT_GE(count(conn, QStringLiteral("SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
                                         "WHERE n.nspname = 'public' AND t.typtype = 'e'")),
              1)
        << "an enum";
    EXPECT_GE(count(conn, QStringLiteral("SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                                         "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' "
                                         "AND a.attgenerated = 's'")),
              1)
        << "a generated column";
    EXPECT_GE(count(conn, QStringLiteral("SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                                         "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' "
                                         "AND a.attidentity <> ''")),
              1)
        << "an identity column";
    EXPECT_GE(count(conn, QStringLiteral("SELECT count(*) FROM pg_sequences WHERE schemaname = 'public' "
                                         "AND last_value > 100")),
              1)
        << "a sequence far from its start";
    EXPECT_GE(count(conn, QStringLiteral("SELECT count(*) FROM pg_largeobject_metadata")), 1);
    EXPECT_GE(count(conn, QStringLiteral("SELECT count(*) FROM pg_views WHERE schemaname = 'public'")), 1);
    EXPECT_GE(count(conn, QStringLiteral("SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                                         "JOIN pg_namespace n ON n.oid = c.relnamespace "
                                         "WHERE n.nspname = 'public' AND NOT t.tgisinternal")),
              1);
    EXPECT_GE(count(conn, QStringLiteral("SELECT count(*) FROM public.user_roles")), 1);
}

TEST_F(SupabaseFixtureTest, PoliciesFunctionsAndSettings)
{
    conn.exec(QStringLiteral("SET search_path = pg_catalog")); // supabase_admin's own path hides auth.
    EXPECT_GE(count(conn, QStringLiteral("SELECT count(*) FROM pg_policies WHERE schemaname = 'public'")), 10);
    EXPECT_GE(count(conn, QStringLiteral("SELECT count(*) FROM pg_policies WHERE coalesce(qual, '') || "
                                         "coalesce(with_check, '') LIKE '%auth.uid()%'")),
              10);
    const QString fnBase = QStringLiteral("SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                                          "WHERE n.nspname = 'public' AND ");
    EXPECT_GE(count(conn, fnBase + QStringLiteral("true")), 5);
    EXPECT_GE(count(conn, fnBase + QStringLiteral("p.prokind = 'p'")), 1) << "a procedure";
    EXPECT_GE(count(conn, fnBase + QStringLiteral("p.prosecdef")), 1) << "a SECURITY DEFINER function";
    EXPECT_GE(count(conn, fnBase + QStringLiteral("p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'sql')")), 1);
    EXPECT_GE(count(conn, fnBase + QStringLiteral("p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'plpgsql')")),
              1);
    EXPECT_GE(count(conn, fnBase + QStringLiteral("has_function_privilege('authenticated', p.oid, 'EXECUTE')")), 1);
    EXPECT_GE(count(conn, fnBase + QStringLiteral("p.prokind IN ('f','p') AND pg_get_functiondef(p.oid) ~ "
                                                  "'pgp_sym_(en|de)crypt'")),
              2)
        << "pgcrypto encrypt/decrypt helpers";
    EXPECT_EQ(scalar(conn, QStringLiteral("SELECT count(*) > 0 FROM pg_db_role_setting s, unnest(s.setconfig) c "
                                          "WHERE c LIKE 'app.settings.jwt_secret=%'")),
              QStringLiteral("t"));
    EXPECT_EQ(count(conn, QStringLiteral("SELECT count(*) FROM pg_extension WHERE extname = 'pgcrypto'")), 1);
}

TEST_F(SupabaseFixtureTest, ProjectFolderMatchesTheDatabase)
{
    const QString supabase = fixture->projectDir() + QStringLiteral("/supabase");
    const QStringList migrations = QDir(supabase + QStringLiteral("/migrations")).entryList({QStringLiteral("*.sql")});
    EXPECT_GE(migrations.size(), 3);
    EXPECT_EQ(count(conn, QStringLiteral("SELECT count(*) FROM supabase_migrations.schema_migrations")),
              migrations.size());
    for (const QString &file : migrations)
        EXPECT_EQ(count(conn, QStringLiteral("SELECT count(*) FROM supabase_migrations.schema_migrations "
                                             "WHERE version = '%1'")
                                  .arg(file.section(u'_', 0, 0))),
                  1)
            << file.toStdString();

    const QStringList functions = QDir(supabase + QStringLiteral("/functions")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    int withIndex = 0;
    for (const QString &f : functions)
        withIndex += QFile::exists(supabase + QStringLiteral("/functions/") + f + QStringLiteral("/index.ts"));
    EXPECT_GE(withIndex, 3);
    EXPECT_TRUE(QFileInfo(supabase + QStringLiteral("/functions/_shared")).isDir());
    EXPECT_TRUE(QFile::exists(supabase + QStringLiteral("/functions/.env")));
    EXPECT_TRUE(QFile::exists(supabase + QStringLiteral("/seed.sql")));

    const Stack stack = fixture->stack();
    EXPECT_FALSE(stack.hasConfigError()) << stack.configError.toStdString();
    EXPECT_EQ(stack.connection.port, fixture->cluster().port()) << "config.toml points at the fixture's cluster";
    EXPECT_EQ(stack.id, QStringLiteral("lifeboat-demo"));
}

TEST_F(SupabaseFixtureTest, StorageRowsHaveTheirFilesButOne)
{
    EXPECT_GE(count(conn, QStringLiteral("SELECT count(*) FROM storage.buckets")), 2);
    PgResultPtr r = conn.exec(QStringLiteral("SELECT bucket_id || '/' || name FROM storage.objects"));
    ASSERT_TRUE(PgConnection::succeeded(r.get()));
    EXPECT_GE(PQntuples(r.get()), 5);
    int missing = 0;
    for (int i = 0; i < PQntuples(r.get()); ++i)
        missing += !QFileInfo::exists(fixture->storageDir() + u'/' + PgConnection::value(r.get(), i, 0));
    EXPECT_EQ(missing, 1) << "exactly one object row has no file, for the backup's missing-file report";
}

TEST_F(SupabaseFixtureTest, FingerprintIsStableAndNoticesChanges)
{
    QString error;
    const Fingerprint first = fingerprint(conn, &error);
    ASSERT_FALSE(first.empty()) << error.toStdString();
    const Fingerprint again = fingerprint(conn, &error);
    EXPECT_EQ(differences(first, again), QStringList());
    EXPECT_TRUE(first.count(QStringLiteral("table:auth.users")));
    EXPECT_GE(onlyKind(first, QStringLiteral("user:")).size(), 20u);
    EXPECT_GE(onlyKind(first, QStringLiteral("policy:public.")).size(), 10u);
    EXPECT_TRUE(first.count(QStringLiteral("large_objects")));

    // One changed hash, one new policy: exactly those show up.
    PgResultPtr upd = conn.exec(QStringLiteral(
        "UPDATE auth.users SET encrypted_password = extensions.crypt('changed', extensions.gen_salt('bf', 4)) "
        "WHERE email = 'user07@example.com' RETURNING id"));
    ASSERT_TRUE(PgConnection::succeeded(upd.get())) << PgConnection::resultError(upd.get()).toStdString();
    const QString id = PgConnection::value(upd.get(), 0, 0);
    const Fingerprint after = fingerprint(conn, &error);
    const QStringList diff = differences(first, after);
    ASSERT_EQ(diff.size(), 2) << diff.join(u'\n').toStdString();
    EXPECT_TRUE(diff.at(0).startsWith(QStringLiteral("differs: table:auth.users"))) << diff.at(0).toStdString();
    EXPECT_TRUE(diff.at(1).startsWith(QStringLiteral("differs: user:") + id)) << diff.at(1).toStdString();
}

TEST(PlainFixtureTest, LoadsWithoutAnySupabaseSchema)
{
    TempCluster cluster;
    QString error;
    ASSERT_TRUE(cluster.start(&error)) << error.toStdString();
    ASSERT_TRUE(SupabaseFixture::loadPlain(cluster, QStringLiteral("postgres"), &error)) << error.toStdString();
    PgConnection c = cluster.connect();
    EXPECT_GE(count(c, QStringLiteral("SELECT count(*) FROM pg_tables WHERE schemaname NOT IN "
                                      "('pg_catalog','information_schema')")),
              3);
    EXPECT_EQ(count(c, QStringLiteral("SELECT count(*) FROM pg_namespace WHERE nspname IN ('auth','storage')")), 0);
    const Fingerprint fp = fingerprint(c, &error);
    EXPECT_FALSE(fp.empty()) << error.toStdString();
    EXPECT_TRUE(onlyKind(fp, QStringLiteral("user:")).empty());
}
