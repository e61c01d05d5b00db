// restore.sh as people run it without Lifeboat: as an everyday role, into a new database or
// into one that has tables.
#include "BackupTestUtil.h"
#include "Fingerprint.h"

#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>

#include <gtest/gtest.h>

using namespace lifeboat;
using namespace lifeboat::test;

TEST(RestoreScript, AsANonSuperuserIntoANewDatabaseItLeavesTheExistingRolesAndRestoresTheRest)
{
    // The way most people restore without Lifeboat: createdb, then restore.sh as the everyday
    // role (on Supabase, postgres, which is no superuser) on the cluster that has every role.
    TempCluster cluster;
    ASSERT_TRUE(startPlain(cluster));
    QString error;
    ASSERT_TRUE(cluster.exec(QStringLiteral("CREATE ROLE dev LOGIN CREATEDB CREATEROLE PASSWORD '%1'; "
                                            "CREATE ROLE reader NOLOGIN; GRANT reader TO dev")
                                 .arg(cluster.password()),
                             &error))
        << error.toStdString();
    ASSERT_TRUE(cluster.exec(QStringLiteral("CREATE DATABASE copy OWNER dev"), &error)) << error.toStdString();
    QTemporaryDir out;
    BackupRequest req = profileRequest(cluster, out.path());
    const BackupResult r = runBackup(req);
    ASSERT_EQ(r.outcome, BackupOutcome::Complete) << r.message.toStdString();

    QStringList env = pgEnv(cluster, QStringLiteral("copy"));
    env.replace(3, QStringLiteral("PGUSER=dev"));
    QByteArray so, se;
    const int rc = runProgram(
        QStringLiteral("bash"), {r.path + QStringLiteral("/restore.sh"), QStringLiteral("--yes")}, &so, &se, env);
    // Roles it may not change (the superuser's, reader's attributes) are left alone and said
    // so, instead of failing the restore with an error per line.
    EXPECT_EQ(rc, 0) << so.toStdString() << se.toStdString();
    EXPECT_TRUE(so.contains("role(s) exist already and dev is not a superuser: they are left as they are"))
        << so.toStdString();
    EXPECT_TRUE(so.contains("Restore complete.")) << so.toStdString();
    PgConnection original = cluster.connect();
    const Fingerprint source = fingerprint(original, &error);
    PgConnection copy = PgConnection::open(cluster.connection(QStringLiteral("copy")), cluster.password());
    const Fingerprint restored = fingerprint(copy, &error);
    ASSERT_FALSE(restored.empty()) << error.toStdString();
    EXPECT_FALSE(onlyKind(source, QStringLiteral("table:")).empty());
    EXPECT_EQ(onlyKind(restored, QStringLiteral("table:")), onlyKind(source, QStringLiteral("table:")));
    EXPECT_FALSE(so.contains("Safety dump")) << "a database without tables has nothing to keep";

    // Into a database that has tables, the target is dumped first, privately, and the way
    // back is printed; without that dump it says there is none.
    QTemporaryDir home;
    env = pgEnv(cluster);
    env << QStringLiteral("HOME=") + home.path();
    ASSERT_EQ(runProgram(QStringLiteral("bash"),
                         {r.path + QStringLiteral("/restore.sh"),
                          QStringLiteral("--only"),
                          QStringLiteral("roles"),
                          QStringLiteral("--yes")},
                         &so,
                         &se,
                         env),
              0)
        << so.toStdString() << se.toStdString();
    const QFileInfoList dumps = QDir(home.path()).entryInfoList({QStringLiteral("before-restore-postgres-*.dump")});
    ASSERT_EQ(dumps.size(), 1) << so.toStdString();
    EXPECT_EQ(dumps.first().permissions() & (QFile::ReadGroup | QFile::ReadOther), QFile::Permissions());
    EXPECT_TRUE(so.contains("Safety dump of postgres first")) << so.toStdString();
    const QByteArray wayBack = "To go back to the target as it was: pg_restore --clean --if-exists -d postgres "
                               + dumps.first().filePath().toUtf8();
    EXPECT_TRUE(so.contains(wayBack)) << so.toStdString();
    EXPECT_EQ(
        runProgram(tool(QStringLiteral("pg_restore")), {QStringLiteral("-l"), dumps.first().filePath()}, &so, &se), 0)
        << se.toStdString();
    ASSERT_EQ(runProgram(QStringLiteral("bash"),
                         {r.path + QStringLiteral("/restore.sh"),
                          QStringLiteral("--only"),
                          QStringLiteral("roles"),
                          QStringLiteral("--no-safety-dump"),
                          QStringLiteral("--yes")},
                         &so,
                         &se,
                         env),
              0)
        << so.toStdString() << se.toStdString();
    EXPECT_EQ(QDir(home.path()).entryList({QStringLiteral("before-restore-*")}).size(), 1);
    EXPECT_TRUE(se.contains("no safety dump (--no-safety-dump): there is no way back")) << se.toStdString();
}
