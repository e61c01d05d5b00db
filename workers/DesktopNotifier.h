#pragma once

#include <QHash>
#include <QObject>
#include <QString>

namespace lifeboat {

/// Desktop notifications over D-Bus (org.freedesktop.Notifications), for when no tray icon
/// can show a balloon, and for lifeboat-cli --notify.
class DesktopNotifier final : public QObject
{
    Q_OBJECT

public:
    explicit DesktopNotifier(QObject *parent = nullptr);

    /// True when a notification server answers on the session bus.
    bool isAvailable() const;

    /// Sends one notification without waiting for the server. `target` comes back through
    /// activated() when the user clicks it. False when no notification server is there.
    bool notify(const QString &title, const QString &body, bool failure, const QString &target = {});

signals:
    void activated(const QString &target);
    /// The server answered a notify() call (or the call failed).
    void delivered(bool ok);

private slots:
    void onActionInvoked(uint id, const QString &action);

private:
    QHash<uint, QString> m_targets;
};

} // namespace lifeboat
