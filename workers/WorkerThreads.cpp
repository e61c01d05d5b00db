#include "WorkerThreads.h"

#include <QCoreApplication>
#include <QList>
#include <QMutex>
#include <QThreadPool>

namespace lifeboat {

namespace {

struct Threads
{
    QThreadPool pool;
    QMutex mutex;
    struct Entry
    {
        std::weak_ptr<void> owner;
        std::function<void()> cancel;
    };
    QList<Entry> atExit;

    static Threads &instance()
    {
        // Never destroyed: the post routine below joins it while Qt is still whole.
        static Threads *threads = [] {
            auto *t = new Threads;
            // Work that waits (a backup for minutes, a probe for its timeout) never waits for
            // a thread: more than enough for every stack at once.
            t->pool.setMaxThreadCount(64);
            qAddPostRoutine(&Threads::join);
            return t;
        }();
        return *threads;
    }

    static void join()
    {
        Threads &t = instance();
        QList<Entry> entries;
        {
            QMutexLocker lock(&t.mutex);
            entries.swap(t.atExit);
        }
        for (const Entry &e : std::as_const(entries))
            if (!e.owner.expired())
                e.cancel();
        t.pool.waitForDone();
    }
};

} // namespace

QThreadPool *WorkerThreads::pool()
{
    return &Threads::instance().pool;
}

void WorkerThreads::cancelAtExit(const std::weak_ptr<void> &owner, std::function<void()> cancel)
{
    Threads &t = Threads::instance();
    QMutexLocker lock(&t.mutex);
    t.atExit.removeIf([](const Threads::Entry &e) { return e.owner.expired(); });
    t.atExit.append({owner, std::move(cancel)});
}

std::shared_ptr<std::atomic_bool> WorkerThreads::stopFlagAtExit()
{
    auto stop = std::make_shared<std::atomic_bool>(false);
    cancelAtExit(stop, [weak = std::weak_ptr(stop)] {
        if (auto s = weak.lock())
            *s = true;
    });
    return stop;
}

} // namespace lifeboat
