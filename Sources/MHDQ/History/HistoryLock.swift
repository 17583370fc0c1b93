// One writer per history: a run holds an exclusive lock on DB.lock from reading the last run to recording its own.
//
// SQLite's locks cover single transactions; a run reads the previous run's findings at its start and writes its
// own at its end, minutes later. Two runs interleaving there would each compare against the same previous run.
// flock(2) is released by the kernel when the process dies, so a killed run never leaves a stale lock.

import Foundation
#if canImport(Glibc)
import Glibc
#endif

public final class HistoryLock {
    public let path: String
    private let fd: Int32
    private var held = true

    /// Takes the lock, waiting up to `wait` seconds for another holder (calling `waiting` once, with what the
    /// holder wrote, when it has to wait). Fails with a message naming the file and the holder.
    public init(database: String, wait: Double, owner: String, waiting: ((String) -> Void)? = nil) throws {
        path = database + ".lock"
        // The first run of a history beside new outputs: the folder may not exist yet.
        let folder = (database as NSString).deletingLastPathComponent
        if !folder.isEmpty { try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw MHDQError.input("cannot open the history lock: \(String(cString: strerror(errno)))", at: SourceLocation(file: path))
        }
        let deadline = Date().addingTimeInterval(max(0, wait))
        var told = false
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                let message = String(cString: strerror(errno))
                close(fd)
                throw MHDQError.input("cannot lock the history: \(message)", at: SourceLocation(file: path))
            }
            let holder = HistoryLock.holder(fd)
            if Date() >= deadline {
                close(fd)
                let waited = wait > 0 ? " after waiting \(Value.format(wait)) s" : ""
                throw MHDQError.input("the history is in use by another run (\(holder))\(waited); try again when it ends, or give --history-wait SECONDS",
                                      at: SourceLocation(file: database))
            }
            if !told { waiting?(holder); told = true }
            usleep(100_000)
        }
        self.fd = fd
        // Say who holds it, for the message another run will print.
        let text = "\(owner), pid \(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    static func holder(_ fd: Int32) -> String {
        var buf = [UInt8](repeating: 0, count: 256)
        let n = pread(fd, &buf, 255, 0)
        let text = n > 0 ? String(decoding: buf[0 ..< n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : ""
        return text.isEmpty ? "holder unknown" : text
    }

    /// Releases the lock (also released when the process ends).
    public func release() {
        guard held else { return }
        held = false
        _ = ftruncate(fd, 0)
        flock(fd, LOCK_UN)
        close(fd)
    }

    deinit { release() }
}
