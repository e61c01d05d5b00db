// How a backup gets into the database: where its password comes from, and what it says when
// the role it connects as may not read everything.
#include "BackupStore.h"
#include "BackupTestUtil.h"

#include <QDir>
#include <QRegularExpression>
#include <QTemporaryDir>

#include <gtest/gtest.h>

using namespace lifeboat;
using namespace lifeboat::test;

TEST(BackupAccess, APasswordFromPgpasswordReachesEveryToolAndTheSafetyBackup)
{
    SupabaseFixture source;
    QString error;
    ASSERT_TRUE(source.setUp(&error)) << error.toStdString();
    QTemporaryDir out, tmp;
    // Only PGPASSWORD knows the password: no password file, no keychain entry, no ~/.pgpass.
    // The tools get it in a private password file, in TMPDIR, gone when the run ends.
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
                               QStringLiteral("PGPASSFILE=") + out.path() + QStringLiteral("/no-such-pgpass"),
                               QStringLiteral("TMPDIR=") + tmp.path()});
    ASSERT_EQ(rc, 0) << se.toStdString();
    // pg_dumpall and pg_dump, whose environment Lifeboat clears of PGPASSWORD, got in too.
    EXPECT_TRUE(se.contains("ok        roles")) << se.toStdString();
    EXPECT_TRUE(se.contains("ok        database")) << se.toStdString();
    const QList<BackupInfo> listed = BackupStore::list(out.path());
    ASSERT_EQ(listed.size(), 1);
    EXPECT_EQ(listed.first().state, BackupInfo::State::Complete);
    EXPECT_TRUE(BackupStore::verify(listed.first().path).ok());

    // A restore in place backs the stack up first, through the same tools and the same password.
    const int restored = runProgram(QStringLiteral(LIFEBOAT_CLI_PATH),
                                    {QStringLiteral("restore"),
                                     listed.first().path,
                                     QStringLiteral("--project"),
                                     source.projectDir(),
                                     QStringLiteral("--only"),
                                     QStringLiteral("table:public.tasks"),
                                     QStringLiteral("--yes")},
                                    &so,
                                    &se,
                                    {QStringLiteral("PGPASSWORD=") + source.cluster().password(),
                                     QStringLiteral("PGPASSFILE=") + out.path() + QStringLiteral("/no-such-pgpass"),
                                     QStringLiteral("TMPDIR=") + tmp.path()});
    ASSERT_EQ(restored, 0) << so.toStdString() << se.toStdString();
    const QStringList left = QDir(tmp.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot);
    EXPECT_TRUE(left.isEmpty()) << "left in TMPDIR: " << left.join(u' ').toStdString();
    static const QRegularExpression safety(QStringLiteral("Safety backup \\(before restore\\): (.+)\n"));
    const QRegularExpressionMatch m = safety.match(QString::fromUtf8(so));
    ASSERT_TRUE(m.hasMatch()) << so.toStdString();
    EXPECT_EQ(BackupStore::inspect(m.captured(1)).state, BackupInfo::State::Complete) << m.captured(1).toStdString();
}

TEST(BackupAccess, ATableTheRoleMayNotReadFailsTheBackupNamingItAndTheFix)
{
    // A plain database backed up as a reporting role that may read every table but one.
    TempCluster cluster;
    ASSERT_TRUE(startPlain(cluster));
    QString error;
    ASSERT_TRUE(cluster.exec(QStringLiteral("CREATE ROLE reporter LOGIN PASSWORD '%1'; "
                                            "GRANT USAGE ON SCHEMA inventory TO reporter; "
                                            "GRANT SELECT ON ALL TABLES IN SCHEMA public, inventory TO reporter; "
                                            "GRANT SELECT ON ALL SEQUENCES IN SCHEMA public, inventory TO reporter; "
                                            "CREATE TABLE public.payroll (id int PRIMARY KEY, salary int); "
                                            "INSERT INTO public.payroll VALUES (1, 5000)")
                                 .arg(cluster.password()),
                             &error))
        << error.toStdString();
    QTemporaryDir out;
    BackupRequest req = profileRequest(cluster, out.path(), QStringLiteral("reporter"));
    const BackupResult r = runBackup(req);

    // Found when the backup locks the snapshot's tables, before any component writes a file.
    EXPECT_EQ(r.outcome, BackupOutcome::Failed);
    EXPECT_TRUE(r.message.startsWith(QStringLiteral("Cannot read every table:"))) << r.message.toStdString();
    EXPECT_TRUE(r.message.contains(QStringLiteral("permission denied for table payroll"))) << r.message.toStdString();
    EXPECT_TRUE(r.message.contains(QStringLiteral("grant \"reporter\" what it lacks"))
                && r.message.contains(QStringLiteral("back up as a superuser")))
        << r.message.toStdString();
    const QList<BackupInfo> listed = BackupStore::list(out.path());
    ASSERT_EQ(listed.size(), 1);
    EXPECT_EQ(listed.first().state, BackupInfo::State::Failed);
    EXPECT_EQ(listed.first().message, r.message);
}

TEST(BackupAccess, RowLevelSecurityThatHidesRowsFailsTheBackupInsteadOfExportingItShort)
{
    // An app role owns a table whose FORCE'd policy shows it only its own rows: COPY as that
    // role would quietly write half the table.
    TempCluster cluster;
    QString error;
    ASSERT_TRUE(cluster.start(&error)) << error.toStdString();
    ASSERT_TRUE(cluster.exec(QStringLiteral("CREATE ROLE app LOGIN PASSWORD '%1'; "
                                            "CREATE TABLE public.notes (id int PRIMARY KEY, owner text); "
                                            "INSERT INTO public.notes SELECT g, CASE WHEN g % 2 = 0 THEN 'app' "
                                            "ELSE 'other' END FROM generate_series(1, 10) g; "
                                            "ALTER TABLE public.notes OWNER TO app; "
                                            "ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY; "
                                            "ALTER TABLE public.notes FORCE ROW LEVEL SECURITY; "
                                            "CREATE POLICY own ON public.notes USING (owner = current_user)")
                                 .arg(cluster.password()),
                             &error))
        << error.toStdString();
    QTemporaryDir out;
    BackupRequest req = profileRequest(cluster, out.path(), QStringLiteral("app"));
    req.components = {Component::DataCsv};
    const BackupResult refused = runBackup(req);
    EXPECT_EQ(refused.outcome, BackupOutcome::Failed);
    EXPECT_TRUE(
        refused.message.startsWith(QStringLiteral("Row-level security hides rows of public.notes from \"app\"")))
        << refused.message.toStdString();
    EXPECT_TRUE(refused.message.contains(QStringLiteral("ALTER ROLE app BYPASSRLS"))) << refused.message.toStdString();
    QList<BackupInfo> listed = BackupStore::list(out.path());
    ASSERT_EQ(listed.size(), 1);
    EXPECT_EQ(listed.first().state, BackupInfo::State::Failed);

    // With the fix the message names, every row is there.
    ASSERT_TRUE(cluster.exec(QStringLiteral("ALTER ROLE app BYPASSRLS"), &error)) << error.toStdString();
    const BackupResult done = runBackup(req);
    ASSERT_EQ(done.outcome, BackupOutcome::Complete) << done.message.toStdString();
    QFile csv(done.path + QStringLiteral("/data/public.notes.csv"));
    ASSERT_TRUE(csv.open(QIODevice::ReadOnly)) << csv.fileName().toStdString();
    EXPECT_EQ(csv.readAll().count('\n'), 11); // header and ten rows
}

TEST(BackupAccess, AServerReachedThroughTheDefaultSocketFolderGetsItsPassword)
{
    // libpq looks the password of a connection through its default socket folder up under
    // "localhost", not under the folder's path: the tools' private password file must match.
    const QString socketDir = QStringLiteral("/var/run/postgresql"); // libpq's default on Debian
    ASSERT_TRUE(QFileInfo(socketDir).isDir()) << "install postgresql-15, which creates " << socketDir.toStdString();
    TempCluster::Options options;
    options.extraSocketDir = socketDir;
    TempCluster cluster(options);
    ASSERT_TRUE(startPlain(cluster));
    QTemporaryDir out;
    BackupRequest req = profileRequest(cluster, out.path());
    req.stack.connection.host = socketDir;
    const BackupResult r = runBackup(req);
    ASSERT_EQ(r.outcome, BackupOutcome::Complete) << r.message.toStdString();
    EXPECT_EQ(r.manifest.component(Component::Roles)->status, ComponentResult::Status::Ok);
    EXPECT_EQ(r.manifest.component(Component::Database)->status, ComponentResult::Status::Ok);

    // A restore in place through the same socket: its safety backup and its steps get in too.
    QByteArray so, se;
    const QString dsn = QStringLiteral("postgresql://%1@/postgres?host=%2&port=%3")
                            .arg(cluster.superuser(), socketDir)
                            .arg(cluster.port());
    ASSERT_EQ(runProgram(QStringLiteral(LIFEBOAT_CLI_PATH),
                         {QStringLiteral("restore"),
                          r.path,
                          QStringLiteral("--only"),
                          QStringLiteral("table:public.order_items"),
                          QStringLiteral("--dsn"),
                          dsn,
                          QStringLiteral("--yes")},
                         &so,
                         &se,
                         {QStringLiteral("PGPASSWORD=") + cluster.password(),
                          QStringLiteral("PGPASSFILE=") + out.path() + QStringLiteral("/no-such-pgpass")},
                         120000),
              0)
        << so.toStdString() << se.toStdString();
    EXPECT_TRUE(so.contains("Safety backup (before restore): ")) << so.toStdString();
}
