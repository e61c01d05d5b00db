// The commands that work on backup folders already on disk: list, show, verify, delete, prune.
#include "BackupCommands.h"

#include "BackupEngine.h"
#include "BackupPreferences.h"
#include "BackupStore.h"
#include "CliOutput.h"
#include "CliSupport.h"
#include "RetentionPolicy.h"
#include "RunCatalog.h"
#include "StackArguments.h"
#include "StackScanner.h"
#include "StackService.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>

#include <algorithm>

namespace lifeboat::cli {

namespace {

/// `show` and `verify` on a folder that has no complete backup: says what the folder is
/// (a run that never finished, a failed one, not a backup at all) and returns the exit code.
int failNotComplete(const BackupInfo &info)
{
    if (info.state == BackupInfo::State::Damaged && !BackupStore::isBackupFolderName(QFileInfo(info.path).fileName())
        && !QFileInfo::exists(info.path + QStringLiteral("/manifest.json")))
        return fail(QStringLiteral("%1 is not a Lifeboat backup folder (it has no manifest.json); "
                                   "`lifeboat-cli list` shows the backups")
                        .arg(info.path));
    return fail(QStringLiteral("%1 is %2: %3").arg(info.path, BackupInfo::stateKey(info.state), info.message), 1);
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
    parseOrExit(p, arguments, QStringLiteral("list"));

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
    p.addPositionalArgument(QStringLiteral("BACKUP"), QStringLiteral("The backup folder"));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print manifest.json"));
    p.addOption(json);
    parseOrExit(p, arguments, QStringLiteral("show"));
    if (p.positionalArguments().size() != 1)
        return fail(QStringLiteral("usage: lifeboat-cli show BACKUP [--json]"));
    const BackupInfo info = BackupStore::inspect(p.positionalArguments().first());
    if (!info.manifest)
        return failNotComplete(info);
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
    p.addPositionalArgument(QStringLiteral("BACKUP"), QStringLiteral("The backup folder"));
    parseOrExit(p, arguments, QStringLiteral("verify"));
    if (p.positionalArguments().size() != 1)
        return fail(QStringLiteral("usage: lifeboat-cli verify BACKUP"));
    const QString path = p.positionalArguments().first();
    if (!QFileInfo(path).isDir())
        return fail(QStringLiteral("no backup folder at %1").arg(path));
    // A damaged backup is verified, so each problem is named; a run that never finished, failed
    // or is still being written has nothing to check, and a folder of something else is no backup.
    const BackupInfo info = BackupStore::inspect(path);
    if (info.state != BackupInfo::State::Complete
        && (info.state != BackupInfo::State::Damaged || !BackupStore::isBackupFolderName(QFileInfo(path).fileName())))
        return failNotComplete(info);
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
    p.addPositionalArgument(QStringLiteral("BACKUP"), QStringLiteral("The backup folder (see lifeboat-cli list)"));
    const QCommandLineOption yes(QStringLiteral("yes"), QStringLiteral("Do not ask (required without a terminal)"));
    p.addOption(yes);
    parseOrExit(p, arguments, QStringLiteral("delete"));
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
    parseOrExit(p, arguments, QStringLiteral("prune"));

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
