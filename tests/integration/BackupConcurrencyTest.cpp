// What other sessions can do to the database while a backup reads it.
#include "BackupStore.h"
#include "BackupTestUtil.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

using namespace lifeboat;
using namespace lifeboat::test;

TEST(BackupConcurrency, ATableCannotBeDroppedUntilTheBackupHasReadIt)
{
    SupabaseFixture source;
    QString error;
    ASSERT_TRUE(source.setUp(&error)) << error.toStdString();
    const QString db = source.stack().connection.database;
    // A large table the CSV export reads first, and a small one it reaches last.
    ASSERT_TRUE(source.cluster().exec(QStringLiteral("CREATE TABLE public.bulk AS SELECT g AS id, md5(g::text) AS a, "
                                                     "repeat(md5(g::text), 8) AS b FROM generate_series(1, 600000) g; "
                                                     "CREATE TABLE public.victim (x int); "
                                                     "INSERT INTO public.victim VALUES (1), (2), (3)"),
                                      &error,
                                      db))
        << error.toStdString();
    QTemporaryDir out;
    BackupRequest req = requestFor(source, out.path());
    req.components = {Component::DataCsv};
    req.jobs = 1;
    std::shared_ptr<BackupJob> job = BackupEngine::start(req);
    ASSERT_TRUE(waitUntil([&] { return job->future().progressValue() > 0; }, 30000));

    // From the start the backup holds the small table, long before its COPY reaches it
    // (pg_dump's own locks last only as long as pg_dump, the CSV export's only per table).
    const PgConnection other = source.cluster().connect(db);
    PgResultPtr held = other.exec(QStringLiteral(
        "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.relation = 'public.victim'::regclass AND l.granted AND a.application_name = 'lifeboat-backup'"));
    const bool stillRunning = !job->future().isFinished();
    ASSERT_TRUE(stillRunning) << "the backup ended before the test could look; grow public.bulk";
    EXPECT_EQ(PgConnection::value(held.get(), 0, 0), QStringLiteral("1"));

    // So a migration dropping it waits instead of failing the backup half-way.
    PgResultPtr drop = other.exec(QStringLiteral("SET lock_timeout = '300ms'; DROP TABLE public.victim"));
    const bool dropped = PgConnection::succeeded(drop.get());
    const bool finishedMeanwhile = job->future().isFinished();
    EXPECT_TRUE(!dropped || finishedMeanwhile) << "the table was dropped under a running backup";

    const BackupResult r = await(job->future(), 120000);
    ASSERT_EQ(r.outcome, BackupOutcome::Complete) << r.message.toStdString();
    const QJsonObject tables
        = r.manifest.component(Component::DataCsv)->details.value(QStringLiteral("tables")).toObject();
    EXPECT_EQ(tables.value(QStringLiteral("public.victim")).toObject().value(QStringLiteral("rows")).toInteger(), 3);
}

TEST(BackupConcurrency, ADatabaseWithMoreTablesThanTheLockTableHoldsTwiceBacksUpAndRestores)
{
    // The shared lock table is sized by max_locks_per_transaction × connections (here 10 × 60 =
    // 600, and the server's slack lets one session lock about 2000). pg_dump alone locks these
    // 1500 tables; the snapshot holder locking them as well, or CSV connections keeping every
    // table they read locked, ran it out of shared memory. Each table has a TOAST table and its
    // index (the text column), so creating them all in one transaction needs three times as
    // many locks as pg_dump takes: well past the slack, wherever it ends.
    TempCluster cluster;
    QString error;
    ASSERT_TRUE(cluster.start(&error)) << error.toStdString();
    ASSERT_TRUE(cluster.exec(QStringLiteral("ALTER SYSTEM SET max_locks_per_transaction = 10"), &error))
        << error.toStdString();
    cluster.stop();
    ASSERT_TRUE(cluster.restart(&error)) << error.toStdString();
    for (int batch = 0; batch < 3; ++batch)
        ASSERT_TRUE(
            cluster.exec(QStringLiteral("DO $$ BEGIN FOR i IN %1..%2 LOOP "
                                        "EXECUTE format('CREATE TABLE public.t%s (id int PRIMARY KEY, note text)', i); "
                                        "EXECUTE format('INSERT INTO public.t%s VALUES (%s)', i, i); "
                                        "END LOOP; END $$")
                             .arg(batch * 500 + 1)
                             .arg(batch * 500 + 500),
                         &error))
            << error.toStdString();
    QTemporaryDir out;
    BackupRequest req = profileRequest(cluster, out.path());
    req.components = {Component::Database, Component::DataCsv};
    const BackupResult r = runBackup(req);
    ASSERT_EQ(r.outcome, BackupOutcome::Complete) << r.message.toStdString();
    const ComponentResult *csv = r.manifest.component(Component::DataCsv);
    const ComponentResult *database = r.manifest.component(Component::Database);
    ASSERT_TRUE(csv && database);
    EXPECT_EQ(csv->counts.value(QStringLiteral("tables")), 1500);
    EXPECT_EQ(csv->counts.value(QStringLiteral("rows")), 1500);
    EXPECT_EQ(database->counts.value(QStringLiteral("tables")), 1500);

    // Restoring its tables in one transaction needs a lock per table and TOAST table and index:
    // the failure names the setting to raise, and raising it as told is enough.
    const QStringList restore{QStringLiteral("restore"),
                              r.path,
                              QStringLiteral("--dsn"),
                              QStringLiteral("postgresql://postgres@127.0.0.1:%1/postgres").arg(cluster.port()),
                              QStringLiteral("--new-db"),
                              QStringLiteral("copy"),
                              QStringLiteral("--yes")};
    const QStringList env{QStringLiteral("PGPASSWORD=") + cluster.password()};
    QByteArray so, se;
    EXPECT_EQ(runProgram(QStringLiteral(LIFEBOAT_CLI_PATH), restore, &so, &se, env, 120000), 1);
    const QByteArray said = so + se;
    EXPECT_TRUE(said.contains("out of shared memory")) << said.toStdString();
    EXPECT_TRUE(said.contains("As a superuser run ALTER SYSTEM SET max_locks_per_transaction = 1024, restart the "
                              "server, and restore again."))
        << said.toStdString();
    ASSERT_TRUE(cluster.exec(QStringLiteral("DROP DATABASE copy"), &error)) << error.toStdString();
    ASSERT_TRUE(cluster.exec(QStringLiteral("ALTER SYSTEM SET max_locks_per_transaction = 1024"), &error))
        << error.toStdString();
    cluster.stop();
    ASSERT_TRUE(cluster.restart(&error)) << error.toStdString();
    ASSERT_EQ(runProgram(QStringLiteral(LIFEBOAT_CLI_PATH), restore, &so, &se, env, 120000), 0) << se.toStdString();
    const PgConnection copy = cluster.connect(QStringLiteral("copy"));
    PgResultPtr tables = copy.exec(QStringLiteral("SELECT count(*), sum((xpath('/row/id/text()', "
                                                  "query_to_xml(format('SELECT id FROM public.%I', tablename), "
                                                  "false, true, '')))[1]::text::int) FROM pg_tables "
                                                  "WHERE schemaname = 'public'"));
    EXPECT_EQ(PgConnection::value(tables.get(), 0, 0), QStringLiteral("1500"));
    EXPECT_EQ(PgConnection::value(tables.get(), 0, 1), QString::number(1500 * 1501 / 2));
}

TEST(BackupConcurrency, AnIdleInTransactionTimeoutDoesNotEndTheSnapshotMidway)
{
    // A common server setting: end sessions idle in a transaction for longer than a moment.
    // The snapshot's own transaction is idle for the whole run.
    TempCluster cluster;
    ASSERT_TRUE(startPlain(cluster));
    QString error;
    ASSERT_TRUE(cluster.exec(QStringLiteral("CREATE TABLE public.bulk AS SELECT g AS id, md5(g::text) AS a "
                                            "FROM generate_series(1, 300000) g; "
                                            "ALTER ROLE %1 SET idle_in_transaction_session_timeout = '50ms'")
                                 .arg(cluster.superuser()),
                             &error))
        << error.toStdString();
    QTemporaryDir out;
    const BackupResult r = runBackup(profileRequest(cluster, out.path()));
    ASSERT_EQ(r.outcome, BackupOutcome::Complete) << r.message.toStdString();
    const QJsonObject bulk = r.manifest.component(Component::DataCsv)
                                 ->details.value(QStringLiteral("tables"))
                                 .toObject()
                                 .value(QStringLiteral("public.bulk"))
                                 .toObject();
    EXPECT_EQ(bulk.value(QStringLiteral("rows")).toInteger(), 300000);
    EXPECT_GT(r.manifest.durationMs, 200) << "the backup outlasted the timeout several times over";
}

namespace {

// The lines of `sql` (pg_dump's plain output) between "COPY <table> (...) FROM stdin;" and "\.":
// the header first, then one line per row.
QList<QByteArray> copyBlock(const QByteArray &sql, const QByteArray &table)
{
    QList<QByteArray> block;
    bool inside = false;
    for (const QByteArray &line : sql.split('\n')) {
        if (!inside && line.startsWith(QByteArray("COPY " + table + " ("))) {
            inside = true;
            block << line;
        } else if (inside && line == "\\.") {
            break;
        } else if (inside) {
            block << line;
        }
    }
    return block;
}

// A cluster with the plain fixture, and a migration's session on it.
class BackupBesideMigration : public ::testing::Test
{
protected:
    void SetUp() override
    {
        ASSERT_TRUE(startPlain(cluster));
        migration = cluster.connect();
    }

    // Runs `sql` in the migration's session (a transaction it leaves open).
    ::testing::AssertionResult migrate(const QString &sql)
    {
        PgResultPtr r = migration.exec(sql);
        if (PgConnection::succeeded(r.get()))
            return ::testing::AssertionSuccess();
        return ::testing::AssertionFailure() << PgConnection::resultError(r.get()).toStdString();
    }

    // Starts a backup, collecting its log lines in `log`, and returns once the log says it
    // waits for a table another session holds.
    std::shared_ptr<BackupJob> startWaitingBackup()
    {
        log.clear();
        std::shared_ptr<BackupJob> job = BackupEngine::start(profileRequest(cluster, out.path()));
        QObject::connect(
            job.get(), &BackupJob::logLine, job.get(), [this](const QString &, const QString &line) { log << line; });
        const bool said = waitUntil([&] { return log.join(u'\n').contains(QStringLiteral("Waiting for ")); }, 20000);
        EXPECT_TRUE(said) << log.join(u'\n').toStdString();
        return job;
    }

    TempCluster cluster;
    PgConnection migration;
    QTemporaryDir out;
    QStringList log;
};

} // namespace

TEST_F(BackupBesideMigration, ATableAnotherSessionHoldsIsWaitedForByNameAndCancelIsHeard)
{
    // A migration holds a table in an open transaction: the backup waits for it, says who
    // holds it, and still stops at once when cancelled.
    ASSERT_TRUE(migrate(QStringLiteral("BEGIN; LOCK TABLE public.orders IN ACCESS EXCLUSIVE MODE")));
    std::shared_ptr<BackupJob> job = startWaitingBackup();
    EXPECT_TRUE(log.join(u'\n').contains(QStringLiteral("public.orders, locked by pid ")))
        << log.join(u'\n').toStdString();
    QElapsedTimer clock;
    clock.start();
    job->cancel();
    const BackupResult cancelled = await(job->future(), 20000);
    const qint64 cancelMs = clock.elapsed();
    EXPECT_EQ(cancelled.outcome, BackupOutcome::Cancelled) << cancelled.message.toStdString();
    EXPECT_LT(cancelMs, 2000) << "Cancel took " << cancelMs << " ms while the table was held";
    EXPECT_NE(BackupStore::inspect(cancelled.path).state, BackupInfo::State::Complete);

    // When the migration commits, the backup that waited goes on and completes.
    job = startWaitingBackup();
    ASSERT_TRUE(migrate(QStringLiteral("COMMIT")));
    const BackupResult done = await(job->future(), 120000);
    EXPECT_EQ(done.outcome, BackupOutcome::Complete) << done.message.toStdString();
    EXPECT_TRUE(log.join(u'\n').contains(QStringLiteral("The tables are free after"))) << log.join(u'\n').toStdString();
}

TEST_F(BackupBesideMigration, ATableAMigrationRewritesWhileTheBackupWaitsIsBackedUpAsCommitted)
{
    // A migration rewrites a table (adds a column with a volatile default) and the backup
    // starts while it runs: it waits, and what it then reads is the table as the migration left
    // it, every row and the new column, in the dump and in the CSV alike. A snapshot taken
    // before the wait would see the rewritten table as empty (a rewrite is not MVCC-safe) and
    // the dump's CREATE TABLE without the new column.
    ASSERT_TRUE(migrate(QStringLiteral("BEGIN; ALTER TABLE public.orders ADD COLUMN ref uuid NOT NULL DEFAULT "
                                       "gen_random_uuid()")));
    std::shared_ptr<BackupJob> job = startWaitingBackup();
    ASSERT_TRUE(migrate(QStringLiteral("COMMIT")));
    const BackupResult r = await(job->future(), 120000);
    ASSERT_EQ(r.outcome, BackupOutcome::Complete) << r.message.toStdString();

    PgResultPtr count = cluster.connect().exec(QStringLiteral("SELECT count(*) FROM public.orders"));
    ASSERT_EQ(PgConnection::value(count.get(), 0, 0), QStringLiteral("6"));
    // Each row of the CSV ends in its new uuid (a note may span lines).
    const QString csv = QString::fromUtf8(readAll(r.path + QStringLiteral("/data/public.orders.csv")));
    EXPECT_TRUE(csv.section(u'\n', 0, 0).endsWith(QStringLiteral(",ref"))) << csv.toStdString();
    static const QRegularExpression rowEnd(QStringLiteral(",[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$"),
                                           QRegularExpression::MultilineOption);
    EXPECT_EQ(csv.count(rowEnd), 6) << csv.toStdString();
    const QList<QByteArray> dumped
        = copyBlock(readAll(r.path + QStringLiteral("/database/database.sql")), "public.orders");
    EXPECT_EQ(dumped.size(), 7) << "COPY line and 6 rows expected in the SQL";
    EXPECT_TRUE(dumped.value(0).contains(", ref)")) << dumped.value(0).toStdString();
}

TEST_F(BackupBesideMigration, ATableAMigrationRenamesWhileTheBackupWaitsIsBackedUpUnderItsNewName)
{
    // The backup lists the tables, then waits for one a migration holds; the migration renames
    // it and commits. The backup lists them again rather than fail on the old name.
    ASSERT_TRUE(migrate(QStringLiteral("BEGIN; ALTER TABLE public.order_items RENAME TO line_items")));
    std::shared_ptr<BackupJob> job = startWaitingBackup();
    ASSERT_TRUE(migrate(QStringLiteral("COMMIT")));
    const BackupResult r = await(job->future(), 120000);
    ASSERT_EQ(r.outcome, BackupOutcome::Complete) << r.message.toStdString();
    EXPECT_TRUE(QFile::exists(r.path + QStringLiteral("/data/public.line_items.csv")));
    EXPECT_FALSE(QFile::exists(r.path + QStringLiteral("/data/public.order_items.csv")));
    EXPECT_EQ(copyBlock(readAll(r.path + QStringLiteral("/database/database.sql")), "public.line_items").size(), 11)
        << "COPY line and the 10 order items expected in the SQL";
}

TEST(BackupConcurrency, AuthUsersAloneWaitForAMigrationThatRewritesTheirTable)
{
    // Only the auth users are backed up (no dump, no CSV), while an auth upgrade's migration
    // rewrites auth.users: the backup waits for it too, and has every user afterwards.
    SupabaseFixture fixture;
    QString error;
    ASSERT_TRUE(fixture.setUp(&error)) << error.toStdString();
    const PgConnection migration = fixture.cluster().connect();
    ASSERT_TRUE(PgConnection::succeeded(
        migration
            .exec(QStringLiteral("BEGIN; ALTER TABLE auth.users ADD COLUMN upgrade_ref uuid NOT NULL DEFAULT "
                                 "gen_random_uuid()"))
            .get()));
    QTemporaryDir out;
    BackupRequest req = requestFor(fixture, out.path());
    req.components = {Component::AuthUsers};
    std::shared_ptr<BackupJob> job = BackupEngine::start(req);
    QStringList log;
    QObject::connect(
        job.get(), &BackupJob::logLine, job.get(), [&log](const QString &, const QString &line) { log << line; });
    ASSERT_TRUE(waitUntil([&] { return log.join(u'\n').contains(QStringLiteral("Waiting for auth.users")); }, 20000))
        << log.join(u'\n').toStdString();
    // The table the migration holds, not its indexes and TOAST table.
    const QString waiting = log.filter(QStringLiteral("Waiting for")).value(0);
    EXPECT_TRUE(
        QRegularExpression(QStringLiteral("^Waiting for auth\\.users, locked by pid \\d+ \\(lifeboat-tests, idle "
                                          "in transaction for \\d+ s\\); the backup starts when"))
            .match(waiting)
            .hasMatch())
        << waiting.toStdString();
    ASSERT_TRUE(PgConnection::succeeded(migration.exec(QStringLiteral("COMMIT")).get()));
    const BackupResult r = await(job->future(), 120000);
    ASSERT_EQ(r.outcome, BackupOutcome::Complete) << r.message.toStdString();
    PgResultPtr count = fixture.cluster().connect().exec(QStringLiteral("SELECT count(*) FROM auth.users"));
    const qint64 users = PgConnection::value(count.get(), 0, 0).toLongLong();
    ASSERT_GT(users, 0);
    ASSERT_TRUE(r.manifest.component(Component::AuthUsers));
    EXPECT_EQ(r.manifest.component(Component::AuthUsers)->counts.value(QStringLiteral("users")), users);
}

TEST(BackupConcurrency, AMigrationQueuedBehindTheBackupIsLetThroughAndTheBackupStartsAgainAfterIt)
{
    // The backup holds every table; a migration's ALTER queues for one of them; the CSV export
    // then asks for that table and queues behind the ALTER. The server sees no deadlock (the
    // backup's snapshot holder only waits for its client), so both would wait forever. The
    // backup lets the migration through, then starts again and has it.
    TempCluster cluster;
    ASSERT_TRUE(startPlain(cluster));
    QString error;
    ASSERT_TRUE(cluster.exec(QStringLiteral("CREATE TABLE public.bulk AS SELECT g AS id, md5(g::text) AS a, "
                                            "repeat(md5(g::text), 8) AS b FROM generate_series(1, 600000) g"),
                             &error))
        << error.toStdString();
    QTemporaryDir out;
    BackupRequest req = profileRequest(cluster, out.path());
    req.components = {Component::DataCsv};
    req.jobs = 1; // public.bulk first, the small tables after it
    std::shared_ptr<BackupJob> job = BackupEngine::start(req);
    QStringList log;
    int restarts = 0;
    QObject::connect(
        job.get(), &BackupJob::logLine, job.get(), [&log](const QString &, const QString &line) { log << line; });
    QObject::connect(job.get(), &BackupJob::restarted, job.get(), [&restarts] { ++restarts; });
    ASSERT_TRUE(waitUntil([&] { return job->future().progressValue() > 0; }, 30000));
    ASSERT_FALSE(job->future().isFinished()) << "the backup ended before the migration started; grow public.bulk";

    const PgConnection migration = cluster.connect();
    std::atomic_bool migrated{false};
    std::thread alter([&] {
        migrated = PgConnection::succeeded(
            migration.exec(QStringLiteral("ALTER TABLE public.customers ADD COLUMN nickname text")).get());
    });
    const bool letThrough = waitUntil([&] { return restarts > 0 || job->future().isFinished(); }, 60000);
    if (!letThrough) // free both, so that the test can end
        cluster.exec(QStringLiteral("SELECT pg_cancel_backend(pid) FROM pg_stat_activity "
                                    "WHERE query LIKE 'ALTER TABLE public.customers%'"));
    alter.join();
    ASSERT_TRUE(letThrough) << "the backup and the migration waited for each other";
    EXPECT_TRUE(migrated.load());
    const BackupResult r = await(job->future(), 120000);
    const QString all = log.join(u'\n');
    EXPECT_TRUE(all.contains(QStringLiteral("The backup gave way to pid "))
                && all.contains(QStringLiteral(
                    "(lifeboat-tests: ALTER TABLE public.customers ADD COLUMN nickname text) and starts again")))
        << all.toStdString();
    EXPECT_EQ(restarts, 1);
    ASSERT_EQ(r.outcome, BackupOutcome::Complete) << r.message.toStdString();
    EXPECT_TRUE(readAll(r.path + QStringLiteral("/data/public.customers.csv"))
                    .startsWith("id,email,full_name,created_at,nickname\n"));
    // Only the run that completed is left: the one that gave way left no marker behind.
    const QStringList entries
        = QDir(out.path() + QStringLiteral("/plain")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    EXPECT_EQ(entries, QStringList{QFileInfo(r.path).fileName()});
}
