// Outputs are written to a temporary folder and renamed into place only when the run completes.

import Foundation

/// `DIR/<run-id>/` is built as `DIR/.<run-id>.partial` and renamed when complete; `DIR/latest` is then
/// re-pointed with an atomic symlink rename (of `DIR/.latest.<run-id>.tmp`). A run that fails or is killed leaves
/// earlier runs and `latest` as they were (a stale `.partial` folder or temporary link is removed by the next run). A
/// live run holds a lock on its folder until `latest` points at it, so runs into one parent at the same time never
/// remove or share each other's.
public struct OutputFolder {
    public let parent: String
    public let runID: String
    public var partial: String { OutputFolder.partialPath(parent: parent, runID: runID) }
    public var final: String { parent + "/" + runID }
    public var latest: String { parent + "/latest" }

    /// The run history's file when the run keeps it in the output folder (the default).
    public static let historyFileName = "history.sqlite"

    /// Refuses a run id that is not a plain name for the run's folder: the folder is `DIR/<run-id>` and is renamed
    /// over whatever has that name, so a path, a hidden name (the output folder's own: `.<id>.partial`), `latest`
    /// or the history's files (history.sqlite, -wal, -shm, .lock) would replace or escape what the folder holds.
    public static func validate(runID id: String) throws {
        let problem: String?
        if id.isEmpty {
            problem = "is empty"
        } else if id.contains(where: { $0 == "/" || $0 == "\\" || $0 == "\0" }) {
            problem = "contains / or \\ (it names a folder, not a path)"
        } else if id.hasPrefix(".") {
            problem = "starts with a dot (., .. and hidden names are the output folder's own)"
        } else if id.hasPrefix("#") {
            problem = "starts with # (history show #3 reads #3 as the third run)"
        } else if id == "latest" {
            problem = "is the output folder's link to the last run"
        } else if id == historyFileName || id.hasPrefix(historyFileName + "-") || id.hasPrefix(historyFileName + ".") {
            problem = "is the run history's file name"
        } else {
            problem = nil
        }
        if let problem {
            throw MHDQError.invocation("--run-id \"\(id)\" \(problem): a run id is a plain name for the run's folder (such as 2026-09-nightly)")
        }
    }

    /// A run's folder, or nothing: the only entries a run may be renamed over (an earlier run given the same id).
    static func holdsRunOrNothing(_ path: String) -> Bool {
        var st = stat()
        guard lstat(path, &st) == 0 else { return errno == ENOENT }
        return (st.st_mode & S_IFMT) == S_IFDIR && FileManager.default.fileExists(atPath: path + "/summary.json")
    }

    /// Creates `path` and the folders above it that are missing (mkdir -p). Nil when done; else what stopped it, naming
    /// the folder and the OS reason (Foundation's createDirectory said only "NSCocoaErrorDomain error 512").
    static func createFolders(_ path: String) -> String? {
        var built = path.hasPrefix("/") ? "/" : ""
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if !built.isEmpty && !built.hasSuffix("/") { built += "/" }
            built += part
            if mkdir(built, 0o777) != 0 && errno != EEXIST { return "\(built): \(String(cString: strerror(errno)))" }
            var st = stat()
            guard stat(built, &st) == 0 else { return "\(built): \(String(cString: strerror(errno)))" }
            guard st.st_mode & S_IFMT == S_IFDIR else { return "\(built) is a file, not a folder" }
        }
        return nil
    }

    /// Claims a new run's folder in `parent` and locks it for the life of the run: `runID` (--run-id), or when nil a
    /// new id from `date` that no run in `parent` has (a second run in the same second gets `-2`, then `-3`...).
    /// `taken`: whether an id mhdq makes (no `runID` given) is in use elsewhere (the run history), so the next is tried.
    public init(parent: String, runID: String? = nil, date: Date = Date(), taken: (String) -> Bool = { _ in false }) throws {
        if let runID {
            try OutputFolder.validate(runID: runID)
            guard OutputFolder.holdsRunOrNothing(parent + "/" + runID) else {
                throw MHDQError.invocation("this is not a run's folder (a run replaces only an earlier run of its id): give another --run-id",
                                           at: SourceLocation(file: parent + "/" + runID))
            }
        }
        if let problem = OutputFolder.createFolders(parent) {
            // An output that cannot be written (a permission, a full disk, a file in the way) is exit 3, not 2.
            throw MHDQError.input("cannot create the output folder: \(problem)", at: SourceLocation(file: parent))
        }
        OutputFolder.removeStale(in: parent)
        self.parent = parent
        if let runID {
            guard let fd = try OutputFolder.claim(OutputFolder.partialPath(parent: parent, runID: runID)) else {
                throw MHDQError.invocation("run \(runID) is being written by another mhdq run now: give another --run-id",
                                           at: SourceLocation(file: OutputFolder.partialPath(parent: parent, runID: runID)))
            }
            self.runID = runID
            lock = FolderLock(fd)
        } else {
            // The claim is the exclusive mkdir: two runs that pick the same id at once cannot both get it.
            let base = OutputFolder.newRunID(date: date)
            var n = 1
            while true {
                let id = n == 1 ? base : base + "-\(n)"
                n += 1
                var st = stat()
                if lstat(parent + "/" + id, &st) == 0 || taken(id) { continue }
                guard let fd = try OutputFolder.claim(OutputFolder.partialPath(parent: parent, runID: id)) else { continue }
                self.runID = id
                lock = FolderLock(fd)
                break
            }
        }
    }

    /// The open partial folder, locked (flock) while the run lives: another run that finds the lock free knows the
    /// folder is stale (its run was killed; flock is released by the kernel when a process dies).
    private let lock: FolderLock

    /// Closed once, however many copies of the folder value release it (a closed descriptor's number is reused).
    private final class FolderLock {
        private var fd: Int32
        init(_ fd: Int32) { self.fd = fd }
        func release() {
            guard fd >= 0 else { return }
            close(fd)
            fd = -1
        }
    }

    /// Creates the partial folder `path` (an exclusive mkdir) and locks it: nil when a live run holds it. A stale
    /// folder of that name is removed first.
    static func claim(_ path: String) throws -> Int32? {
        for _ in 0 ..< 10 {
            if mkdir(path, 0o777) == 0 {
                let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                guard fd >= 0 else { break }
                // Blocks only while another run, which found the new folder unlocked before this line, removes it.
                while flock(fd, LOCK_EX) != 0 && errno == EINTR {}
                if isSameFile(fd, path) { return fd }
                close(fd)
                continue
            }
            guard errno == EEXIST else { break }
            guard removeIfStale(path) else { return nil }
        }
        // The README's "outputs that cannot be written" (a read-only folder): exit 3, as for the outputs themselves.
        throw MHDQError.input("cannot create the run's folder: \(String(cString: strerror(errno)))", at: SourceLocation(file: path))
    }

    /// Removes what killed runs left in `parent` (SIGKILL, power loss): partial folders no live run holds, and
    /// earlier runs set aside by a replacing run that is no longer alive. Never a live run's.
    static func removeStale(in parent: String) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []
        for name in names where name.hasPrefix(".") && name.hasSuffix(".partial") {
            _ = removeIfStale(parent + "/" + name)
        }
        for name in names where name.hasPrefix(".") && name.hasSuffix(".replaced") {
            let runID = String(name.dropFirst().dropLast(".replaced".count))
            if removeIfStale(partialPath(parent: parent, runID: runID)) {
                try? FileManager.default.removeItem(atPath: parent + "/" + name)
            }
        }
        for name in names where name.hasPrefix(".latest.") && name.hasSuffix(".tmp") {
            let runID = String(name.dropFirst(".latest.".count).dropLast(".tmp".count))
            if !isLocked(parent + "/" + runID) { try? FileManager.default.removeItem(atPath: parent + "/" + name) }
        }
    }

    /// Whether a live run holds the lock of the folder at `path` (a run keeps its folder locked, under its partial and
    /// then its final name, until `latest` points at it). Taken without waiting, and only to look.
    static func isLocked(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { return true }
        flock(fd, LOCK_UN)
        // The folder looked at is still the one of that name (not an earlier run's, replaced meanwhile).
        return !isSameFile(fd, path)
    }

    /// Removes the partial folder `path` unless a live run holds its lock: false when one does.
    static func removeIfStale(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            // Gone already; or not a folder, which no run made: ours to remove (hidden names are the output folder's).
            if errno != ENOENT { try? FileManager.default.removeItem(atPath: path) }
            return true
        }
        defer { close(fd) }
        // Taken without waiting: a live run holds it, and only a dead run's folder can be locked here.
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { return false }
        // Remove the folder that was locked, not one a new run made under that name meanwhile.
        if isSameFile(fd, path) { try? FileManager.default.removeItem(atPath: path) }
        return true
    }

    static func isSameFile(_ fd: Int32, _ path: String) -> Bool {
        var open = stat(), named = stat()
        return fstat(fd, &open) == 0 && lstat(path, &named) == 0 && open.st_dev == named.st_dev && open.st_ino == named.st_ino
    }

    public func path(_ name: String) -> String { partial + "/" + name }

    public static func partialPath(parent: String, runID: String) -> String { parent + "/." + runID + ".partial" }

    /// Removes the unfinished run (a run that failed): nothing of it is left behind.
    public func discard() {
        try? FileManager.default.removeItem(atPath: partial)
        lock.release()
    }

    /// Moves the finished run into place and points `latest` at it. `confirm` runs once the run is in place, before
    /// anything else changes (an earlier run of its id is still set aside, `latest` not yet moved): `mhdq run` commits
    /// the run's history record there. If it throws, the run is taken back out (to its partial folder, which
    /// `discard()` removes) and the earlier run restored, so the run is saved exactly when `confirm` succeeds.
    public func commit(confirming confirm: () throws -> Void = {}) throws {
        let fm = FileManager.default
        // A run given the id of an earlier one (--run-id) replaces it: set the old one aside first, so that the
        // name always holds a complete run, and delete it once the new one is in place.
        let replaced = parent + "/." + runID + ".replaced"
        // Anything else of that name (a file, a link, a folder that is not a run) is never replaced.
        guard OutputFolder.holdsRunOrNothing(final) else {
            throw MHDQError.input("cannot move the finished run into place: something that is not a run has its name", at: SourceLocation(file: final))
        }
        // A folder named latest (not the link) cannot be renamed over: refused before anything moves, so the run is
        // neither in place nor in the history. Found only after `confirm`, the run was recorded as completed while
        // mhdq exited 3.
        var linkStat = stat()
        if lstat(latest, &linkStat) == 0 && (linkStat.st_mode & S_IFMT) == S_IFDIR {
            throw MHDQError.input("cannot point latest at the run: a folder, not the link to the last run, has its name",
                                  at: SourceLocation(file: latest))
        }
        var setAside = false
        if fm.fileExists(atPath: final) {
            try? fm.removeItem(atPath: replaced)
            setAside = rename(final, replaced) == 0
        }
        guard rename(partial, final) == 0 else {
            let reason = String(cString: strerror(errno))
            if setAside { _ = rename(replaced, final) }
            throw MHDQError.input("cannot move the finished run into place: \(reason)", at: SourceLocation(file: final))
        }
        do {
            try confirm()
        } catch {
            // Back under its hidden name (never over a folder another run of this id has claimed meanwhile).
            var st = stat()
            if lstat(partial, &st) == 0 || rename(final, partial) != 0 { try? fm.removeItem(atPath: final) }
            if setAside { _ = rename(replaced, final) }
            throw error
        }
        // Held (on the folder, now under its final name) until latest points at it: while it is, this run's temporary
        // link is not stale.
        defer { lock.release() }
        if setAside { try? fm.removeItem(atPath: replaced) }
        // The new link's own name: another run may be re-pointing latest at the same moment.
        let link = OutputFolder.latestLinkPath(parent: parent, runID: runID)
        // Tried again if the link vanishes before the rename: a run that found this run's folder unlocked an instant
        // before it was renamed into place may remove the link as stale.
        for _ in 0 ..< 3 {
            try? fm.removeItem(atPath: link)
            guard symlink(runID, link) == 0 else { break }
            if rename(link, latest) == 0 { return }
            guard errno == ENOENT else { break }
        }
        let reason = String(cString: strerror(errno))
        try? fm.removeItem(atPath: link)
        throw MHDQError.input("cannot point latest at the run: \(reason)", at: SourceLocation(file: latest))
    }

    /// The temporary link a run renames over `latest`: `.latest.<run-id>.tmp`.
    static func latestLinkPath(parent: String, runID: String) -> String { parent + "/.latest." + runID + ".tmp" }

    public static func newRunID(date: Date = Date()) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_GB_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return f.string(from: date)
    }

    public static func timestamp() -> String {
        let f = ISO8601DateFormatter()
        return f.string(from: Date())
    }
}
