#pragma once

namespace lifeboat {

/// What every Lifeboat program (the window, lifeboat-cli, the test programs) does first, before
/// its application object and before any connection:
/// - SIGPIPE and SIGXFSZ are ignored: a tool that exits early, a file-size limit or a full
///   disk fails a write with an error Lifeboat reports instead of killing it (child tools
///   inherit this too).
/// - OpenSSL (the SHA-256 of every backup file, and libpq's) gets no cleanup at exit. The worker
///   pools' threads end as the application object goes, and each ending thread frees its own
///   OpenSSL state after QThread::wait() has returned; OpenSSL's atexit cleanup frees every
///   thread's state without taking the lock those threads take, so a thread still ending as
///   main() returned had it freed twice ("double free or corruption" once a backup had
///   finished well). The system takes the memory back at exit anyway.
void prepareProcess();

} // namespace lifeboat
