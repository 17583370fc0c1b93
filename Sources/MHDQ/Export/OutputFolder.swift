// Outputs are written to a temporary folder and renamed into place only when the run completes.

import Foundation

/// `DIR/<run-id>/` is built as `DIR/.<run-id>.partial` and renamed when complete; `DIR/latest` is then
/// re-pointed with an atomic symlink rename. A run that fails or is killed leaves earlier runs and
/// `latest` as they were (a stale `.partial` folder is removed by the next run).
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

    public init(parent: String, runID: String) throws {
        try OutputFolder.validate(runID: runID)
        self.parent = parent
        self.runID = runID
        let fm = FileManager.default
        guard OutputFolder.holdsRunOrNothing(parent + "/" + runID) else {
            throw MHDQError.invocation("this is not a run's folder (a run replaces only an earlier run of its id): give another --run-id",
                                       at: SourceLocation(file: final))
        }
        do {
            try fm.createDirectory(atPath: parent, withIntermediateDirectories: true)
            // Left by a run that was killed (SIGKILL, power loss): never a complete run.
            for name in (try? fm.contentsOfDirectory(atPath: parent)) ?? [] where name.hasPrefix(".") && (name.hasSuffix(".partial") || name.hasSuffix(".replaced")) {
                try? fm.removeItem(atPath: parent + "/" + name)
            }
            try fm.createDirectory(atPath: partial, withIntermediateDirectories: false)
        } catch {
            throw MHDQError.invocation("cannot create the output folder: \(error.localizedDescription)", at: SourceLocation(file: parent))
        }
    }

    public func path(_ name: String) -> String { partial + "/" + name }

    public static func partialPath(parent: String, runID: String) -> String { parent + "/." + runID + ".partial" }

    /// Removes the unfinished run (a run that failed): nothing of it is left behind.
    public func discard() {
        try? FileManager.default.removeItem(atPath: partial)
    }

    /// Moves the finished run into place and points `latest` at it.
    public func commit() throws {
        let fm = FileManager.default
        // A run given the id of an earlier one (--run-id) replaces it: set the old one aside first, so that the
        // name always holds a complete run, and delete it once the new one is in place.
        let replaced = parent + "/." + runID + ".replaced"
        // Anything else of that name (a file, a link, a folder that is not a run) is never replaced.
        guard OutputFolder.holdsRunOrNothing(final) else {
            throw MHDQError.input("cannot move the finished run into place: something that is not a run has its name", at: SourceLocation(file: final))
        }
        var setAside = false
        if fm.fileExists(atPath: final) {
            try? fm.removeItem(atPath: replaced)
            setAside = rename(final, replaced) == 0
        }
        guard rename(partial, final) == 0 else {
            if setAside { _ = rename(replaced, final) }
            throw MHDQError.input("cannot move the finished run into place", at: SourceLocation(file: final))
        }
        if setAside { try? fm.removeItem(atPath: replaced) }
        let link = parent + "/.latest.tmp"
        try? fm.removeItem(atPath: link)
        guard symlink(runID, link) == 0, rename(link, latest) == 0 else {
            throw MHDQError.input("cannot point latest at the run", at: SourceLocation(file: latest))
        }
    }

    public static func newRunID(date: Date = Date()) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_GB_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return f.string(from: date)
    }

    /// A run id not yet used in `parent` (two runs in the same second get `-2`, `-3`...), so a new run
    /// never replaces an earlier one.
    public static func newRunID(in parent: String, date: Date = Date()) -> String {
        let base = newRunID(date: date)
        let fm = FileManager.default
        var id = base
        var n = 1
        while fm.fileExists(atPath: parent + "/" + id) || fm.fileExists(atPath: partialPath(parent: parent, runID: id)) {
            n += 1
            id = base + "-\(n)"
        }
        return id
    }

    public static func timestamp() -> String {
        let f = ISO8601DateFormatter()
        return f.string(from: Date())
    }
}
