#include "AppInfo.h"
#include "BackupCommands.h"
#include "CliOutput.h"
#include "CliSupport.h"
#include "ProcessSetup.h"
#include "RestoreCommand.h"
#include "SecretStore.h"
#include "StackCatalog.h"
#include "StackService.h"
#include "StacksCommand.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTimer>

using namespace lifeboat;

namespace {

const char *const Usage = "Usage: lifeboat-cli COMMAND [OPTIONS]\n"
                          "\n"
                          "Commands:\n"
                          "  stacks [--scan DIR]... [--json]   List known stacks and whether each is up\n"
                          "  profile add NAME [--host H] [--port P] [--database D] [--user U] [--password-stdin]\n"
                          "  profile remove ID                 Forget a PostgreSQL profile and its password\n"
                          "  backup (--project DIR | --dsn URL) [--out ROOT] [--components a,b] [--jobs N]\n"
                          "         [--compress LEVEL] [--storage-dir DIR] [--json]\n"
                          "  list [--out ROOT | --project DIR] [--json]\n"
                          "  show BACKUP [--json]              The manifest of one backup\n"
                          "  verify BACKUP                     Check every file against its SHA-256\n"
                          "  delete BACKUP [--yes]             Delete a backup, or what a failed or killed run left\n"
                          "  prune (--project DIR | --dsn URL) [--keep N] [--dry-run] [--yes]\n"
                          "                                    Delete complete backups beyond the last N\n"
                          "  restore BACKUP (--dsn URL | --project DIR | --new-db NAME --dsn SERVER_URL)\n"
                          "         [--only ITEM,...] [--conflict replace|truncate|append|skip]\n"
                          "         [--no-safety-backup] [--dry-run] [--script FILE] [--yes] [--json] [--list]\n"
                          "\n"
                          "Run `lifeboat-cli COMMAND --help` for a command's options.\n"
                          "\n"
                          "Exit status: 0 done; 1 failed (or verify found a bad file); 2 bad arguments;\n"
                          "3 restore refused, nothing changed (a damaged backup, no safety backup); 4 not confirmed;\n"
                          "130 cancelled.\n";

} // namespace

int main(int argc, char *argv[])
{
    prepareProcess();
    QCoreApplication app(argc, argv);
    setApplicationInfo();

    QStringList args = app.arguments();
    const QString command = args.size() > 1 ? args.at(1) : QString();
    if (command.isEmpty() || command == QLatin1String("--help") || command == QLatin1String("-h")
        || command == QLatin1String("help")) {
        cli::out() << Usage;
        cli::out().flush();
        return command.isEmpty() ? 2 : 0;
    }
    if (command == QLatin1String("--version")) {
        cli::out() << "lifeboat-cli " << QCoreApplication::applicationVersion() << '\n';
        return 0;
    }
    args.removeAt(1); // the sub-parsers see "lifeboat-cli [options]"

    StackCatalog catalog;
    SecretStore secrets;
    StackService service(&catalog, &secrets);

    if (command == QLatin1String("stacks")) {
        QCommandLineParser p;
        p.setApplicationDescription(QStringLiteral("List known stacks and whether each is up."));
        const QCommandLineOption scan(QStringLiteral("scan"), QStringLiteral("Also look for Supabase projects below DIR"),
                                      QStringLiteral("DIR"));
        const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print JSON"));
        p.addOptions({scan, json});
        cli::parseOrExit(p, args, QStringLiteral("stacks"));
        QTimer::singleShot(0, &app, [&] { cli::runStacks(&service, p.values(scan), p.isSet(json)); });
        return app.exec();
    }
    if (command == QLatin1String("backup")) {
        QTimer::singleShot(0, &app, [&] { cli::runBackup(&service, args); });
        return app.exec();
    }
    if (command == QLatin1String("list"))
        return cli::runList(&service, args);
    if (command == QLatin1String("show"))
        return cli::runShow(args);
    if (command == QLatin1String("verify"))
        return cli::runVerify(args);
    if (command == QLatin1String("delete"))
        return cli::runDelete(args);
    if (command == QLatin1String("prune"))
        return cli::runPrune(&service, args);
    if (command == QLatin1String("restore")) {
        QTimer::singleShot(0, &app, [&] { cli::runRestore(&service, args); });
        return app.exec();
    }
    if (command == QLatin1String("profile")) {
        QTimer::singleShot(0, &app, [&] { cli::runProfile(&service, args); });
        return app.exec();
    }

    cli::err() << "lifeboat-cli: unknown command \"" << command << "\".\n\n" << Usage;
    return 2;
}
