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

    static func generate(_ dir: String, patients: Int) throws {
        let r = try mhdq("generate", "--out", dir, "--patients", String(patients), "--seed", "7")
        try #require(r.status == 0, "\(r.stderr)")
    }

    /// Starts a run of `manifest`, waits until it is staging (its spools are in the partial folder),
    /// sends `signal`, and returns how it ended and what it said.
    static func interruptedRun(_ manifest: String, out: String, runID: String, signal: Int32) throws
        -> (reason: Process.TerminationReason, status: Int32, stderr: String, partialSeen: Bool) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: mhdqBinary)
        process.arguments = ["run", manifest, "--out", out, "--run-id", runID]
        var env = ProcessInfo.processInfo.environment
        env["MHDQ_RULES"] = TestPaths.rules
        process.environment = env
        let errPath = out + "/../\(runID).stderr"
        FileManager.default.createFile(atPath: errPath, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let partial = OutputFolder.partialPath(parent: out, runID: runID)
        var seen = false
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline {
            let spools = (try? FileManager.default.contentsOfDirectory(atPath: partial))?.filter { $0.hasSuffix(".spool") } ?? []
            if spools.contains(where: { (ByteInput.size(path: partial + "/" + $0) ?? 0) > 0 }) {
                seen = true
                break
            }
            usleep(5_000)
        }
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        let stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        return (process.terminationReason, process.terminationStatus, stderr, seen)
    }

    @Test func killedRunsLeaveTheLastGoodRunInPlace() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.generate(dir + "/small", patients: 150)
        // Big enough that staging takes a few seconds in a debug build: the signal lands mid-run.
        try Self.generate(dir + "/big", patients: 12_000)
        let out = dir + "/out"
        let good = try mhdq("run", dir + "/small/pipeline.toml", "--out", out, "--run-id", "good")
        try #require(good.status <= 1, "\(good.stderr)")
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
        // Nothing can run on SIGKILL: the hidden partial folder stays until the next run.
        #expect(FileManager.default.fileExists(atPath: OutputFolder.partialPath(parent: out, runID: "killed-SIGKILL")))

        let next = try mhdq("run", dir + "/small/pipeline.toml", "--out", out, "--run-id", "next")
        #expect(next.status <= 1, "\(next.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: out).filter { !$0.hasPrefix("history.sqlite") }.sorted()
        #expect(names == ["good", "latest", "next"], "stale partial folders are removed: \(names)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: out + "/latest") == "next")
        #expect(try Self.snapshot(out + "/good") == before)
    }

    /// A run given the id of an earlier run replaces it; a new run without an id never does.
    @Test func runIDsNeverCollide() throws {
        let parent = try makeTemporaryDirectory()
        let date = Date(timeIntervalSince1970: 1_790_000_000)
        let id = OutputFolder.newRunID(in: parent, date: date)
        #expect(id == "20260921T141320Z")
        try FileManager.default.createDirectory(atPath: parent + "/" + id, withIntermediateDirectories: false)
        #expect(OutputFolder.newRunID(in: parent, date: date) == id + "-2")

        let folder = try OutputFolder(parent: parent, runID: id)
        try "new".write(toFile: folder.path("summary.json"), atomically: false, encoding: .utf8)
        try folder.commit()
        #expect(try String(contentsOfFile: parent + "/\(id)/summary.json", encoding: .utf8) == "new")
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent).sorted() == [id, "latest"])
    }
}
