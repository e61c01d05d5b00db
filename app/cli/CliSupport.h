#pragma once

#include <QString>

namespace lifeboat::cli {

/// "1.2 MB": sizes as the CLI prints them.
QString humanSize(qint64 bytes);

/// Prints "lifeboat-cli: MESSAGE" on stderr and returns `code` (2: bad arguments).
int fail(const QString &message, int code = 2);

/// Asks on the terminal, unless `yes`; without a terminal only `yes` confirms. 0 when
/// confirmed, else 4 after saying why nothing was done (`action`: "delete X").
int confirm(bool yes, const QString &question, const QString &action);

} // namespace lifeboat::cli
