#include "StackArguments.h"

#include "CliOutput.h"
#include "Credentials.h"
#include "StackScanner.h"

#include <QFileInfo>

namespace lifeboat::cli {

namespace {

bool sameServer(const ConnectionInfo &a, const ConnectionInfo &b)
{
    static const QStringList loopback{QStringLiteral("localhost"), QStringLiteral("127.0.0.1"), QStringLiteral("::1")};
    const bool sameHost = a.host.compare(b.host, Qt::CaseInsensitive) == 0
                          || (loopback.contains(a.host.toLower()) && loopback.contains(b.host.toLower()));
    return sameHost && a.port == b.port && a.database == b.database && a.user == b.user;
}

} // namespace

Result<Stack> stackFromArguments(const QString &projectDir,
                                 const QString &dsn,
                                 const QList<Stack> &profiles,
                                 std::optional<QString> *urlPassword)
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
    for (const Stack &profile : profiles) {
        if (sameServer(profile.connection, info.value())) {
            err() << "lifeboat-cli: " << info->user << '@' << info->displayAddress() << " is the profile \""
                  << profile.name << "\" (" << profile.id
                  << "): its keychain password, backup choices and history apply.\n";
            Stack known = profile;
            known.connection = info.value(); // the host as written
            return known;
        }
    }
    Stack stack;
    stack.kind = Stack::Kind::PostgresProfile;
    stack.connection = info.value();
    stack.name = QStringLiteral("%1@%2:%3").arg(info->database, info->host).arg(info->port);
    stack.id = stackIdFromName(QStringLiteral("%1-%2").arg(info->database).arg(info->port));
    return stack;
}

} // namespace lifeboat::cli
