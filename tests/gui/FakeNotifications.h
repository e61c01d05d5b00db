#pragma once

// org.freedesktop.Notifications served by a test on a private session bus (with-keyring.sh),
// recording every Notify, so a test sees the notifications a user would.
#include <QDBusConnection>
#include <QObject>
#include <QStringList>
#include <QVariantMap>

class FakeNotifications : public QObject
{
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.Notifications")

public:
    struct Call
    {
        QString summary, body;
        QStringList actions;
    };
    QList<Call> calls;

public slots:
    Q_SCRIPTABLE uint Notify(const QString &,
                             uint,
                             const QString &,
                             const QString &summary,
                             const QString &body,
                             const QStringList &actions,
                             const QVariantMap &,
                             int)
    {
        calls.append({summary, body, actions});
        return uint(calls.size());
    }
    Q_SCRIPTABLE QStringList GetCapabilities() { return {QStringLiteral("body"), QStringLiteral("actions")}; }
    Q_SCRIPTABLE void CloseNotification(uint) {}
};

/// Registers a FakeNotifications as org.freedesktop.Notifications on a connection of its own
/// for as long as it lives.
class FakeNotificationService
{
public:
    FakeNotificationService()
        : m_bus(QDBusConnection::connectToBus(QDBusConnection::SessionBus, QStringLiteral("fake-notifications")))
    {
        m_registered = m_bus.isConnected()
                       && m_bus.registerObject(QStringLiteral("/org/freedesktop/Notifications"),
                                               &server,
                                               QDBusConnection::ExportScriptableSlots)
                       && m_bus.registerService(QStringLiteral("org.freedesktop.Notifications"));
    }
    ~FakeNotificationService()
    {
        m_bus.unregisterService(QStringLiteral("org.freedesktop.Notifications"));
        QDBusConnection::disconnectFromBus(QStringLiteral("fake-notifications"));
    }
    FakeNotificationService(const FakeNotificationService &) = delete;
    FakeNotificationService &operator=(const FakeNotificationService &) = delete;

    bool isRegistered() const { return m_registered; }
    QDBusConnection &bus() { return m_bus; }

    FakeNotifications server;

private:
    QDBusConnection m_bus;
    bool m_registered = false;
};
