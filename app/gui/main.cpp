#include "AppInfo.h"
#include "BackupService.h"
#include "DesktopNotifier.h"
#include "MainWindow.h"
#include "ProcessSetup.h"
#include "RunCatalog.h"
#include "SecretStore.h"
#include "SettingsDialog.h"
#include "SingleInstance.h"
#include "StackCatalog.h"
#include "StackService.h"
#include "StartupBackup.h"
#include "TerminationSignals.h"
#include "TrayController.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QJsonArray>
#include <QTimer>

#include <cstdio>

namespace {

// A folder named on the command line, made absolute: the running Lifeboat has another
// working folder. Anything else (a stack id or name) is passed as it is.
QString absoluteIfFolder(const QString &arg)
{
    const QFileInfo info(arg);
    return info.isDir() ? info.absoluteFilePath() : arg;
}

// What a later start of Lifeboat asks of the running one, and its answer.
void serve(lifeboat::SingleInstance &instance,
           quint64 id,
           const QJsonObject &request,
           lifeboat::MainWindow &window,
           const std::function<lifeboat::StartupBackup *()> &newStartupBackup)
{
    using Answer = lifeboat::SingleInstance::Answer;
    const qint64 pid = QCoreApplication::applicationPid();
    if (window.isQuitting()) {
        instance.answer(id,
                        {1,
                         QCoreApplication::translate("main",
                                                     "Lifeboat (process %1) is quitting: start it again once it "
                                                     "has gone.")
                             .arg(pid)});
        return;
    }
    QStringList roots;
    for (const QJsonValue &root : request.value(QStringLiteral("scan")).toArray())
        roots << root.toString();
    window.addScanRoots(roots);

    const QString action = request.value(QStringLiteral("action")).toString();
    if (action == QLatin1String("startup-backup")) {
        const QString stack = request.value(QStringLiteral("stack")).toString();
        lifeboat::StartupBackup *startup = newStartupBackup();
        const bool waitForIt = request.value(QStringLiteral("wait_for_result")).toBool();
        QObject::connect(
            startup,
            &lifeboat::StartupBackup::finished,
            &instance,
            [&instance, id, waitForIt, startup, pid](int code, const QString &message) {
                if (waitForIt)
                    instance.answer(
                        id,
                        {code, QCoreApplication::translate("main", "Lifeboat (process %1): %2").arg(pid).arg(message)});
                startup->deleteLater();
            });
        startup->start(stack, request.value(QStringLiteral("wait")).toInt(120));
        if (!waitForIt)
            instance.answer(id,
                            {0,
                             QCoreApplication::translate("main",
                                                         "Lifeboat already runs (process %1): it "
                                                         "backs up %2 once it is up.")
                                 .arg(pid)
                                 .arg(stack)});
        return;
    }
    if (action == QLatin1String("show")) {
        window.bringToFront();
        instance.answer(
            id,
            {0,
             QCoreApplication::translate("main", "Lifeboat already runs (process %1): its window is in front.")
                 .arg(pid)});
        return;
    }
    instance.answer(id, Answer{0, QCoreApplication::translate("main", "Lifeboat already runs (process %1).").arg(pid)});
}

} // namespace

int main(int argc, char *argv[])
{
    lifeboat::prepareProcess();
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
    const bool startupMode = parser.isSet(startup);
    // A startup backup runs in the tray, or hidden where there is no tray.
    const bool toTray = parser.isSet(hidden) || lifeboat::SettingsDialog::startInTray();

    // One Lifeboat per user: a later start hands its request to the running one and exits.
    lifeboat::SingleInstance instance;
    const lifeboat::SingleInstance::Role role = instance.claim();
    if (role == lifeboat::SingleInstance::Role::Later) {
        QJsonArray roots;
        for (const QString &root : parser.values(scan))
            roots.append(absoluteIfFolder(root));
        QJsonObject request{{QStringLiteral("scan"), roots}};
        if (startupMode) {
            request.insert(QStringLiteral("action"), QStringLiteral("startup-backup"));
            request.insert(QStringLiteral("stack"), absoluteIfFolder(parser.value(startup)));
            request.insert(QStringLiteral("wait"), parser.value(wait).toInt());
            // Whoever asked to quit when done waits for the outcome: it is the exit status.
            request.insert(QStringLiteral("wait_for_result"), parser.isSet(quitWhenDone));
        } else {
            request.insert(QStringLiteral("action"),
                           parser.isSet(hidden) ? QStringLiteral("none") : QStringLiteral("show"));
        }
        const auto answer = instance.forward(request);
        if (!answer) {
            std::fprintf(stderr, "lifeboat: %s\n", qPrintable(answer.error()));
            return 1;
        }
        std::fprintf(answer->code == 0 ? stdout : stderr, "lifeboat: %s\n", qPrintable(answer->message));
        return answer->code;
    }
    if (role == lifeboat::SingleInstance::Role::First && startupMode && parser.isSet(quitWhenDone))
        instance.release(); // it goes away after its backup: a later start gets a Lifeboat of its own
    else if (role == lifeboat::SingleInstance::Role::Alone)
        std::fprintf(stderr,
                     "lifeboat: warning: %s A second start of Lifeboat will not find this one.\n",
                     qPrintable(instance.error()));

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

    if (!startupMode && !(toTray && tray.hasTray()))
        window.show();

    const auto newStartupBackup = [&] {
        return new lifeboat::StartupBackup(&window, &service, &backups, &tray, &window);
    };
    QObject::connect(
        &instance, &lifeboat::SingleInstance::requested, &window, [&](quint64 id, const QJsonObject &request) {
            serve(instance, id, request, window, newStartupBackup);
        });

    lifeboat::StartupBackup startupBackup(&window, &service, &backups, &tray);
    if (startupMode) {
        QObject::connect(
            &startupBackup, &lifeboat::StartupBackup::finished, &app, [&](int code, const QString &message) {
                std::fprintf(code == 0 ? stdout : stderr, "lifeboat: %s\n", qPrintable(message));
                if (parser.isSet(quitWhenDone))
                    QTimer::singleShot(500, &app, [code] { QCoreApplication::exit(code); });
            });
        startupBackup.start(parser.value(startup), parser.value(wait).toInt());
    }
    return app.exec();
}
