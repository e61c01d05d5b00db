#pragma once

#include "Result.h"
#include "Stack.h"

#include <QByteArray>
#include <QString>

#include <libpq-fe.h>

#include <memory>
#include <optional>

namespace lifeboat {

using PgConnPtr = std::unique_ptr<PGconn, decltype(&PQfinish)>;
using PgResultPtr = std::unique_ptr<PGresult, decltype(&PQclear)>;

/// A libpq connection that always finishes and whose results always clear.
class PgConnection
{
public:
    PgConnection();
    PgConnection(PgConnection &&) noexcept = default;
    PgConnection &operator=(PgConnection &&) noexcept = default;

    /// Connects with explicit parameters; libpq's own sources (PGPASSWORD, PGPASSFILE, ~/.pgpass)
    /// apply when `password` is empty. The password never leaves this process.
    static PgConnection open(const ConnectionInfo &info,
                             const std::optional<QString> &password,
                             int connectTimeoutSeconds = 5,
                             const QString &applicationName = QStringLiteral("lifeboat"));

    bool isOpen() const;
    /// libpq's message for the last failure, trimmed.
    QString errorMessage() const;
    bool needsPassword() const;
    /// The password an open connection authenticated with, when the server asked for one and
    /// libpq found it itself (PGPASSWORD, PGPASSFILE, ~/.pgpass): child tools need the same.
    std::optional<QString> usedPassword() const;
    int serverVersion() const;
    PGconn *handle() const { return m_conn.get(); }

    /// Runs one command or several separated by ';' (simple query protocol).
    PgResultPtr exec(const QString &sql) const;
    /// Runs one statement with text parameters ($1, $2, ...).
    PgResultPtr execParams(const QString &sql, const QList<QByteArray> &params) const;

    static bool succeeded(const PGresult *result);
    static QString resultError(const PGresult *result);
    static QString value(const PGresult *result, int row, int column);

private:
    PgConnPtr m_conn;
};

} // namespace lifeboat
