#pragma once

#include "Stack.h"

#include <QElapsedTimer>
#include <QObject>

namespace lifeboat {

class BackupService;
class MainWindow;
class StackService;
class TrayController;
struct BackupResult;

/// `lifeboat --startup-backup STACK`: find the stack (id, name or project folder), wait for
/// its database to accept connections, run a full backup in the background, let the tray
/// (or a desktop notification) say how it went, and report an exit code.
class StartupBackup final : public QObject
{
    Q_OBJECT

public:
    StartupBackup(MainWindow *window, StackService *stacks, BackupService *backups, TrayController *tray,
                  QObject *parent = nullptr);

    void start(const QString &stackSpec, int waitSeconds);

signals:
    /// 0: backup complete; 1: failed, cancelled or the stack never came up; 2: no such stack.
    /// `message` says where the backup went or why there is none.
    void finished(int exitCode, const QString &message);

private:
    void resolve(const QList<Stack> &stacks, const QString &spec);
    void waitForUp();
    void giveUp(const QString &message, int exitCode);

    MainWindow *m_window;
    StackService *m_stacks;
    BackupService *m_backups;
    TrayController *m_tray;
    Stack m_stack;
    int m_waitSeconds = 120;
    QElapsedTimer m_waiting;
    QString m_lastDetail;
};

} // namespace lifeboat
