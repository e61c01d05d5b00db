#include "AppInfo.h"
#include "BackupService.h"
#include "DesktopNotifier.h"
#include "MainWindow.h"
#include "RunCatalog.h"
#include "SecretStore.h"
#include "SettingsDialog.h"
#include "StackCatalog.h"
#include "StackService.h"
#include "StartupBackup.h"
#include "TerminationSignals.h"
#include "TrayController.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

#include <csignal>

int main(int argc, char *argv[])
{
    std::signal(SIGXFSZ, SIG_IGN); // a write past a file-size limit fails with an error instead
    std::signal(SIGPIPE, SIG_IGN); // a tool that exits early must not take us down with it
    QApplication app(argc, argv);
    lifeboat::setApplicationInfo();
    QApplication::setApplicationDisplayName(QStringLiteral("Lifeboat"));
    QApplication::setDesktopFileName(QStringLiteral("lifeboat"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QCoreApplication::translate("main", "Backups for local Supabase and PostgreSQL stacks."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption scan(QStringList{QStringLiteral("scan")},
                                  QCoreApplication::translate("main", "Also look for Supabase projects below DIR."),
                                  QStringLiteral("DIR"));
    parser.addOption(scan);
    const QCommandLineOption startup(
        QStringList{QStringLiteral("startup-backup")},
        QCoreApplication::translate("main", "Start in the tray, wait for STACK (an id, a name or a project folder) to "
                                            "come up, back it up and notify."),
        QStringLiteral("STACK"));
    const QCommandLineOption quitWhenDone(QStringList{QStringLiteral("quit-when-done")},
                                          QCoreApplication::translate("main", "Exit after the startup backup."));
    const QCommandLineOption wait(QStringList{QStringLiteral("wait")},
                                  QCoreApplication::translate("main", "Seconds to wait for the database (default 120)."),
                                  QStringLiteral("SECONDS"), QStringLiteral("120"));
    const QCommandLineOption hidden(QStringList{QStringLiteral("hidden")},
                                    QCoreApplication::translate("main", "Start in the tray without the window."));
    parser.addOptions({startup, quitWhenDone, wait, hidden});
    parser.process(app);

    lifeboat::StackCatalog catalog;
    lifeboat::SecretStore secrets;
    lifeboat::StackService service(&catalog, &secrets);
    lifeboat::RunCatalog runCatalog;
    lifeboat::BackupService backups(&runCatalog);
    lifeboat::DesktopNotifier notifier;
    lifeboat::MainWindow window(&service, &backups, parser.values(scan));
    lifeboat::TrayController tray(&window, &backups, &notifier);
    // A logout or `kill` stops what runs, records it, and quits, as File > Quit does.
    lifeboat::TerminationSignals terminate;
    QObject::connect(
        &terminate, &lifeboat::TerminationSignals::received, &window, [&window] { window.quitApplication(false); });

    const bool startupMode = parser.isSet(startup);
    // A startup backup runs in the tray, or hidden where there is no tray.
    const bool toTray = parser.isSet(hidden) || lifeboat::SettingsDialog::startInTray();
    if (!startupMode && !(toTray && tray.hasTray()))
        window.show();

    lifeboat::StartupBackup startupBackup(&window, &service, &backups, &tray);
    if (startupMode) {
        QObject::connect(&startupBackup, &lifeboat::StartupBackup::finished, &app, [&](int code) {
            if (parser.isSet(quitWhenDone))
                QTimer::singleShot(500, &app, [code] { QCoreApplication::exit(code); });
        });
        startupBackup.start(parser.value(startup), parser.value(wait).toInt());
    }
    return app.exec();
}
