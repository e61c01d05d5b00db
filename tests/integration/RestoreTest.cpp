// Selective restore against real PostgreSQL clusters: what a user restores is what they get,
// nothing else changes, failures leave the target as it was, and there is always a way back.
#include "RestoreFixture.h"

#include <QFutureWatcher>

#include <algorithm>

TEST_F(Restore, TheInventoryOffersEveryKindOfItemTheIssueNames)
{
    for (const char *id : {"table:public.tasks", "schema:public", "user:user07@example.com", "policies:public.tasks",
                           "function:public.create_task", "migration:20240101120000", "edge_function:hello-world",
                           "bucket:avatars", "roles:all", "settings:all", "migration_history:all"})
        EXPECT_NE(inventory->item(QLatin1String(id)), nullptr) << id;
    const RestoreItem *user = inventory->item(QStringLiteral("user:user07@example.com"));
    ASSERT_NE(user, nullptr);
    EXPECT_EQ(user->detail, QStringLiteral("no identity"));
    EXPECT_EQ(inventory->item(QStringLiteral("user:user03@example.com"))->detail, QStringLiteral("1 identity"));
}

TEST_F(Restore, FullRestoreIntoANewDatabaseOnAFreshClusterMatchesTheSource)
{
    TempCluster::Options o;
    o.superuser = QStringLiteral("supabase_admin");
    TempCluster fresh(o);
    QString error;
    ASSERT_TRUE(fresh.start(&error)) << error.toStdString();
    const Stack server = profileStack(fresh, QStringLiteral("fresh"), QStringLiteral("fresh cluster"));
    RestoreTarget target;
    target.kind = RestoreTarget::Kind::NewDatabase;
    target.stack = server;
    target.newDatabase = QStringLiteral("restored");

    auto sel = RestoreService::parseSelection(*inventory, {QStringLiteral("database"), QStringLiteral("roles"),
                                                           QStringLiteral("settings"), QStringLiteral("encryption")});
    ASSERT_TRUE(sel.ok()) << sel.error().toStdString();
    auto plan = await(RestoreService::plan(PlanInput{inventory, sel.value(), target, options(),
                                                     Credentials{fresh.password(), {}}}));
    ASSERT_TRUE(plan.ok()) << plan.error().toStdString();
    ASSERT_TRUE(plan->runnable()) << plan->report().toStdString();
    EXPECT_TRUE(plan->keepOwners);
    EXPECT_EQ(plan->steps.first().kind, RestoreStep::Kind::CreateDatabase) << "a new database needs no safety backup";

    RestoreRun r;
    r.plan = plan.value();
    r.credentials = Credentials{fresh.password(), {}};
    r.logDir = logs.path();
    const RestoreReport report = await(RestoreService::run(r)->future(), 300000);
    ASSERT_EQ(report.outcome, RestoreReport::Outcome::Complete) << report.message.toStdString();
    EXPECT_EQ(report.count(StepOutcome::State::Done), plan->steps.size());

    PgConnection conn = PgConnection::open(fresh.connection(QStringLiteral("restored")), fresh.password());
    const Fingerprint restored = fingerprint(conn, &error);
    ASSERT_FALSE(restored.empty()) << error.toStdString();
    // Every table's rows, sequences, users' hashes, identities, policies, functions, roles and
    // database settings: the same as the source at backup time.
    EXPECT_EQ(differences(atBackup, restored), QStringList()) << str(differences(atBackup, restored)).toStdString();
    EXPECT_GE(onlyKind(restored, QStringLiteral("user:")).size(), 24u);
    EXPECT_GE(onlyKind(restored, QStringLiteral("setting:")).size(), 1u);
}

TEST_F(Restore, OneTableChangesOnlyThatTableAndBringsItsSequenceAndPolicies)
{
    // The user's day: tasks lost rows, its sequence moved on and a policy was dropped; other
    // tables changed too, and those changes must survive the restore of tasks.
    ASSERT_TRUE(exec(QStringLiteral("DELETE FROM public.tasks WHERE id % 3 = 0; SELECT setval('public.tasks_id_seq', 99999); "
                                    "DROP POLICY \"Moderators can delete tasks\" ON public.tasks; "
                                    "UPDATE public.projects SET name = name || ' (renamed)'; "
                                    "DELETE FROM public.activity_events WHERE id % 2 = 0")));
    const Fingerprint before = fingerprintOf(source.cluster());
    ASSERT_NE(before.at(QStringLiteral("table:public.tasks")), atBackup.at(QStringLiteral("table:public.tasks")));

    const RestorePlan plan = planFor({QStringLiteral("table:public.tasks")}, inPlace(), options());
    ASSERT_TRUE(plan.runnable()) << plan.report().toStdString();
    EXPECT_TRUE(str(plan.closure).contains(QStringLiteral("1 sequence"))) << str(plan.closure).toStdString();
    EXPECT_TRUE(str(plan.closure).contains(QStringLiteral("policies"))) << str(plan.closure).toStdString();
    ASSERT_EQ(plan.conflicts.size(), 1);
    EXPECT_EQ(plan.conflicts.first().items, QStringList{QStringLiteral("public.tasks")});

    const RestoreReport report = run(plan);
    ASSERT_EQ(report.outcome, RestoreReport::Outcome::Complete) << report.message.toStdString();
    const Fingerprint after = fingerprintOf(source.cluster());

    const QStringList tasksKeys = keysOfTable(atBackup, QStringLiteral("public.tasks"), QStringLiteral("public.tasks_id_seq"));
    ASSERT_GE(tasksKeys.size(), 5);
    EXPECT_EQ(differences(only(atBackup, tasksKeys), only(after, tasksKeys)), QStringList())
        << str(differences(only(atBackup, tasksKeys), only(after, tasksKeys))).toStdString();
    // Everything else is as the user left it (renamed projects, fewer events).
    EXPECT_EQ(differences(without(before, tasksKeys), without(after, tasksKeys)), QStringList())
        << str(differences(without(before, tasksKeys), without(after, tasksKeys))).toStdString();
}

TEST_F(Restore, RestoredUsersCanSignInWithTheirPasswordAndKeepTheirIdentities)
{
    ASSERT_TRUE(exec(QStringLiteral("DELETE FROM auth.users WHERE email IN ('user03@example.com', 'user07@example.com'); "
                                    "UPDATE auth.users SET encrypted_password = crypt('changed', gen_salt('bf')) "
                                    "WHERE email = 'user05@example.com'")));
    const Fingerprint before = fingerprintOf(source.cluster());
    const RestorePlan plan = planFor({QStringLiteral("user:user03@example.com"), QStringLiteral("user:user05@example.com"),
                                      QStringLiteral("user:user07@example.com")},
                                     inPlace(), options());
    ASSERT_TRUE(plan.runnable()) << plan.report().toStdString();
    ASSERT_EQ(plan.conflicts.size(), 1) << plan.report().toStdString();
    EXPECT_EQ(plan.conflicts.first().items, QStringList{QStringLiteral("user05@example.com")});

    const RestoreReport report = run(plan);
    ASSERT_EQ(report.outcome, RestoreReport::Outcome::Complete) << report.message.toStdString();

    PgConnection conn = PgConnection::open(source.cluster().connection(), source.cluster().password());
    for (const char *n : {"03", "05", "07"}) {
        const QString email = QStringLiteral("user%1@example.com").arg(QLatin1String(n));
        PgResultPtr r = conn.execParams(
            QStringLiteral("SELECT crypt($2, encrypted_password) = encrypted_password, "
                           "(SELECT count(*) FROM auth.identities i WHERE i.user_id = u.id) FROM auth.users u WHERE email = $1"),
            {email.toUtf8(), QStringLiteral("password-%1").arg(QLatin1String(n)).toUtf8()});
        ASSERT_EQ(PQntuples(r.get()), 1) << email.toStdString() << " is missing";
        EXPECT_EQ(PgConnection::value(r.get(), 0, 0), QStringLiteral("t")) << email.toStdString() << " cannot sign in";
        // user07 had no identity in the backup either.
        EXPECT_EQ(PgConnection::value(r.get(), 0, 1), QLatin1String(n) == QLatin1String("07") ? QStringLiteral("0") : QStringLiteral("1"))
            << email.toStdString();
    }
    const Fingerprint after = fingerprintOf(source.cluster());
    EXPECT_EQ(onlyKind(after, QStringLiteral("user:")), onlyKind(atBackup, QStringLiteral("user:")));
    EXPECT_EQ(onlyKind(after, QStringLiteral("identity:")), onlyKind(atBackup, QStringLiteral("identity:")));
    // No application table changed.
    EXPECT_EQ(onlyKind(after, QStringLiteral("table:public.")), onlyKind(before, QStringLiteral("table:public.")));
}

TEST_F(Restore, AFailingStepLeavesTheTargetExactlyAsItWas)
{
    ASSERT_TRUE(exec(QStringLiteral("DELETE FROM public.tasks WHERE id % 2 = 0; DELETE FROM auth.users WHERE email = 'user03@example.com'")));
    const RestorePlan plan = planFor({QStringLiteral("table:public.tasks"), QStringLiteral("user:user03@example.com")},
                                     inPlace(), options());
    ASSERT_TRUE(plan.runnable()) << plan.report().toStdString();
    // The users step comes after the table's steps, in the same transaction: make it fail.
    ASSERT_TRUE(exec(QStringLiteral("ALTER TABLE auth.identities ADD CONSTRAINT lifeboat_test_no_email "
                                    "CHECK (provider <> 'email') NOT VALID")));
    const Fingerprint before = fingerprintOf(source.cluster());

    const RestoreReport report = run(plan);
    ASSERT_EQ(report.outcome, RestoreReport::Outcome::Failed) << report.message.toStdString();
    EXPECT_TRUE(report.message.contains(QStringLiteral("lifeboat_test_no_email"))) << report.message.toStdString();
    EXPECT_TRUE(report.message.contains(QStringLiteral("rolled back"))) << report.message.toStdString();
    EXPECT_GE(report.count(StepOutcome::State::RolledBack), 1); // the table's definition, before the users
    EXPECT_EQ(report.count(StepOutcome::State::Failed), 1);
    EXPECT_FALSE(report.safetyBackupPath.isEmpty());

    const Fingerprint after = fingerprintOf(source.cluster());
    EXPECT_EQ(differences(before, after), QStringList()) << str(differences(before, after)).toStdString();
}

TEST_F(Restore, ADamagedBackupIsRefusedBeforeAnythingRuns)
{
    const RestorePlan plan = planFor({QStringLiteral("table:public.tasks")}, inPlace(), options());
    ASSERT_TRUE(plan.runnable());
    {
        QFile f(backup.path + QStringLiteral("/database/database.dump"));
        ASSERT_TRUE(f.open(QIODevice::ReadWrite));
        f.seek(f.size() / 2);
        char c = 0;
        f.getChar(&c);
        f.seek(f.size() / 2);
        f.putChar(char(c ^ 0x20));
    }
    ASSERT_TRUE(exec(QStringLiteral("DELETE FROM public.tasks WHERE id < 50")));
    const Fingerprint before = fingerprintOf(source.cluster());

    const RestoreReport report = run(plan);
    EXPECT_EQ(report.outcome, RestoreReport::Outcome::Refused);
    EXPECT_TRUE(report.message.contains(QStringLiteral("database/database.dump"))) << report.message.toStdString();
    EXPECT_TRUE(report.safetyBackupPath.isEmpty());
    EXPECT_TRUE(BackupStore::list(safetyRoot.path()).isEmpty()) << "nothing runs, not even the safety backup";
    EXPECT_EQ(differences(before, fingerprintOf(source.cluster())), QStringList());
}

TEST_F(Restore, ADryRunChangesNothingAndItsScriptDoesWhatTheRealRestoreDoes)
{
    // Two identical targets: the fixture's database and a copy of it.
    ASSERT_TRUE(exec(QStringLiteral("DELETE FROM public.tasks WHERE id % 4 = 0; "
                                    "UPDATE auth.users SET encrypted_password = 'x', email = 'changed@example.com' WHERE email = 'user09@example.com'; "
                                    "DROP POLICY \"Moderators can delete tasks\" ON public.tasks")));
    ASSERT_TRUE(exec(QStringLiteral("CREATE DATABASE twin TEMPLATE postgres")));
    const QStringList words{QStringLiteral("table:public.tasks"), QStringLiteral("user:user09@example.com"),
                            QStringLiteral("policies:public.tasks"), QStringLiteral("function:public.create_task")};
    const Fingerprint before = fingerprintOf(source.cluster());

    // The dry run: a plan and its script; nothing touched.
    const RestorePlan plan = planFor(words, inPlace(), options());
    ASSERT_TRUE(plan.runnable()) << plan.report().toStdString();
    const QString script = plan.script();
    EXPECT_TRUE(plan.report().contains(QStringLiteral("public.tasks")));
    EXPECT_EQ(differences(before, fingerprintOf(source.cluster())), QStringList());
    QTemporaryDir dir;
    const QString scriptPath = dir.filePath(QStringLiteral("plan.sh"));
    ASSERT_TRUE(writeFile(scriptPath, script.toUtf8()));

    // The script, run by hand against the twin (its safety step writes a pg_dump file).
    QByteArray so, se;
    const int rc = runProgram(QStringLiteral("bash"), {scriptPath}, &so, &se,
                              {QStringLiteral("PGDATABASE=twin"), QStringLiteral("PGPASSFILE=") + source.cluster().pgpassFile(),
                               QStringLiteral("PGUSER=supabase_admin"),
                               QStringLiteral("LIFEBOAT_SAFETY_FILE=") + dir.filePath(QStringLiteral("safety.dump")),
                               QStringLiteral("PATH=") + TempCluster::binDir() + u':' + qEnvironmentVariable("PATH")});
    ASSERT_EQ(rc, 0) << se.toStdString();
    EXPECT_TRUE(QFileInfo(dir.filePath(QStringLiteral("safety.dump"))).size() > 0);

    // The real restore into the fixture's database.
    const RestoreReport report = run(plan);
    ASSERT_EQ(report.outcome, RestoreReport::Outcome::Complete) << report.message.toStdString();

    const Fingerprint real = without(fingerprintOf(source.cluster()), {});
    const Fingerprint byHand = fingerprintOf(source.cluster(), QStringLiteral("twin"));
    auto noSettings = [](Fingerprint fp) {
        for (auto it = fp.begin(); it != fp.end();)
            it = it->first.startsWith(QStringLiteral("setting:")) ? fp.erase(it) : std::next(it);
        return fp;
    };
    EXPECT_EQ(differences(noSettings(real), noSettings(byHand)), QStringList())
        << str(differences(noSettings(real), noSettings(byHand))).toStdString();
    EXPECT_NE(real.at(QStringLiteral("table:public.tasks")), before.at(QStringLiteral("table:public.tasks")));
}

TEST_F(Restore, TheSafetyBackupShowsInHistoryAndBringsTheTargetBack)
{
    ASSERT_TRUE(exec(QStringLiteral("DELETE FROM public.projects WHERE slug LIKE '%a%'")));
    const Fingerprint beforeRestore = fingerprintOf(source.cluster());

    const RestorePlan plan = planFor({QStringLiteral("table:public.projects"), QStringLiteral("table:public.tasks")},
                                     inPlace(), options());
    ASSERT_TRUE(plan.runnable()) << plan.report().toStdString();
    const RestoreReport report = run(plan);
    ASSERT_EQ(report.outcome, RestoreReport::Outcome::Complete) << report.message.toStdString();
    ASSERT_FALSE(report.safetyBackupPath.isEmpty());
    EXPECT_NE(fingerprintOf(source.cluster()).at(QStringLiteral("table:public.projects")),
              beforeRestore.at(QStringLiteral("table:public.projects")));

    // History lists it with its purpose.
    const QList<BackupInfo> history = BackupStore::list(safetyRoot.path());
    ASSERT_EQ(history.size(), 1);
    EXPECT_EQ(history.first().state, BackupInfo::State::Complete);
    ASSERT_TRUE(history.first().manifest.has_value());
    EXPECT_EQ(history.first().manifest->note, QStringLiteral("before restore of %1").arg(plan.backupLabel));

    // Restoring the safety backup's tables brings the target back.
    auto safety = await(RestoreService::loadInventory(report.safetyBackupPath));
    ASSERT_TRUE(safety.ok()) << safety.error().toStdString();
    auto sel = RestoreService::parseSelection(*safety.value(), {QStringLiteral("tables")});
    ASSERT_TRUE(sel.ok());
    RestoreOptions o = options();
    o.safetyBackup = false;
    auto back = await(RestoreService::plan(PlanInput{safety.value(), sel.value(), inPlace(), o, credentials()}));
    ASSERT_TRUE(back.ok()) << back.error().toStdString();
    ASSERT_TRUE(back->runnable()) << back->report().toStdString();
    const RestoreReport undo = run(back.value());
    ASSERT_EQ(undo.outcome, RestoreReport::Outcome::Complete) << undo.message.toStdString();
    const Fingerprint after = fingerprintOf(source.cluster());
    EXPECT_EQ(differences(beforeRestore, after), QStringList()) << str(differences(beforeRestore, after)).toStdString();
}

TEST_F(Restore, TheBarMovesWhileTheRowsOfABigTableAreLoaded)
{
    // A table of 180 MB, backed up again with it.
    ASSERT_NO_FATAL_FAILURE(growFixture(source, 600000));
    backup = runBackup(requestFor(source, out.path()));
    ASSERT_EQ(backup.outcome, BackupOutcome::Complete) << backup.message.toStdString();
    auto inv = await(RestoreService::loadInventory(backup.path));
    ASSERT_TRUE(inv.ok()) << inv.error().toStdString();
    inventory = inv.value();

    const RestorePlan plan
        = planFor({QStringLiteral("table:public.bulk")}, intoNewDatabase(QStringLiteral("bulk")), options());
    ASSERT_TRUE(plan.runnable()) << plan.report().toStdString();
    int loading = -1;
    qint64 total = 0, before = 0;
    for (int i = 0; i < plan.steps.size(); ++i) {
        if (plan.steps.at(i).rows > 0 && loading < 0) {
            loading = i;
            before = total;
        }
        total += plan.steps.at(i).weight;
    }
    ASSERT_GE(loading, 0) << str(titlesOf(plan)).toStdString();
    EXPECT_EQ(plan.steps.at(loading).rows, 600000) << "the backup's own count of the table's rows";
    // Where the bar stands as the step starts and as the next one does.
    const int from = int(1000 * before / total);
    const int to = int(1000 * (before + plan.steps.at(loading).weight) / total);
    ASSERT_GT(to - from, 100) << "the table's rows are most of the work";

    RestoreRun r;
    r.plan = plan;
    r.credentials = credentials();
    r.logDir = logs.path();
    auto job = RestoreService::run(r);
    QList<int> values;
    QFutureWatcher<RestoreReport> watcher;
    QObject::connect(
        &watcher, &QFutureWatcher<RestoreReport>::progressValueChanged, &watcher, [&values](int v) { values << v; });
    watcher.setFuture(job->future());
    const RestoreReport report = await(job->future(), 300000);
    ASSERT_EQ(report.outcome, RestoreReport::Outcome::Complete) << report.message.toStdString();

    // Inside the step, not only at its ends, and never backwards.
    QStringList seen;
    for (int v : std::as_const(values))
        seen << QString::number(v);
    const auto inside = std::count_if(values.cbegin(), values.cend(), [&](int v) { return v > from && v < to; });
    EXPECT_GE(inside, 2) << "from " << from << " to " << to << ", seen: " << str(seen).toStdString();
    EXPECT_TRUE(std::is_sorted(values.cbegin(), values.cend())) << str(seen).toStdString();
}
