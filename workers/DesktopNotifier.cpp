#include "DesktopNotifier.h"

#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QDBusReply>
#include <QVariantMap>

namespace lifeboat {

namespace {
const QString Service = QStringLiteral("org.freedesktop.Notifications");
const QString Path = QStringLiteral("/org/freedesktop/Notifications");
const QString Interface = QStringLiteral("org.freedesktop.Notifications");
} // namespace

DesktopNotifier::DesktopNotifier(QObject *parent)
    : QObject(parent)
{
    QDBusConnection::sessionBus().connect(Service, Path, Interface, QStringLiteral("ActionInvoked"), this,
                                          SLOT(onActionInvoked(uint, QString)));
}

bool DesktopNotifier::isAvailable() const
{
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected() || !bus.interface())
        return false;
    const QDBusReply<bool> registered = bus.interface()->isServiceRegistered(Service);
    if (registered.isValid() && registered.value())
        return true;
    // Servers are often started on demand by D-Bus activation.
    const QDBusReply<QStringList> activatable = bus.interface()->activatableServiceNames();
    return activatable.isValid() && activatable.value().contains(Service);
}

bool DesktopNotifier::notify(const QString &title, const QString &body, bool failure, const QString &target)
{
    if (!isAvailable())
        return false;
    QDBusMessage call = QDBusMessage::createMethodCall(Service, Path, Interface, QStringLiteral("Notify"));
    QVariantMap hints;
    hints.insert(QStringLiteral("urgency"), QVariant::fromValue<uchar>(failure ? 2 : 1));
    hints.insert(QStringLiteral("desktop-entry"), QStringLiteral("lifeboat"));
    const QStringList actions = target.isEmpty() ? QStringList()
                                                 : QStringList{QStringLiteral("default"), tr("Show in Lifeboat")};
    call << QStringLiteral("Lifeboat") << uint(0) << QStringLiteral("lifeboat") << title << body << actions << hints
         << int(failure ? 0 : 10000);
    // Asynchronous: the GUI thread never waits on a notification server.
    auto *watcher = new QDBusPendingCallWatcher(QDBusConnection::sessionBus().asyncCall(call, 5000), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this, target](QDBusPendingCallWatcher *w) {
        const QDBusPendingReply<uint> reply = *w;
        if (reply.isValid() && !target.isEmpty())
            m_targets.insert(reply.value(), target);
        w->deleteLater();
        emit delivered(reply.isValid());
    });
    return true;
}

void DesktopNotifier::onActionInvoked(uint id, const QString &action)
{
    if (action == QLatin1String("default") && m_targets.contains(id))
        emit activated(m_targets.value(id));
}

} // namespace lifeboat
