#include "AppInfo.h"
#include "MainWindow.h"
#include "SecretStore.h"
#include "StackCatalog.h"
#include "StackService.h"

#include <QApplication>
#include <QCommandLineParser>

int main(int argc, char *argv[])
{
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
    parser.process(app);

    lifeboat::StackCatalog catalog;
    lifeboat::SecretStore secrets;
    lifeboat::StackService service(&catalog, &secrets);
    lifeboat::MainWindow window(&service, parser.values(scan));
    window.show();
    return app.exec();
}
