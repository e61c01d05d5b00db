#include "BackupCommands.h"

#include "BackupEngine.h"
#include "BackupPreferences.h"
#include "CliOutput.h"
#include "CliSupport.h"
#include "Credentials.h"
#include "DesktopNotifier.h"
#include "RunCatalog.h"
#include "StackArguments.h"
#include "StackService.h"
#include "StatusProbe.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QJsonArray>
#include <QJsonObject>
#include <QTimer>

#include <atomic>
#include <csignal>
#include <functional>
#include <memory>
#include <unistd.h>

namespace lifeboat::cli {

namespace {

std::atomic_bool g_interrupted{false};

void onSigint(int)
{
    g_interrupted = true;
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
    parseOrExit(p, arguments, QStringLiteral("backup"));

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
        for (int signalNumber : {SIGINT, SIGTERM, SIGHUP})
            std::signal(signalNumber, onSigint);
        std::shared_ptr<BackupJob> job = BackupEngine::start(req);
        auto *poll = new QTimer(job.get());
        QObject::connect(poll, &QTimer::timeout, job.get(), [raw = job.get()] {
            if (g_interrupted.load() && !raw->isCancelRequested()) {
                err() << "\nCancelling…\n";
                raw->cancel();
            }
        });
        poll->start(100);

        // The backup's own lines (its snapshot, a wait for a locked table) always; the
        // components' with --verbose.
        if (!asJson)
            QObject::connect(
                job.get(), &BackupJob::logLine, job.get(), [showLog, tty](const QString &c, const QString &line) {
                    if (!showLog && !c.isEmpty())
                        return;
                    if (tty)
                        err() << "\r\x1b[K";
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

} // namespace lifeboat::cli
