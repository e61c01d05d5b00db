#pragma once

#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>

namespace lifeboat {

/// How a child tool ended.
struct ToolOutcome
{
    bool started = false;
    bool cancelled = false;
    int exitCode = -1;
    QString errorTail; ///< The last lines of its stderr, for the failure message.

    bool ok() const { return started && !cancelled && exitCode == 0; }
};

/// The last lines of a tool's stderr, kept for its failure message. The SQL of a failed
/// query ("pg_dump: detail: Query was: SELECT ..." and its continuation lines, often dozens)
/// is left out: it would push the error itself, and what it means, out of the tail.
class ToolTail
{
public:
    explicit ToolTail(int lines = 15)
        : m_max(lines)
    {}
    void add(const QString &line);
    const QStringList &lines() const { return m_lines; }

private:
    QStringList m_lines;
    int m_max;
    bool m_inQuery = false;
};

/// The part of a tool's last stderr lines that says why it failed: from its first "error:"
/// line on (with the detail and hint after it), without the --verbose progress before it;
/// all of `tail` when no line says "error:".
QString failureText(const QStringList &tail);

/// Runs pg_dump & co. from a worker thread (blocking there, never on the GUI thread).
/// Files the child creates are 0600 (umask 077). Each stderr line goes to `onLine`.
/// When `cancel` becomes true the child gets SIGINT, then SIGKILL after a grace period.
/// With `processGroup` the child leads its own process group and the signals go to the whole
/// group (a script and the tools it runs). It also gets a lifeline: the read end of a pipe
/// whose only writer is this process, as fd `LIFEBOAT_LIFELINE` (in its environment). The
/// read ends once this process is gone, however it went, so a script can take its group
/// down then (see RestorePlan::script()).
ToolOutcome runTool(const QString &program,
                    const QStringList &arguments,
                    const QProcessEnvironment &environment,
                    const std::atomic_bool &cancel,
                    const std::function<void(const QString &)> &onLine,
                    bool processGroup = false);

} // namespace lifeboat
