// Outputs are written to a temporary folder and renamed into place only when the run completes.

import Foundation

/// `DIR/<run-id>/` is built as `DIR/.<run-id>.partial` and renamed when complete; `DIR/latest` is then
/// re-pointed with an atomic symlink rename. A run that fails or is killed leaves earlier runs and
/// `latest` as they were (a stale `.partial` folder is removed by the next run).
public struct OutputFolder {
    public let parent: String
    public let runID: String
    public var partial: String { parent + "/." + runID + ".partial" }
    public var final: String { parent + "/" + runID }
    public var latest: String { parent + "/latest" }

    public init(parent: String, runID: String) throws {
        self.parent = parent
        self.runID = runID
        let fm = FileManager.default
        do {
            try fm.createDirectory(atPath: parent, withIntermediateDirectories: true)
            for name in (try? fm.contentsOfDirectory(atPath: parent)) ?? [] where name.hasPrefix(".") && name.hasSuffix(".partial") {
                try? fm.removeItem(atPath: parent + "/" + name)
            }
            try fm.createDirectory(atPath: partial, withIntermediateDirectories: false)
        } catch {
            throw MHDQError.invocation("cannot create the output folder: \(error.localizedDescription)", at: SourceLocation(file: parent))
        }
    }

    public func path(_ name: String) -> String { partial + "/" + name }

    /// Moves the finished run into place and points `latest` at it.
    public func commit() throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: final) { try? fm.removeItem(atPath: final) }
        guard rename(partial, final) == 0 else {
            throw MHDQError.input("cannot move the finished run into place", at: SourceLocation(file: final))
        }
        let link = parent + "/.latest.tmp"
        try? fm.removeItem(atPath: link)
        guard symlink(runID, link) == 0, rename(link, latest) == 0 else {
            throw MHDQError.input("cannot point latest at the run", at: SourceLocation(file: latest))
        }
    }

    public static func newRunID() -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_GB_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return f.string(from: Date())
    }

    public static func timestamp() -> String {
        let f = ISO8601DateFormatter()
        return f.string(from: Date())
    }
}
