// Killing `mhdq run` midway (SIGTERM, SIGINT, SIGKILL) never costs the last good run: it and `latest`
// stay complete and untouched; a caught signal removes the unfinished run, and the next run removes
// what SIGKILL left.

import Foundation
import Testing
@testable import MHDQ
#if canImport(Glibc)
import Glibc
#endif

@Suite("mhdq run interrupted", .enabled(if: FileManager.default.isExecutableFile(atPath: mhdqBinary), "build mhdq first"))
struct RunInterruptionTests {
    /// Every file of a run folder and its bytes.
    static func snapshot(_ folder: String) throws -> [String: Data] {
        var out: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) {
            out[name] = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))
        }
        return out
    }

    /// A small and a big generated trust in `dir` (the big one takes a few seconds to stage in a debug build, so a
    /// signal lands mid-run), and their output folder, with a finished run "good" of the small one if asked.
    static func trusts(in dir: String, goodRun: Bool) throws -> String {
        try generate(dir + "/small", patients: 150)
        try generate(dir + "/big", patients: 12_000)
        let out = dir + "/out"
        if goodRun {
            let good = try mhdq("run", dir + "/small/pipeline.toml", "--out", out, "--run-id", "good")
            try #require(good.status <= 1, "\(good.stderr)")
        }
        return out
    }

    static func generate(_ dir: String, patients: Int) throws {
        let r = try mhdq("generate", "--out", dir, "--patients", String(patients), "--seed", "7")
        try #require(r.status == 0, "\(r.stderr)")
    }

    /// Starts a run of `manifest` (with `--run-id` when given) and waits until it is staging (its spools are in its
    /// partial folder): the process, where its stderr goes, its partial folder, and whether staging was seen.
    static func startedRun(_ manifest: String, out: String, runID: String?, extra: [String] = []) throws
        -> (process: Process, errPath: String, partial: String?, seen: Bool) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: mhdqBinary)
        process.arguments = ["run", manifest, "--out", out] + (runID.map { ["--run-id", $0] } ?? []) + extra
        var env = ProcessInfo.processInfo.environment
        env["MHDQ_RULES"] = TestPaths.rules
        process.environment = env
        let errPath = out + "/../\(runID ?? UUID().uuidString).stderr"
        FileManager.default.createFile(atPath: errPath, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        process.standardOutput = FileHandle.nullDevice
        let before = Set((try? FileManager.default.contentsOfDirectory(atPath: out)) ?? [])
        try process.run()
        var partial = runID.map { OutputFolder.partialPath(parent: out, runID: $0) }
        var seen = false
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline {
            if partial == nil, let name = ((try? FileManager.default.contentsOfDirectory(atPath: out)) ?? [])
                .first(where: { $0.hasSuffix(".partial") && !before.contains($0) }) {
                partial = out + "/" + name
            }
            let spools = partial.flatMap { try? FileManager.default.contentsOfDirectory(atPath: $0) }?.filter { $0.hasSuffix(".spool") } ?? []
            if spools.contains(where: { (ByteInput.size(path: partial! + "/" + $0) ?? 0) > 0 }) {
                seen = true
                break
            }
            usleep(5_000)
        }
        return (process, errPath, partial, seen)
    }

    /// Starts a run of `manifest`, waits until it is staging, sends `signal`, and returns how it ended and what it said.
    static func interruptedRun(_ manifest: String, out: String, runID: String, signal: Int32) throws
        -> (reason: Process.TerminationReason, status: Int32, stderr: String, partialSeen: Bool) {
        let run = try startedRun(manifest, out: out, runID: runID)
        kill(run.process.processIdentifier, signal)
        run.process.waitUntilExit()
        let stderr = (try? String(contentsOfFile: run.errPath, encoding: .utf8)) ?? ""
        return (run.process.terminationReason, run.process.terminationStatus, stderr, run.seen)
    }

    /// SIGINT after the run is recorded in the history (its resolved.csv is being written) and before its folder is
    /// renamed into place: the run used to be removed from disk but kept in the history. Now the signal waits for
    /// the commit, so the run is either saved and recorded, or neither.
    @Test func lateInterruptionLeavesHistoryAndFoldersAgreeing() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let out = try Self.trusts(in: dir, goodRun: true)
        let run = try Self.startedRun(dir + "/big/pipeline.toml", out: out, runID: "late")
        let resolved = OutputFolder.partialPath(parent: out, runID: "late") + "/resolved.csv"
        var late = false
        while run.process.isRunning {
            if FileManager.default.fileExists(atPath: resolved) {
                late = true
                break
            }
            usleep(500)
        }
        kill(run.process.processIdentifier, SIGINT)
        run.process.waitUntilExit()
        let stderr = (try? String(contentsOfFile: run.errPath, encoding: .utf8)) ?? ""
        #expect(late, "the signal landed after the history was written: \(stderr)")
        let recorded = try HistoryStore(path: out + "/history.sqlite", create: false).runs().map(\.runID)
        let saved = FileManager.default.fileExists(atPath: out + "/late")
        #expect(recorded == (saved ? ["good", "late"] : ["good"]), "saved: \(saved), history: \(recorded); \(stderr)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: out + "/latest") == (saved ? "late" : "good"))
        #expect(run.process.terminationStatus == 128 + SIGINT, "\(stderr)")
    }

    /// Two runs into one output folder at once (two schedulers, a rerun by hand): each finishes with its own folder.
    /// The second used to remove the first's partial folder as stale, and two runs in the same second shared one id.
    @Test func concurrentRunsIntoOneFolderBothComplete() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let out = try Self.trusts(in: dir, goodRun: false)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let first = try Self.startedRun(dir + "/big/pipeline.toml", out: out, runID: nil, extra: ["--no-history"])
        #expect(first.seen, "the first run is staging")
        let firstPartial = try #require(first.partial)
        let firstID = String((firstPartial as NSString).lastPathComponent.dropFirst().dropLast(".partial".count))
        // Its id is taken while it runs: --run-id cannot claim it, nor remove its folder.
        let same = try mhdq("run", dir + "/small/pipeline.toml", "--out", out, "--no-history", "--run-id", firstID)
        #expect(same.status == 2 && same.stderr.contains("another mhdq run"), "\(same.stderr)")
        let second = try mhdq("run", dir + "/small/pipeline.toml", "--out", out, "--no-history")
        #expect(second.status <= 1, "\(second.stderr)")
        #expect(FileManager.default.fileExists(atPath: firstPartial), "the first run's folder is left alone")
        first.process.waitUntilExit()
        let stderr = (try? String(contentsOfFile: first.errPath, encoding: .utf8)) ?? ""
        #expect(first.process.terminationReason == .exit && first.process.terminationStatus <= 1, "\(stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(names.count == 3 && names.contains(firstID) && names.contains("latest"), "two runs and latest: \(names)")
        for run in names where run != "latest" {
            #expect(FileManager.default.fileExists(atPath: out + "/\(run)/summary.json"), "\(run) is complete")
        }
    }

    @Test func killedRunsLeaveTheLastGoodRunInPlace() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let out = try Self.trusts(in: dir, goodRun: true)
        let before = try Self.snapshot(out + "/good")
        #expect(before.count >= 10, "flat files, exceptions, reconciliation, summary")
        func expectGoodRunIntact(_ context: String) throws {
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: out + "/latest") == "good", "\(context)")
            #expect(try Self.snapshot(out + "/latest") == before, "\(context): latest resolves to the complete good run")
            #expect(try Self.snapshot(out + "/good") == before, "\(context)")
        }

        for (signal, name) in [(SIGTERM, "SIGTERM"), (SIGINT, "SIGINT")] {
            let runID = "killed-\(name)"
            let r = try Self.interruptedRun(dir + "/big/pipeline.toml", out: out, runID: runID, signal: signal)
            #expect(r.partialSeen, "\(name): the run was killed while staging")
            #expect(r.reason == .exit && r.status == 128 + signal, "\(name): \(r.reason) \(r.status)")
            #expect(r.stderr.contains("interrupted (\(name))") && r.stderr.contains("removed"), "\(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: OutputFolder.partialPath(parent: out, runID: runID)), "\(name): partial removed")
            #expect(!FileManager.default.fileExists(atPath: out + "/" + runID))
            try expectGoodRunIntact(name)
        }

        let killed = try Self.interruptedRun(dir + "/big/pipeline.toml", out: out, runID: "killed-SIGKILL", signal: SIGKILL)
        #expect(killed.partialSeen)
        #expect(killed.reason == .uncaughtSignal && killed.status == SIGKILL)
        #expect(!FileManager.default.fileExists(atPath: out + "/killed-SIGKILL"))
        try expectGoodRunIntact("SIGKILL")
        // Nothing can run on SIGKILL: the hidden partial folder stays until the next run; so does the temporary link
        // of a run killed while re-pointing latest (made here by hand: a kill cannot be timed to land there).
        #expect(FileManager.default.fileExists(atPath: OutputFolder.partialPath(parent: out, runID: "killed-SIGKILL")))
        try FileManager.default.createSymbolicLink(atPath: out + "/.latest.good.tmp", withDestinationPath: "good")

        let next = try mhdq("run", dir + "/small/pipeline.toml", "--out", out, "--run-id", "next")
        #expect(next.status <= 1, "\(next.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: out).filter { !$0.hasPrefix("history.sqlite") }.sorted()
        #expect(names == ["good", "latest", "next"], "stale partial folders and links are removed: \(names)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: out + "/latest") == "next")
        #expect(try Self.snapshot(out + "/good") == before)
    }

    /// A run is saved only if what commits with it (its history record) succeeds: otherwise it is taken back out,
    /// the earlier run of its id is restored and `latest` is not moved.
    @Test func aRunWhoseConfirmationFailsIsTakenBackOut() throws {
        struct Refused: Error {}
        let parent = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        for (id, text) in [("night", "earlier"), ("other", "other")] {
            let folder = try OutputFolder(parent: parent, runID: id)
            try text.write(toFile: folder.path("summary.json"), atomically: false, encoding: .utf8)
            try folder.commit()
        }
        let folder = try OutputFolder(parent: parent, runID: "night")
        try "refused".write(toFile: folder.path("summary.json"), atomically: false, encoding: .utf8)
        var sawRunInPlace = false
        #expect(throws: Refused.self) {
            try folder.commit {
                sawRunInPlace = (try? String(contentsOfFile: parent + "/night/summary.json", encoding: .utf8)) == "refused"
                throw Refused()
            }
        }
        #expect(sawRunInPlace, "confirmed once the run is in place")
        folder.discard()
        #expect(try String(contentsOfFile: parent + "/night/summary.json", encoding: .utf8) == "earlier")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: parent + "/latest") == "other")
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent).sorted() == ["latest", "night", "other"])
    }

    /// A run killed between making its temporary link to re-point `latest` and renaming it leaves `.latest.<id>.tmp`:
    /// the next run removes such links when their run is gone (its folder unlocked, or no folder), never the link of
    /// a run that is re-pointing latest now (its folder still locked). They used to stay for good.
    @Test func staleLatestLinksAreRemovedButNotALiveRunsOne() throws {
        let parent = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let done = try OutputFolder(parent: parent, runID: "done")
        try "done".write(toFile: done.path("summary.json"), atomically: false, encoding: .utf8)
        try done.commit()
        let fm = FileManager.default
        func links() throws -> [String] { try fm.contentsOfDirectory(atPath: parent).filter { $0.hasPrefix(".latest.") }.sorted() }
        // Left by killed runs: one whose folder is in place, one whose folder has since been deleted.
        try fm.createSymbolicLink(atPath: parent + "/.latest.done.tmp", withDestinationPath: "done")
        try fm.createSymbolicLink(atPath: parent + "/.latest.deleted.tmp", withDestinationPath: "deleted")
        let live = try OutputFolder(parent: parent, runID: "live")
        try "live".write(toFile: live.path("summary.json"), atomically: false, encoding: .utf8)
        try live.commit {
            // The live run is in place and about to re-point latest; its link is there as if made an instant ago.
            try fm.createSymbolicLink(atPath: parent + "/.latest.live.tmp", withDestinationPath: "live")
            let next = try OutputFolder(parent: parent)
            next.discard()
            #expect(try links() == [".latest.live.tmp"], "only the live run's link is left")
        }
        #expect(try links().isEmpty)
        #expect(try fm.destinationOfSymbolicLink(atPath: parent + "/latest") == "live")
    }

    /// A run given the id of an earlier run replaces it; a new run without an id never does, nor takes a live run's.
    @Test func runIDsNeverCollide() throws {
        let parent = try makeTemporaryDirectory()
        let date = Date(timeIntervalSince1970: 1_790_000_000)
        let id = "20260921T141320Z"
        // Two runs in the same second: the first one's claimed (and locked) folder makes the second take -2.
        let first = try OutputFolder(parent: parent, date: date)
        let second = try OutputFolder(parent: parent, date: date)
        #expect([first.runID, second.runID] == [id, id + "-2"])
        // A live run's folder is not stale: a third run removes neither, and cannot claim its id.
        #expect(throws: MHDQError.self) { try OutputFolder(parent: parent, runID: id) }
        #expect(FileManager.default.fileExists(atPath: first.partial) && FileManager.default.fileExists(atPath: second.partial))
        try "first".write(toFile: first.path("summary.json"), atomically: false, encoding: .utf8)
        try first.commit()
        second.discard()
        let third = try OutputFolder(parent: parent, date: date)
        #expect(third.runID == id + "-2", "a finished run's id is never reused")
        third.discard()

        let folder = try OutputFolder(parent: parent, runID: id)
        try "new".write(toFile: folder.path("summary.json"), atomically: false, encoding: .utf8)
        try folder.commit()
        #expect(try String(contentsOfFile: parent + "/\(id)/summary.json", encoding: .utf8) == "new")
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent).sorted() == [id, "latest"])
    }
}
