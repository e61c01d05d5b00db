#pragma once

#include "BackupEngine.h"

#include <QElapsedTimer>
#include <QFrame>
#include <QHash>
#include <QPointer>

#include <memory>

class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QToolButton;

namespace lifeboat {

/// One running backup: a bar per component with its current item, an overall bar, elapsed
/// time and an estimate, a collapsible live log, and Cancel. When the run ends it shows the
/// result in place: where the backup is, or which component failed and why.
class BackupProgressWidget final : public QFrame
{
    Q_OBJECT

public:
    BackupProgressWidget(const QString &stackName, const QStringList &components, std::shared_ptr<BackupJob> job,
                         QWidget *parent = nullptr);

    QProgressBar *overallBar() const { return m_overall; }
    QProgressBar *componentBar(const QString &component) const { return m_bars.value(component); }
    /// The result line as a person reads it (plain text); empty while the backup runs.
    QString resultText() const;
    bool isFinished() const { return m_finished; }

signals:
    void finished(const lifeboat::BackupResult &result);
    /// The user asked to see the finished backup (link in the result line).
    void showBackupRequested(const QString &path);
    void closeRequested();

private:
    void onProgress(const QString &component, qint64 done, qint64 total, const QString &item);
    void onComponentFinished(const ComponentResult &result);
    void onRestarted(const QString &reason);
    void onFinished(const BackupResult &result);
    void updateTime();

    std::shared_ptr<BackupJob> m_job;
    QString m_stackName;
    QLabel *m_title;
    QProgressBar *m_overall;
    QLabel *m_time;
    QLabel *m_result;
    QPushButton *m_cancel;
    QToolButton *m_logToggle;
    QPlainTextEdit *m_log;
    QHash<QString, QProgressBar *> m_bars;
    QHash<QString, QLabel *> m_items;
    QElapsedTimer m_clock;
    bool m_finished = false;
    bool m_restarted = false; ///< Started again: the bar's pace no longer says what is left.
};

} // namespace lifeboat
