// `mhdq run` with a history, end to end through the built binary: statuses in exceptions.csv, a damaged or
// locked history (outputs still written, exit 3), two runs started together, and the history commands.

import Foundation
import Testing
@testable import MHDQ

@Suite("History on the command line", .enabled(if: FileManager.default.isExecutableFile(atPath: mhdqBinary), "build mhdq first"))
struct HistoryCommandLineTests {
    static let manifest = """
        [pipeline]
        name = "History test"
        period = "2026-09"
        provider = "RX1"
        packs = ["ethnicity"]

        [[source]]
        table = "MHS001MPI"
        file = "mpi.csv"

        """

    /// A folder with the manifest and night `n`'s MPI extract as mpi.csv.
    func pipeline(night n: Int, in dir: TempDir) throws -> String {
        let mpi = dir.path + "/mpi.csv"
        try? FileManager.default.removeItem(atPath: mpi)
        try FileManager.default.copyItem(atPath: HistoryTestSupport.fixtures + "/mpi-run\(n).csv", toPath: mpi)
        return dir.write("pipeline.toml", Self.manifest)
    }

    func exceptions(_ folder: String) throws -> [[String: String]] {
        let text = try String(contentsOfFile: folder + "/exceptions.csv", encoding: .utf8)
        let lines = text.split(separator: "\n").map { line -> [String] in
            // No quoted commas in these fixtures' key, rule, status and date columns; the message is quoted when needed.
            var fields: [String] = [], field = "", quoted = false
            for c in line {
                if c == "\"" { quoted.toggle() } else if c == "," && !quoted { fields.append(field); field = "" } else { field.append(c) }
            }
            fields.append(field)
            return fields
        }
        let header = lines[0]
        return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
    }

    func json(_ path: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }

    /// A monthly indicator return holds its own month only: the second night's collapse shows against the
    /// first night's month from the history, and not at all with --no-history.
    @Test func indicatorReturnComparedWithLastMonthsRun() throws {
        let dir = TempDir()
        let out = dir.path + "/out"
        let manifest = dir.write("pipeline.toml", """
            [pipeline]
            name = "Indicator returns"
            period = "2026-09"
            packs = ["ascof"]

            [[source]]
            table = "IndicatorReturn"
            file = "return.csv"

            """)
        func night(_ period: String, _ denominator: String, _ extra: String...) throws -> [[String: String]] {
            dir.write("return.csv", "Period,Area,Measure,Numerator,Denominator,StatedValue\n\(period),Shire,ASCOF 1F,90,\"\(denominator)\",\n")
            let r = try mhdq(environment: [:], ["run", manifest, "--out", out] + extra)
            #expect(r.status == 0 || r.status == 1, "\(r.stderr)")
            return try exceptions(out + "/latest").filter { $0["rule_id"] == "ASC006" }
        }
        #expect(try night("2026-08", "12,000", "--run-id", "aug").isEmpty)
        let collapse = try night("2026-09", "300", "--run-id", "sep")
        #expect(collapse.map { $0["record_key"] } == ["Shire / ASCOF 1F / 2026-09"])
        #expect(collapse.first?["expected"] == "within 20% of 12,000")
        #expect(try night("2026-09", "300", "--run-id", "sep-alone", "--no-history").isEmpty)
    }

    /// `history trend series:…` counts runs as "runs" and compares the last run with the one before: it counted every
    /// period of every run (a return of two months over two runs was "4 runs") and set two months of the last run
    /// side by side as "previous" and "latest".
    @Test func seriesTrendComparesRunWithRun() throws {
        let dir = TempDir()
        let out = dir.path + "/out"
        let manifest = dir.write("pipeline.toml", """
            [pipeline]
            name = "Indicator returns"
            packs = ["ascof"]

            [[source]]
            table = "IndicatorReturn"
            file = "return.csv"

            """)
        for (id, rows) in [("aug", "Jul-26,Shire,ASCOF 1F,1000,10000,\nAug-26,Shire,ASCOF 1F,1100,10000,\n"),
                           ("sep", "Aug-26,Shire,ASCOF 1F,1100,10000,\nSep-26,Shire,ASCOF 1F,1250,10000,\n")] {
            dir.write("return.csv", "Period,Area,Measure,Numerator,Denominator,StatedValue\n" + rows)
            let r = try mhdq("run", manifest, "--out", out, "--run-id", id)
            #expect(r.status == 0 || r.status == 1, "\(r.stderr)")
        }
        let r = try mhdq("history", "trend", "series:ASCOF 1F", "--out", out)
        #expect(r.status == 0, "\(r.stderr)")
        let shire = try #require(r.stdout.split(separator: "\n").first { $0.hasPrefix("Shire ") }, "\(r.stdout)")
        // group, runs, latest, previous, change, min, max
        #expect(shire.split(separator: " ").prefix(7) == ["Shire", "2", "12.5", "11", "+1.5", "11", "12.5"], "\(r.stdout)")
        let one = try mhdq("history", "trend", "series:ASCOF 1F", "--group", "Shire", "--out", out)
        #expect(one.stdout.split(separator: "\n").filter { $0.hasPrefix("aug ") || $0.hasPrefix("sep ") }.count == 2, "\(one.stdout)")
    }

    @Test func statusesLandInExceptionsAndResolvedCSV() throws {
        let dir = TempDir()
        let out = dir.path + "/out"
        var r = try mhdq("run", try pipeline(night: 1, in: dir), "--out", out, "--run-id", "night1")
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.isEmpty, "quiet when standard error is not a terminal: \(r.stderr)")
        r = try mhdq("run", try pipeline(night: 2, in: dir), "--out", out, "--run-id", "night2")
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stdout.contains("since night1: 2 new, 5 persisting, 1 resolved"), "\(r.stdout)")
        #expect(r.stdout.split(separator: "\n").count <= 24, "one screen:\n\(r.stdout)")
        let rows = try exceptions(out + "/latest")
        let status = Dictionary(rows.map { ("\($0["rule_id"]!) \($0["record_key"]!)", $0["status"]!) }, uniquingKeysWith: { a, _ in a })
        #expect(status["ETH001 P1"] == "new")
        #expect(status["ETH002 P3"] == "persisting")
        #expect(rows.allSatisfy { !($0["first_seen"] ?? "").isEmpty })
        let resolved = try String(contentsOfFile: out + "/latest/resolved.csv", encoding: .utf8)
        #expect(resolved.hasPrefix(ResolvedCSV.columns.joined(separator: ",") + "\n"))
        #expect(resolved.contains("night2,ETH001,Ethnicity missing,Warning,MHS001MPI,P2,EthnicCategory,,"))
        let history = try #require(try json(out + "/latest/summary.json")["history"] as? [String: Any])
        #expect(history["new"] as? Int == 2)
        #expect(history["persisting"] as? Int == 5)
        #expect(history["resolved"] as? Int == 1)
        #expect(history["previous_run"] as? String == "night1")
    }

    @Test func aDamagedHistoryStillWritesTheOutputs() throws {
        let dir = TempDir()
        let out = dir.path + "/out"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let garbage = Data((0 ..< 4096).map { UInt8(truncatingIfNeeded: $0 &* 97 &+ 13) })
        try garbage.write(to: URL(fileURLWithPath: out + "/history.sqlite"))
        let r = try mhdq("run", try pipeline(night: 1, in: dir), "--out", out, "--run-id", "n1")
        #expect(r.status == 3)
        expectOneLineError(r, naming: out + "/history.sqlite")
        #expect(r.stderr.contains("file is not a database"))
        #expect(r.stderr.contains("the run's outputs were written without history statuses"))
        #expect(r.stdout.contains("history: NOT RECORDED"))
        let rows = try exceptions(out + "/n1")
        #expect(rows.count == 6)
        #expect(rows.allSatisfy { $0["status"] == "" && $0["first_seen"] == "" })
        let summary = try json(out + "/n1/summary.json")
        #expect(summary["exit_code"] as? Int == 3)
        #expect(((summary["history"] as? [String: Any])?["error"] as? String)?.contains("not a database") == true)
        #expect(!FileManager.default.fileExists(atPath: out + "/n1/resolved.csv"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/history.sqlite")) == garbage)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: out + "/latest") == "n1")
    }

    @Test func aLockedHistoryStillWritesTheOutputs() throws {
        let dir = TempDir()
        let out = dir.path + "/out"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let lock = try HistoryLock(database: out + "/history.sqlite", wait: 0, owner: "history test")
        defer { lock.release() }
        let r = try mhdq("run", try pipeline(night: 1, in: dir), "--out", out, "--run-id", "n1", "--history-wait", "0")
        #expect(r.status == 3)
        expectOneLineError(r, naming: out + "/history.sqlite")
        #expect(r.stderr.contains("in use by another run (history test, pid \(getpid()))"), "\(r.stderr)")
        #expect(try exceptions(out + "/n1").count == 6)
    }

    /// Two nightly jobs started together on one history: the second waits for the first, then compares with it.
    @Test func twoRunsStartedTogetherTakeTurns() throws {
        let dir = TempDir()
        let out = dir.path + "/out"
        let manifest = try pipeline(night: 1, in: dir)
        func start(_ id: String) throws -> Process {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: mhdqBinary)
            p.arguments = ["run", manifest, "--out", out, "--run-id", id, "--history-wait", "60"]
            var env = ProcessInfo.processInfo.environment
            env["MHDQ_RULES"] = TestPaths.rules
            p.environment = env
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            return p
        }
        let a = try start("job-a"), b = try start("job-b")
        a.waitUntilExit()
        b.waitUntilExit()
        #expect(a.terminationStatus == 1 && b.terminationStatus == 1)
        let list = try mhdq("history", "list", "--out", out, "--json")
        let runs = try #require(try JSONSerialization.jsonObject(with: list.stdoutBytes) as? [[String: Any]])
        #expect(runs.count == 2)
        #expect(runs.map { $0["new"] as? Int } == [6, 0])
        #expect(runs.map { $0["persisting"] as? Int } == [0, 6])
    }

    /// A run whose outputs cannot be written after it is recorded (summary.json on a full disk, here a folder in its
    /// way), or whose folder cannot be moved into place (something that is not a run has its name): exit 3, and the
    /// run is neither saved nor in the history. It used to stay in the history with no folder, and the next run
    /// compared with it instead of the last run whose outputs exist.
    @Test func aRunWhoseOutputsFailIsNotRecorded() throws {
        let dir = TempDir()
        let out = dir.path + "/out"
        let manifest = try pipeline(night: 1, in: dir)
        #expect(try mhdq("run", manifest, "--out", out, "--run-id", "good").status == 1)
        let obstacles: [(id: String, place: (String) throws -> Void, error: String)] = [
            ("summary", { partial in
                try FileManager.default.createDirectory(atPath: partial + "/summary.json", withIntermediateDirectories: false)
            }, "summary.json: cannot write"),
            ("rename", { _ in dir.write("out/rename", "not a run") }, "cannot move the finished run into place"),
        ]
        for obstacle in obstacles {
            // Held at the history lock, the run has claimed its (empty) partial folder: the obstacle goes in place then.
            let (run, lock, partial, errPath) = try startHeldAtTheHistoryLock(manifest, out: out, runID: obstacle.id, dir: dir)
            try obstacle.place(partial)
            lock.release()
            run.waitUntilExit()
            let stderr = try String(contentsOfFile: errPath, encoding: .utf8)
            #expect(run.terminationStatus == 3 && stderr.contains(obstacle.error), "\(obstacle.id): \(stderr)")
            #expect(!FileManager.default.fileExists(atPath: partial), "\(obstacle.id)")
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: out + "/latest") == "good")
            let runs = try HistoryStore(path: out + "/history.sqlite", create: false).runs().map(\.runID)
            #expect(runs == ["good"], "\(obstacle.id): the history holds only runs whose folder is in place")
        }
        #expect(!FileManager.default.fileExists(atPath: out + "/summary"))
        let r = try mhdq("run", try pipeline(night: 2, in: dir), "--out", out, "--run-id", "next")
        #expect(r.stdout.contains("since good: 2 new, 5 persisting, 1 resolved"), "\(r.stdout)")
    }

    /// A run that cannot read its input is listed with its error, and the next run compares with the last good one.
    @Test func aFailedRunIsListedButNeverComparedWith() throws {
        let dir = TempDir()
        let out = dir.path + "/out"
        #expect(try mhdq("run", try pipeline(night: 1, in: dir), "--out", out, "--run-id", "good").status == 1)
        // The MPI streams its findings, then the referrals cannot be read.
        try FileManager.default.createDirectory(atPath: dir.path + "/refs.csv", withIntermediateDirectories: false)
        let broken = dir.write("broken.toml", Self.manifest + "[[source]]\ntable = \"MHS101Referral\"\nfile = \"refs.csv\"\n")
        var r = try mhdq("run", broken, "--out", out, "--run-id", "bad")
        #expect(r.status == 3)
        expectOneLineError(r, naming: dir.path + "/refs.csv")
        r = try mhdq("run", try pipeline(night: 2, in: dir), "--out", out, "--run-id", "next")
        #expect(r.stdout.contains("since good: 2 new, 5 persisting, 1 resolved"), "\(r.stdout)")
        r = try mhdq("history", "list", "--out", out, "--json")
        let runs = try #require(try JSONSerialization.jsonObject(with: r.stdoutBytes) as? [[String: Any]])
        #expect(runs.map { $0["run_id"] as? String } == ["good", "bad", "next"])
        #expect(runs[1]["exit_code"] as? Int == 3)
        #expect((runs[1]["error"] as? String)?.contains("is a folder, not a file") == true)
    }

    /// A --run-id that the history holds for a completed run is refused (exit 2) before anything is written. It used to
    /// exit 3 having replaced that run's folder (statuses blank) and moved latest, while the history still described
    /// the first run.
    @Test func aCompletedRunsIDIsRefusedAndItsFolderKept() throws {
        let dir = TempDir()
        let out = dir.path + "/out"
        #expect(try mhdq("run", try pipeline(night: 1, in: dir), "--out", out, "--run-id", "nightly").status == 1)
        #expect(try mhdq("run", try pipeline(night: 2, in: dir), "--out", out, "--run-id", "other").status == 1)
        let summary = try Data(contentsOf: URL(fileURLWithPath: out + "/nightly/summary.json"))
        let names = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        let r = try mhdq("run", try pipeline(night: 3, in: dir), "--out", out, "--run-id", "nightly")
        #expect(r.status == 2)
        expectOneLineError(r, naming: out + "/history.sqlite")
        #expect(r.stderr.contains("run id nightly is already in the history"), "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/nightly/summary.json")) == summary)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted() == names)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: out + "/latest") == "other")
        #expect(try HistoryStore(path: out + "/history.sqlite", create: false).runs().map(\.runID) == ["nightly", "other"])
    }

    /// Starts `mhdq run` with the history's lock held here, and returns once the run has claimed its (empty) partial
    /// folder and waits for the lock: the test changes things, then releases `lock`. The run's stderr goes to `errPath`.
    func startHeldAtTheHistoryLock(_ manifest: String, out: String, runID: String, dir: TempDir) throws
        -> (run: Process, lock: HistoryLock, partial: String, errPath: String) {
        let lock = try HistoryLock(database: out + "/history.sqlite", wait: 0, owner: "history test")
        let run = Process()
        run.executableURL = URL(fileURLWithPath: mhdqBinary)
        run.arguments = ["run", manifest, "--out", out, "--run-id", runID]
        var env = ProcessInfo.processInfo.environment
        env["MHDQ_RULES"] = TestPaths.rules
        run.environment = env
        let errPath = dir.path + "/\(runID).stderr"
        FileManager.default.createFile(atPath: errPath, contents: nil)
        run.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        run.standardOutput = FileHandle.nullDevice
        try run.run()
        let partial = OutputFolder.partialPath(parent: out, runID: runID)
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: partial) && run.isRunning && Date() < deadline { usleep(5_000) }
        return (run, lock, partial, errPath)
    }

    /// The history is asked again under its lock: a run of the id recorded after `mhdq run` asked (while it waited for
    /// the lock, its partial folder claimed) still stops it with exit 2, and that run's folder is left as it was.
    @Test func anIDRecordedWhileWaitingIsRefusedToo() throws {
        let dir = TempDir()
        let out = dir.path + "/out"
        let manifest = try pipeline(night: 1, in: dir)
        #expect(try mhdq("run", manifest, "--out", out, "--run-id", "first").status == 1)
        let (run, lock, partial, errPath) = try startHeldAtTheHistoryLock(manifest, out: out, runID: "late", dir: dir)
        // Another run of that id completes meanwhile: its record (written here directly) and its folder.
        let store = try HistoryStore(path: out + "/history.sqlite", create: false)
        try store.db.execute("""
            INSERT INTO runs (run_id, pipeline, started, finished, manifest, manifest_sha256, period, tool_version, exit_code, findings, failing)
            VALUES ('late', 'other', '2026-09-02T02:00:00Z', '2026-09-02T02:01:00Z', 'm', '', '2026-09', 'test', 0, 0, 0)
            """)
        let kept = dir.write("out/late/summary.json", "{\"kept\": true}\n")
        lock.release()
        run.waitUntilExit()
        let stderr = try String(contentsOfFile: errPath, encoding: .utf8)
        #expect(run.terminationStatus == 2 && stderr.contains("run id late is already in the history"), "\(stderr)")
        #expect(try String(contentsOfFile: kept, encoding: .utf8) == "{\"kept\": true}\n")
        #expect(!FileManager.default.fileExists(atPath: partial))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: out + "/latest") == "first")
        #expect(try store.runs().map(\.runID) == ["first", "late"])
    }

    /// A run that failed on an unreadable input is in the history with no folder and no findings: a retry of its id
    /// once the input is fixed (a scheduler's) runs, and its record replaces the failed one. It used to be refused for
    /// good, and every retry wrote its outputs without statuses and exited 3.
    @Test func aFailedRunsIDCanBeRetried() throws {
        let dir = TempDir()
        let out = dir.path + "/out"
        let manifest = try pipeline(night: 1, in: dir)
        #expect(try mhdq("run", manifest, "--out", out, "--run-id", "good").status == 1)
        try FileManager.default.removeItem(atPath: dir.path + "/mpi.csv")
        try FileManager.default.createDirectory(atPath: dir.path + "/mpi.csv", withIntermediateDirectories: false)
        var r = try mhdq("run", manifest, "--out", out, "--run-id", "retry")
        #expect(r.status == 3)
        #expect(try HistoryStore(path: out + "/history.sqlite", create: false).runs().map { "\($0.runID) \($0.exitCode)" } == ["good 1", "retry 3"])
        _ = try pipeline(night: 2, in: dir)
        r = try mhdq("run", manifest, "--out", out, "--run-id", "retry")
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.isEmpty)
        #expect(r.stdout.contains("since good: 2 new, 5 persisting, 1 resolved"), "\(r.stdout)")
        #expect(try exceptions(out + "/retry").allSatisfy { !($0["status"] ?? "").isEmpty })
        let runs = try HistoryStore(path: out + "/history.sqlite", create: false).runs()
        #expect(runs.map { "\($0.runID) \($0.exitCode) \($0.error)" } == ["good 1 ", "retry 1 "])
        // Completed, its id is now refused like any other's.
        #expect(try mhdq("run", manifest, "--out", out, "--run-id", "retry").status == 2)
    }

    /// `--new-since DATE` takes calendar dates only: 2026-23-11 and 2026-02-31 answered "0 open findings", exit 0. The
    /// header said "first seen after DATE" while listing findings first seen on that date.
    @Test func worklistNewSinceTakesRealDates() throws {
        let dir = TempDir()
        let out = dir.path + "/out"
        #expect(try mhdq("run", try pipeline(night: 1, in: dir), "--out", out, "--run-id", "night1").status == 1)
        for impossible in ["2026-23-11", "2026-02-31", "2025-02-29", "2026-00-10", "2026-04-31"] {
            let r = try mhdq("worklist", "--out", out, "--new-since", impossible)
            #expect(r.status == 2 && r.stderr.contains("--new-since \(impossible) is not a date"), "\(impossible): \(r.status) \(r.stderr)")
            #expect(r.stdout.isEmpty)
        }
        let json = try mhdq("worklist", "--out", out, "--json")
        let items = try #require(try JSONSerialization.jsonObject(with: json.stdoutBytes) as? [String: Any])["findings"] as? [[String: Any]]
        let day = try #require(items?.first?["first_seen"] as? String)
        let r = try mhdq("worklist", "--out", out, "--new-since", day)
        #expect(r.status == 0)
        #expect(r.stdout.hasPrefix("worklist from run night1"), "\(r.stdout)")
        #expect(r.stdout.contains(": 6 open findings (first seen on or after \(day)), 6 new in this run"), "\(r.stdout)")
        let leap = try mhdq("worklist", "--out", out, "--new-since", "2028-02-29")
        #expect(leap.status == 0 && leap.stdout.contains(": 0 open findings (first seen on or after 2028-02-29)"), "\(leap.stdout)")
        let byRun = try mhdq("worklist", "--out", out, "--new-since", "night1")
        #expect(byRun.stdout.contains(": 0 open findings (first seen after run night1)"), "\(byRun.stdout)")
    }

    /// Control characters in the data (ESC sequences, CR, BEL, a line feed in a quoted value) reach no terminal view
    /// as such: each is U+FFFD in the worklist, the run's summary and check's (an ESC[2J ESC[H in a patient id cleared
    /// the screen under `mhdq worklist` and printed a fake verdict; an area name did the same in the summaries).
    @Test func terminalViewsShowNoControlCharacters() throws {
        let dir = TempDir()
        let out = dir.path + "/out"
        let id = "P1\u{1B}[2J\u{1B}[H\u{07}\rX\u{9B}31m\nverdict: PASS"
        dir.write("mpi.csv", "LocalPatientID,NHSNumber,PersonBirthDate,Postcode,GenderIDCode,EthnicCategory,OrgIDLocalPatientID,NHSNumberStatus\n"
                  + "\"\(id)\",9439836148,1991-02-18,CV2 5PP,1,A,RX4,01\n")
        let mpiManifest = dir.write("pipeline.toml", """
            [pipeline]
            name = "escapes"
            period = "2026-09"
            provider = "RX4"
            submitter = "RX4"
            packs = ["mhsds-v6"]

            [[source]]
            table = "MHS001MPI"
            file = "mpi.csv"
            """)
        dir.write("indicator_return.csv", "Period,Area,AreaCode,Measure,Numerator,Denominator,StatedValue\n"
                  + ["2026-07", "2026-08", "2026-09"].map { "\($0),North\u{1B}[2J\u{1B}[Hshire,E10000099,ASCOF 1H,6960,11970,58.1%\n" }.joined())
        let returnsManifest = dir.write("returns.toml", """
            [pipeline]
            name = "escapes \\u001B[2J in a return"
            period = "2026-09"
            provider = "RX4"
            packs = ["ascof"]

            [[source]]
            table = "IndicatorReturn"
            file = "indicator_return.csv"
            """)
        let views: [(String, CommandResult)] = [
            ("run", try mhdq("run", mpiManifest, "--out", out, "--run-id", "night1")),
            ("worklist", try mhdq("worklist", "--out", out)),
            ("check", try mhdq("check", mpiManifest)),
            ("run returns", try mhdq("run", returnsManifest, "--out", dir.path + "/out2")),
            ("check returns", try mhdq("check", returnsManifest)),
            ("history show", try mhdq("history", "show", "latest", "--out", out)),
        ]
        for (name, r) in views {
            #expect(r.status <= 1, "\(name): \(r.status) \(r.stderr)")
            let controls = r.stdout.unicodeScalars.filter { $0 != "\n" && ($0.value < 0x20 || (0x7F ... 0x9F).contains($0.value)) }
            #expect(controls.isEmpty, "\(name) printed \(controls.map { String($0.value, radix: 16) }): \(r.stdout)")
            #expect(!r.stdout.split(separator: "\n").contains { $0.hasPrefix("verdict: PASS (nothing to fix") }, "\(name): \(r.stdout)")
        }
        #expect(views[1].1.stdout.contains("P1\u{FFFD}[2J\u{FFFD}[H\u{FFFD}\u{FFFD}X\u{FFFD}31m\u{FFFD}verdict: PASS"), "\(views[1].1.stdout)")
        #expect(views[3].1.stdout.contains("North\u{FFFD}[2J\u{FFFD}[Hshire"), "\(views[3].1.stdout)")
        #expect(views[4].1.stdout.contains("North\u{FFFD}[2J\u{FFFD}[Hshire"), "\(views[4].1.stdout)")
    }

    /// First-seen dates and --new-since are days on the local clock, as a generated MHS000Header's time is: a run at
    /// 00:30 BST (23:30 UTC the day before) was first seen the day before, by its UTC date. The test takes a zone
    /// whose date differs from UTC's now.
    @Test func firstSeenIsTheLocalDay() throws {
        let now = Date()
        func day(_ zone: String, _ offset: Int = 0) -> String {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: zone)!
            let c = calendar.dateComponents([.year, .month, .day], from: now)
            return CivilDate(days: CivilDate(year: c.year!, month: c.month!, day: c.day!).days + offset).iso
        }
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        // UTC-12 is a day behind UTC until 12:00 UTC, UTC+14 a day ahead from 10:00: an hour's margin either way.
        let zone = utc.component(.hour, from: now) < 11 ? "Etc/GMT+12" : "Etc/GMT-14"
        let today = day(zone)
        #expect(today != day("UTC"))
        let dir = TempDir()
        let out = dir.path + "/out"
        for n in 1 ... 2 {
            let r = try mhdq(environment: ["TZ": zone], ["run", try pipeline(night: n, in: dir), "--out", out, "--run-id", "night\(n)"])
            #expect(r.status == 1, "\(r.stderr)")
        }
        let rows = try exceptions(out + "/night2")
        #expect(rows.count == 7 && rows.allSatisfy { $0["first_seen"] == today }, "\(rows.map { $0["first_seen"] ?? "" })")
        let resolved = try String(contentsOfFile: out + "/night2/resolved.csv", encoding: .utf8)
        #expect(resolved.contains(",\(today),night1,resolved\n"), "\(resolved)")
        var r = try mhdq(environment: ["TZ": zone], ["worklist", "--out", out, "--new-since", today, "--json"])
        let worklist = try #require(try JSONSerialization.jsonObject(with: r.stdoutBytes) as? [String: Any])
        #expect(worklist["open"] as? Int == 7)
        #expect((worklist["findings"] as? [[String: Any]])?.allSatisfy { $0["first_seen"] as? String == today } == true)
        r = try mhdq(environment: ["TZ": zone], ["worklist", "--out", out, "--new-since", day(zone, 1)])
        #expect(r.stdout.contains(": 0 open findings (first seen on or after \(day(zone, 1)))"), "\(r.stdout)")
    }

    @Test func historyCommands() throws {
        let dir = TempDir()
        let out = dir.path + "/out"
        for n in 1 ... 3 {
            let r = try mhdq("run", try pipeline(night: n, in: dir), "--out", out, "--run-id", "night\(n)")
            #expect(r.status == 1, "\(r.stderr)")
        }
        var r = try mhdq("history", "list", "--out", out)
        #expect(r.status == 0)
        #expect(r.stdout.contains("#3    night3"))
        r = try mhdq("history", "show", "night2", "--out", out, "--json")
        let show = try #require(try JSONSerialization.jsonObject(with: r.stdoutBytes) as? [String: Any])
        #expect(show["previous_run"] as? String == "night1")
        #expect((show["inputs"] as? [[String: Any]])?.first?["sha256"] as? String
                == SHA256.hex(try SHA256.hash(file: HistoryTestSupport.fixtures + "/mpi-run2.csv").digest))
        #expect(show["resolved_by_rule"] as? [String: Int] == ["ETH001": 1])
        r = try mhdq("history", "trend", "ETH010", "--group", "RX1", "--out", out, "--json")
        let trend = try #require(try JSONSerialization.jsonObject(with: r.stdoutBytes) as? [String: Any])
        let points = try #require((trend["groups"] as? [[String: Any]])?.first?["points"] as? [[String: Any]])
        #expect(points.compactMap { $0["denominator"] as? Double } == [5, 6, 7])
        r = try mhdq("history", "trend", "ETH010", "--out", out)
        #expect(r.stdout.contains("RX1"))
        r = try mhdq("history", "trend", "NOPE", "--out", out)
        #expect(r.status == 2)
        #expect(r.stderr.contains("metrics: findings, ETH010"))
        r = try mhdq("worklist", "--out", out, "--new-since", "night2", "--json")
        let worklist = try #require(try JSONSerialization.jsonObject(with: r.stdoutBytes) as? [String: Any])
        let items = try #require(worklist["findings"] as? [[String: Any]])
        #expect(items.compactMap { $0["record_key"] as? String }.sorted() == ["P2", "P7"])
        #expect(items.allSatisfy { $0["status"] as? String == "new" })
        r = try mhdq("worklist", "--out", out, "--csv", "--rule", "ETH001")
        #expect(r.stdout.split(separator: "\n").count == 4)
        r = try mhdq("history", "prune", "--keep", "1", "--out", out)
        #expect(r.status == 0)
        #expect(r.stdout.hasPrefix("removed 2 runs, kept the last 1"))
        r = try mhdq("worklist", "--history", dir.path + "/nowhere.sqlite")
        #expect(r.status == 3)
        expectOneLineError(r, naming: dir.path + "/nowhere.sqlite")
    }
}
