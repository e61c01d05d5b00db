// Restore choices and limits: ownership, parents, conflicts, files, cancel, warnings, CLI,
// plain databases and other stacks.
#include "RestoreFixture.h"

#include <QDir>
#include <QFile>
#include <QProcess>

#include <csignal>

TEST_F(Restore, AsTheNonSuperuserPostgresOwnersThatCannotBeSetAreReportedAndTheDataArrives)
{
    const RestorePlan plan = planFor(
        {QStringLiteral("tables")}, intoNewDatabase(QStringLiteral("trial"), QStringLiteral("postgres")), options());
    ASSERT_TRUE(plan.runnable()) << plan.report().toStdString();
    EXPECT_FALSE(plan.superuser);
    EXPECT_FALSE(plan.keepOwners);
    EXPECT_TRUE(plan.ownersNotSet.contains(QStringLiteral("TABLE auth.users (owner supabase_auth_admin)")))
        << str(plan.ownersNotSet).toStdString();
    EXPECT_TRUE(plan.ownersNotSet.contains(QStringLiteral("TABLE storage.objects (owner supabase_storage_admin)")));

    const RestoreReport report = run(plan);
    ASSERT_EQ(report.outcome, RestoreReport::Outcome::Complete) << report.message.toStdString();
    EXPECT_EQ(report.ownersNotSet, plan.ownersNotSet);
    const Fingerprint trial = fingerprintOf(source.cluster(), QStringLiteral("trial"));
    for (const auto &[k, v] : onlyKind(atBackup, QStringLiteral("table:")))
        EXPECT_EQ(trial.count(k) ? trial.at(k) : QStringLiteral("missing"), v) << k.toStdString();
    EXPECT_EQ(onlyKind(trial, QStringLiteral("user:")), onlyKind(atBackup, QStringLiteral("user:")));
}

TEST_F(Restore, MissingForeignKeyParentsArePulledOrFlaggedAsChosen)
{
    const RestoreTarget target = intoNewDatabase(QStringLiteral("onetable"));
    RestoreOptions o = options();
    const RestorePlan include = planFor({QStringLiteral("table:public.tasks")}, target, o);
    EXPECT_TRUE(str(include.closure).contains(QStringLiteral("because the foreign key"))) << str(include.closure).toStdString();
    o.parents = MissingParents::DropConstraint;
    const RestorePlan drop = planFor({QStringLiteral("table:public.tasks")}, target, o);
    EXPECT_TRUE(str(drop.warnings).contains(QStringLiteral("tasks_project_id_fkey is not restored")))
        << str(drop.warnings).toStdString();
    // Emptying a table another table refers to needs a superuser (who reloads with the keys
    // checked afterwards); anyone else is told up front.
    o.tables = TableConflict::Truncate;
    const RestorePlan truncate = planFor({QStringLiteral("table:public.projects")}, inPlace(QStringLiteral("postgres")), o);
    EXPECT_FALSE(truncate.runnable());
    EXPECT_TRUE(str(truncate.blockers).contains(QStringLiteral("public.tasks refers to it"))) << str(truncate.blockers).toStdString();
}

TEST_F(Restore, StepTitlesCountTheirObjectsInPlainEnglish)
{
    // realtime.schema_migrations has one thing after its rows: its primary key.
    const RestorePlan plan = planFor(
        {QStringLiteral("table:realtime.schema_migrations")}, intoNewDatabase(QStringLiteral("titles")), options());
    ASSERT_TRUE(plan.runnable()) << plan.report().toStdString();
    const QStringList titles = titlesOf(plan);
    EXPECT_TRUE(titles.contains(QStringLiteral("Indexes, constraints, triggers and policies (1 object)")))
        << str(titles).toStdString();
    EXPECT_TRUE(titles.contains(QStringLiteral("Rows of 1 table"))) << str(titles).toStdString();
}

TEST_F(Restore, TruncateAndAppendReloadRowsWithoutTouchingTheDefinition)
{
    ASSERT_TRUE(exec(QStringLiteral("DELETE FROM public.activity_events WHERE id % 2 = 0; "
                                    "INSERT INTO public.activity_events (event_type, payload) "
                                    "SELECT 'local-only', '{}'::jsonb")));
    RestoreOptions o = options();
    o.safetyBackup = false;
    o.tables = TableConflict::Append;
    RestorePlan plan = planFor({QStringLiteral("table:public.activity_events")}, inPlace(), o);
    ASSERT_TRUE(plan.runnable()) << plan.report().toStdString();
    RestoreReport report = run(plan);
    ASSERT_EQ(report.outcome, RestoreReport::Outcome::Complete) << report.message.toStdString();
    PgConnection conn = PgConnection::open(source.cluster().connection(), source.cluster().password());
    PgResultPtr r = conn.exec(QStringLiteral("SELECT count(*) FILTER (WHERE event_type = 'local-only'), count(*) FROM public.activity_events"));
    EXPECT_EQ(PgConnection::value(r.get(), 0, 0), QStringLiteral("1")) << "appending keeps the target's own rows";
    const QString backupRows = atBackup.at(QStringLiteral("table:public.activity_events")).section(u' ', 0, 0);
    EXPECT_EQ(PgConnection::value(r.get(), 0, 1).toInt(), backupRows.toInt() + 1);

    o.tables = TableConflict::Truncate;
    plan = planFor({QStringLiteral("table:public.activity_events")}, inPlace(), o);
    ASSERT_TRUE(plan.runnable()) << plan.report().toStdString();
    report = run(plan);
    ASSERT_EQ(report.outcome, RestoreReport::Outcome::Complete) << report.message.toStdString();
    EXPECT_EQ(fingerprintOf(source.cluster()).at(QStringLiteral("table:public.activity_events")),
              atBackup.at(QStringLiteral("table:public.activity_events")));
}

TEST_F(Restore, CliRefusesWithoutConfirmationAndNamesUnknownItems)
{
    const QString cli = QStringLiteral(LIFEBOAT_CLI_PATH);
    const QStringList env{QStringLiteral("PGPASSFILE=") + source.cluster().pgpassFile()};
    ASSERT_TRUE(exec(QStringLiteral("DELETE FROM public.tasks WHERE id < 20; DELETE FROM public.activity_events WHERE id < 20")));
    const Fingerprint before = fingerprintOf(source.cluster());
    QByteArray so, se;
    int rc = runProgram(cli, {QStringLiteral("restore"), backup.path, QStringLiteral("--project"), source.projectDir(),
                              QStringLiteral("--only"), QStringLiteral("table:public.tasks")},
                        &so, &se, env);
    EXPECT_EQ(rc, 4) << so.toStdString() << se.toStdString();
    EXPECT_TRUE(se.contains("--yes")) << se.toStdString();
    EXPECT_TRUE(so.contains("public.tasks")) << "the plan is shown before asking";

    rc = runProgram(cli, {QStringLiteral("restore"), backup.path, QStringLiteral("--project"), source.projectDir(),
                          QStringLiteral("--only"), QStringLiteral("table:public.nope,user:nobody@example.com")},
                    &so, &se, env);
    EXPECT_EQ(rc, 2);
    EXPECT_TRUE(se.contains("table:public.nope, user:nobody@example.com")) << se.toStdString();
    EXPECT_EQ(differences(before, fingerprintOf(source.cluster())), QStringList());

    // Confirmed: it runs, and --json reports each step.
    rc = runProgram(cli, {QStringLiteral("restore"), backup.path, QStringLiteral("--project"), source.projectDir(),
                          QStringLiteral("--only"), QStringLiteral("data:public.activity_events"), QStringLiteral("--yes"),
                          QStringLiteral("--json"), QStringLiteral("--safety-root"), safetyRoot.path()},
                    &so, &se, env);
    ASSERT_EQ(rc, 0) << so.toStdString() << se.toStdString();
    const QJsonObject o = QJsonDocument::fromJson(so).object();
    EXPECT_EQ(o.value(QStringLiteral("outcome")).toString(), QStringLiteral("complete")) << so.toStdString();
    EXPECT_FALSE(o.value(QStringLiteral("safety_backup")).toString().isEmpty());
    EXPECT_EQ(fingerprintOf(source.cluster()).at(QStringLiteral("table:public.activity_events")),
              atBackup.at(QStringLiteral("table:public.activity_events")));
}

TEST_F(Restore, CliRefusesADamagedArchiveButRestoresWhatDoesNotReadIt)
{
    // The CLI checks the archive while it reads the inventory and plans: damage must still stop
    // a restore that reads the archive, named as damage even when pg_restore itself cannot read
    // the archive, and must not stop a restore that does not read it.
    const QStringList env{QStringLiteral("PGPASSFILE=") + source.cluster().pgpassFile()};
    QByteArray so, se;
    auto restore = [&](const QString &only, const QString &mode) {
        return runProgram(QStringLiteral(LIFEBOAT_CLI_PATH),
                          {QStringLiteral("restore"),
                           backup.path,
                           QStringLiteral("--project"),
                           source.projectDir(),
                           QStringLiteral("--only"),
                           only,
                           mode,
                           QStringLiteral("--safety-root"),
                           safetyRoot.path()},
                          &so,
                          &se,
                          env);
    };
    QFile dump(backup.path + QStringLiteral("/database/database.dump"));
    ASSERT_TRUE(dump.open(QIODevice::ReadWrite));
    auto flip = [&dump](qint64 at) {
        char c = 0;
        return dump.seek(at) && dump.getChar(&c) && dump.seek(at) && dump.putChar(char(c ^ 0x20)) && dump.flush();
    };
    ASSERT_TRUE(exec(QStringLiteral("DELETE FROM public.tasks WHERE id < 50")));
    const Fingerprint before = fingerprintOf(source.cluster());

    // The archive's signature: pg_restore cannot even list it.
    ASSERT_TRUE(flip(0));
    EXPECT_EQ(restore(QStringLiteral("table:public.tasks"), QStringLiteral("--yes")), 3) << se.toStdString();
    EXPECT_TRUE(se.contains("damaged: database/database.dump (checksum differs)")) << se.toStdString();
    ASSERT_TRUE(flip(0));

    // A byte in the middle (the inventory may or may not notice).
    ASSERT_TRUE(flip(dump.size() / 2));
    EXPECT_EQ(restore(QStringLiteral("table:public.tasks"), QStringLiteral("--yes")), 3)
        << so.toStdString() << se.toStdString();
    EXPECT_TRUE(se.contains("damaged: database/database.dump (checksum differs)")) << se.toStdString();
    EXPECT_EQ(se.count("damaged:"), 1) << "each problem once: " << se.toStdString();
    EXPECT_EQ(restore(QStringLiteral("table:public.tasks"), QStringLiteral("--dry-run")), 3) << se.toStdString();
    EXPECT_TRUE(BackupStore::list(safetyRoot.path()).isEmpty()) << "nothing runs, not even the safety backup";
    EXPECT_EQ(differences(before, fingerprintOf(source.cluster())), QStringList());
    ASSERT_TRUE(flip(dump.size() / 2));

    // A byte appended: pg_restore reads the archive as before, the checksum does not match, and
    // the edge functions, which do not come from the archive, are restored all the same.
    ASSERT_TRUE(dump.seek(dump.size()) && dump.putChar('x') && dump.flush());
    dump.close();
    const QString fn = source.projectDir() + QStringLiteral("/supabase/functions/hello-world/index.ts");
    const QByteArray original = readAll(fn);
    ASSERT_FALSE(original.isEmpty());
    ASSERT_TRUE(QFile::remove(fn));
    EXPECT_EQ(restore(QStringLiteral("edge_functions"), QStringLiteral("--yes")), 0)
        << so.toStdString() << se.toStdString();
    EXPECT_TRUE(se.contains("Backup verified: the ")) << se.toStdString();
    EXPECT_FALSE(se.contains("database.dump")) << se.toStdString();
    EXPECT_EQ(readAll(fn), original);
    EXPECT_EQ(differences(before, fingerprintOf(source.cluster())), QStringList());
    EXPECT_EQ(restore(QStringLiteral("table:public.tasks"), QStringLiteral("--yes")), 3) << se.toStdString();
    EXPECT_TRUE(se.contains("damaged: database/database.dump (size ")) << se.toStdString();
}

TEST_F(Restore, CliGivesUpTheArchiveChecksumWhenItEndsOnAnError)
{
    // The CLI hashes the archive while it reads the inventory. A mistake it reports before the
    // plan (an unknown item here) must end it then, not once a large archive is hashed: a 64 GB
    // hole appended to the archive takes half a minute or more to hash.
    const QString dump = backup.path + QStringLiteral("/database/database.dump");
    {
        QFile f(dump);
        ASSERT_TRUE(f.open(QIODevice::ReadWrite));
        ASSERT_TRUE(f.resize(f.size() + (qint64(64) << 30))) << "a sparse file on " << dump.toStdString();
    }
    QElapsedTimer clock;
    clock.start();
    QByteArray so, se;
    const int rc = runProgram(QStringLiteral(LIFEBOAT_CLI_PATH),
                              {QStringLiteral("restore"),
                               backup.path,
                               QStringLiteral("--project"),
                               source.projectDir(),
                               QStringLiteral("--only"),
                               QStringLiteral("table:public.nope"),
                               QStringLiteral("--yes")},
                              &so,
                              &se,
                              {QStringLiteral("PGPASSFILE=") + source.cluster().pgpassFile()});
    const qint64 ms = clock.elapsed();
    EXPECT_EQ(rc, 2) << se.toStdString();
    EXPECT_TRUE(se.contains("table:public.nope")) << se.toStdString();
    EXPECT_LT(ms, 15000) << "the CLI stayed " << ms << " ms, hashing an archive nobody needed any more";
}

TEST_F(Restore, FilesComeBackWithoutOverwritingWhatTheUserChanged)
{
    const QString fn = source.projectDir() + QStringLiteral("/supabase/functions/hello-world");
    const QByteArray original = readAll(fn + QStringLiteral("/index.ts"));
    ASSERT_FALSE(original.isEmpty());
    ASSERT_TRUE(writeFile(fn + QStringLiteral("/index.ts"), "// edited after the backup\n"));
    const QString migration = source.projectDir() + QStringLiteral("/supabase/migrations/20240101120000_create_profiles.sql");
    const QByteArray migrationText = readAll(migration);
    ASSERT_TRUE(QFile::remove(migration));

    RestoreOptions o = options();
    o.projectDir = source.projectDir();
    const RestorePlan plan = planFor({QStringLiteral("edge_function:hello-world"), QStringLiteral("migration:20240101120000")},
                                     inPlace(), o);
    ASSERT_TRUE(plan.runnable()) << plan.report().toStdString();
    ASSERT_EQ(plan.conflicts.size(), 1);
    EXPECT_EQ(plan.conflicts.first().kind, QStringLiteral("files"));
    EXPECT_TRUE(plan.conflicts.first().items.contains(fn + QStringLiteral("/index.ts")));
    const RestoreReport report = run(plan);
    ASSERT_EQ(report.outcome, RestoreReport::Outcome::Complete) << report.message.toStdString();
    EXPECT_EQ(readAll(fn + QStringLiteral("/index.ts")), QByteArray("// edited after the backup\n")) << "nothing overwritten";
    EXPECT_EQ(readAll(fn + QStringLiteral("/index.ts.restored")), original);
    EXPECT_EQ(readAll(migration), migrationText);
}

TEST_F(Restore, CancelInsideALongStepRollsItBackPromptly)
{
    ASSERT_TRUE(exec(QStringLiteral("DELETE FROM public.tasks WHERE id % 2 = 0")));
    RestoreOptions o = options();
    o.safetyBackup = false;
    const RestorePlan plan = planFor({QStringLiteral("table:public.tasks")}, inPlace(), o);
    ASSERT_TRUE(plan.runnable()) << plan.report().toStdString();
    const Fingerprint before = fingerprintOf(source.cluster());

    // Another session holds the table: the restore's DROP waits on it, as a long step would.
    PgConnection holder = PgConnection::open(source.cluster().connection(), source.cluster().password());
    PgResultPtr lock = holder.exec(QStringLiteral("BEGIN; LOCK TABLE public.tasks IN ACCESS SHARE MODE"));
    ASSERT_TRUE(PgConnection::succeeded(lock.get()));

    RestoreRun r;
    r.plan = plan;
    r.credentials = credentials();
    r.logDir = logs.path();
    auto job = RestoreService::run(r);
    int running = -1;
    QObject::connect(job.get(), &RestoreJob::stepChanged, job.get(), [&](int i, const StepOutcome &s) {
        if (s.state == StepOutcome::State::Running)
            running = i;
    });
    QStringList log;
    QObject::connect(job.get(), &RestoreJob::logLine, job.get(), [&log](const QString &l) { log << l; });
    ASSERT_TRUE(waitUntil([&] { return running >= 0; }, 30000));
    // The log names the session it waits for.
    const QString waiting = QStringLiteral("Waiting for pid %1 (").arg(PQbackendPID(holder.handle()));
    EXPECT_TRUE(waitUntil([&] { return log.join(u'\n').contains(waiting); }, 15000)) << log.join(u'\n').toStdString();
    EXPECT_TRUE(log.join(u'\n').contains(QStringLiteral("idle in transaction"))) << log.join(u'\n').toStdString();
    QElapsedTimer clock;
    clock.start();
    job->cancel();
    const RestoreReport report = await(job->future(), 30000);
    const qint64 ms = clock.elapsed();
    holder.exec(QStringLiteral("ROLLBACK"));
    EXPECT_EQ(report.outcome, RestoreReport::Outcome::Cancelled) << report.message.toStdString();
    EXPECT_LT(ms, 3000) << "cancel took " << ms << " ms";
    EXPECT_TRUE(report.message.contains(QStringLiteral("Nothing in the target was changed"))) << report.message.toStdString();
    EXPECT_EQ(differences(before, fingerprintOf(source.cluster())), QStringList());
}

namespace {

// lifeboat-cli restoring public.tasks' rows in place while another session holds the table
// in SHARE mode, which holds back the rows' INSERTs. (Appending rows makes psql print
// nothing: a psql that writes a notice to a dead CLI's pipe dies of SIGPIPE anyway.)
class CliRestoreThatWaits : public Restore
{
protected:
    void SetUp() override
    {
        Restore::SetUp();
        ASSERT_FALSE(HasFatalFailure());
        ASSERT_TRUE(exec(QStringLiteral("DELETE FROM public.tasks WHERE id % 2 = 0")));
        before = fingerprintOf(source.cluster());
        holder = PgConnection::open(source.cluster().connection(), source.cluster().password());
        ASSERT_TRUE(
            PgConnection::succeeded(holder.exec(QStringLiteral("BEGIN; LOCK TABLE public.tasks IN SHARE MODE")).get()));
        watch = source.cluster().connect();

        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("PGPASSFILE"), source.cluster().pgpassFile());
        cli.setProcessEnvironment(env);
        cli.start(QStringLiteral(LIFEBOAT_CLI_PATH),
                  {QStringLiteral("restore"),
                   backup.path,
                   QStringLiteral("--project"),
                   source.projectDir(),
                   QStringLiteral("--only"),
                   QStringLiteral("data:public.tasks"),
                   QStringLiteral("--conflict"),
                   QStringLiteral("append"),
                   QStringLiteral("--no-safety-backup"),
                   QStringLiteral("--yes")});
        ASSERT_TRUE(cli.waitForStarted());
        ASSERT_TRUE(
            waitUntil([&] { return restoreSessions(QStringLiteral("AND wait_event_type = 'Lock'")) == 1; }, 30000))
            << cli.readAllStandardError().toStdString();
    }

    // The restore script's processes on this cluster (bash, psql, pg_restore): those whose
    // environment Lifeboat gave its own process group and this cluster's port, one line each.
    QStringList scriptProcesses() const
    {
        QStringList found;
        const QByteArray port = "PGPORT=" + QByteArray::number(source.cluster().port());
        for (const QString &pid : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
            if (pid.toInt() <= 0)
                continue;
            QFile environ(QStringLiteral("/proc/%1/environ").arg(pid));
            if (!environ.open(QIODevice::ReadOnly))
                continue;
            const QList<QByteArray> vars = environ.readAll().split('\0');
            if (!vars.contains("LIFEBOAT_OWN_GROUP=1") || !vars.contains(port))
                continue;
            // Named with what it runs and its state, so that a survivor says what it is.
            QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(pid)), stat(QStringLiteral("/proc/%1/stat").arg(pid));
            const QByteArray command
                = cmdline.open(QIODevice::ReadOnly) ? cmdline.readAll().replace('\0', ' ').trimmed() : QByteArray();
            const QByteArray state = stat.open(QIODevice::ReadOnly) ? stat.readAll() : QByteArray();
            found << QStringLiteral("%1 (%2; stat %3)")
                         .arg(pid,
                              QString::fromUtf8(command.left(80)),
                              QString::fromUtf8(state.mid(state.lastIndexOf(')') + 2, 40)));
        }
        return found;
    }

    int restoreSessions(const QString &extra) const
    {
        PgResultPtr r = watch.exec(
            QStringLiteral("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'lifeboat-restore' %1")
                .arg(extra));
        return PgConnection::value(r.get(), 0, 0).toInt();
    }

    Fingerprint before;
    PgConnection holder, watch;
    QProcess cli;
};

} // namespace

TEST_F(CliRestoreThatWaits, AKilledCliTakesItsRestoreWithItAndTheTargetStaysAsItWas)
{
    // lifeboat-cli killed (kill -9) in the middle of a step: its psql must not go on
    // changing the target unwatched once what held it back is gone.
    ASSERT_FALSE(scriptProcesses().isEmpty()) << "the restore script runs";
    ::kill(pid_t(cli.processId()), SIGKILL);
    cli.waitForFinished();

    // The script's processes go with it (however long a loaded machine takes to get there);
    // only then is the lock let go, so a psql that outlived the CLI would get its way.
    EXPECT_TRUE(waitUntil([&] { return scriptProcesses().isEmpty(); }, 15000))
        << "still running:\n"
        << scriptProcesses().join(u'\n').toStdString();
    // The session stays until the lock is free (a backend waiting on a lock does not see its
    // client go); then it finds psql gone and rolls back, where a live psql would go on.
    holder.exec(QStringLiteral("ROLLBACK"));
    EXPECT_TRUE(waitUntil([&] { return restoreSessions({}) == 0; }, 10000));
    QThread::msleep(500);
    EXPECT_EQ(differences(before, fingerprintOf(source.cluster())), QStringList());
}

TEST_F(CliRestoreThatWaits, ATerminatedCliCancelsItsRestoreAndSaysSo)
{
    // SIGTERM (`kill`, a logout) or SIGHUP (a closed terminal) is a request to stop, as
    // Ctrl-C is: the running step is interrupted at once, its transaction rolls back, and
    // the CLI says how the restore ended before it exits.
    ::kill(pid_t(cli.processId()), SIGTERM);
    ASSERT_TRUE(cli.waitForFinished(10000)) << "the CLI went on waiting";
    const QString out = QString::fromUtf8(cli.readAllStandardOutput());
    EXPECT_EQ(cli.exitStatus(), QProcess::NormalExit);
    EXPECT_EQ(cli.exitCode(), 130) << "cancelled";
    EXPECT_TRUE(out.contains(QStringLiteral("Restore did not complete: Cancelled during step"))) << out.toStdString();
    EXPECT_TRUE(waitUntil([&] { return restoreSessions({}) == 0; }, 10000)) << "its session outlived it";
    holder.exec(QStringLiteral("ROLLBACK"));
    EXPECT_EQ(differences(before, fingerprintOf(source.cluster())), QStringList());
}

TEST_F(Restore, DifferentAuthAndStorageVersionsAndVaultSecretsAreWarnedAbout)
{
    ASSERT_TRUE(exec(QStringLiteral("INSERT INTO auth.schema_migrations (version) VALUES ('20991231000000'); "
                                    "INSERT INTO storage.migrations (id, name, hash) VALUES (999, 'lifeboat-test-newer', 'x')")));
    const RestorePlan plan = planFor({QStringLiteral("user:user03@example.com"), QStringLiteral("bucket:avatars"),
                                      QStringLiteral("table:vault.secrets")},
                                     inPlace(), options());
    const QString warnings = str(plan.warnings);
    EXPECT_TRUE(warnings.contains(QStringLiteral("auth schema is at migration 20991231000000"))) << warnings.toStdString();
    EXPECT_TRUE(warnings.contains(QStringLiteral("storage schema is at migration lifeboat-test-newer"))) << warnings.toStdString();
    EXPECT_TRUE(warnings.contains(QStringLiteral("Vault secrets"))) << warnings.toStdString();
}

TEST_F(Restore, RowsIntoATableWhoseColumnsChangedSinceTheBackupAreRefusedBeforeAnythingRuns)
{
    // A migration since the backup renamed a column and added a required one: the backup's
    // rows do not fit the target's definition, and loading them would fail half-way.
    ASSERT_TRUE(exec(QStringLiteral("ALTER TABLE public.tasks RENAME COLUMN estimate_hours TO estimate; "
                                    "ALTER TABLE public.projects ADD COLUMN region text NOT NULL DEFAULT 'eu'; "
                                    "ALTER TABLE public.projects ALTER COLUMN region DROP DEFAULT")));
    for (const QString &mode : {QStringLiteral("truncate"), QStringLiteral("append")}) {
        RestoreOptions o = options();
        o.tables = mode == QLatin1String("append") ? TableConflict::Append : TableConflict::Truncate;
        const RestorePlan plan
            = planFor({QStringLiteral("data:public.tasks"), QStringLiteral("data:public.projects")}, inPlace(), o);
        EXPECT_FALSE(plan.runnable()) << mode.toStdString();
        const QString blockers = str(plan.blockers);
        EXPECT_TRUE(blockers.contains(QStringLiteral("public.tasks in the target has no column estimate_hours")))
            << blockers.toStdString();
        EXPECT_TRUE(blockers.contains(QStringLiteral("public.projects in the target has a column region that must be "
                                                     "filled and has no default")))
            << blockers.toStdString();
    }
    // Replacing the tables brings their definitions back with the rows: nothing to refuse.
    const RestorePlan replace = planFor(
        {QStringLiteral("table:public.tasks"), QStringLiteral("table:public.projects")}, inPlace(), options());
    EXPECT_FALSE(str(replace.blockers).contains(QStringLiteral("column"))) << str(replace.blockers).toStdString();

    // What the planner cannot foresee fails in its step, which rolls back: the safety backup
    // before it read the target and changed nothing, and the report says so.
    ASSERT_TRUE(exec(QStringLiteral("ALTER TABLE public.user_roles ADD CONSTRAINT none_yet CHECK (false) NOT VALID")));
    const Fingerprint before = fingerprintOf(source.cluster());
    const RestorePlan rows = planFor({QStringLiteral("data:public.user_roles")}, inPlace(), options());
    ASSERT_TRUE(rows.runnable()) << rows.report().toStdString();
    const RestoreReport report = run(rows);
    EXPECT_EQ(report.outcome, RestoreReport::Outcome::Failed);
    EXPECT_TRUE(report.message.contains(QStringLiteral("none_yet"))) << report.message.toStdString();
    EXPECT_TRUE(report.message.contains(QStringLiteral("Nothing in the target was changed. (Its safety backup is ")))
        << report.message.toStdString();
    EXPECT_EQ(differences(before, fingerprintOf(source.cluster())), QStringList());
}

TEST(RestorePlain, APlainDatabaseRestoresInPlaceAndIntoANewDatabase)
{
    TempCluster cluster;
    ASSERT_TRUE(startPlain(cluster));
    QString error;
    QTemporaryDir out, logs;
    const Stack plain = profileStack(cluster, QStringLiteral("plain"), QStringLiteral("plain"));
    BackupRequest req;
    req.stack = plain;
    req.password = cluster.password();
    req.outputRoot = out.path();
    const BackupResult backup = runBackup(req);
    ASSERT_EQ(backup.outcome, BackupOutcome::Complete) << backup.message.toStdString();
    PgConnection conn = PgConnection::open(cluster.connection(), cluster.password());
    const Fingerprint source = fingerprint(conn, &error);
    ASSERT_FALSE(source.empty()) << error.toStdString();

    auto inv = await(RestoreService::loadInventory(backup.path));
    ASSERT_TRUE(inv.ok()) << inv.error().toStdString();
    EXPECT_TRUE(inv.value()->itemsOf(RestoreKind::User).isEmpty());
    const Credentials credentials{cluster.password(), {}};
    auto runPlan = [&](const QStringList &words, const RestoreTarget &target) {
        auto sel = RestoreService::parseSelection(*inv.value(), words);
        EXPECT_TRUE(sel.ok()) << sel.error().toStdString();
        RestoreOptions o;
        o.safetyBackupRoot = out.path();
        auto plan = await(RestoreService::plan(PlanInput{inv.value(), sel.value(), target, o, credentials}));
        EXPECT_TRUE(plan.ok() && plan->runnable()) << (plan.ok() ? plan->report() : plan.error()).toStdString();
        RestoreRun run;
        run.plan = plan.value();
        run.credentials = credentials;
        run.logDir = logs.path();
        return await(RestoreService::run(run)->future(), 120000);
    };

    // Everything into a new database: the same as the source.
    RestoreTarget fresh;
    fresh.kind = RestoreTarget::Kind::NewDatabase;
    fresh.stack = plain;
    fresh.newDatabase = QStringLiteral("copy");
    RestoreReport r = runPlan({QStringLiteral("database"), QStringLiteral("settings")}, fresh);
    ASSERT_EQ(r.outcome, RestoreReport::Outcome::Complete) << r.message.toStdString();
    PgConnection copy = PgConnection::open(cluster.connection(QStringLiteral("copy")), cluster.password());
    const Fingerprint copied = fingerprint(copy, &error);
    EXPECT_EQ(differences(source, copied), QStringList()) << differences(source, copied).join(u'\n').toStdString();

    // Every table in place after the data was wiped: back to the source.
    ASSERT_TRUE(cluster.exec(QStringLiteral("DO $$ DECLARE t text; BEGIN FOR t IN SELECT format('%I.%I', schemaname, tablename) "
                                            "FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') "
                                            "LOOP EXECUTE 'TRUNCATE ' || t || ' CASCADE'; END LOOP; END $$"),
                             &error))
        << error.toStdString();
    r = runPlan({QStringLiteral("tables")}, RestoreService::targetFor(inv.value(), plain));
    ASSERT_EQ(r.outcome, RestoreReport::Outcome::Complete) << r.message.toStdString();
    EXPECT_FALSE(r.safetyBackupPath.isEmpty());
    const Fingerprint after = fingerprint(conn, &error);
    EXPECT_EQ(differences(source, after), QStringList()) << differences(source, after).join(u'\n').toStdString();
}

TEST_F(Restore, WhatTheConnectingRoleDoesNotOwnIsLeftOutAndNamed)
{
    // As postgres, auth.uid() (supabase_auth_admin's) and storage.objects' policies
    // (supabase_storage_admin's) cannot be replaced; the rest can.
    const RestorePlan plan = planFor({QStringLiteral("function:auth.uid"), QStringLiteral("function:public.create_task"),
                                      QStringLiteral("policies:storage.objects"), QStringLiteral("policies:public.tasks")},
                                     inPlace(QStringLiteral("postgres")), options());
    ASSERT_TRUE(plan.runnable()) << plan.report().toStdString();
    const QString warnings = str(plan.warnings);
    EXPECT_TRUE(warnings.contains(QStringLiteral("function auth.uid (owner supabase_auth_admin)"))) << warnings.toStdString();
    EXPECT_TRUE(warnings.contains(QStringLiteral("policies of storage.objects (owner supabase_storage_admin)")))
        << warnings.toStdString();
    const RestoreReport report = run(plan);
    ASSERT_EQ(report.outcome, RestoreReport::Outcome::Complete) << report.message.toStdString();
    const QStringList titles = titlesOf(plan);
    EXPECT_TRUE(titles.contains(QStringLiteral("Function public.create_task"))) << str(titles).toStdString();
    EXPECT_TRUE(titles.contains(QStringLiteral("Row-level security of public.tasks"))) << str(titles).toStdString();

    // Roles alone: every one exists and postgres may not change them, so there is nothing to
    // run, and the plan says why rather than blaming the conflict choices.
    const RestorePlan roles = planFor({QStringLiteral("roles")}, inPlace(QStringLiteral("postgres")), options());
    EXPECT_FALSE(roles.runnable());
    EXPECT_TRUE(str(roles.warnings)
                    .contains(QStringLiteral("Every role of the backup exists in the target; postgres is "
                                             "not a superuser, so they are left as they are.")))
        << str(roles.warnings).toStdString();
    EXPECT_EQ(roles.blockers,
              QStringList{QStringLiteral("Nothing to do: everything picked would be left as it is in the "
                                         "target (see the warnings and conflicts above).")});
}

TEST_F(Restore, IntoAnotherKnownStackWithItsOwnSafetyBackup)
{
    ASSERT_TRUE(exec(QStringLiteral("CREATE DATABASE other TEMPLATE postgres")));
    ASSERT_TRUE(exec(QStringLiteral("DELETE FROM public.tasks WHERE id % 3 = 1"), QStringLiteral("other")));
    const Fingerprint sourceBefore = fingerprintOf(source.cluster());
    Stack other = stackAs(QStringLiteral("supabase_admin"));
    other.id = QStringLiteral("other-stack");
    other.name = QStringLiteral("other stack");
    other.projectDir.clear();
    other.connection.database = QStringLiteral("other");
    const RestoreTarget target = RestoreService::targetFor(inventory, other);
    ASSERT_EQ(target.kind, RestoreTarget::Kind::OtherStack);

    const RestorePlan plan = planFor({QStringLiteral("table:public.tasks")}, target, options());
    ASSERT_TRUE(plan.runnable()) << plan.report().toStdString();
    const RestoreReport report = run(plan);
    ASSERT_EQ(report.outcome, RestoreReport::Outcome::Complete) << report.message.toStdString();
    EXPECT_TRUE(report.safetyBackupPath.contains(QStringLiteral("/other-stack/"))) << report.safetyBackupPath.toStdString();
    EXPECT_EQ(fingerprintOf(source.cluster(), QStringLiteral("other")).at(QStringLiteral("table:public.tasks")),
              atBackup.at(QStringLiteral("table:public.tasks")));
    EXPECT_EQ(differences(sourceBefore, fingerprintOf(source.cluster())), QStringList()) << "the backup's own stack is untouched";
}
