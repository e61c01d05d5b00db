#include "StackStatus.h"

#include <QCoreApplication>

namespace lifeboat {

QString StackStatus::key(State state)
{
    switch (state) {
    case State::Unknown: return QStringLiteral("unknown");
    case State::Checking: return QStringLiteral("checking");
    case State::Up: return QStringLiteral("up");
    case State::Down: return QStringLiteral("down");
    case State::AuthFailed: return QStringLiteral("auth_failed");
    case State::WrongVersion: return QStringLiteral("wrong_version");
    case State::ConfigError: return QStringLiteral("config_error");
    case State::Error: return QStringLiteral("error");
    }
    return QStringLiteral("unknown");
}

QString StackStatus::label() const
{
    switch (state) {
    case State::Unknown: return QCoreApplication::translate("StackStatus", "not checked");
    case State::Checking: return QCoreApplication::translate("StackStatus", "checking…");
    case State::Up: return QCoreApplication::translate("StackStatus", "up");
    case State::Down: return QCoreApplication::translate("StackStatus", "down");
    case State::AuthFailed: return QCoreApplication::translate("StackStatus", "auth failed");
    case State::WrongVersion: return QCoreApplication::translate("StackStatus", "wrong version");
    case State::ConfigError: return QCoreApplication::translate("StackStatus", "config error");
    case State::Error: return QCoreApplication::translate("StackStatus", "error");
    }
    return {};
}

} // namespace lifeboat
