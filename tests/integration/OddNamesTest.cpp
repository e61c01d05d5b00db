// Objects whose names are not plain words: mixed case (as Prisma makes them), spaces, quotes,
// slashes, non-ASCII, and names that meet once made safe for a file system.
#include "BackupStore.h"
#include "BackupTestUtil.h"

#include <QHash>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>

#include <gtest/gtest.h>

using namespace lifeboat;
using namespace lifeboat::test;

namespace {

const char *const OddSchema = R"sql(
CREATE TABLE public."User" (id serial PRIMARY KEY, email text UNIQUE, "createdAt" timestamptz DEFAULT now());
CREATE TABLE public."user" (id int PRIMARY KEY, note text);
CREATE SCHEMA "My Schema";
CREATE TABLE "My Schema"."Order Items" (id int PRIMARY KEY, "qty;count" int, "na,me" text);
CREATE TABLE "My Schema"."a/b" (x int);
CREATE TABLE "My Schema"."a_b" (x int);
CREATE TABLE public."weird""quote" (x text);
CREATE TABLE public."ünïcode" (x text);
INSERT INTO public."User"(email) SELECT 'u' || g || '@x.io' FROM generate_series(1, 50) g;
INSERT INTO public."user" SELECT g, E'multi\nline, "quoted"' FROM generate_series(1, 7) g;
INSERT INTO "My Schema"."Order Items" SELECT g, g, 'a,b' FROM generate_series(1, 9) g;
INSERT INTO "My Schema"."a/b" VALUES (1), (2);
INSERT INTO "My Schema"."a_b" VALUES (3);
INSERT INTO public."weird""quote" VALUES ('q');
INSERT INTO public."ünïcode" VALUES ('ü'), ('ï');
ALTER TABLE "My Schema"."Order Items" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Order's policy" ON "My Schema"."Order Items" USING (true);
ALTER TABLE "My Schema"."a/b" ENABLE ROW LEVEL SECURITY;
CREATE POLICY slash_policy ON "My Schema"."a/b" USING (x > 0);
ALTER TABLE "My Schema"."a_b" ENABLE ROW LEVEL SECURITY;
CREATE POLICY underscore_policy ON "My Schema"."a_b" USING (x > 1);
CREATE FUNCTION public."fn/x"() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
CREATE FUNCTION public.fn_x() RETURNS int LANGUAGE sql AS $$ SELECT 2 $$;
CREATE ROLE "Jane Doe";
ALTER TABLE public."user" OWNER TO "Jane Doe";
)sql";

qint64 count(const PgConnection &conn, const QString &sql)
{
    PgResultPtr r = conn.exec(sql);
    EXPECT_TRUE(PgConnection::succeeded(r.get()))
        << sql.toStdString() << ": " << PgConnection::resultError(r.get()).toStdString();
    return PgConnection::succeeded(r.get()) ? PgConnection::value(r.get(), 0, 0).toLongLong() : -1;
}

} // namespace

TEST(OddNames, EveryObjectGetsItsOwnFileAndATableRestoresByItsName)
{
    SupabaseFixture source;
    QString error;
    ASSERT_TRUE(source.setUp(&error)) << error.toStdString();
    const QString database = source.stack().connection.database;
    ASSERT_TRUE(source.cluster().exec(QString::fromUtf8(OddSchema), &error, database)) << error.toStdString();
    QTemporaryDir out;
    const BackupResult r = runBackup(requestFor(source, out.path()));
    ASSERT_EQ(r.outcome, BackupOutcome::Complete) << r.message.toStdString();

    // No file is written twice: "My Schema"."a/b" and "My Schema".a_b keep theirs apart.
    QHash<QString, bool> paths;
    for (const ManifestFile &f : r.manifest.allFiles())
        EXPECT_FALSE(std::exchange(paths[f.path], true)) << "listed twice: " << f.path.toStdString();
    QString policies, functions;
    for (const QString &f : filesBelow(r.path + QStringLiteral("/rls_policies")))
        policies += QString::fromUtf8(readAll(r.path + QStringLiteral("/rls_policies/") + f));
    for (const QString &f : filesBelow(r.path + QStringLiteral("/functions")))
        functions += QString::fromUtf8(readAll(r.path + QStringLiteral("/functions/") + f));
    for (const QString &policy :
         {QStringLiteral("\"Order's policy\""), QStringLiteral("slash_policy"), QStringLiteral("underscore_policy")})
        EXPECT_TRUE(policies.contains(QStringLiteral("CREATE POLICY ") + policy)) << policy.toStdString();
    EXPECT_TRUE(functions.contains(QStringLiteral("public.\"fn/x\"()"))) << functions.toStdString();
    EXPECT_TRUE(functions.contains(QStringLiteral("public.fn_x()"))) << functions.toStdString();
    EXPECT_TRUE(BackupStore::verify(r.path).ok());

    // Every table has its own CSV with its rows.
    const PgConnection src = source.cluster().connect(database);
    const QJsonObject tables
        = r.manifest.component(Component::DataCsv)->details.value(QStringLiteral("tables")).toObject();
    QHash<QString, bool> csvFiles;
    for (const QString &table : {QStringLiteral("public.User"),
                                 QStringLiteral("public.user"),
                                 QStringLiteral("My Schema.Order Items"),
                                 QStringLiteral("My Schema.a/b"),
                                 QStringLiteral("My Schema.a_b"),
                                 QStringLiteral("public.weird\"quote"),
                                 QStringLiteral("public.ünïcode")}) {
        const QJsonObject t = tables.value(table).toObject();
        ASSERT_FALSE(t.isEmpty()) << table.toStdString();
        const QString file = t.value(QStringLiteral("file")).toString();
        EXPECT_TRUE(QFileInfo::exists(r.path + u'/' + file)) << file.toStdString();
        EXPECT_FALSE(std::exchange(csvFiles[file.toLower()], true)) << "shared: " << file.toStdString();
        QString schema = table.section(u'.', 0, 0), name = table.section(u'.', 1);
        const qint64 rows = count(src,
                                  QStringLiteral("SELECT count(*) FROM \"%1\".\"%2\"")
                                      .arg(schema, name.replace(u'"', QStringLiteral("\"\""))));
        EXPECT_EQ(t.value(QStringLiteral("rows")).toInteger(), rows) << table.toStdString();
    }

    // A table in a schema whose name holds a space restores by the name `restore --list` shows.
    QByteArray so, se;
    ASSERT_EQ(runProgram(QStringLiteral(LIFEBOAT_CLI_PATH),
                         {QStringLiteral("restore"), r.path, QStringLiteral("--list")},
                         &so,
                         &se,
                         {QStringLiteral("PGPASSFILE=") + source.cluster().pgpassFile()}),
              0)
        << se.toStdString();
    const QString listed = QString::fromUtf8(so);
    EXPECT_TRUE(listed.contains(QStringLiteral("table:My Schema.Order Items"))) << so.toStdString();
    EXPECT_TRUE(listed.contains(QStringLiteral("table:My Schema.a/b"))) << so.toStdString();
    EXPECT_TRUE(listed.contains(QStringLiteral("table:public.user "))) << so.toStdString();
    EXPECT_TRUE(listed.contains(QStringLiteral("schema:My Schema "))) << so.toStdString();
    ASSERT_EQ(runProgram(QStringLiteral(LIFEBOAT_CLI_PATH),
                         {QStringLiteral("restore"),
                          r.path,
                          QStringLiteral("--only"),
                          QStringLiteral("table:My Schema.Order Items,table:My Schema.a/b,table:public.User,"
                                         "table:public.user"),
                          QStringLiteral("--new-db"),
                          QStringLiteral("odd_trial"),
                          QStringLiteral("--dsn"),
                          source.cluster().uri(),
                          QStringLiteral("--yes")},
                         &so,
                         &se,
                         {QStringLiteral("PGPASSFILE=") + source.cluster().pgpassFile()},
                         120000),
              0)
        << so.toStdString() << se.toStdString();
    const PgConnection trial = source.cluster().connect(QStringLiteral("odd_trial"));
    EXPECT_EQ(count(trial, QStringLiteral("SELECT count(*) FROM \"My Schema\".\"Order Items\"")), 9);
    EXPECT_EQ(count(trial, QStringLiteral("SELECT count(*) FROM \"My Schema\".\"a/b\"")), 2);
    EXPECT_EQ(count(trial, QStringLiteral("SELECT count(*) FROM public.\"User\"")), 50);
    // A table whose owner's name holds a space comes back by its name, with its owner.
    EXPECT_EQ(count(trial, QStringLiteral("SELECT count(*) FROM public.\"user\"")), 7);
    EXPECT_EQ(count(trial,
                    QStringLiteral("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
                                   "AND tablename = 'user' AND tableowner = 'Jane Doe'")),
              1);
    EXPECT_EQ(count(trial, QStringLiteral("SELECT count(*) FROM pg_policies WHERE schemaname = 'My Schema'")), 2);
}

TEST(OddNames, ALatin1DatabaseKeepsItsNonAsciiNamesThroughBackupAndRestore)
{
    // Names and text come out as UTF-8 (files, CSVs, the restore checklist) and go back in as
    // what they were, whatever the database's own encoding.
    TempCluster cluster;
    QString error;
    ASSERT_TRUE(cluster.start(&error)) << error.toStdString();
    for (const char *db : {"latin", "latin_copy"})
        ASSERT_TRUE(cluster.exec(QStringLiteral("CREATE DATABASE %1 TEMPLATE template0 ENCODING 'LATIN1' "
                                                "LC_COLLATE 'C' LC_CTYPE 'C'")
                                     .arg(QLatin1String(db)),
                                 &error))
            << error.toStdString();
    ASSERT_TRUE(cluster.exec(QStringLiteral("CREATE TABLE public.\"café\" (id int PRIMARY KEY, nom text); "
                                            "INSERT INTO public.\"café\" VALUES (1, 'Crème brûlée'); "
                                            "ALTER TABLE public.\"café\" ENABLE ROW LEVEL SECURITY; "
                                            "CREATE POLICY \"lecture été\" ON public.\"café\" USING (nom <> 'ça'); "
                                            "CREATE FUNCTION public.\"prix_été\"() RETURNS text LANGUAGE sql "
                                            "AS $$ SELECT 'été'::text $$"),
                             &error,
                             QStringLiteral("latin")))
        << error.toStdString();
    QTemporaryDir out;
    BackupRequest req = profileRequest(cluster, out.path());
    req.stack.connection.database = QStringLiteral("latin");
    const BackupResult r = runBackup(req);
    ASSERT_EQ(r.outcome, BackupOutcome::Complete) << r.message.toStdString();
    const QString csv = r.manifest.component(Component::DataCsv)
                            ->details.value(QStringLiteral("tables"))
                            .toObject()
                            .value(QStringLiteral("public.café"))
                            .toObject()
                            .value(QStringLiteral("file"))
                            .toString();
    ASSERT_FALSE(csv.isEmpty());
    EXPECT_EQ(QString::fromUtf8(readAll(r.path + u'/' + csv)), QStringLiteral("id,nom\n1,Crème brûlée\n"));

    const QStringList env{QStringLiteral("PGPASSFILE=") + cluster.pgpassFile()};
    QByteArray so, se;
    ASSERT_EQ(runProgram(QStringLiteral(LIFEBOAT_CLI_PATH),
                         {QStringLiteral("restore"), r.path, QStringLiteral("--list")},
                         &so,
                         &se,
                         env),
              0)
        << se.toStdString();
    const QString listed = QString::fromUtf8(so);
    EXPECT_TRUE(listed.contains(QStringLiteral("table:public.café "))) << so.toStdString();
    EXPECT_TRUE(listed.contains(QStringLiteral("function:public.prix_été "))) << so.toStdString();
    ASSERT_EQ(runProgram(QStringLiteral(LIFEBOAT_CLI_PATH),
                         {QStringLiteral("restore"),
                          r.path,
                          QStringLiteral("--only"),
                          QStringLiteral("table:public.café,function:public.prix_été"),
                          QStringLiteral("--new-db"),
                          QStringLiteral("copie"),
                          QStringLiteral("--dsn"),
                          cluster.uri(),
                          QStringLiteral("--yes")},
                         &so,
                         &se,
                         env,
                         120000),
              0)
        << so.toStdString() << se.toStdString();
    const PgConnection copie = cluster.connect(QStringLiteral("copie"));
    PgResultPtr got = copie.exec(QStringLiteral("SELECT (SELECT nom FROM public.\"café\"), public.\"prix_été\"(), "
                                                "(SELECT polname FROM pg_policy)"));
    EXPECT_EQ(PgConnection::value(got.get(), 0, 0), QStringLiteral("Crème brûlée"));
    EXPECT_EQ(PgConnection::value(got.get(), 0, 1), QStringLiteral("été"));
    EXPECT_EQ(PgConnection::value(got.get(), 0, 2), QStringLiteral("lecture été"));

    // restore.sh feeds Lifeboat's own SQL files to psql into another LATIN1 database.
    ASSERT_EQ(runProgram(QStringLiteral("bash"),
                         {r.path + QStringLiteral("/restore.sh"),
                          QStringLiteral("--only"),
                          QStringLiteral("functions"),
                          QStringLiteral("--yes")},
                         &so,
                         &se,
                         pgEnv(cluster, QStringLiteral("latin_copy"))),
              0)
        << so.toStdString() << se.toStdString();
    const PgConnection latinCopy = cluster.connect(QStringLiteral("latin_copy"));
    got = latinCopy.exec(QStringLiteral("SELECT public.\"prix_été\"()"));
    EXPECT_EQ(PgConnection::value(got.get(), 0, 0), QStringLiteral("été"))
        << PgConnection::resultError(got.get()).toStdString();
}
