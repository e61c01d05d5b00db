#include "ToolProcess.h"

#include <QDeadlineTimer>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace lifeboat {

namespace {
constexpr int PollMs = 50;
constexpr int GraceMs = 1000;
constexpr int LifelineFd = 9; // the first fd bash leaves to scripts (it keeps 10 and up)
} // namespace

void ToolTail::add(const QString &line)
{
    // A new message from the tool starts with its name; anything else continues the last one.
    static const QRegularExpression toolMessage(QStringLiteral("^(pg_dump|pg_dumpall|pg_restore|psql):"));
    if (line.contains(QLatin1String(": detail: Query was:"))) {
        m_inQuery = true;
        return;
    }
    if (m_inQuery) {
        if (!toolMessage.match(line).hasMatch())
            return;
        m_inQuery = false;
    }
    m_lines << line;
    if (m_lines.size() > m_max)
        m_lines.removeFirst();
}

QString failureText(const QStringList &tail)
{
    for (qsizetype i = 0; i < tail.size(); ++i)
        if (tail.at(i).contains(QLatin1String("error: ")))
            return tail.mid(i).join(u'\n');
    return tail.join(u'\n');
}

ToolOutcome runTool(const QString &program,
                    const QStringList &arguments,
                    const QProcessEnvironment &environment,
                    const std::atomic_bool &cancel,
                    const std::function<void(const QString &)> &onLine,
                    bool processGroup)
{
    ToolOutcome outcome;
    QProcess p;
    QProcessEnvironment env = environment;
    // The lifeline's write end stays here (close-on-exec: no child keeps it); the group gets
    // the read end.
    int lifeline[2] = {-1, -1};
    if (processGroup) {
        if (::pipe2(lifeline, O_CLOEXEC) != 0) {
            outcome.errorTail
                = QStringLiteral("%1 could not be started: no pipe (%2)").arg(program, qt_error_string(errno));
            return outcome;
        }
        env.insert(QStringLiteral("LIFEBOAT_LIFELINE"), QString::number(LifelineFd));
    }
    const auto closeLifeline = qScopeGuard([&lifeline] {
        for (int fd : lifeline)
            if (fd >= 0)
                ::close(fd);
    });
    p.setProcessEnvironment(env);
    p.setChildProcessModifier([processGroup, readEnd = lifeline[0]] {
        if (processGroup) {
            ::setpgid(0, 0);
            // dup2 clears close-on-exec on the copy; a read end that already is fd 9 keeps it.
            if (readEnd == LifelineFd)
                ::fcntl(LifelineFd, F_SETFD, 0);
            else
                ::dup2(readEnd, LifelineFd);
        }
        ::umask(077);
        ::prctl(PR_SET_PDEATHSIG, SIGTERM); // a killed Lifeboat takes its tools with it
    });
    p.setStandardInputFile(QProcess::nullDevice());
    p.start(program, arguments);
    if (!p.waitForStarted(10000)) {
        outcome.errorTail = QStringLiteral("%1 could not be started: %2").arg(program, p.errorString());
        return outcome;
    }
    outcome.started = true;
    if (lifeline[0] >= 0) {
        ::close(lifeline[0]); // the group has it
        lifeline[0] = -1;
    }

    ToolTail tail;
    QByteArray pending;
    auto drain = [&](bool all) {
        pending += p.readAllStandardError();
        p.readAllStandardOutput(); // tools write their data to files; keep the pipe empty
        qsizetype nl;
        while ((nl = pending.indexOf('\n')) >= 0 || (all && !pending.isEmpty())) {
            const QString line = QString::fromUtf8(nl >= 0 ? pending.left(nl) : pending).trimmed();
            pending.remove(0, nl >= 0 ? nl + 1 : pending.size());
            if (line.isEmpty())
                continue;
            tail.add(line);
            if (onLine)
                onLine(line);
        }
    };

    QDeadlineTimer killAt(QDeadlineTimer::Forever);
    while (!p.waitForFinished(PollMs)) {
        drain(false);
        if (cancel.load() && !outcome.cancelled) {
            outcome.cancelled = true;
            ::kill(processGroup ? -pid_t(p.processId()) : pid_t(p.processId()), SIGINT);
            killAt.setRemainingTime(GraceMs);
        }
        if (outcome.cancelled && killAt.hasExpired()) {
            if (processGroup)
                ::kill(-pid_t(p.processId()), SIGKILL);
            p.kill();
            p.waitForFinished(GraceMs);
            break;
        }
    }
    drain(true);
    outcome.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    if (cancel.load())
        outcome.cancelled = true;
    outcome.errorTail = failureText(tail.lines());
    return outcome;
}

} // namespace lifeboat
