#include "BackupProgressWidget.h"

#include "BackupHistoryModel.h"

#include <QFutureWatcher>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QTextDocumentFragment>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace lifeboat {

BackupProgressWidget::BackupProgressWidget(const QString &stackName,
                                           const QStringList &components,
                                           std::shared_ptr<BackupJob> job,
                                           QWidget *parent)
    : QFrame(parent)
    , m_job(std::move(job))
    , m_stackName(stackName)
    , m_title(new QLabel(this))
    , m_overall(new QProgressBar(this))
    , m_time(new QLabel(this))
    , m_result(new QLabel(this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
    , m_logToggle(new QToolButton(this))
    , m_log(new QPlainTextEdit(this))
{
    setFrameShape(QFrame::StyledPanel);
    m_title->setText(tr("<b>Backing up %1</b>").arg(stackName.toHtmlEscaped()));
    m_overall->setRange(0, 1000);
    m_overall->setFormat(QStringLiteral("%p%"));
    m_overall->setAccessibleName(tr("Overall progress of %1").arg(stackName));
    m_result->setTextFormat(Qt::RichText); // escaped messages and a link, never guessed
    m_result->setWordWrap(true);
    m_result->setTextInteractionFlags(Qt::TextBrowserInteraction);
    m_result->hide();
    connect(m_result, &QLabel::linkActivated, this, &BackupProgressWidget::showBackupRequested);
    m_cancel->setAccessibleName(tr("Cancel the backup of %1").arg(stackName));

    m_logToggle->setText(tr("Log"));
    m_logToggle->setCheckable(true);
    m_logToggle->setArrowType(Qt::RightArrow);
    m_logToggle->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_logToggle->setAutoRaise(true);
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(5000);
    m_log->setAccessibleName(tr("Backup log"));
    m_log->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_log->hide();
    connect(m_logToggle, &QToolButton::toggled, this, [this](bool on) {
        m_log->setVisible(on);
        m_logToggle->setArrowType(on ? Qt::DownArrow : Qt::RightArrow);
    });

    auto *grid = new QGridLayout;
    grid->setColumnStretch(1, 1);
    grid->setColumnStretch(2, 1);
    int row = 0;
    for (const QString &c : components) {
        auto *bar = new QProgressBar(this);
        bar->setRange(0, 1000);
        bar->setValue(0);
        bar->setMaximumHeight(16);
        bar->setTextVisible(false);
        bar->setAccessibleName(tr("Progress of %1").arg(c));
        auto *item = new QLabel(tr("waiting"), this);
        item->setEnabled(false);
        grid->addWidget(new QLabel(c, this), row, 0);
        grid->addWidget(bar, row, 1);
        grid->addWidget(item, row, 2);
        m_bars.insert(c, bar);
        m_items.insert(c, item);
        ++row;
    }

    auto *header = new QHBoxLayout;
    header->addWidget(m_title, 1);
    header->addWidget(m_time);
    header->addWidget(m_cancel);
    auto *logRow = new QHBoxLayout;
    logRow->addWidget(m_logToggle);
    logRow->addStretch();

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(header);
    layout->addWidget(m_overall);
    layout->addWidget(m_result); // above the rows, so a failure is read without scrolling
    layout->addLayout(grid);
    layout->addLayout(logRow);
    layout->addWidget(m_log, 1);

    connect(m_job.get(), &BackupJob::componentProgress, this, &BackupProgressWidget::onProgress);
    connect(m_job.get(), &BackupJob::componentFinished, this, &BackupProgressWidget::onComponentFinished);
    connect(m_job.get(), &BackupJob::restarted, this, &BackupProgressWidget::onRestarted);
    connect(m_job.get(), &BackupJob::logLine, this, [this](const QString &c, const QString &line) {
        m_log->appendPlainText(c.isEmpty() ? line : QStringLiteral("[%1] %2").arg(c, line));
    });
    auto *watcher = new QFutureWatcher<BackupResult>(this);
    connect(watcher, &QFutureWatcherBase::progressValueChanged, this, [this](int value) {
        m_overall->setValue(value);
        updateTime(); // the clock and the estimate move with the bar, not only once a second
    });
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher] { onFinished(watcher->result()); });
    watcher->setFuture(m_job->future());

    connect(m_cancel, &QPushButton::clicked, this, [this] {
        if (m_finished) {
            emit closeRequested();
            return;
        }
        m_cancel->setEnabled(false);
        m_cancel->setText(tr("Cancelling…"));
        m_job->cancel();
    });
    m_clock.start();
    auto *tick = new QTimer(this);
    connect(tick, &QTimer::timeout, this, &BackupProgressWidget::updateTime);
    tick->start(1000);
    updateTime();
}

void BackupProgressWidget::onProgress(const QString &component, qint64 done, qint64 total, const QString &item)
{
    if (QProgressBar *bar = m_bars.value(component))
        bar->setValue(total > 0 ? int(1000 * std::min(done, total) / total) : 0);
    if (QLabel *label = m_items.value(component)) {
        label->setEnabled(true);
        label->setText(item.isEmpty() ? tr("working") : item);
    }
}

void BackupProgressWidget::onComponentFinished(const ComponentResult &result)
{
    QProgressBar *bar = m_bars.value(result.name);
    QLabel *label = m_items.value(result.name);
    if (!bar || !label)
        return;
    switch (result.status) {
    case ComponentResult::Status::Ok:
        bar->setValue(1000);
        label->setText(tr("done in %1").arg(formatDuration(result.durationMs)));
        break;
    case ComponentResult::Status::Skipped:
        bar->setValue(1000);
        label->setText(tr("skipped: %1").arg(result.message));
        break;
    case ComponentResult::Status::Failed:
        label->setText(tr("failed: %1").arg(result.message));
        label->setStyleSheet(QStringLiteral("color: #cf222e"));
        break;
    case ComponentResult::Status::Cancelled:
        label->setText(tr("cancelled"));
        break;
    }
    label->setToolTip(label->text());
}

void BackupProgressWidget::onRestarted(const QString &reason)
{
    // Every component runs again; the overall bar goes on from where it is.
    m_restarted = true;
    for (QProgressBar *bar : std::as_const(m_bars))
        bar->setValue(0);
    for (QLabel *label : std::as_const(m_items)) {
        label->setText(tr("waiting"));
        label->setToolTip(reason);
        label->setStyleSheet({});
        label->setEnabled(false);
    }
    m_title->setText(tr("<b>Backing up %1</b>, again: it let a migration through").arg(m_stackName.toHtmlEscaped()));
    m_title->setToolTip(reason);
}

void BackupProgressWidget::onFinished(const BackupResult &result)
{
    m_finished = true;
    for (QLabel *label : std::as_const(m_items))
        if (!label->isEnabled()) // never started: the run ended before its turn
            label->setText(tr("not run"));
    m_cancel->setEnabled(true);
    m_cancel->setText(tr("Close"));
    m_time->setText(formatDuration(m_clock.elapsed()));
    m_result->show();
    const QString name = m_stackName.toHtmlEscaped();
    m_title->setText(result.outcome == BackupOutcome::Complete    ? tr("<b>Backed up %1</b>").arg(name)
                     : result.outcome == BackupOutcome::Cancelled ? tr("<b>Backup of %1 cancelled</b>").arg(name)
                                                                  : tr("<b>Backup of %1 failed</b>").arg(name));
    switch (result.outcome) {
    case BackupOutcome::Complete:
        m_overall->setValue(1000);
        m_result->setText(tr("Backup complete: %1 in %2. <a href=\"%3\">Show it in History</a>")
                              .arg(formatSize(result.manifest.totalSize()), formatDuration(result.manifest.durationMs),
                                   result.path.toHtmlEscaped()));
        break;
    case BackupOutcome::Cancelled:
        m_result->setText(tr("Cancelled. Nothing was kept."));
        break;
    case BackupOutcome::Failed:
        m_result->setStyleSheet(QStringLiteral("color: #cf222e"));
        m_result->setText(tr("Backup failed. %1").arg(result.message.toHtmlEscaped()));
        break;
    }
    emit finished(result);
}

void BackupProgressWidget::updateTime()
{
    if (m_finished)
        return;
    const qint64 elapsed = m_clock.elapsed();
    const int value = m_overall->value();
    const QString left = m_restarted ? QString() : formatTimeLeft(elapsed, value);
    m_time->setText(left.isEmpty() ? formatDuration(elapsed) : tr("%1 · %2").arg(formatDuration(elapsed), left));
}

QString BackupProgressWidget::resultText() const
{
    if (!m_result->isVisible())
        return {};
    const bool rich = m_result->textFormat() == Qt::RichText
                      || (m_result->textFormat() == Qt::AutoText && Qt::mightBeRichText(m_result->text()));
    return rich ? QTextDocumentFragment::fromHtml(m_result->text()).toPlainText() : m_result->text();
}

} // namespace lifeboat
