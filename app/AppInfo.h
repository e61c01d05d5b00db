#pragma once

#include <QCoreApplication>

namespace lifeboat {

/// `lifeboat` and `lifeboat-cli` share one settings file and one keychain service.
inline void setApplicationInfo()
{
    QCoreApplication::setOrganizationName(QStringLiteral("Lifeboat"));
    QCoreApplication::setApplicationName(QStringLiteral("lifeboat"));
    QCoreApplication::setApplicationVersion(QStringLiteral(LIFEBOAT_VERSION));
}

} // namespace lifeboat
