#include "StartupBackup.h"

#include "BackupService.h"
#include "MainWindow.h"
#include "Futures.h"
#include "MessageBar.h"
#include "StackService.h"
#include "TrayController.h"

#include <QDir>
#include <QFileInfo>
#include <QTimer>

namespace lifeboat {

namespace {
constexpr int ProbeIntervalMs = 2000;
}

StartupBackup::StartupBackup(MainWindow *window, StackService *stacks, BackupService *backups, TrayController *tray,
                             QObject *parent)
    : QObject(parent)
    , m_window(window)
    , m_stacks(stacks)
    , m_backups(backups)
    , m_tray(tray)
{}

void StartupBackup::start(const QString &spec, int waitSeconds)
{
    m_waitSeconds = waitSeconds;
    const bool isDir = QFileInfo(spec).isDir();
    whenReady(m_stacks->loadStacks(isDir ? QStringList{spec} : QStringList{}), this, [this, spec](const QList<Stack> &list) {
        resolve(list, spec);
    });
}

void StartupBackup::resolve(const QList<Stack> &stacks, const QString &spec)
{
    const QString dir = QFileInfo(spec).isDir() ? QDir(spec).canonicalPath() : QString();
    for (const Stack &s : stacks) {
        if (s.id == spec || s.name == spec || (!dir.isEmpty() && s.projectDir == dir)) {
            m_stack = s;
            break;
        }
    }
    if (m_stack.id.isEmpty()) {
        QStringList known;
        for (const Stack &s : stacks)
            known << s.id;
        return giveUp(tr("No stack \"%1\" is known. Give a stack id (%2) or a project folder.")
                          .arg(spec, known.isEmpty() ? tr("none yet") : known.join(QStringLiteral(", "))),
                      2);
    }
    if (m_stack.hasConfigError())
        return giveUp(m_stack.configError, 1);
    m_waiting.start();
    waitForUp();
}

void StartupBackup::waitForUp()
{
    whenReady(m_stacks->probe(m_stack), this, [this](const StackStatus &status) {
        if (status.state == StackStatus::State::Up) {
            connect(m_backups, &BackupService::backupFinished, this, [this](const QString &id, const BackupResult &r) {
                if (id != m_stack.id)
                    return;
                if (r.outcome == BackupOutcome::Complete)
                    emit finished(0, tr("Backed up %1 to %2").arg(m_stack.name, r.path));
                else
                    emit finished(1, r.message);
            });
            m_window->startBackup(m_stack);
            return;
        }
        m_lastDetail = status.detail;
        if (status.state == StackStatus::State::AuthFailed || status.state == StackStatus::State::WrongVersion)
            return giveUp(status.detail, 1); // waiting will not fix these
        if (m_waiting.elapsed() > qint64(m_waitSeconds) * 1000)
            return giveUp(tr("%1 did not accept connections within %2 s: %3")
                              .arg(m_stack.name)
                              .arg(m_waitSeconds)
                              .arg(m_lastDetail),
                          1);
        QTimer::singleShot(ProbeIntervalMs, this, &StartupBackup::waitForUp);
    });
}

void StartupBackup::giveUp(const QString &message, int exitCode)
{
    BackupResult r;
    r.outcome = BackupOutcome::Failed;
    r.message = message;
    if (m_tray)
        m_tray->notifyFinished(m_stack.name.isEmpty() ? tr("the stack") : m_stack.name, r);
    else
        m_window->messageBar()->showMessage(MessageBar::Kind::Error, message);
    emit finished(exitCode, message);
}

} // namespace lifeboat
