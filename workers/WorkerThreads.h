#pragma once

#include <atomic>
#include <functional>
#include <memory>

class QThreadPool;

namespace lifeboat {

/// The threads all of Lifeboat's background work runs on: backup runs, restores, verifying,
/// probes, reading History. Never QThreadPool::globalInstance(): it has one thread per core,
/// and Qt itself waits for it from the GUI thread (the raster paint engine, image
/// conversions), so a restore blocking both threads of a 2-core machine froze the window.
///
/// The pool is joined as the application object goes (a post routine), after what is
/// registered with cancelAtExit() was cancelled: no worker writes a file, or touches Qt,
/// after main() has returned.
class WorkerThreads
{
public:
    static QThreadPool *pool();
    /// As the application object goes, calls `cancel` unless `owner` is gone by then.
    static void cancelAtExit(const std::weak_ptr<void> &owner, std::function<void()> cancel);
    /// A flag that turns true as the application object goes, for work that only has to
    /// check one (a long checksum whose answer nobody will read).
    static std::shared_ptr<std::atomic_bool> stopFlagAtExit();
};

} // namespace lifeboat
