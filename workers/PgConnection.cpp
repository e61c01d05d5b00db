#include "PgConnection.h"

#include <vector>

namespace lifeboat {

PgConnection::PgConnection()
    : m_conn(nullptr, &PQfinish)
{}

PgConnection PgConnection::open(const ConnectionInfo &info,
                                const std::optional<QString> &password,
                                int connectTimeoutSeconds,
                                const QString &applicationName)
{
    const QByteArray host = info.host.toUtf8();
    const QByteArray port = QByteArray::number(info.port);
    const QByteArray db = info.database.toUtf8();
    const QByteArray user = info.user.toUtf8();
    const QByteArray timeout = QByteArray::number(connectTimeoutSeconds);
    const QByteArray app = applicationName.toUtf8();
    const QByteArray pw = password ? password->toUtf8() : QByteArray();

    // Qt strings are UTF-8 both ways, whatever the database's encoding (a LATIN1 database's
    // "café" must not come back as "caf\xe9"); the CSVs are UTF-8 too.
    std::vector<const char *> keys{
        "host", "port", "dbname", "user", "connect_timeout", "application_name", "client_encoding"};
    std::vector<const char *> values{host.constData(),
                                     port.constData(),
                                     db.constData(),
                                     user.constData(),
                                     timeout.constData(),
                                     app.constData(),
                                     "UTF8"};
    if (password) {
        keys.push_back("password");
        values.push_back(pw.constData());
    }
    keys.push_back(nullptr);
    values.push_back(nullptr);

    PgConnection c;
    c.m_conn.reset(PQconnectdbParams(keys.data(), values.data(), 0));
    return c;
}

bool PgConnection::isOpen() const
{
    return m_conn && PQstatus(m_conn.get()) == CONNECTION_OK;
}

QString PgConnection::errorMessage() const
{
    if (!m_conn)
        return QStringLiteral("out of memory");
    return QString::fromUtf8(PQerrorMessage(m_conn.get())).trimmed();
}

bool PgConnection::needsPassword() const
{
    return m_conn && PQconnectionNeedsPassword(m_conn.get());
}

std::optional<QString> PgConnection::usedPassword() const
{
    if (!isOpen() || !PQconnectionUsedPassword(m_conn.get()))
        return std::nullopt;
    const char *password = PQpass(m_conn.get());
    if (!password || !*password)
        return std::nullopt;
    return QString::fromUtf8(password);
}

int PgConnection::serverVersion() const
{
    return m_conn ? PQserverVersion(m_conn.get()) : 0;
}

PgResultPtr PgConnection::exec(const QString &sql) const
{
    return PgResultPtr(PQexec(m_conn.get(), sql.toUtf8().constData()), &PQclear);
}

PgResultPtr PgConnection::execParams(const QString &sql, const QList<QByteArray> &params) const
{
    std::vector<const char *> values;
    values.reserve(size_t(params.size()));
    for (const QByteArray &p : params)
        values.push_back(p.isNull() ? nullptr : p.constData());
    return PgResultPtr(PQexecParams(m_conn.get(), sql.toUtf8().constData(), int(values.size()), nullptr,
                                    values.data(), nullptr, nullptr, 0),
                       &PQclear);
}

bool PgConnection::succeeded(const PGresult *result)
{
    if (!result)
        return false;
    const ExecStatusType s = PQresultStatus(result);
    return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

QString PgConnection::resultError(const PGresult *result)
{
    if (!result)
        return QStringLiteral("no result from the server (connection lost?)");
    return QString::fromUtf8(PQresultErrorMessage(result)).trimmed();
}

QString PgConnection::value(const PGresult *result, int row, int column)
{
    return QString::fromUtf8(PQgetvalue(result, row, column));
}

} // namespace lifeboat
