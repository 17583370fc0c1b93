// SIGINT and SIGTERM during `mhdq run`: remove the unfinished run's folder and exit non-zero, so that
// the earlier runs and `latest` stay exactly as they were.

import Foundation
import MHDQ
#if canImport(Glibc)
import Glibc
#endif

/// The signal handler only writes the signal number to a pipe (async-signal-safe). A watcher thread
/// reads it and cleans up in ordinary code, under a lock that the commit also holds: a run is either
/// removed or committed whole, never half of each. (SIGKILL cannot be caught: the hidden partial folder
/// it leaves is never `latest`, and the next run removes it.)
enum Interruption {
    nonisolated(unsafe) static var pipeWrite: Int32 = -1
    nonisolated(unsafe) static var partial: String?
    nonisolated(unsafe) static var committed = false
    static let lock = NSLock()

    /// Catches SIGINT and SIGTERM from now on; `partial` is the folder to remove if one arrives.
    static func install(removing partial: String) {
        lock.lock()
        Interruption.partial = partial
        lock.unlock()
        guard pipeWrite < 0 else { return }
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return }
        pipeWrite = fds[1]
        let readEnd = fds[0]
        // A parent may start us with these signals blocked (a test runner, a job scheduler): unblock them here,
        // before the watcher thread starts, so this thread and the watcher both take them.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        for signo in [SIGINT, SIGTERM] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { signo in
                var byte = UInt8(truncatingIfNeeded: signo)
                _ = write(Interruption.pipeWrite, &byte, 1)
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            sigaction(signo, &action, nil)
        }
        Thread.detachNewThread { watch(readEnd) }
    }

    /// Runs `body` (recording the run in the history, through the rename into place) where no interruption can cut
    /// it in two: a signal that arrives meanwhile waits, and finds the run saved whole (or removed, if `body` throws).
    static func commit<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        let value = try body()
        committed = true
        return value
    }

    static func watch(_ fd: Int32) {
        var byte: UInt8 = 0
        while read(fd, &byte, 1) != 1 {
            if errno != EINTR { return }
        }
        let signo = Int32(byte)
        let name = signo == SIGINT ? "SIGINT" : signo == SIGTERM ? "SIGTERM" : "signal \(signo)"
        lock.lock()
        if committed {
            Console.error("mhdq: interrupted (\(name)) after the run was saved")
        } else if let partial {
            // The main thread may still be adding files to it: retry until the folder is gone.
            for _ in 0 ..< 20 {
                try? FileManager.default.removeItem(atPath: partial)
                if !FileManager.default.fileExists(atPath: partial) { break }
                usleep(10_000)
            }
            Console.error("mhdq: interrupted (\(name)): the unfinished run was removed; earlier runs and latest are unchanged")
        }
        _exit(128 + signo)
    }
}
