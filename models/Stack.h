#pragma once

#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>

namespace lifeboat {

/// Where a stack's database listens. Never holds a password: those live in the keychain,
/// a libpq password file or the environment.
struct ConnectionInfo
{
    QString host = QStringLiteral("127.0.0.1");
    int port = 5432;
    QString database = QStringLiteral("postgres");
    QString user = QStringLiteral("postgres");

    /// "host:port/database" for a person to read.
    QString displayAddress() const;
    bool operator==(const ConnectionInfo &) const = default;
};

/// One edge function declared by a `[functions.<name>]` block of config.toml.
struct EdgeFunctionConfig
{
    QString name;
    bool verifyJwt = true;
    QString importMap;
    QString entrypoint;
    bool operator==(const EdgeFunctionConfig &) const = default;
};

/// The parts of `supabase/config.toml` that Lifeboat uses.
struct SupabaseConfig
{
    QString projectId;
    int apiPort = 54321;
    int dbPort = 54322;
    int shadowPort = 54320;
    int studioPort = 54323;
    int inbucketPort = 54324;
    int majorVersion = 0; ///< 0 when config.toml does not say.
    QList<EdgeFunctionConfig> functions;
};

/// A local development stack: a Supabase project folder or a plain PostgreSQL profile.
struct Stack
{
    enum class Kind { SupabaseProject, PostgresProfile };

    QString id;          ///< Stable, filesystem-safe; names the stack's backup folder.
    QString name;        ///< For people.
    Kind kind = Kind::PostgresProfile;
    QString projectDir;  ///< Empty for plain profiles.
    ConnectionInfo connection;
    int wantedMajorVersion = 0; ///< The PostgreSQL major version the stack expects; 0 = any.
    SupabaseConfig supabase;    ///< Only meaningful for SupabaseProject.
    QString configError;        ///< Non-empty when config.toml could not be read; the stack is still listed.

    bool isProject() const { return kind == Kind::SupabaseProject; }
    bool hasConfigError() const { return !configError.isEmpty(); }
    QString configPath() const;
    /// For scripts: id, name, kind, project_dir, host, port, database, user, config_error.
    QJsonObject toJson() const;
};

/// Turns a free-form name into an id usable as a folder name ("My App!" -> "my-app").
QString stackIdFromName(const QString &name);

} // namespace lifeboat

Q_DECLARE_METATYPE(lifeboat::Stack)
