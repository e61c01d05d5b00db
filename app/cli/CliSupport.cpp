#include "CliSupport.h"

#include "CliOutput.h"

#include <QLocale>

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

} // namespace lifeboat::cli
