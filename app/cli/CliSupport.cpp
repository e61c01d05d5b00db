#include "CliSupport.h"

#include "CliOutput.h"

#include <QCommandLineParser>
#include <QLocale>

#include <cstdlib>
#include <iostream>
#include <string>
#include <unistd.h>

namespace lifeboat::cli {

QString humanSize(qint64 bytes)
{
    return QLocale::c().formattedDataSize(bytes, 1, QLocale::DataSizeTraditionalFormat);
}

int fail(const QString &message, int code)
{
    err() << "lifeboat-cli: " << message << '\n';
    err().flush();
    return code;
}

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

void parseOrExit(QCommandLineParser &p, const QStringList &arguments, const QString &command)
{
    // Not addHelpOption(): its --help-all (Qt's own options) means nothing here.
    const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help"));
    p.addOption(help);
    if (!p.parse(arguments)) {
        fail(QStringLiteral("%1: %2\nRun `lifeboat-cli %1 --help` for its options.").arg(command, p.errorText()));
        std::exit(2);
    }
    if (p.isSet(help)) {
        // Qt names the program by argv[0] (a path); a command's help names the command.
        QString text = p.helpText();
        const QString program = arguments.value(0);
        if (text.startsWith(QLatin1String("Usage: ") + program))
            text.replace(7, program.size(), QLatin1String("lifeboat-cli ") + command);
        out() << text;
        out().flush();
        std::exit(0);
    }
}

} // namespace lifeboat::cli
