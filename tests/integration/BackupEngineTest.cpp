// Round trips, snapshots and faults: what makes a backup trustworthy.
#include "BackupService.h"
#include "BackupStore.h"
#include "BackupTestUtil.h"
#include "Fingerprint.h"
#include "ToolLocator.h"

#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QThread>

#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <thread>

using namespace lifeboat;
using namespace lifeboat::test;

namespace {

Fingerprint fingerprintOf(const TempCluster &c, QString *error)
{
    PgConnection conn = c.connect();
    return fingerprint(conn, error);
}

// Files below `root` whose name matches `pattern`, relative to `root`.
QStringList filesNamed(const QString &root, const QString &pattern)
{
    QStringList found;
    QDirIterator it(root, {pattern}, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext())
        found << QDir(root).relativeFilePath(it.next());
    return found;
}

QStringList completeBackups(const QString &root)
{
    QStringList complete;
    for (const BackupInfo &b : BackupStore::list(root))
        if (b.state == BackupInfo::State::Complete)
            complete << b.path;
    return complete;
}

// A fixture, one complete backup of it, and an empty cluster to restore into.
class BackupRoundTrip : public ::testing::Test
{
protected:
    void SetUp() override
    {
        QString error;
        ASSERT_TRUE(source.setUp(&error)) << error.toStdString();
        r = runBackup(requestFor(source, out.path()));
        ASSERT_EQ(r.outcome, BackupOutcome::Complete) << r.message.toStdString();
        ASSERT_TRUE(target.start(&error)) << error.toStdString();
    }
    static TempCluster::Options supabaseLike()
    {
        TempCluster::Options o;
        o.superuser = QStringLiteral("supabase_admin");
        return o;
    }

    SupabaseFixture source;
    QTemporaryDir out;
    BackupResult r;
    TempCluster target{supabaseLike()};
};

} // namespace

TEST_F(BackupRoundTrip, ArchiveAndRolesRestoreIntoAFreshClusterWithAnEqualFingerprint)
{
    QString error;
    QByteArray so, se;
    ASSERT_EQ(runProgram(tool(QStringLiteral("psql")),
                         {QStringLiteral("-q"), QStringLiteral("-f"), r.path + QStringLiteral("/roles/roles.sql")}, &so,
                         &se, pgEnv(target)),
              0)
        << so.toStdString() << se.toStdString();
    // roles.sql carries every role's password hash, supabase_admin's too: from here on the
    // target's superuser logs in with the source's password.
    QStringList env = pgEnv(target);
    env.first() = QStringLiteral("PGPASSFILE=") + source.cluster().pgpassFile();
    ASSERT_EQ(runProgram(tool(QStringLiteral("pg_restore")),
                         {QStringLiteral("--exit-on-error"), QStringLiteral("--single-transaction"),
                          QStringLiteral("-d"), QStringLiteral("postgres"), r.path + QStringLiteral("/database/database.dump")},
                         &so, &se, env),
              0)
        << se.toStdString();
    ASSERT_EQ(runProgram(tool(QStringLiteral("psql")),
                         {QStringLiteral("-q"), QStringLiteral("-v"), QStringLiteral("ON_ERROR_STOP=1"), QStringLiteral("-v"),
                          QStringLiteral("target_db=postgres"), QStringLiteral("-f"),
                          r.path + QStringLiteral("/roles/database_settings.sql")},
                         &so, &se, env),
              0)
        << se.toStdString();

    const Fingerprint before = fingerprintOf(source.cluster(), &error);
    ASSERT_FALSE(before.empty()) << error.toStdString();
    PgConnection targetConn = PgConnection::open(target.connection(), source.cluster().password());
    const Fingerprint after = fingerprint(targetConn, &error);
    ASSERT_FALSE(after.empty()) << error.toStdString();
    EXPECT_EQ(differences(before, after), QStringList()) << differences(before, after).join(u'\n').toStdString();
    EXPECT_GE(onlyKind(after, QStringLiteral("user:")).size(), 24u);
}

TEST_F(BackupRoundTrip, GeneratedRestoreScriptRebuildsTheDatabase)
{
    QString error;
    QByteArray so, se;
    const int rc = runProgram(QStringLiteral("bash"), {r.path + QStringLiteral("/restore.sh"), QStringLiteral("--yes")},
                              &so, &se, pgEnv(target));
    ASSERT_EQ(rc, 0) << so.toStdString() << se.toStdString();
    const Fingerprint before = fingerprintOf(source.cluster(), &error);
    const Fingerprint after = fingerprintOf(target, &error);
    ASSERT_FALSE(after.empty()) << error.toStdString();
    EXPECT_EQ(differences(before, after), QStringList()) << differences(before, after).join(u'\n').toStdString();
}

TEST_F(BackupRoundTrip, RestoreScriptRefusesADamagedBackupBeforeTouchingTheDatabase)
{
    QFile f(r.path + QStringLiteral("/rls_policies/public.profiles.sql"));
    ASSERT_TRUE(f.open(QIODevice::ReadWrite));
    f.seek(10);
    f.write("X");
    f.close();
    QByteArray so, se;
    // Port 1: nothing listens there, so any attempt to connect would fail differently.
    const int rc = runProgram(QStringLiteral("bash"), {r.path + QStringLiteral("/restore.sh"), QStringLiteral("--yes")},
                              &so, &se, {QStringLiteral("PGHOST=127.0.0.1"), QStringLiteral("PGPORT=1")});
    EXPECT_EQ(rc, 3) << so.toStdString() << se.toStdString();
    const QByteArray all = so + se;
    EXPECT_TRUE(all.contains("rls_policies/public.profiles.sql")) << all.toStdString();
}

TEST(BackupSnapshot, RowsWrittenDuringTheBackupAppearInAllComponentsOrNone)
{
    SupabaseFixture source;
    QString error;
    ASSERT_TRUE(source.setUp(&error)) << error.toStdString();
    growFixture(source, 200000);
    QTemporaryDir out;

    std::atomic_bool stop{false};
    std::atomic_int inserted{0};
    std::thread writer([&] {
        PgConnection c = source.cluster().connect();
        while (!stop.load()) {
            PgResultPtr r = c.exec(QStringLiteral(
                "INSERT INTO public.activity_events (event_type, payload) VALUES ('during_backup', '{}'); "
                "INSERT INTO public.bulk VALUES (-1, 'x', 'y');"));
            if (PgConnection::succeeded(r.get()))
                ++inserted;
            QThread::msleep(2);
        }
    });
    BackupRequest req = requestFor(source, out.path());
    req.components = {Component::Database, Component::DataCsv};
    const BackupResult r = runBackup(req);
    stop = true;
    writer.join();
    ASSERT_EQ(r.outcome, BackupOutcome::Complete) << r.message.toStdString();
    ASSERT_GT(inserted.load(), 10) << "the writer ran during the backup";

    // Count the rows of each table in the plain SQL (from the dump) and in the CSV.
    const QByteArray sql = readAll(r.path + QStringLiteral("/database/database.sql"));
    auto dumpRows = [&](const QByteArray &table) {
        const qsizetype start = sql.indexOf(QByteArray("COPY " + table + " "));
        const qsizetype end = sql.indexOf("\n\\.\n", start);
        return sql.mid(start, end - start).count('\n'); // header line + rows - 1 + ... = rows
    };
    const QJsonObject tables =
        r.manifest.component(Component::DataCsv)->details.value(QStringLiteral("tables")).toObject();
    for (const char *t : {"public.bulk", "public.activity_events"}) {
        const qint64 csvRows = tables.value(QLatin1String(t)).toObject().value(QStringLiteral("rows")).toInteger();
        EXPECT_EQ(dumpRows(QByteArray(t)), csvRows) << t << ": the dump and the CSV saw the same snapshot";
    }
    PgConnection c = source.cluster().connect();
    PgResultPtr now = c.exec(QStringLiteral("SELECT count(*) FROM public.bulk"));
    EXPECT_GT(PgConnection::value(now.get(), 0, 0).toLongLong(),
              tables.value(QStringLiteral("public.bulk")).toObject().value(QStringLiteral("rows")).toInteger())
        << "rows committed after the snapshot are in neither";
}

TEST_F(BackupRoundTrip, VerifyNamesAFlippedByteAndADeletedFile)
{
    ASSERT_TRUE(BackupStore::verify(r.path).ok());

    QFile dump(r.path + QStringLiteral("/database/database.dump"));
    ASSERT_TRUE(dump.open(QIODevice::ReadWrite));
    dump.seek(dump.size() / 2);
    char byte = 0;
    dump.getChar(&byte);
    dump.seek(dump.size() / 2);
    dump.putChar(char(byte ^ 0x01));
    dump.close();
    ASSERT_TRUE(QFile::remove(r.path + QStringLiteral("/functions/public.has_role.sql")));

    const VerifyReport report = BackupStore::verify(r.path);
    EXPECT_FALSE(report.ok());
    const QString problems = report.problems.join(u'\n');
    EXPECT_TRUE(problems.contains(QStringLiteral("damaged: database/database.dump"))) << problems.toStdString();
    EXPECT_TRUE(problems.contains(QStringLiteral("missing: functions/public.has_role.sql"))) << problems.toStdString();
    EXPECT_EQ(report.problems.size(), 2) << problems.toStdString();

    QByteArray so, se;
    EXPECT_EQ(runProgram(QStringLiteral(LIFEBOAT_CLI_PATH), {QStringLiteral("verify"), r.path}, &so, &se), 1);
    EXPECT_TRUE(se.contains("database/database.dump") && se.contains("functions/public.has_role.sql")) << se.toStdString();
}

TEST(BackupFaults, KillingTheBackupAtAnyPointLeavesNoCompleteBackup)
{
    SupabaseFixture source;
    QString error;
    ASSERT_TRUE(source.setUp(&error)) << error.toStdString();
    growFixture(source, 300000);
    QTemporaryDir out;
    // Kill points from the CLI's own events, not from a clock (the backup's speed varies):
    // at its first line (snapshot taken, folder created), after the first component's
    // result, and when every component but the last has reported.
    const int components = Component::all().size();
    static const QRegularExpression result(QStringLiteral("^(ok|skipped|failed) "));
    int staleLocks = 0;
    for (int killAfterResults : {0, 1, components - 1}) {
        QProcess cli;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("PGPASSFILE"), source.cluster().pgpassFile());
        cli.setProcessEnvironment(env);
        cli.setProcessChannelMode(QProcess::MergedChannels);
        cli.start(QStringLiteral(LIFEBOAT_CLI_PATH), {QStringLiteral("backup"), QStringLiteral("--project"),
                                                     source.projectDir(), QStringLiteral("--out"), out.path()});
        ASSERT_TRUE(cli.waitForStarted());
        int results = 0;
        bool sawLine = false;
        while (cli.state() == QProcess::Running && !(sawLine && results >= killAfterResults)) {
            if (!cli.canReadLine() && !cli.waitForReadyRead(10000))
                break;
            while (cli.canReadLine()) {
                sawLine = true;
                results += result.match(QString::fromUtf8(cli.readLine())).hasMatch();
            }
        }
        ASSERT_EQ(cli.state(), QProcess::Running) << "the backup ended before the kill point (" << killAfterResults
                                                  << " component results)";
        ::kill(pid_t(cli.processId()), SIGKILL);
        cli.waitForFinished();
        staleLocks += int(filesNamed(out.path(), QStringLiteral("*.lock")).size()); // before anything lists
        EXPECT_EQ(completeBackups(out.path()), QStringList()) << "killed after " << results << " component results";
    }
    // Each killed run left its folder and its lock; the lock names a dead process, so the run
    // is listed as incomplete (not running), and looking removes the stale lock.
    // (A kill at the first line may come before the run made its folder.)
    const QList<BackupInfo> listed = BackupStore::list(out.path());
    ASSERT_FALSE(listed.isEmpty());
    EXPECT_EQ(staleLocks, listed.size());
    for (const BackupInfo &b : listed)
        EXPECT_EQ(b.state, BackupInfo::State::Incomplete) << b.path.toStdString() << ": " << b.message.toStdString();
    EXPECT_EQ(filesNamed(out.path(), QStringLiteral("*.lock")), QStringList());

    // `verify` and `show` say what the folder is instead of checking or printing a backup.
    for (const QString &command : {QStringLiteral("verify"), QStringLiteral("show")}) {
        QByteArray so, se;
        EXPECT_EQ(runProgram(QStringLiteral(LIFEBOAT_CLI_PATH), {command, listed.first().path}, &so, &se), 1);
        EXPECT_TRUE(se.contains("is incomplete: Never finished")) << command.toStdString() << ": " << se.toStdString();
        EXPECT_TRUE(so.isEmpty()) << so.toStdString();
    }
}

namespace {

// A backup of a fixture grown large enough that it is still running when the test acts on it.
struct GrownRun
{
    SupabaseFixture source;
    QTemporaryDir out;
    std::shared_ptr<BackupJob> job;
};

void startGrownRun(GrownRun &run)
{
    QString error;
    ASSERT_TRUE(run.source.setUp(&error)) << error.toStdString();
    ASSERT_NO_FATAL_FAILURE(growFixture(run.source, 600000));
    run.job = BackupEngine::start(requestFor(run.source, run.out.path()));
    ASSERT_TRUE(waitUntil([&] { return run.job->future().progressValue() > 0; }, 30000));
}

} // namespace

TEST(BackupFaults, ARunningBackupIsListedAsRunningAndCannotBeDeleted)
{
    GrownRun run;
    ASSERT_NO_FATAL_FAILURE(startGrownRun(run));
    const QList<BackupInfo> listed = BackupStore::list(run.out.path());
    ASSERT_EQ(listed.size(), 1);
    const BackupInfo running = listed.first();
    EXPECT_EQ(running.state, BackupInfo::State::Running) << running.message.toStdString();
    EXPECT_TRUE(running.path.endsWith(QLatin1String(".partial"))) << running.path.toStdString();
    EXPECT_TRUE(running.message.contains(QString::number(QCoreApplication::applicationPid())))
        << running.message.toStdString();

    BackupService service(nullptr);
    const Status removed = await(service.remove(running.path));
    ASSERT_FALSE(removed);
    EXPECT_TRUE(removed.error().contains(QLatin1String("still being written"))) << removed.error().toStdString();
    EXPECT_TRUE(QFileInfo::exists(running.path));
    // The same from the command line, even with --yes.
    const QString cli = QStringLiteral(LIFEBOAT_CLI_PATH);
    QByteArray so, se;
    EXPECT_EQ(runProgram(cli, {QStringLiteral("delete"), running.path, QStringLiteral("--yes")}, &so, &se), 1);
    EXPECT_TRUE(se.contains("still being written")) << se.toStdString();
    EXPECT_TRUE(QFileInfo::exists(running.path));

    run.job->cancel();
    const BackupResult r = await(run.job->future());
    EXPECT_EQ(r.outcome, BackupOutcome::Cancelled) << r.message.toStdString();
    EXPECT_EQ(BackupStore::list(run.out.path()).first().state, BackupInfo::State::Cancelled);
    EXPECT_EQ(filesNamed(run.out.path(), QStringLiteral("*.lock")), QStringList()) << "the lock goes with the run";

    // What the cancelled run left can be removed; not without confirmation, and never a
    // folder that is not a backup (the root, say).
    EXPECT_EQ(runProgram(cli, {QStringLiteral("delete"), r.path}, &so, &se), 4) << "no terminal to ask, no --yes";
    EXPECT_TRUE(QFileInfo::exists(r.path));
    EXPECT_EQ(runProgram(cli, {QStringLiteral("delete"), run.out.path(), QStringLiteral("--yes")}, &so, &se), 2);
    EXPECT_TRUE(se.contains("not a Lifeboat backup folder")) << se.toStdString();
    EXPECT_TRUE(QFileInfo::exists(r.path));
    EXPECT_EQ(runProgram(cli, {QStringLiteral("delete"), r.path, QStringLiteral("--yes")}, &so, &se), 0)
        << se.toStdString();
    EXPECT_FALSE(QFileInfo::exists(r.path));
    EXPECT_TRUE(so.contains("cancelled")) << so.toStdString();
    EXPECT_TRUE(BackupStore::list(run.out.path()).isEmpty());
}

TEST(BackupRetention, PruneKeepsTheLastNAndTheNewestVerifiedOneAndAsksFirst)
{
    SupabaseFixture source;
    QString error;
    ASSERT_TRUE(source.setUp(&error)) << error.toStdString();
    QTemporaryDir out;
    const QString cli = QStringLiteral(LIFEBOAT_CLI_PATH);
    const QStringList env{QStringLiteral("PGPASSFILE=") + source.cluster().pgpassFile()};
    const QStringList stackArgs{QStringLiteral("--project"), source.projectDir(), QStringLiteral("--out"), out.path()};
    QByteArray so, se;
    QStringList made; // oldest first
    for (int i = 0; i < 4; ++i) {
        if (i > 0)
            QThread::msleep(1100); // folders are named by the second
        ASSERT_EQ(runProgram(cli,
                             QStringList{QStringLiteral("backup")} + stackArgs
                                 + QStringList{QStringLiteral("--components"), QStringLiteral("functions")},
                             &so,
                             &se,
                             env),
                  0)
            << se.toStdString();
        made << QString::fromUtf8(so.trimmed());
    }
    // The second one verified; a killed run's folder beside them, older than all.
    ASSERT_EQ(runProgram(cli, {QStringLiteral("verify"), made.at(1)}, &so, &se), 0) << se.toStdString();
    const QString killed = QFileInfo(made.first()).absolutePath() + QStringLiteral("/20200101-000000.partial");
    ASSERT_TRUE(QDir().mkpath(killed));

    auto exists = [&] {
        QStringList present;
        for (const QString &path : made + QStringList{killed})
            if (QFileInfo::exists(path))
                present << QFileInfo(path).fileName();
        return present;
    };
    const QStringList all = exists();
    // Nothing without a number to keep, nothing on a dry run, nothing unconfirmed.
    EXPECT_EQ(runProgram(cli, QStringList{QStringLiteral("prune")} + stackArgs, &so, &se, env), 0);
    EXPECT_TRUE(so.contains("nothing to delete")) << so.toStdString();
    EXPECT_EQ(runProgram(cli,
                         QStringList{QStringLiteral("prune")} + stackArgs
                             + QStringList{QStringLiteral("--keep"), QStringLiteral("1"), QStringLiteral("--dry-run")},
                         &so,
                         &se,
                         env),
              0);
    EXPECT_TRUE(so.contains(QFileInfo(made.at(0)).fileName().toUtf8())
                && so.contains(QFileInfo(made.at(2)).fileName().toUtf8()))
        << so.toStdString();
    EXPECT_EQ(exists(), all);
    EXPECT_EQ(runProgram(cli,
                         QStringList{QStringLiteral("prune")} + stackArgs
                             + QStringList{QStringLiteral("--keep"), QStringLiteral("1")},
                         &so,
                         &se,
                         env),
              4);
    EXPECT_EQ(exists(), all);

    // Confirmed: the newest and the verified one stay; so does the killed run (not retention's).
    ASSERT_EQ(runProgram(cli,
                         QStringList{QStringLiteral("prune")} + stackArgs
                             + QStringList{QStringLiteral("--keep"), QStringLiteral("1"), QStringLiteral("--yes")},
                         &so,
                         &se,
                         env),
              0)
        << se.toStdString();
    EXPECT_EQ(exists(),
              (QStringList{
                  QFileInfo(made.at(1)).fileName(), QFileInfo(made.at(3)).fileName(), QFileInfo(killed).fileName()}));
    EXPECT_TRUE(so.contains("Deleted 2 backup(s)")) << so.toStdString();
}

TEST(BackupFaults, TwoRunsStartedTogetherGetTheirOwnFolders)
{
    SupabaseFixture source;
    QString error;
    ASSERT_TRUE(source.setUp(&error)) << error.toStdString();
    QTemporaryDir out;
    // Same stack, same root, same second: each run must reserve a name of its own.
    std::shared_ptr<BackupJob> first = BackupEngine::start(requestFor(source, out.path()));
    std::shared_ptr<BackupJob> second = BackupEngine::start(requestFor(source, out.path()));
    const BackupResult a = await(first->future(), 120000);
    const BackupResult b = await(second->future(), 120000);
    EXPECT_EQ(a.outcome, BackupOutcome::Complete) << a.message.toStdString();
    EXPECT_EQ(b.outcome, BackupOutcome::Complete) << b.message.toStdString();
    EXPECT_NE(a.path, b.path);
    EXPECT_EQ(completeBackups(out.path()).size(), 2);
    EXPECT_TRUE(BackupStore::verify(a.path).ok());
    EXPECT_TRUE(BackupStore::verify(b.path).ok());
}

TEST(BackupFaults, CancelStopsPromptlyAndKeepsNothing)
{
    GrownRun run;
    ASSERT_NO_FATAL_FAILURE(startGrownRun(run));
    QElapsedTimer t;
    t.start();
    run.job->cancel();
    const BackupResult r = await(run.job->future());
    const qint64 ms = t.elapsed();
    EXPECT_EQ(r.outcome, BackupOutcome::Cancelled) << r.message.toStdString();
    EXPECT_LT(ms, 2000) << "cancel took " << ms << " ms";
    EXPECT_TRUE(r.path.endsWith(QLatin1String(".cancelled"))) << r.path.toStdString();
    EXPECT_EQ(filesBelow(r.path), QStringList{QStringLiteral("lifeboat-status.json")});
    EXPECT_EQ(completeBackups(run.out.path()), QStringList());
    EXPECT_EQ(BackupStore::list(run.out.path()).first().state, BackupInfo::State::Cancelled);
}

TEST(BackupFaults, ServerStoppedMidBackupFailsClearly)
{
    GrownRun run;
    ASSERT_NO_FATAL_FAILURE(startGrownRun(run));
    run.source.cluster().stop();
    const BackupResult r = await(run.job->future());
    EXPECT_EQ(r.outcome, BackupOutcome::Failed);
    EXPECT_FALSE(r.failedComponent.isEmpty());
    EXPECT_TRUE(r.message.contains(r.failedComponent)) << r.message.toStdString();
    EXPECT_TRUE(r.message.contains(QStringLiteral("The database went away during the backup")))
        << r.message.toStdString();
    EXPECT_TRUE(r.path.endsWith(QLatin1String(".failed"))) << r.path.toStdString();
    EXPECT_EQ(completeBackups(run.out.path()), QStringList());
    const BackupInfo info = BackupStore::list(run.out.path()).first();
    EXPECT_EQ(info.state, BackupInfo::State::Failed);
    EXPECT_EQ(info.message, r.message);
}

TEST(BackupFaults, SessionsEndedMidBackupAsByADatabaseResetFailClearly)
{
    // `supabase db reset` ends every session of the database before it drops it.
    GrownRun run;
    ASSERT_NO_FATAL_FAILURE(startGrownRun(run));
    QString error;
    ASSERT_TRUE(run.source.cluster().exec(QStringLiteral("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                                         "WHERE application_name = 'lifeboat-backup'"),
                                          &error))
        << error.toStdString();
    const BackupResult r = await(run.job->future());
    EXPECT_EQ(r.outcome, BackupOutcome::Failed);
    EXPECT_TRUE(r.message.startsWith(QStringLiteral("Component ")) && r.message.contains(r.failedComponent))
        << r.message.toStdString();
    EXPECT_TRUE(r.message.contains(QStringLiteral("The database went away during the backup: the stack was stopped "
                                                  "or reset (`supabase stop`, `supabase db reset`)")))
        << r.message.toStdString();
    EXPECT_EQ(completeBackups(run.out.path()), QStringList());
    EXPECT_EQ(BackupStore::list(run.out.path()).first().state, BackupInfo::State::Failed);
}

TEST(BackupFaults, AWriteErrorFailsTheBackupAndNamesTheCause)
{
    SupabaseFixture source;
    QString error;
    ASSERT_TRUE(source.setUp(&error)) << error.toStdString();
    growFixture(source, 100000);
    QTemporaryDir out;
    // A 2 MB file-size limit stands in for a full disk: the first large file cannot be written.
    QByteArray so, se;
    const int rc = runProgram(QStringLiteral("/bin/sh"),
                              {QStringLiteral("-c"), QStringLiteral("ulimit -f 4096; exec \"$0\" \"$@\""),
                               QStringLiteral(LIFEBOAT_CLI_PATH), QStringLiteral("backup"), QStringLiteral("--project"),
                               source.projectDir(), QStringLiteral("--out"), out.path()},
                              &so, &se, {QStringLiteral("PGPASSFILE=") + source.cluster().pgpassFile()});
    EXPECT_EQ(rc, 1) << se.toStdString();
    EXPECT_TRUE(se.contains("Backup failed: Component ")) << se.toStdString();
    EXPECT_TRUE(se.contains("File too large") && se.contains("does not take files this large")) << se.toStdString();
    EXPECT_EQ(completeBackups(out.path()), QStringList());
    ASSERT_EQ(BackupStore::list(out.path()).size(), 1);
    EXPECT_EQ(BackupStore::list(out.path()).first().state, BackupInfo::State::Failed);
}

TEST(BackupFaults, WrongPasswordFailsBeforeWritingAnything)
{
    SupabaseFixture source;
    QString error;
    ASSERT_TRUE(source.setUp(&error)) << error.toStdString();
    QTemporaryDir out;
    BackupRequest req = requestFor(source, out.path());
    req.password = QStringLiteral("not-the-password");
    const BackupResult r = runBackup(req);
    EXPECT_EQ(r.outcome, BackupOutcome::Failed);
    EXPECT_TRUE(r.message.contains(QStringLiteral("lifeboat-demo")) && r.message.contains(QStringLiteral("password")))
        << r.message.toStdString();
    EXPECT_FALSE(r.message.contains(QStringLiteral("not-the-password")));
    EXPECT_TRUE(BackupStore::list(out.path()).isEmpty());
}

TEST(BackupFaults, MissingToolNamesTheVersionAndThePackage)
{
    auto t = ToolLocator::find(QStringLiteral("pg_dump"), 99);
    ASSERT_FALSE(t.ok());
    EXPECT_TRUE(t.error().contains(QStringLiteral("PostgreSQL 99"))) << t.error().toStdString();
    EXPECT_TRUE(t.error().contains(QStringLiteral("postgresql-client-99"))) << t.error().toStdString();
    EXPECT_TRUE(t.error().contains(QStringLiteral("apt.postgresql.org"))) << t.error().toStdString();
    auto ok = ToolLocator::find(QStringLiteral("pg_dump"), 15);
    ASSERT_TRUE(ok.ok()) << ok.error().toStdString();
    EXPECT_GE(ok->major, 15);
}

TEST(BackupPlain, APlainDatabaseBacksUpWithSupabaseComponentsSkipped)
{
    TempCluster cluster;
    ASSERT_TRUE(startPlain(cluster));
    QTemporaryDir out;
    BackupRequest req = profileRequest(cluster, out.path());
    const BackupResult r = runBackup(req);
    ASSERT_EQ(r.outcome, BackupOutcome::Complete) << r.message.toStdString();
    for (const QString &c : {Component::AuthUsers, Component::Storage, Component::Migrations, Component::EdgeFunctions,
                             Component::Config})
        EXPECT_EQ(r.manifest.component(c)->status, ComponentResult::Status::Skipped) << c.toStdString();
    for (const QString &c : {Component::Database, Component::Roles, Component::DataCsv, Component::Functions})
        EXPECT_EQ(r.manifest.component(c)->status, ComponentResult::Status::Ok) << c.toStdString();
    EXPECT_GE(r.manifest.component(Component::DataCsv)->counts.value(QStringLiteral("tables")), 3);
    EXPECT_TRUE(BackupStore::verify(r.path).ok());
}
