#include "BackupCommands.h"

#include "BackupEngine.h"
#include "BackupPreferences.h"
#include "BackupStore.h"
#include "CliOutput.h"
#include "Credentials.h"
#include "DesktopNotifier.h"
#include "RetentionPolicy.h"
#include "RunCatalog.h"
#include "StackArguments.h"
#include "StackScanner.h"
#include "StackService.h"
#include "StatusProbe.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QJsonArray>
#include <QJsonObject>
#include <QLocale>
#include <QTimer>

#include <algorithm>
#include <csignal>
#include <iostream>
#include <string>
#include <unistd.h>

namespace lifeboat::cli {

namespace {

std::atomic_bool g_interrupted{false};

void onSigint(int)
{
    g_interrupted = true;
}

QString humanSize(qint64 bytes)
{
    return QLocale::c().formattedDataSize(bytes, 1, QLocale::DataSizeTraditionalFormat);
}

QJsonObject componentJson(const ComponentResult &c)
{
    QJsonObject counts;
    for (auto it = c.counts.cbegin(); it != c.counts.cend(); ++it)
        counts.insert(it.key(), it.value());
    QJsonObject o{{QStringLiteral("name"), c.name},
                  {QStringLiteral("status"), ComponentResult::statusKey(c.status)},
                  {QStringLiteral("counts"), counts},
                  {QStringLiteral("warnings"), QJsonArray::fromStringList(c.warnings)},
                  {QStringLiteral("duration_ms"), c.durationMs}};
    if (!c.message.isEmpty())
        o.insert(QStringLiteral("message"), c.message);
    return o;
}

QString countsText(const ComponentResult &c)
{
    QStringList parts;
    for (auto it = c.counts.cbegin(); it != c.counts.cend(); ++it)
        parts << QStringLiteral("%1 %2").arg(it.value()).arg(it.key());
    return parts.join(QStringLiteral(", "));
}

int fail(const QString &message, int code = 2)
{
    err() << "lifeboat-cli: " << message << '\n';
    err().flush();
    return code;
}

/// Asks on the terminal, unless `yes`; without a terminal only `yes` confirms. 0 when
/// confirmed, else 4 after saying why nothing was done.
int confirm(bool yes, const QString &question, const QString &action)
{
    if (yes)
        return 0;
    if (!::isatty(STDIN_FILENO))
        return fail(QStringLiteral("refusing to %1: no terminal to ask for confirmation. Re-run with --yes to confirm.")
                        .arg(action),
                    4);
    err() << question << " Type yes to continue: ";
    err().flush();
    std::string answer;
    std::getline(std::cin, answer);
    return answer == "yes" ? 0 : fail(QStringLiteral("not confirmed; nothing was deleted"), 4);
}

void startRun(const BackupRequest &req, bool asJson, bool tty, bool showLog, bool sendNotice);

// Records the run in the catalog, sends the notice when asked, then exits with `code`.
void finishRun(const BackupRequest &req, const BackupResult &r, bool sendNotice, int code)
{
    RunCatalog catalog;
    catalog.recordBackup(req.stack, r);
    if (!sendNotice) {
        QCoreApplication::exit(code);
        return;
    }
    auto *notifier = new DesktopNotifier(qApp);
    const QString title = r.outcome == BackupOutcome::Complete
                              ? QStringLiteral("Backup of %1 finished").arg(req.stack.name)
                              : QStringLiteral("Backup of %1 %2").arg(req.stack.name, outcomeKey(r.outcome));
    const QString body = r.outcome == BackupOutcome::Complete
                             ? QStringLiteral("%1 in %2 s")
                                   .arg(humanSize(r.manifest.totalSize()))
                                   .arg(double(r.manifest.durationMs) / 1000.0, 0, 'f', 1)
                             : r.message;
    QObject::connect(notifier, &DesktopNotifier::delivered, qApp, [code] { QCoreApplication::exit(code); });
    if (!notifier->notify(title, body, r.outcome != BackupOutcome::Complete)) {
        err() << "lifeboat-cli: no desktop notification server answers on the session bus.\n";
        err().flush();
        QCoreApplication::exit(code);
    }
}

// Probes the database every 2 s until it accepts connections or `seconds` pass.
void waitUntilUp(const BackupRequest &req, int seconds, const std::function<void(const QString &)> &done)
{
    if (seconds <= 0) {
        done({});
        return;
    }
    auto started = std::make_shared<QElapsedTimer>();
    started->start();
    auto attempt = std::make_shared<std::function<void()>>();
    *attempt = [=] {
        StatusProbe::probe(
            req.stack.connection, Credentials{req.password, req.passwordFallbacks}, req.stack.wantedMajorVersion)
            .then(qApp, [=](const StackStatus &st) {
                if (st.state == StackStatus::State::Up)
                    return done({});
                if (started->elapsed() > qint64(seconds) * 1000 || st.state == StackStatus::State::AuthFailed)
                    return done(QStringLiteral("%1 did not accept connections within %2 s: %3")
                                    .arg(req.stack.name)
                                    .arg(seconds)
                                    .arg(st.detail));
                QTimer::singleShot(2000, qApp, [attempt] { (*attempt)(); });
            });
    };
    (*attempt)();
}

} // namespace

void runBackup(StackService *service, const QStringList &arguments)
{
    QCommandLineParser p;
    const QCommandLineOption project(
        QStringLiteral("project"), QStringLiteral("Supabase project folder"), QStringLiteral("DIR"));
    const QCommandLineOption dsn(QStringLiteral("dsn"),
                                 QStringLiteral("postgresql://USER@HOST:PORT/DB (password from "
                                                "the keychain, PGPASSWORD or ~/.pgpass)"),
                                 QStringLiteral("URL"));
    // Without these options a run uses the stack's choices in Lifeboat's backup sheet and
    // Settings (BackupPreferences), so the window, the tray and a script make the same backup.
    p.setApplicationDescription(
        QStringLiteral("Back up a stack: every component from one snapshot.\n\n"
                       "Options not given take the stack's choices in Lifeboat's backup sheet, else the "
                       "defaults of Lifeboat's Settings, else: backup root <project>/supabase_backups "
                       "(~/.local/share/lifeboat/backups for --dsn), all components, 2 connections, "
                       "compression 1.\n\nComponents: ")
        + Component::all().join(QStringLiteral(", ")));
    const QCommandLineOption outOpt(QStringLiteral("out"), QStringLiteral("Backup root"), QStringLiteral("ROOT"));
    const QCommandLineOption components(
        QStringLiteral("components"), QStringLiteral("Comma-separated components to back up"), QStringLiteral("LIST"));
    const QCommandLineOption jobs(
        QStringLiteral("jobs"), QStringLiteral("Parallel connections for the CSV export (1-16)"), QStringLiteral("N"));
    const QCommandLineOption compress(
        QStringLiteral("compress"), QStringLiteral("pg_dump compression level (0-9)"), QStringLiteral("LEVEL"));
    const QCommandLineOption storage(QStringLiteral("storage-dir"),
                                     QStringLiteral("Folder holding the storage object files (<bucket>/<name>)"),
                                     QStringLiteral("DIR"));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print the result as JSON"));
    const QCommandLineOption verbose(QStringLiteral("verbose"), QStringLiteral("Print the log of every tool"));
    const QCommandLineOption notify(QStringLiteral("notify"),
                                    QStringLiteral("Send a desktop notification when the backup ends"));
    const QCommandLineOption wait(QStringLiteral("wait"),
                                  QStringLiteral("Wait up to SECONDS for the database to accept connections first"),
                                  QStringLiteral("SECONDS"),
                                  QStringLiteral("0"));
    p.addOptions({project, dsn, outOpt, components, jobs, compress, storage, json, verbose, notify, wait});
    p.addHelpOption();
    p.process(arguments);

    auto exitWith = [](int code) {
        QCoreApplication::exit(code);
    };
    std::optional<QString> urlPassword;
    auto stack = stackFromArguments(p.value(project), p.value(dsn), service->catalog()->profiles(), &urlPassword);
    if (!stack)
        return exitWith(fail(stack.error()));
    BackupRequest req = BackupPreferences::request(stack.value());
    const BackupRequest builtIn = [&] {
        BackupRequest r;
        r.outputRoot = BackupEngine::defaultOutputRoot(req.stack);
        r.components = Component::all();
        return r;
    }();
    req.password = urlPassword;
    bool ok = false;
    if (p.isSet(jobs)) {
        req.jobs = p.value(jobs).toInt(&ok);
        if (!ok || req.jobs < 1 || req.jobs > 16)
            return exitWith(fail(QStringLiteral("--jobs must be between 1 and 16")));
    }
    if (p.isSet(compress)) {
        req.compressLevel = p.value(compress).toInt(&ok);
        if (!ok || req.compressLevel < 0 || req.compressLevel > 9)
            return exitWith(fail(QStringLiteral("--compress must be between 0 and 9")));
    }
    if (p.isSet(components))
        req.components = p.value(components).split(u',', Qt::SkipEmptyParts);
    for (const QString &c : std::as_const(req.components))
        if (!Component::all().contains(c))
            return exitWith(fail(QStringLiteral("unknown component \"%1\"; known: %2")
                                     .arg(c, Component::all().join(QStringLiteral(", ")))));
    if (p.isSet(outOpt))
        req.outputRoot = QDir(p.value(outOpt)).absolutePath();
    if (p.isSet(storage))
        req.storageDir = p.value(storage);
    // Say which of the run's choices came from Lifeboat rather than from the built-in defaults.
    QStringList saved;
    if (req.outputRoot != builtIn.outputRoot && !p.isSet(outOpt))
        saved << QStringLiteral("backup root %1").arg(req.outputRoot);
    if (req.components != builtIn.components && !p.isSet(components))
        saved << QStringLiteral("components %1").arg(req.components.join(u','));
    if (req.jobs != builtIn.jobs && !p.isSet(jobs))
        saved << QStringLiteral("%1 connections").arg(req.jobs);
    if (req.compressLevel != builtIn.compressLevel && !p.isSet(compress))
        saved << QStringLiteral("compression %1").arg(req.compressLevel);
    if (!req.storageDir.isEmpty() && !p.isSet(storage))
        saved << QStringLiteral("storage folder %1").arg(req.storageDir);
    if (!saved.isEmpty())
        err() << "lifeboat-cli: using the choices saved in Lifeboat for " << req.stack.name << ": "
              << saved.join(QStringLiteral("; ")) << " (the options override them).\n";
    const bool asJson = p.isSet(json);
    const bool showLog = p.isSet(verbose);
    const bool sendNotice = p.isSet(notify);
    const int waitSeconds = p.value(wait).toInt();
    const bool tty = ::isatty(STDERR_FILENO);

    service->secrets()
        ->readPassword(req.stack.id)
        .then(service, [req, asJson, tty, showLog, sendNotice, waitSeconds](SecretStore::ReadResult stored) mutable {
            if (!req.password && stored.password)
                req.password = stored.password;
            req.passwordFallbacks = Credentials::forStack(req.stack, req.password).fallbacks;
            waitUntilUp(req, waitSeconds, [=](const QString &notUp) {
                if (!notUp.isEmpty()) {
                    BackupResult r;
                    r.outcome = BackupOutcome::Failed;
                    r.message = notUp;
                    err() << "Backup failed: " << notUp << '\n';
                    err().flush();
                    finishRun(req, r, sendNotice, 1);
                    return;
                }
                startRun(req, asJson, tty, showLog, sendNotice);
            });
        });
}

namespace {

void startRun(const BackupRequest &req, bool asJson, bool tty, bool showLog, bool sendNotice)
{
    {
        std::signal(SIGINT, onSigint);
        std::signal(SIGTERM, onSigint);
        std::shared_ptr<BackupJob> job = BackupEngine::start(req);
        auto *poll = new QTimer(job.get());
        QObject::connect(poll, &QTimer::timeout, job.get(), [raw = job.get()] {
            if (g_interrupted.load() && !raw->isCancelRequested()) {
                err() << "\nCancelling…\n";
                raw->cancel();
            }
        });
        poll->start(100);

        if (showLog)
            QObject::connect(job.get(), &BackupJob::logLine, job.get(), [](const QString &c, const QString &line) {
                err() << (c.isEmpty() ? QString() : QStringLiteral("[%1] ").arg(c)) << line << '\n';
                err().flush();
            });
        auto current = std::make_shared<QString>();
        QObject::connect(job.get(),
                         &BackupJob::componentProgress,
                         job.get(),
                         [current](const QString &c, qint64, qint64, const QString &item) {
                             *current = item.isEmpty() ? c : c + QStringLiteral(": ") + item;
                         });
        QObject::connect(job.get(), &BackupJob::componentFinished, job.get(), [tty, asJson](const ComponentResult &c) {
            if (asJson)
                return;
            if (tty)
                err() << "\r\x1b[K";
            err() << QStringLiteral("%1 %2 (%3 s) %4\n")
                         .arg(ComponentResult::statusKey(c.status).leftJustified(9), c.name.leftJustified(15))
                         .arg(double(c.durationMs) / 1000.0, 0, 'f', 1)
                         .arg(c.message.isEmpty() ? countsText(c) : c.message);
            for (const QString &w : c.warnings)
                err() << "          warning: " << w << '\n';
            err().flush();
        });
        auto *watcher = new QFutureWatcher<BackupResult>(job.get());
        auto lastStep = std::make_shared<int>(-1);
        QObject::connect(
            watcher, &QFutureWatcherBase::progressValueChanged, job.get(), [tty, asJson, current, lastStep](int value) {
                if (asJson)
                    return;
                if (tty) {
                    const int width = 30, filled = value * width / 1000;
                    err() << "\r\x1b[K[" << QString(filled, u'=') << QString(width - filled, u' ')
                          << QStringLiteral("] %1%  ").arg(value / 10, 3) << current->left(60);
                    err().flush();
                } else if (value / 100 != *lastStep) {
                    *lastStep = value / 100;
                    err() << QStringLiteral("progress %1%\n").arg(value / 10);
                    err().flush();
                }
            });
        QObject::connect(
            watcher, &QFutureWatcherBase::finished, job.get(), [watcher, job, asJson, tty, req, sendNotice]() mutable {
                const BackupResult r = watcher->result();
                if (tty && !asJson)
                    err() << "\r\x1b[K";
                if (asJson) {
                    QJsonArray comps;
                    for (const ComponentResult &c : r.manifest.components)
                        comps.append(componentJson(c));
                    printJson(QJsonDocument(QJsonObject{{QStringLiteral("status"), outcomeKey(r.outcome)},
                                                        {QStringLiteral("path"), r.path},
                                                        {QStringLiteral("message"), r.message},
                                                        {QStringLiteral("failed_component"), r.failedComponent},
                                                        {QStringLiteral("size"), r.manifest.totalSize()},
                                                        {QStringLiteral("duration_ms"), r.manifest.durationMs},
                                                        {QStringLiteral("components"), comps}}));
                } else if (r.outcome == BackupOutcome::Complete) {
                    err() << QStringLiteral("Backup complete: %1 in %2 s\n")
                                 .arg(humanSize(r.manifest.totalSize()))
                                 .arg(double(r.manifest.durationMs) / 1000.0, 0, 'f', 1);
                    err().flush();
                    out() << r.path << '\n';
                    out().flush();
                } else {
                    err() << (r.outcome == BackupOutcome::Cancelled ? "Backup cancelled: " : "Backup failed: ")
                          << r.message << '\n';
                    if (!r.path.isEmpty())
                        err() << "Marked as " << outcomeKey(r.outcome) << ": " << r.path << '\n';
                    err().flush();
                }
                job.reset();
                finishRun(req,
                          r,
                          sendNotice,
                          r.outcome == BackupOutcome::Complete    ? 0
                          : r.outcome == BackupOutcome::Cancelled ? 130
                                                                  : 1);
            });
        watcher->setFuture(job->future());
        // The job stays alive through the lambdas until the run ends.
        QObject::connect(watcher, &QFutureWatcherBase::finished, watcher, [job] {});
    }
}

} // namespace

int runList(StackService *service, const QStringList &arguments)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("List backups."));
    const QCommandLineOption outOpt(QStringLiteral("out"), QStringLiteral("Backup root"), QStringLiteral("ROOT"));
    const QCommandLineOption project(
        QStringLiteral("project"), QStringLiteral("Project folder"), QStringLiteral("DIR"));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print JSON"));
    p.addOptions({outOpt, project, json});
    p.addHelpOption();
    p.process(arguments);

    // A folder named on the command line that is not there is a typo, not an empty history.
    // Each stack's backups are looked for where Lifeboat puts them: the root chosen for the
    // stack, and its default root (where backups made before that choice are).
    struct Root
    {
        QString path;
        QString onlyStack; ///< a root shared by several stacks, listed for one of them
    };
    QList<Root> roots;
    auto addRoot = [&roots](const QString &root, const QString &onlyStack = {}) {
        const QString path = QDir(root).absolutePath();
        if (std::none_of(roots.cbegin(), roots.cend(), [&](const Root &r) { return r.path == path; }))
            roots << Root{path, onlyStack};
    };
    auto addRootsOf = [&addRoot](const Stack &stack) {
        addRoot(BackupPreferences::root(stack));
        addRoot(BackupEngine::defaultOutputRoot(stack));
    };
    if (p.isSet(outOpt)) {
        if (!QFileInfo(p.value(outOpt)).isDir())
            return fail(QStringLiteral("no backup root at %1 (check --out: it is the folder given to "
                                       "`lifeboat-cli backup --out`)")
                            .arg(p.value(outOpt)));
        addRoot(p.value(outOpt));
    }
    if (p.isSet(project)) {
        if (!QFileInfo(p.value(project)).isDir())
            return fail(QStringLiteral("no project folder at %1 (check --project)").arg(p.value(project)));
        // The project's own supabase_backups folder whole, and the root chosen for its stack
        // (which other stacks may share) for this stack only.
        const Stack stack = StackScanner::stackFromProjectDir(p.value(project));
        addRoot(BackupEngine::defaultOutputRoot(stack));
        addRoot(BackupPreferences::root(stack), stack.id);
    }
    if (roots.isEmpty()) {
        for (const QString &dir : service->catalog()->projectDirs())
            addRootsOf(StackScanner::stackFromProjectDir(dir));
        for (const Stack &profile : service->catalog()->profiles())
            addRootsOf(profile);
        addRootsOf(Stack{});
    }
    QList<BackupInfo> all;
    for (const Root &root : std::as_const(roots))
        for (const BackupInfo &b : BackupStore::list(root.path))
            if (root.onlyStack.isEmpty() || b.stackId == root.onlyStack)
                all << b;
    std::stable_sort(all.begin(), all.end(), [](const BackupInfo &a, const BackupInfo &b) {
        return a.timestamp > b.timestamp; // newest first, whichever root holds it
    });

    if (p.isSet(json)) {
        QJsonArray a;
        for (const BackupInfo &b : std::as_const(all)) {
            QJsonObject o{{QStringLiteral("stack"), b.stackId},
                          {QStringLiteral("name"), b.name},
                          {QStringLiteral("path"), b.path},
                          {QStringLiteral("status"), BackupInfo::stateKey(b.state)}};
            if (!b.message.isEmpty())
                o.insert(QStringLiteral("message"), b.message);
            if (b.manifest) {
                o.insert(QStringLiteral("size"), b.manifest->totalSize());
                o.insert(QStringLiteral("started_at"), b.manifest->startedAt.toString(Qt::ISODateWithMs));
                o.insert(QStringLiteral("duration_ms"), b.manifest->durationMs);
                QJsonArray comps;
                for (const ComponentResult &c : b.manifest->components)
                    comps.append(QJsonObject{{QStringLiteral("name"), c.name},
                                             {QStringLiteral("status"), ComponentResult::statusKey(c.status)}});
                o.insert(QStringLiteral("components"), comps);
            }
            a.append(o);
        }
        printJson(QJsonDocument(QJsonObject{{QStringLiteral("backups"), a}}));
        return 0;
    }
    if (all.isEmpty()) {
        QStringList paths;
        for (const Root &root : std::as_const(roots))
            paths << root.path;
        out() << "No backups in " << paths.join(QStringLiteral(", ")) << ".\n";
        return 0;
    }
    out() << QStringLiteral("%1  %2  %3  %4  %5\n")
                 .arg(QStringLiteral("STACK").leftJustified(16),
                      QStringLiteral("BACKUP").leftJustified(17),
                      QStringLiteral("STATUS").leftJustified(10),
                      QStringLiteral("SIZE").rightJustified(9),
                      QStringLiteral("PATH"));
    for (const BackupInfo &b : std::as_const(all)) {
        out() << QStringLiteral("%1  %2  %3  %4  %5\n")
                     .arg(b.stackId.leftJustified(16),
                          b.name.leftJustified(17),
                          BackupInfo::stateKey(b.state).leftJustified(10),
                          (b.manifest ? humanSize(b.manifest->totalSize()) : QStringLiteral("-")).rightJustified(9),
                          b.path);
        if (!b.message.isEmpty() && b.state != BackupInfo::State::Complete)
            out() << "    " << b.message << '\n';
    }
    out().flush();
    return 0;
}

int runShow(const QStringList &arguments)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Show a backup's manifest."));
    p.addPositionalArgument(QStringLiteral("backup"), QStringLiteral("Backup folder"));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print manifest.json"));
    p.addOption(json);
    p.addHelpOption();
    p.process(arguments);
    if (p.positionalArguments().size() != 1)
        return fail(QStringLiteral("usage: lifeboat-cli show BACKUP [--json]"));
    const BackupInfo info = BackupStore::inspect(p.positionalArguments().first());
    if (!info.manifest)
        return fail(QStringLiteral("%1 is %2: %3").arg(info.path, BackupInfo::stateKey(info.state), info.message), 1);
    if (p.isSet(json))
        out() << info.manifest->toJson();
    else
        out() << info.manifest->toMarkdown();
    out().flush();
    return 0;
}

int runVerify(const QStringList &arguments)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Check every file of a backup against its SHA-256."));
    p.addPositionalArgument(QStringLiteral("backup"), QStringLiteral("Backup folder"));
    p.addHelpOption();
    p.process(arguments);
    if (p.positionalArguments().size() != 1)
        return fail(QStringLiteral("usage: lifeboat-cli verify BACKUP"));
    const QString path = p.positionalArguments().first();
    if (!QFileInfo(path).isDir())
        return fail(QStringLiteral("no backup folder at %1").arg(path));
    const VerifyReport report = BackupStore::verify(path);
    RunCatalog().recordVerification(QFileInfo(path).absoluteFilePath(), report);
    if (report.ok()) {
        out() << "OK: " << report.filesChecked << " files match their SHA-256 in " << path << '\n';
        out().flush();
        return 0;
    }
    for (const QString &problem : report.problems)
        err() << problem << '\n';
    err() << "DAMAGED: " << report.problems.size() << " problem(s) in " << path << '\n';
    err().flush();
    return 1;
}

int runDelete(const QStringList &arguments)
{
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("Delete one backup folder: a complete backup, or what a failed, cancelled or killed run left. "
                       "A backup still being written is refused."));
    p.addPositionalArgument(QStringLiteral("backup"), QStringLiteral("Backup folder (see lifeboat-cli list)"));
    const QCommandLineOption yes(QStringLiteral("yes"), QStringLiteral("Do not ask (required without a terminal)"));
    p.addOption(yes);
    p.addHelpOption();
    p.process(arguments);
    if (p.positionalArguments().size() != 1)
        return fail(QStringLiteral("give one BACKUP folder (see --help)"));
    const QString path = QDir(p.positionalArguments().first()).absolutePath();
    if (!QFileInfo(path).isDir())
        return fail(QStringLiteral("no backup folder at %1 (see lifeboat-cli list)").arg(path));
    if (!BackupStore::isBackupFolderName(QFileInfo(path).fileName()))
        return fail(QStringLiteral("%1 is not a Lifeboat backup folder (<root>/<stack>/<YYYYMMDD-HHMMSS>); nothing "
                                   "was deleted")
                        .arg(path));
    const BackupInfo info = BackupStore::inspect(path);
    if (info.state == BackupInfo::State::Running)
        return fail(QStringLiteral("%1 is still being written: %2 Cancel that backup, or wait for it to finish.")
                        .arg(path, info.message),
                    1);
    const QString what
        = info.manifest
              ? QStringLiteral("the %1 backup %2 of %3 (%4)")
                    .arg(BackupInfo::stateKey(info.state),
                         info.name,
                         info.stackId,
                         humanSize(info.manifest->totalSize()))
              : QStringLiteral("the %1 run %2 of %3").arg(BackupInfo::stateKey(info.state), info.name, info.stackId);
    if (const int refused = confirm(p.isSet(yes),
                                    QStringLiteral("Delete %1?\nThis removes %2 and everything in it.").arg(what, path),
                                    QStringLiteral("delete %1").arg(path)))
        return refused;
    if (const Status st = BackupStore::remove(path); !st)
        return fail(st.error(), 1);
    out() << "Deleted " << what << ": " << path << '\n';
    out().flush();
    return 0;
}

int runPrune(StackService *service, const QStringList &arguments)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Delete the complete backups of a stack beyond the last N, as Lifeboat's retention does: the newest "
        "verified backup always stays, and failed, cancelled or incomplete runs are left alone (see delete)."));
    const QCommandLineOption project(
        QStringLiteral("project"), QStringLiteral("Supabase project folder"), QStringLiteral("DIR"));
    const QCommandLineOption dsn(
        QStringLiteral("dsn"), QStringLiteral("postgresql://USER@HOST:PORT/DB"), QStringLiteral("URL"));
    const QCommandLineOption outOpt(QStringLiteral("out"),
                                    QStringLiteral("Backup root (default: the stack's, as chosen in Lifeboat)"),
                                    QStringLiteral("ROOT"));
    const QCommandLineOption keepOpt(QStringLiteral("keep"),
                                     QStringLiteral("Complete backups to keep (default: Settings… → Keep per stack)"),
                                     QStringLiteral("N"));
    const QCommandLineOption dryRun(QStringLiteral("dry-run"),
                                    QStringLiteral("Say what would be deleted, delete nothing"));
    const QCommandLineOption yes(QStringLiteral("yes"), QStringLiteral("Do not ask (required without a terminal)"));
    p.addOptions({project, dsn, outOpt, keepOpt, dryRun, yes});
    p.addHelpOption();
    p.process(arguments);

    std::optional<QString> urlPassword;
    auto stack = stackFromArguments(p.value(project), p.value(dsn), service->catalog()->profiles(), &urlPassword);
    if (!stack)
        return fail(stack.error());
    int keep = BackupPreferences::keepLast();
    if (p.isSet(keepOpt)) {
        bool ok = false;
        keep = p.value(keepOpt).toInt(&ok);
        if (!ok || keep < 1)
            return fail(QStringLiteral("--keep must be 1 or more (to delete every backup, use delete)"));
    }
    if (keep <= 0) {
        out() << "Retention keeps every backup (set Keep per stack in Lifeboat's Settings, or give --keep N); "
                 "nothing to delete.\n";
        return 0;
    }
    const QString root = p.isSet(outOpt) ? QDir(p.value(outOpt)).absolutePath() : BackupPreferences::root(*stack);
    if (!QFileInfo(root).isDir())
        return fail(QStringLiteral("no backup root at %1 (check --out, or the stack's backup folder)").arg(root));

    QList<BackupInfo> backups;
    const RunCatalog catalog;
    for (BackupInfo &b : BackupStore::list(root)) {
        if (b.stackId != stack->id)
            continue;
        if (auto v = catalog.verification(b.path))
            b.verifiedOk = v->ok;
        backups << b;
    }
    const QStringList beyond = backupsBeyondRetention(backups, keep);
    out() << "Keeping the last " << keep << " complete backup(s) of " << stack->name
          << " and the newest verified one, in " << root << ".\n";
    if (beyond.isEmpty()) {
        out() << "Nothing to delete.\n";
        return 0;
    }
    qint64 bytes = 0;
    for (const BackupInfo &b : std::as_const(backups)) {
        if (beyond.contains(b.path)) {
            bytes += b.manifest ? b.manifest->totalSize() : 0;
            out() << "  " << (p.isSet(dryRun) ? "would delete " : "to delete ") << b.name << "  "
                  << (b.manifest ? humanSize(b.manifest->totalSize()) : QStringLiteral("-")) << "  " << b.path << '\n';
        }
    }
    out().flush();
    if (p.isSet(dryRun)) {
        out() << "Dry run: nothing was deleted.\n";
        return 0;
    }
    if (const int refused
        = confirm(p.isSet(yes),
                  QStringLiteral("Delete these %1 backup(s) (%2)?").arg(beyond.size()).arg(humanSize(bytes)),
                  QStringLiteral("delete %1 backup(s)").arg(beyond.size())))
        return refused;
    int failed = 0;
    for (const QString &path : beyond) {
        if (const Status st = BackupStore::remove(path); !st) {
            ++failed;
            err() << "lifeboat-cli: " << st.error() << '\n';
        }
    }
    out() << "Deleted " << beyond.size() - failed << " backup(s).\n";
    out().flush();
    return failed ? 1 : 0;
}

} // namespace lifeboat::cli
