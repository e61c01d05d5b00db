#include "StackArguments.h"

#include "CliOutput.h"
#include "Credentials.h"
#include "StackScanner.h"

#include <QFileInfo>

namespace lifeboat::cli {

Result<Stack> stackFromArguments(const QString &projectDir, const QString &dsn, std::optional<QString> *urlPassword)
{
    if (projectDir.isEmpty() == dsn.isEmpty())
        return Error{QStringLiteral("give exactly one of --project DIR or --dsn URL")};
    if (!projectDir.isEmpty()) {
        if (!QFileInfo(projectDir + QStringLiteral("/supabase/config.toml")).isFile())
            return Error{QStringLiteral("%1 has no supabase/config.toml; give the project folder").arg(projectDir)};
        Stack stack = StackScanner::stackFromProjectDir(projectDir);
        if (stack.hasConfigError())
            return Error{stack.configError};
        return stack;
    }
    auto info = parseConnectionString(dsn, urlPassword);
    if (!info)
        return Error{info.error()};
    if (*urlPassword)
        err() << "lifeboat-cli: warning: a password in the URL ends up in shell history and process lists; "
                 "prefer ~/.pgpass or PGPASSFILE.\n";
    Stack stack;
    stack.kind = Stack::Kind::PostgresProfile;
    stack.connection = info.value();
    stack.name = QStringLiteral("%1@%2:%3").arg(info->database, info->host).arg(info->port);
    stack.id = stackIdFromName(QStringLiteral("%1-%2").arg(info->database).arg(info->port));
    return stack;
}

} // namespace lifeboat::cli
