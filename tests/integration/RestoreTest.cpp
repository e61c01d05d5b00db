// Selective restore against real PostgreSQL clusters: what a user restores is what they get,
// nothing else changes, failures leave the target as it was, and there is always a way back.
#include "BackupStore.h"
#include "BackupTestUtil.h"
#include "Fingerprint.h"
#include "RestoreService.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QFileInfo>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QThread>

#include <gtest/gtest.h>

using namespace lifeboat;
using namespace lifeboat::test;

namespace {

QString str(const QStringList &l)
{
    return l.join(u'\n');
}

/// Keys of `fp` whose prefix is one of `prefixes`, and whose name is not in `except`.
Fingerprint without(const Fingerprint &fp, const QStringList &exceptKeys)
{
    Fingerprint out;
    for (const auto &[k, v] : fp)
        if (!exceptKeys.contains(k))
            out[k] = v;
    return out;
}

Fingerprint only(const Fingerprint &fp, const QStringList &keys)
{
    Fingerprint out;
    for (const auto &[k, v] : fp)
        if (keys.contains(k))
            out[k] = v;
    return out;
}

/// Fingerprint keys that belong to one table: its rows, its sequence, its policies, its triggers.
QStringList keysOfTable(const Fingerprint &fp, const QString &table, const QString &sequence)
{
    QStringList keys;
    for (const auto &[k, v] : fp)
        if (k == QStringLiteral("table:") + table || k == QStringLiteral("sequence:") + sequence
            || k.startsWith(QStringLiteral("policy:") + table + u'.') || k.startsWith(QStringLiteral("trigger:") + table + u'.')
            || k == QStringLiteral("rls:") + table)
            keys << k;
    return keys;
}

class Restore : public ::testing::Test
{
protected:
    void SetUp() override
    {
        QString error;
        ASSERT_TRUE(source.setUp(&error)) << error.toStdString();
        backup = runBackup(requestFor(source, out.path()));
        ASSERT_EQ(backup.outcome, BackupOutcome::Complete) << backup.message.toStdString();
        atBackup = fingerprintOf(source.cluster());
        ASSERT_FALSE(atBackup.empty());
        auto inv = await(RestoreService::loadInventory(backup.path));
        ASSERT_TRUE(inv.ok()) << inv.error().toStdString();
        inventory = inv.value();
    }

    Fingerprint fingerprintOf(const TempCluster &c, const QString &db = QStringLiteral("postgres"))
    {
        QString error;
        PgConnection conn = PgConnection::open(c.connection(db), c.password());
        Fingerprint fp = fingerprint(conn, &error);
        EXPECT_FALSE(fp.empty()) << error.toStdString();
        return fp;
    }

    /// The fixture's stack, connected as its superuser (supabase_admin) or as postgres.
    Stack stackAs(const QString &user) const
    {
        Stack s = source.stack();
        s.connection.user = user;
        return s;
    }

    RestoreTarget inPlace(const QString &user = QStringLiteral("supabase_admin")) const
    {
        RestoreTarget t = RestoreService::targetFor(inventory, stackAs(user));
        EXPECT_EQ(t.kind, RestoreTarget::Kind::InPlace);
        return t;
    }

    Credentials credentials() const { return Credentials{source.cluster().password(), {}}; }

    RestoreOptions options() const
    {
        RestoreOptions o;
        o.safetyBackupRoot = safetyRoot.path();
        return o;
    }

    RestorePlan planFor(const QStringList &words, const RestoreTarget &target, const RestoreOptions &o)
    {
        auto sel = RestoreService::parseSelection(*inventory, words);
        EXPECT_TRUE(sel.ok()) << sel.error().toStdString();
        if (!sel.ok())
            return {};
        auto plan = await(RestoreService::plan(PlanInput{inventory, sel.value(), target, o, credentials()}), 60000);
        EXPECT_TRUE(plan.ok()) << plan.error().toStdString();
        return plan.ok() ? plan.value() : RestorePlan{};
    }

    RestoreReport run(const RestorePlan &plan, bool verified = false, QStringList *log = nullptr)
    {
        RestoreRun r;
        r.plan = plan;
        r.credentials = credentials();
        r.verified = verified;
        r.logDir = logs.path();
        auto job = RestoreService::run(r);
        if (log)
            QObject::connect(job.get(), &RestoreJob::logLine, job.get(), [log](const QString &l) { *log << l; });
        return await(job->future(), 300000);
    }

    bool exec(const QString &sql, const QString &db = QStringLiteral("postgres"))
    {
        QString error;
        const bool ok = source.cluster().exec(sql, &error, db);
        EXPECT_TRUE(ok) << error.toStdString();
        return ok;
    }

    SupabaseFixture source;
    QTemporaryDir out, safetyRoot, logs;
    BackupResult backup;
    Fingerprint atBackup;
    InventoryPtr inventory;
};

} // namespace

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
    Stack server;
    server.kind = Stack::Kind::PostgresProfile;
    server.id = QStringLiteral("fresh");
    server.name = QStringLiteral("fresh cluster");
    server.connection = fresh.connection();
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

TEST_F(Restore, AsTheNonSuperuserPostgresOwnersThatCannotBeSetAreReportedAndTheDataArrives)
{
    RestoreTarget target;
    target.kind = RestoreTarget::Kind::NewDatabase;
    target.stack = stackAs(QStringLiteral("postgres"));
    target.newDatabase = QStringLiteral("trial");
    const RestorePlan plan = planFor({QStringLiteral("tables")}, target, options());
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
    RestoreTarget target;
    target.kind = RestoreTarget::Kind::NewDatabase;
    target.stack = stackAs(QStringLiteral("supabase_admin"));
    target.newDatabase = QStringLiteral("onetable");
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
    ASSERT_TRUE(waitUntil([&] { return running >= 0; }, 30000));
    QThread::msleep(500); // it is waiting for the lock now
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

TEST(RestorePlain, APlainDatabaseRestoresInPlaceAndIntoANewDatabase)
{
    TempCluster cluster;
    QString error;
    ASSERT_TRUE(cluster.start(&error)) << error.toStdString();
    ASSERT_TRUE(SupabaseFixture::loadPlain(cluster, QStringLiteral("postgres"), &error)) << error.toStdString();
    QTemporaryDir out, logs;
    Stack plain;
    plain.kind = Stack::Kind::PostgresProfile;
    plain.id = QStringLiteral("plain");
    plain.name = QStringLiteral("plain");
    plain.connection = cluster.connection();
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
    QStringList titles;
    for (const RestoreStep &s : plan.steps)
        titles << s.title;
    EXPECT_TRUE(titles.contains(QStringLiteral("Function public.create_task"))) << str(titles).toStdString();
    EXPECT_TRUE(titles.contains(QStringLiteral("Row-level security of public.tasks"))) << str(titles).toStdString();
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
