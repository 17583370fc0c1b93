// A history that is damaged, locked or missing gives a clear error naming the file; two sessions on one
// history never interleave.

import Foundation
import Testing
@testable import MHDQ

@Suite struct HistoryFailureTests {
    typealias H = HistoryTestSupport

    @Test func garbageBytesAreNotADatabase() throws {
        let dir = TempDir()
        let db = dir.path + "/history.sqlite"
        var garbage = [UInt8](repeating: 0, count: 8192)
        for i in garbage.indices { garbage[i] = UInt8(truncatingIfNeeded: i &* 2654435761 >> 7) }
        try Data(garbage).write(to: URL(fileURLWithPath: db))
        let e = captureError { _ = try HistoryStore(path: db, create: true) }
        #expect(e?.kind == .input)
        #expect(e?.location?.file == db)
        #expect(e?.message.contains("file is not a database") == true, "\(String(describing: e))")
        #expect(e?.message.contains("move it aside") == true)
        // Left as it was: evidence for whoever looks at it.
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == Data(garbage))
    }

    /// A real history whose pages are overwritten in the middle: caught when read, not silently used.
    @Test func damagedPagesAreReported() throws {
        let dir = TempDir()
        let db = dir.path + "/history.sqlite"
        for night in 1 ... 2 {
            _ = try H.run(history: db, runID: "n\(night)", started: "2026-01-0\(night + 4)T02:00:00Z",
                          tables: [("MHS001MPI", H.fixtures + "/mpi-run\(night).csv")])
        }
        let raw = try SQLiteDatabase(path: db, mode: .readWrite)
        try raw.execute("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE")
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: db))
        let size = try handle.seekToEnd()
        #expect(size > 8192)
        try handle.seek(toOffset: 4096)
        try handle.write(contentsOf: Data(repeating: 0xA5, count: Int(size) - 4096))
        try handle.close()
        let e = captureError {
            _ = try H.run(history: db, runID: "n3", started: "2026-01-07T02:00:00Z", tables: [("MHS001MPI", H.fixtures + "/mpi-run3.csv")])
        }
        #expect(e?.location?.file == db)
        #expect(e?.message.contains("malformed") == true || e?.message.contains("not a database") == true, "\(String(describing: e))")
    }

    @Test func readingAMissingHistorySaysHowToMakeOne() {
        let e = captureError { _ = try HistoryStore(path: "/nonexistent/history.sqlite", create: false) }
        #expect(e?.message.contains("mhdq run creates one") == true)
        #expect(e?.location?.file == "/nonexistent/history.sqlite")
    }

    @Test func aSecondSessionWaitsThenGivesUpNamingTheHolder() throws {
        let dir = TempDir()
        let db = dir.path + "/history.sqlite"
        let first = try HistorySession(path: db, info: RunInfo(runID: "first", pipeline: "p", started: "2026-01-05T02:00:00Z"), wait: 0)
        var told: String?
        let started = Date()
        let e = captureError {
            _ = try HistorySession(path: db, info: RunInfo(runID: "second", pipeline: "p", started: "2026-01-05T02:00:01Z"), wait: 0.3) { told = $0 }
        }
        #expect(Date().timeIntervalSince(started) >= 0.3)
        #expect(told?.contains("run first") == true)
        #expect(e?.location?.file == db)
        #expect(e?.message.contains("in use by another run (run first started 2026-01-05T02:00:00Z, pid \(getpid()))") == true, "\(String(describing: e))")
        first.end()
        // Released: the next session gets it at once.
        let third = try HistorySession(path: db, info: RunInfo(runID: "third", pipeline: "p", started: "2026-01-05T02:00:02Z"), wait: 0)
        third.end()
    }

    /// Two sessions on one history from two threads: the second waits for the first to record and then
    /// compares with it, so every finding of the same extract is persisting, none new twice.
    @Test func concurrentSessionsSerialise() throws {
        let dir = TempDir()
        let db = dir.path + "/history.sqlite"
        let file = H.fixtures + "/mpi-run1.csv"
        final class Box: @unchecked Sendable {
            var outcomes: [Int: Result<HistoryOutcome, Error>] = [:]
            let lock = NSLock()
        }
        let box = Box()
        let done = DispatchGroup()
        for i in 1 ... 2 {
            done.enter()
            Thread.detachNewThread {
                let r = Result { try H.run(history: db, runID: "run\(i)", started: "2026-01-05T02:00:0\(i)Z", tables: [("MHS001MPI", file)], wait: 60).outcome }
                box.lock.lock()
                box.outcomes[i] = r
                box.lock.unlock()
                done.leave()
            }
        }
        done.wait()
        let outcomes = try box.outcomes.values.map { try $0.get() }.sorted { $0.run.sequence < $1.run.sequence }
        #expect(outcomes.map(\.run.opened) == [6, 0])
        #expect(outcomes.map(\.run.persisting) == [0, 6])
        #expect(outcomes[1].previous?.runID == outcomes[0].run.runID)
    }

    /// A run recorded but never committed (its outputs failed, or it was killed) leaves no trace: the next run
    /// compares with the run before it, and the run's id is free again.
    @Test func anUncommittedRunLeavesNoTrace() throws {
        let dir = TempDir()
        let db = dir.path + "/history.sqlite"
        _ = try H.run(history: db, runID: "n1", started: "2026-01-05T02:00:00Z", tables: [("MHS001MPI", H.fixtures + "/mpi-run1.csv")])
        let lost = try H.run(history: db, runID: "n2", started: "2026-01-06T02:00:00Z", tables: [("MHS001MPI", H.fixtures + "/mpi-run2.csv")],
                             uncommitted: true)
        #expect(lost.outcome.run.runID == "n2" && lost.outcome.previous?.runID == "n1", "the run's own outputs saw it recorded")
        #expect(try HistoryStore(path: db, create: false).runs().map(\.runID) == ["n1"])
        let next = try H.run(history: db, runID: "n2", started: "2026-01-07T02:00:00Z", tables: [("MHS001MPI", H.fixtures + "/mpi-run2.csv")])
        #expect(next.outcome.previous?.runID == "n1")
        #expect(next.outcome.run.sequence == 2)
        #expect((next.outcome.run.opened, next.outcome.run.persisting, next.outcome.run.resolved) == (2, 5, 1))
    }

    @Test func aRunIDIsRecordedOnce() throws {
        let dir = TempDir()
        let db = dir.path + "/history.sqlite"
        _ = try H.run(history: db, runID: "same", started: "2026-01-05T02:00:00Z", tables: [("MHS001MPI", H.fixtures + "/mpi-run1.csv")])
        let e = captureError {
            _ = try H.run(history: db, runID: "same", started: "2026-01-06T02:00:00Z", tables: [("MHS001MPI", H.fixtures + "/mpi-run2.csv")])
        }
        #expect(e?.message.contains("run id same is already in the history") == true)
        #expect(e?.kind == .invocation)
    }

    /// A failed run (no folder, no findings) is replaced by a retry of its id: failed again, one record stays; completed,
    /// the retry's record replaces it and the run is compared with the last completed run as any other.
    @Test func aFailedRunsRecordIsReplacedByItsRetry() throws {
        let dir = TempDir()
        let db = dir.path + "/history.sqlite"
        _ = try H.run(history: db, runID: "n1", started: "2026-01-05T02:00:00Z", tables: [("MHS001MPI", H.fixtures + "/mpi-run1.csv")])
        for attempt in 1 ... 2 {
            let info = RunInfo(runID: "n2", pipeline: "fixture", started: "2026-01-06T02:0\(attempt):00Z")
            let session = try HistorySession(path: db, info: info, wait: 0)
            try session.recordFailure(info: info, exitCode: ExitCode.unreadableInput, error: "mpi.csv: try \(attempt)")
            session.end()
        }
        var runs = try HistoryStore(path: db, create: false).runs()
        #expect(runs.map { "\($0.runID) \($0.error)" } == ["n1 ", "n2 mpi.csv: try 2"])
        let retry = try H.run(history: db, runID: "n2", started: "2026-01-06T03:00:00Z", tables: [("MHS001MPI", H.fixtures + "/mpi-run2.csv")])
        #expect(retry.outcome.previous?.runID == "n1")
        #expect((retry.outcome.run.opened, retry.outcome.run.persisting, retry.outcome.run.resolved) == (2, 5, 1))
        runs = try HistoryStore(path: db, create: false).runs()
        #expect(runs.map { "\($0.runID) \($0.exitCode) \($0.started)" } == ["n1 1 2026-01-05T02:00:00Z", "n2 1 2026-01-06T03:00:00Z"])
    }
}
