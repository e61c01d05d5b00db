#pragma once

#include <QString>
#include <QStringList>

class QCommandLineParser;

namespace lifeboat::cli {

/// "1.2 MB": sizes as the CLI prints them.
QString humanSize(qint64 bytes);

/// Prints "lifeboat-cli: MESSAGE" on stderr and returns `code` (2: bad arguments).
int fail(const QString &message, int code = 2);

/// Asks on the terminal, unless `yes`; without a terminal only `yes` confirms. 0 when
/// confirmed, else 4 after saying why nothing was done (`action`: "delete X").
int confirm(bool yes, const QString &question, const QString &action);

/// Adds --help to `p` and parses `arguments` (as main passes them: the program, then the
/// command's own words). --help prints the options under "Usage: lifeboat-cli COMMAND" and
/// exits 0; an unknown option or a missing value is named with the way to the help and
/// exits 2, like every other bad argument.
void parseOrExit(QCommandLineParser &p, const QStringList &arguments, const QString &command);

} // namespace lifeboat::cli
