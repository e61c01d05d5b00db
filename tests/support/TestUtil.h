#pragma once

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QFuture>
#include <QString>

#include <functional>

namespace lifeboat::test {

/// Spins the event loop until `done()` or the timeout; true when done. Tests only: the
/// product never waits like this.
inline bool waitUntil(const std::function<bool()> &done, int timeoutMs = 20000)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!done()) {
        if (deadline.hasExpired())
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    }
    return true;
}

/// Waits for a future while keeping the event loop turning (its continuations and
/// keychain jobs need it), then returns its result.
template<typename T>
T await(QFuture<T> future, int timeoutMs = 30000)
{
    waitUntil([&] { return future.isFinished(); }, timeoutMs);
    return future.result();
}

/// Writes `text` to `path`, creating folders; returns false on failure.
bool writeFile(const QString &path, const QByteArray &text);

/// Runs a program, returns its exit code (-1 when it did not run), captures stdout/stderr.
int runProgram(const QString &program, const QStringList &args, QByteArray *out = nullptr, QByteArray *err = nullptr,
               const QStringList &extraEnv = {}, int timeoutMs = 60000);

} // namespace lifeboat::test
