#include "StatusProbe.h"

#include "ConnectionOpener.h"
#include "PgConnection.h"
#include "WorkerThreads.h"

#include <QtConcurrent/QtConcurrentRun>

namespace lifeboat {

namespace {

PGPing ping(const ConnectionInfo &info, int timeoutSeconds)
{
    const QByteArray host = info.host.toUtf8(), port = QByteArray::number(info.port),
                     db = info.database.toUtf8(), user = info.user.toUtf8(),
                     timeout = QByteArray::number(timeoutSeconds);
    const char *keys[] = {"host", "port", "dbname", "user", "connect_timeout", nullptr};
    const char *values[] = {host.constData(), port.constData(), db.constData(), user.constData(),
                            timeout.constData(), nullptr};
    return PQpingParams(keys, values, 0);
}

} // namespace

StackStatus StatusProbe::check(const ConnectionInfo &info,
                               const Credentials &credentials,
                               int wantedMajorVersion,
                               int timeoutSeconds)
{
    using State = StackStatus::State;
    const QString where = info.host + u':' + QString::number(info.port);

    switch (ping(info, timeoutSeconds)) {
    case PQPING_OK: break;
    case PQPING_REJECT:
        return {State::Down, QStringLiteral("The server at %1 is starting up or shutting down.").arg(where), 0};
    case PQPING_NO_RESPONSE:
        return {State::Down,
                QStringLiteral("Nothing answers at %1. Start the stack (for Supabase: `supabase start`).").arg(where),
                0};
    case PQPING_NO_ATTEMPT:
        return {State::Error, QStringLiteral("The connection settings for %1 are invalid.").arg(where), 0};
    }

    const PgConnection conn = openWithCredentials(info, credentials, timeoutSeconds).connection;

    if (!conn.isOpen()) {
        if (isAuthFailure(conn))
            return {State::AuthFailed,
                    QStringLiteral("%1 refused the login of \"%2\": %3. Save the right password for this stack "
                                   "(keychain), or put it in ~/.pgpass or PGPASSWORD.")
                        .arg(where, info.user, conn.errorMessage()),
                    0};
        return {State::Error, conn.errorMessage(), 0};
    }

    const int version = conn.serverVersion();
    if (wantedMajorVersion > 0 && version / 10000 != wantedMajorVersion)
        return {State::WrongVersion,
                QStringLiteral("config.toml asks for PostgreSQL %1 but the server at %2 runs %3.")
                    .arg(wantedMajorVersion)
                    .arg(where)
                    .arg(version / 10000),
                version};
    return {State::Up, QStringLiteral("PostgreSQL %1.%2 at %3").arg(version / 10000).arg(version % 10000).arg(where),
            version};
}

QFuture<StackStatus> StatusProbe::probe(const ConnectionInfo &info,
                                        const Credentials &credentials,
                                        int wantedMajorVersion,
                                        int timeoutSeconds)
{
    return QtConcurrent::run(WorkerThreads::pool(),
                             [=] { return check(info, credentials, wantedMajorVersion, timeoutSeconds); });
}

} // namespace lifeboat
