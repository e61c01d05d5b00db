#pragma once

#include <QFuture>
#include <QFutureWatcher>
#include <QObject>

#include <utility>

namespace lifeboat {

/// Runs `f(result)` on `context`'s thread when `future` finishes, unless `context` is gone by
/// then. Qt 6.4's QFuture::then(context, ...) asserts when the context dies first (closing a
/// window with a probe in flight); a watcher owned by the context simply dies with it.
template<typename T, typename F>
void whenReady(const QFuture<T> &future, QObject *context, F &&f)
{
    auto *watcher = new QFutureWatcher<T>(context);
    QObject::connect(watcher, &QFutureWatcherBase::finished, context,
                     [watcher, f = std::forward<F>(f)]() mutable {
                         watcher->deleteLater();
                         if (watcher->future().resultCount() > 0)
                             f(watcher->result());
                     });
    watcher->setFuture(future);
}

} // namespace lifeboat
