#include "RestoreCommand.h"

#include "BackupPreferences.h"
#include "BackupStore.h"
#include "CliOutput.h"
#include "CliSupport.h"
#include "Futures.h"
#include "RestoreService.h"
#include "StackArguments.h"
#include "StackService.h"
#include "WorkerThreads.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QLocale>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>

#include <csignal>
#include <iostream>
#include <string>
#include <unistd.h>

namespace lifeboat::cli {

namespace {

std::atomic_bool g_interrupted{false};

int failWith(const QString &message, int code = 2)
{
    err() << "lifeboat-cli restore: " << message << '\n';
    err().flush();
    QCoreApplication::exit(code);
    return code;
}

QJsonObject planJson(const RestorePlan &plan)
{
    QJsonArray steps;
    for (const RestoreStep &s : plan.steps)
        steps.append(QJsonObject{{QStringLiteral("phase"), s.phase},
                                 {QStringLiteral("title"), s.title},
                                 {QStringLiteral("transactional"), s.transactional},
                                 {QStringLiteral("touches"), QJsonArray::fromStringList(s.touches)}});
    QJsonArray conflicts;
    for (const RestoreConflict &c : plan.conflicts)
        conflicts.append(QJsonObject{{QStringLiteral("kind"), c.kind},
                                     {QStringLiteral("items"), QJsonArray::fromStringList(c.items)},
                                     {QStringLiteral("resolution"), c.resolution}});
    QJsonArray picked;
    for (const RestoreItem &i : plan.picked)
        picked.append(i.id());
    return {{QStringLiteral("backup"), plan.backupPath},
            {QStringLiteral("target"), plan.target.describe()},
            {QStringLiteral("picked"), picked},
            {QStringLiteral("closure"), QJsonArray::fromStringList(plan.closure)},
            {QStringLiteral("conflicts"), conflicts},
            {QStringLiteral("warnings"), QJsonArray::fromStringList(plan.warnings)},
            {QStringLiteral("blockers"), QJsonArray::fromStringList(plan.blockers)},
            {QStringLiteral("keep_owners"), plan.keepOwners},
            {QStringLiteral("owners_not_set"), QJsonArray::fromStringList(plan.ownersNotSet)},
            {QStringLiteral("steps"), steps}};
}

QJsonObject reportJson(const RestorePlan &plan, const RestoreReport &r)
{
    QJsonObject o = planJson(plan);
    QJsonArray steps = o.value(QStringLiteral("steps")).toArray();
    for (int i = 0; i < steps.size() && i < r.steps.size(); ++i) {
        QJsonObject s = steps.at(i).toObject();
        s.insert(QStringLiteral("state"), stepStateKey(r.steps.at(i).state));
        s.insert(QStringLiteral("message"), r.steps.at(i).message);
        steps[i] = s;
    }
    o.insert(QStringLiteral("steps"), steps);
    o.insert(QStringLiteral("outcome"), outcomeKey(r.outcome));
    o.insert(QStringLiteral("message"), r.message);
    o.insert(QStringLiteral("safety_backup"), r.safetyBackupPath);
    o.insert(QStringLiteral("log"), r.logPath);
    return o;
}

struct Options
{
    QString backup;
    QStringList only;
    RestoreOptions options;
    bool dryRun = false;
    bool yes = false;
    bool json = false;
    bool list = false;
    QString scriptFile;
};

void listItems(const RestoreInventory &inv, bool json)
{
    if (json) {
        QJsonArray a;
        for (const RestoreItem &i : inv.items)
            a.append(QJsonObject{{QStringLiteral("id"), i.id()},
                                 {QStringLiteral("component"), kindComponent(i.kind)},
                                 {QStringLiteral("detail"), i.detail},
                                 {QStringLiteral("size"), i.size}});
        printJson(QJsonDocument(a));
        return;
    }
    out() << "What " << inv.path << " offers (use with --only):\n";
    for (const RestoreItem &i : inv.items) {
        out() << "  " << i.id().leftJustified(48);
        if (!i.detail.isEmpty())
            out() << "  " << i.detail;
        if (i.size > 0)
            out() << "  " << QLocale::c().formattedDataSize(i.size, 1, QLocale::DataSizeTraditionalFormat);
        out() << '\n';
    }
    out() << "Components: tables, users, policies, functions, roles, settings, encryption, role_assignments, "
             "migrations, migration_history, edge_functions, storage, config; data:schema.table restores rows only.\n";
    out().flush();
}

void execute(const RestorePlan &plan, const Options &o, const Credentials &credentials, bool verified)
{
    RestoreRun run;
    run.plan = plan;
    run.credentials = credentials;
    run.verified = verified;
    auto job = RestoreService::run(run);
    const bool tty = ::isatty(STDERR_FILENO);
    QObject::connect(job.get(), &RestoreJob::stepChanged, job.get(), [plan, tty, json = o.json](int i, const StepOutcome &s) {
        if (json && !tty)
            return;
        if (s.state == StepOutcome::State::Running)
            err() << QStringLiteral("[%1/%2] %3 ...\n").arg(i + 1).arg(plan.steps.size()).arg(plan.steps.at(i).title);
        else if (s.state != StepOutcome::State::Done)
            err() << QStringLiteral("[%1/%2] %3: %4%5\n")
                         .arg(i + 1)
                         .arg(plan.steps.size())
                         .arg(plan.steps.at(i).title, stepStateKey(s.state),
                              s.message.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(s.message.section(u'\n', 0, 0)));
        err().flush();
    });
    QObject::connect(job.get(), &RestoreJob::notice, job.get(), [](const QString &line) {
        err() << line << '\n';
        err().flush();
    });
    QObject::connect(job.get(), &RestoreJob::safetyBackupStarted, job.get(), [](const std::shared_ptr<BackupJob> &) {
        err() << "Backing up the target first (safety backup) ...\n";
        err().flush();
    });
    // Ctrl-C, `kill` or a closed terminal: stop between steps or interrupt the running tool
    // (its transaction rolls back), then report.
    for (int signalNumber : {SIGINT, SIGTERM, SIGHUP})
        std::signal(signalNumber, [](int) { g_interrupted = true; });
    auto *poll = new QTimer(job.get());
    QObject::connect(poll, &QTimer::timeout, job.get(), [j = job.get()] {
        if (g_interrupted)
            j->cancel();
    });
    poll->start(100);
    whenReady(job->future(), qApp, [job, plan, o](const RestoreReport &r) {
        if (o.json) {
            printJson(QJsonDocument(reportJson(plan, r)));
        } else {
            out() << (r.outcome == RestoreReport::Outcome::Complete ? "Restore complete: " : "Restore did not complete: ")
                  << r.message << '\n';
            out() << QStringLiteral("Steps: %1 done, %2 failed, %3 rolled back, %4 not run.\n")
                         .arg(r.count(StepOutcome::State::Done))
                         .arg(r.count(StepOutcome::State::Failed))
                         .arg(r.count(StepOutcome::State::RolledBack))
                         .arg(r.count(StepOutcome::State::Skipped) + r.count(StepOutcome::State::Cancelled));
            if (!r.safetyBackupPath.isEmpty())
                out() << "Safety backup (before restore): " << r.safetyBackupPath << '\n';
            if (!r.ownersNotSet.isEmpty())
                out() << r.ownersNotSet.size() << " object(s) belong to " << plan.connectingRole
                      << " because their owner could not be set:\n  " << r.ownersNotSet.join(QStringLiteral("\n  ")) << '\n';
            out() << "Log: " << r.logPath << '\n';
            out().flush();
        }
        const int code = r.outcome == RestoreReport::Outcome::Complete    ? 0
                       : r.outcome == RestoreReport::Outcome::Cancelled   ? 130
                       : r.outcome == RestoreReport::Outcome::Refused     ? 3
                                                                          : 1;
        QCoreApplication::exit(code);
    });
}

void refuseDamaged(const VerifyReport &v)
{
    err() << "The backup is damaged; nothing was restored:\n  " << v.problems.join(QStringLiteral("\n  ")) << '\n';
    failWith(QStringLiteral("restore from another backup"), 3);
}

/// After the plan and the checksums of every file it reads: print the plan, ask, run.
void proceed(const RestorePlan &plan, const VerifyReport &v, const Options &o, const Credentials &credentials)
{
    if (!v.ok())
        return refuseDamaged(v);
    err() << "Backup verified: the " << v.filesChecked << " file(s) this restore reads match their SHA-256.\n";
    if (!o.scriptFile.isEmpty()) {
        QFile f(o.scriptFile);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(plan.script().toUtf8()) < 0)
            return (void)failWith(QStringLiteral("cannot write %1: %2").arg(o.scriptFile, f.errorString()));
        f.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        err() << "Plan saved as a script: " << o.scriptFile << '\n';
    }
    if (o.json && (o.dryRun || !plan.runnable()))
        printJson(QJsonDocument(planJson(plan)));
    else if (!o.json)
        out() << plan.report();
    out().flush();
    if (!plan.runnable())
        return (void)failWith(QStringLiteral("the plan cannot run: %1").arg(plan.blockers.join(u' ')), 2);
    if (o.dryRun) {
        err() << "Dry run: nothing was changed.\n";
        err().flush();
        QCoreApplication::exit(0);
        return;
    }
    if (!o.yes) {
        if (!::isatty(STDIN_FILENO))
            return (void)failWith(QStringLiteral("refusing to restore: no terminal to ask for confirmation. "
                                                 "Re-run with --yes to confirm, or --dry-run to see the plan."),
                                  4);
        err() << "Restore into " << plan.target.describe() << "? Type yes to continue: ";
        err().flush();
        std::string answer;
        std::getline(std::cin, answer);
        if (answer != "yes")
            return (void)failWith(QStringLiteral("not confirmed; nothing was restored"), 4);
    }
    execute(plan, o, credentials, true);
}

} // namespace

void runRestore(StackService *service, const QStringList &arguments)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Restore all or part of a backup into a stack, another stack or a new database, after a safety backup.\n"
        "ITEM: a component (tables, users, policies, functions, roles, settings, encryption, role_assignments,\n"
        "migrations, migration_history, edge_functions, storage, config) or table:schema.name,\n"
        "data:schema.name (rows only), schema:name, policies:schema.table, function:schema.name, user:email,\n"
        "edge_function:name, migration:version, bucket:id, config:file. See --list."));
    p.addPositionalArgument(QStringLiteral("BACKUP"), QStringLiteral("The backup folder"));
    const QCommandLineOption project(QStringLiteral("project"), QStringLiteral("Target: this Supabase project's stack"),
                                     QStringLiteral("DIR"));
    const QCommandLineOption dsn(QStringLiteral("dsn"),
                                 QStringLiteral("Target database, or with --new-db the server (password from the "
                                                "keychain, PGPASSWORD or ~/.pgpass)"),
                                 QStringLiteral("URL"));
    const QCommandLineOption newDb(QStringLiteral("new-db"), QStringLiteral("Create this database and restore into it"),
                                   QStringLiteral("NAME"));
    const QCommandLineOption only(QStringLiteral("only"), QStringLiteral("Restore only these items (repeatable)"),
                                  QStringLiteral("ITEM,..."));
    const QCommandLineOption conflict(QStringLiteral("conflict"),
                                      QStringLiteral("Tables already in the target: replace, truncate, append or skip; "
                                                     "users, policies, functions: replace or skip (default: replace)"),
                                      QStringLiteral("MODE"), QStringLiteral("replace"));
    const QCommandLineOption files(QStringLiteral("files"),
                                   QStringLiteral("Files that exist and differ: overwrite, skip or beside (NAME.restored, "
                                                  "the default)"),
                                   QStringLiteral("MODE"), QStringLiteral("beside"));
    const QCommandLineOption owners(QStringLiteral("owners"),
                                    QStringLiteral("auto (keep owners when the role can), keep, or none"),
                                    QStringLiteral("MODE"), QStringLiteral("auto"));
    const QCommandLineOption parents(QStringLiteral("missing-parents"),
                                     QStringLiteral("Foreign-key parents neither picked nor in the target: include "
                                                    "(default) or drop-fk"),
                                     QStringLiteral("MODE"), QStringLiteral("include"));
    const QCommandLineOption projectDir(QStringLiteral("project-dir"),
                                        QStringLiteral("Where migration, edge function and config files go (default: "
                                                       "the --project folder)"),
                                        QStringLiteral("DIR"));
    const QCommandLineOption storageDir(QStringLiteral("storage-dir"), QStringLiteral("Where storage files go"),
                                        QStringLiteral("DIR"));
    const QCommandLineOption noSafety(QStringLiteral("no-safety-backup"),
                                      QStringLiteral("Do not back up the target first (there is then no way back)"));
    const QCommandLineOption safetyRoot(
        QStringLiteral("safety-root"),
        QStringLiteral("Backup root for the safety backup (default: the target stack's, as "
                       "chosen in Lifeboat)"),
        QStringLiteral("ROOT"));
    const QCommandLineOption dryRun(QStringLiteral("dry-run"), QStringLiteral("Print the plan and change nothing"));
    const QCommandLineOption script(QStringLiteral("script"),
                                    QStringLiteral("Save the plan as a bash script to FILE"), QStringLiteral("FILE"));
    const QCommandLineOption yes(QStringLiteral("yes"), QStringLiteral("Do not ask (required without a terminal)"));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print the plan or the report as JSON"));
    const QCommandLineOption list(QStringLiteral("list"), QStringLiteral("List what the backup offers and exit"));
    p.addOptions({project, dsn, newDb, only, conflict, files, owners, parents, projectDir, storageDir, noSafety,
                  safetyRoot, dryRun, script, yes, json, list});
    parseOrExit(p, arguments, QStringLiteral("restore"));

    if (p.positionalArguments().size() != 1)
        return (void)failWith(QStringLiteral("give one BACKUP folder (see --help)"));
    Options o;
    o.backup = QDir(p.positionalArguments().first()).absolutePath();
    for (const QString &v : p.values(only))
        o.only << v.split(u',', Qt::SkipEmptyParts);
    o.dryRun = p.isSet(dryRun);
    o.yes = p.isSet(yes);
    o.json = p.isSet(json);
    o.list = p.isSet(list);
    o.scriptFile = p.value(script);
    TableConflict tables;
    if (!tableConflictFromKey(p.value(conflict), &tables))
        return (void)failWith(QStringLiteral("--conflict must be replace, truncate, append or skip"));
    o.options.tables = tables;
    o.options.rows = tables == TableConflict::Skip ? RowConflict::Skip : RowConflict::Replace;
    const QString f = p.value(files);
    if (f == QLatin1String("overwrite"))
        o.options.files = FileConflict::Overwrite;
    else if (f == QLatin1String("skip"))
        o.options.files = FileConflict::Skip;
    else if (f == QLatin1String("beside"))
        o.options.files = FileConflict::Beside;
    else
        return (void)failWith(QStringLiteral("--files must be overwrite, skip or beside"));
    const QString ow = p.value(owners);
    if (ow == QLatin1String("auto"))
        o.options.owners = OwnerHandling::Auto;
    else if (ow == QLatin1String("keep"))
        o.options.owners = OwnerHandling::KeepOwners;
    else if (ow == QLatin1String("none"))
        o.options.owners = OwnerHandling::NoOwners;
    else
        return (void)failWith(QStringLiteral("--owners must be auto, keep or none"));
    const QString mp = p.value(parents);
    if (mp == QLatin1String("include"))
        o.options.parents = MissingParents::Include;
    else if (mp == QLatin1String("drop-fk"))
        o.options.parents = MissingParents::DropConstraint;
    else
        return (void)failWith(QStringLiteral("--missing-parents must be include or drop-fk"));
    o.options.safetyBackup = !p.isSet(noSafety);
    o.options.safetyBackupRoot = p.value(safetyRoot);
    o.options.storageDir = p.value(storageDir);
    o.options.projectDir = p.isSet(projectDir) ? p.value(projectDir) : p.value(project);

    if (!QFileInfo(o.backup + QStringLiteral("/manifest.json")).isFile())
        return (void)failWith(QStringLiteral("%1 is not a complete Lifeboat backup (no manifest.json); see lifeboat-cli list")
                                  .arg(o.backup));

    // The archive is the large file most restores read: its checksum is taken while the
    // inventory and the plan are made, on another core, instead of after them.
    // An error that ends the CLI before the plan stops it (at exit), so that it does not
    // keep the CLI for the seconds a large archive takes.
    QFuture<VerifyReport> archiveCheck;
    if (!o.list) {
        auto stop = WorkerThreads::stopFlagAtExit();
        archiveCheck = QtConcurrent::run(WorkerThreads::pool(), [backup = o.backup, stop] {
            return BackupStore::verify(backup, {}, {Manifest::DatabaseArchive}, {}, stop.get());
        });
    }

    const QString projectValue = p.value(project), dsnValue = p.value(dsn), newDbValue = p.value(newDb);
    whenReady(RestoreService::loadInventory(o.backup), qApp, [=](Result<InventoryPtr> inv) {
        if (!inv && archiveCheck.isValid()) {
            // pg_restore failing on the archive may be damage: say so, as the checksum shows it.
            QFuture<VerifyReport> check = archiveCheck;
            whenReady(check, qApp, [error = inv.error()](const VerifyReport &v) {
                if (!v.ok())
                    return refuseDamaged(v);
                failWith(error);
            });
            return;
        }
        if (!inv)
            return (void)failWith(inv.error());
        if (o.list) {
            listItems(*inv.value(), o.json);
            QCoreApplication::exit(0);
            return;
        }
        if (!newDbValue.isEmpty() && dsnValue.isEmpty())
            return (void)failWith(QStringLiteral("--new-db needs --dsn URL of the server to create it on"));
        std::optional<QString> urlPassword;
        auto stack = stackFromArguments(projectValue, dsnValue, service->catalog()->profiles(), &urlPassword);
        if (!stack)
            return (void)failWith(stack.error() + QStringLiteral(" as the target"));
        RestoreTarget target = RestoreService::targetFor(inv.value(), stack.value());
        if (!newDbValue.isEmpty()) {
            target.kind = RestoreTarget::Kind::NewDatabase;
            target.newDatabase = newDbValue;
        }
        // Where the safety backup goes and where storage files are: the target stack's choices
        // in Lifeboat, as the window uses them, unless given here.
        RestoreOptions options = o.options;
        if (options.safetyBackupRoot.isEmpty())
            options.safetyBackupRoot = BackupPreferences::root(stack.value());
        if (options.storageDir.isEmpty())
            options.storageDir = BackupPreferences::request(stack.value()).storageDir;
        RestoreSelection selection;
        if (o.only.isEmpty()) {
            auto all = RestoreService::parseSelection(*inv.value(), {QStringLiteral("database"), QStringLiteral("roles"),
                                                                     QStringLiteral("settings"), QStringLiteral("encryption"),
                                                                     QStringLiteral("edge_functions"), QStringLiteral("migrations"),
                                                                     QStringLiteral("config"), QStringLiteral("storage")});
            if (!all)
                return (void)failWith(all.error());
            selection = all.value();
            // The archive already holds users, policies, functions and role tables.
        } else {
            auto sel = RestoreService::parseSelection(*inv.value(), o.only);
            if (!sel)
                return (void)failWith(sel.error());
            selection = sel.value();
        }
        service->secrets()->readPassword(stack->id).then(qApp, [=](SecretStore::ReadResult stored) {
            Credentials credentials = Credentials::forStack(stack.value(), urlPassword ? urlPassword : stored.password);
            PlanInput input{inv.value(), selection, target, options, credentials};
            whenReady(RestoreService::plan(input), qApp, [=](Result<RestorePlan> plan) {
                if (!plan)
                    return (void)failWith(plan.error(), 1);
                // Damaged backups are refused before anything runs: every file the plan reads
                // (the archive, when the plan reads it, checked meanwhile).
                QFuture<VerifyReport> check = archiveCheck;
                auto everyFile = check.then(WorkerThreads::pool(), [=](const VerifyReport &archive) {
                    const bool readsArchive = BackupStore::covers(plan->filesUsed, Manifest::DatabaseArchive);
                    VerifyReport v = BackupStore::verify(o.backup, {}, plan->filesUsed, {Manifest::DatabaseArchive});
                    if (readsArchive) {
                        v.filesChecked += archive.filesChecked;
                        v.problems = archive.problems + v.problems;
                        v.problems.removeDuplicates(); // the manifest against SHA256SUMS, checked by both
                    }
                    return v;
                });
                whenReady(everyFile, qApp, [=](const VerifyReport &v) { proceed(plan.value(), v, o, credentials); });
            });
        });
    });
}

} // namespace lifeboat::cli
