#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QMetaType>
#include <QString>
#include <QStringList>

namespace lifeboat {

/// The components of a comprehensive backup, in the order they are listed to people.
namespace Component {
inline const QString Database = QStringLiteral("database");
inline const QString Roles = QStringLiteral("roles");
inline const QString AuthUsers = QStringLiteral("auth_users");
inline const QString UserRoles = QStringLiteral("user_roles");
inline const QString RlsPolicies = QStringLiteral("rls_policies");
inline const QString Functions = QStringLiteral("functions");
inline const QString Encryption = QStringLiteral("encryption");
inline const QString Migrations = QStringLiteral("migrations");
inline const QString EdgeFunctions = QStringLiteral("edge_functions");
inline const QString Storage = QStringLiteral("storage");
inline const QString DataCsv = QStringLiteral("data_csv");
inline const QString Config = QStringLiteral("config");

QStringList all();
/// One line for people ("Whole database: custom-format dump, SQL and table of contents").
QString describe(const QString &name);
} // namespace Component

/// One file of a backup, as the manifest records it.
struct ManifestFile
{
    QString path;   ///< Relative to the backup folder, '/'-separated.
    qint64 size = 0;
    QString sha256; ///< Lower-case hex.
    bool secret = false; ///< Holds credentials (password hashes, keys, .env): handle with care.
    bool operator==(const ManifestFile &) const = default;
};

/// What one exporter did.
struct ComponentResult
{
    enum class Status { Ok, Skipped, Failed, Cancelled };

    QString name;
    Status status = Status::Ok;
    QString message;                 ///< Why skipped or failed; empty when ok.
    QMap<QString, qint64> counts;    ///< "tables", "rows", "users", ...
    QStringList warnings;
    QList<ManifestFile> files;
    qint64 durationMs = 0;
    QJsonObject details;             ///< Component-specific report (e.g. the migrations drift report).

    static QString statusKey(Status s);
    static Status statusFromKey(const QString &key);
};

/// How a backup run ended.
enum class BackupOutcome { Complete, Failed, Cancelled };
QString outcomeKey(BackupOutcome outcome);

} // namespace lifeboat

Q_DECLARE_METATYPE(lifeboat::ComponentResult)
