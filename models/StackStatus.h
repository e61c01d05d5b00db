#pragma once

#include <QMetaType>
#include <QString>

namespace lifeboat {

/// What a status probe found out about a stack's database.
struct StackStatus
{
    enum class State {
        Unknown,      ///< Not probed yet.
        Checking,     ///< A probe is under way.
        Up,           ///< Accepts connections and our credentials.
        Down,         ///< Nothing answers at host:port.
        AuthFailed,   ///< The server answers but refuses the credentials.
        WrongVersion, ///< Up, but not the PostgreSQL major version the project wants.
        ConfigError,  ///< config.toml could not be read, so we do not know where to look.
        Error,        ///< Anything else (database missing, permission, ...); see detail.
    };

    State state = State::Unknown;
    QString detail;            ///< The cause, for a person ("password authentication failed for user ...").
    int serverVersionNum = 0;  ///< server_version_num, e.g. 150018; 0 when unknown.

    int serverMajor() const { return serverVersionNum / 10000; }
    QString label() const;                     ///< Short, translated: "up", "down", ...
    static QString key(State state);           ///< Stable, untranslated: "up", "auth_failed", ... (JSON, scripts)
};

} // namespace lifeboat

Q_DECLARE_METATYPE(lifeboat::StackStatus)
