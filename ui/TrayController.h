#pragma once

#include <QObject>
#include <QString>

class QMenu;
class QSystemTrayIcon;

namespace lifeboat {

class BackupService;
class DesktopNotifier;
class MainWindow;
struct BackupResult;

/// The tray icon (Back up now per stack, Show Lifeboat, Quit; a running backup's percentage
/// in the tooltip) and the notice when a backup ends: the tray balloon where a tray exists,
/// otherwise a desktop notification over D-Bus, otherwise a message in the window.
class TrayController final : public QObject
{
    Q_OBJECT

public:
    enum class Channel { Tray, Desktop, Window };
    Q_ENUM(Channel)

    TrayController(MainWindow *window, BackupService *backups, DesktopNotifier *notifier, QObject *parent = nullptr);
    ~TrayController() override;

    bool hasTray() const { return m_tray != nullptr; }
    QSystemTrayIcon *trayIcon() const { return m_tray; }

    /// Tells the user how a backup ended, through the best channel there is.
    Channel notifyFinished(const QString &stackName, const BackupResult &result);

signals:
    void notified(lifeboat::TrayController::Channel channel, const QString &title, const QString &body);

private:
    void rebuildMenu();
    void updateTooltip();
    void showBackup(const QString &path);

    MainWindow *m_window;
    BackupService *m_backups;
    DesktopNotifier *m_notifier;
    QSystemTrayIcon *m_tray = nullptr;
    QMenu *m_menu = nullptr;
    QString m_lastBackupPath;
    int m_percent = -1;
};

} // namespace lifeboat
