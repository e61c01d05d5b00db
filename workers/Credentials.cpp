#include "ConnectionOpener.h"

#include <QFile>

#include <memory>

namespace lifeboat {

Credentials Credentials::forStack(const Stack &stack, const std::optional<QString> &stored)
{
    Credentials c;
    c.password = stored;
    if (!stored && stack.isProject())
        c.fallbacks << QStringLiteral("postgres"); // `supabase start`'s fixed local password
    return c;
}

bool isAuthFailure(const PgConnection &conn)
{
    // libpq reports no SQLSTATE for a failed connection; these are the server's and libpq's
    // own wordings for a refused password or a missing one.
    const QString msg = conn.errorMessage();
    return conn.needsPassword() || msg.contains(QLatin1String("password authentication failed"))
        || msg.contains(QLatin1String("no password supplied"))
        || msg.contains(QLatin1String("authentication failed"));
}

OpenedConnection openWithCredentials(const ConnectionInfo &info, const Credentials &credentials,
                                     int timeoutSeconds, const QString &applicationName)
{
    OpenedConnection opened{PgConnection::open(info, credentials.password, timeoutSeconds, applicationName),
                            credentials.password};
    if (opened.connection.isOpen() && !opened.password) {
        // libpq found the password (PGPASSWORD, a password file): the tools get it too, in
        // Lifeboat's own 0600 file, since their environment is cleared of PGPASSWORD.
        opened.password = opened.connection.usedPassword();
        return opened;
    }
    if (opened.connection.isOpen() || credentials.password || !isAuthFailure(opened.connection))
        return opened;
    for (const QString &fallback : credentials.fallbacks) {
        PgConnection retry = PgConnection::open(info, fallback, timeoutSeconds, applicationName);
        if (retry.isOpen())
            return {std::move(retry), fallback};
    }
    return opened;
}

Result<ConnectionInfo> parseConnectionString(const QString &dsn, std::optional<QString> *password)
{
    char *errmsg = nullptr;
    std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(
        PQconninfoParse(dsn.toUtf8().constData(), &errmsg), &PQconninfoFree);
    if (!options) {
        const QString why = errmsg ? QString::fromUtf8(errmsg).trimmed() : QStringLiteral("out of memory");
        PQfreemem(errmsg);
        return Error{QStringLiteral("Cannot read the connection string: %1. Use the form "
                                    "postgresql://USER@HOST:PORT/DATABASE.")
                         .arg(why)};
    }
    ConnectionInfo info;
    for (PQconninfoOption *o = options.get(); o->keyword; ++o) {
        if (!o->val)
            continue;
        const QString key = QString::fromUtf8(o->keyword);
        const QString value = QString::fromUtf8(o->val);
        if (key == QLatin1String("host") || key == QLatin1String("hostaddr"))
            info.host = value;
        else if (key == QLatin1String("port"))
            info.port = value.toInt();
        else if (key == QLatin1String("dbname"))
            info.database = value;
        else if (key == QLatin1String("user"))
            info.user = value;
        else if (key == QLatin1String("password") && password)
            *password = value;
    }
    if (info.port <= 0 || info.port > 65535)
        return Error{QStringLiteral("The port in the connection string is not valid.")};
    return info;
}

Result<QString> writePasswordFile(const QString &dir, const ConnectionInfo &info, const QString &password)
{
    auto escape = [](QString v) { return v.replace(u'\\', QStringLiteral("\\\\")).replace(u':', QStringLiteral("\\:")); };
    QFile::setPermissions(dir, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    const QString path = dir + QStringLiteral("/pgpass");
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return Error{QStringLiteral("Cannot write the temporary password file %1: %2").arg(path, f.errorString())};
    f.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
    // Any host and port: the file serves this one connection, and libpq compares the host field
    // with "localhost" rather than the path when the host is its default socket directory.
    f.write(QStringLiteral("*:*:*:%1:%2\n").arg(escape(info.user), escape(password)).toUtf8());
    if (!f.flush())
        return Error{QStringLiteral("Cannot write the temporary password file %1: %2").arg(path, f.errorString())};
    return path;
}

} // namespace lifeboat
