// `mhdq run` end to end: flat files that reconcile, the generated header, delimiters, and --redact
// leaving no identifier from the inputs anywhere in what the run writes.

import Foundation
import Testing
@testable import MHDQ

/// Records of a CSV file as header name → value dictionaries.
func csvDictionaries(_ path: String, delimiter: UInt8 = 0x2C) throws -> [[String: String]] {
    let records = try readCSV(path, delimiter: delimiter).records
    guard let header = records.first else { return [] }
    return records.dropFirst().map { Dictionary(zip(header, $0), uniquingKeysWith: { a, _ in a }) }
}

@Suite("mhdq run outputs", .enabled(if: FileManager.default.isExecutableFile(atPath: mhdqBinary), "build mhdq first"))
struct RunCommandTests {
    static let demo = TestPaths.packageRoot + "/Samples/demo"
    static let flatTables = ["MHS000Header", "MHS001MPI", "MHS002GP", "MHS003AccommStatus", "MHS004EmpStatus",
                             "MHS101Referral", "MHS102OtherServiceType", "MHS201CareContact", "IndicatorReturn", "KpiReturn"]

    /// The files of an output folder other than the run history's.
    static func outputNames(_ folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { !$0.hasPrefix("history.sqlite") }.sorted()
    }

    @Test func demoFlatFilesReconcile() throws {
        let out = try makeTemporaryDirectory()
        let before = Date()
        let r = try mhdq(environment: [:], ["run", Self.demo + "/pipeline.toml", "--out", out, "--run-id", "demo"])
        #expect(r.status == 1, "the demo has rejections: \(r.stderr)")
        let run = out + "/demo"
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/summary.json"))) as? [String: Any])
        let tables = try #require(summary["tables"] as? [[String: Any]])
        #expect(tables.count == 9, "seven MHSDS tables and two aggregate returns")
        let reconciliation = try csvDictionaries(run + "/reconciliation.csv")
        for t in tables {
            let name = try #require(t["table"] as? String)
            let read = try #require(t["rows_read"] as? Int), exported = try #require(t["rows_exported"] as? Int)
            let rejected = try #require(t["rows_rejected"] as? Int)
            #expect(read == exported + rejected && t["balanced"] as? Bool == true, "\(name)")
            #expect(rejected > 0 || !name.hasPrefix("MHS"), "\(name): the demo rejects records in every MHSDS table")
            // Rows exported are the records in the flat file.
            let records = try readCSV(run + "/\(name).csv", delimiter: 0x2C).records
            #expect(records.count - 1 == exported, "\(name)")
            #expect(reconciliation.first { $0["table"] == name }?["rows_exported"] == String(exported))
        }
        let files = try #require(summary["flat_files"] as? [[String: Any]])
        #expect(files.compactMap { $0["table"] as? String } == Self.flatTables)
        #expect(summary["redacted"] as? Bool == false)

        // The generated header: the manifest's provider and period, created when the run ran (local time).
        let header = try csvDictionaries(run + "/MHS000Header.csv")
        #expect(header.count == 1)
        let h = try #require(header.first)
        #expect(h["DatSetVer"] == "6.0" && h["OrgIDProvider"] == "RX4" && h["OrgIDSubmit"] == "RX4")
        #expect(h["ReportingPeriodStartDate"] == "2026-09-01" && h["ReportingPeriodEndDate"] == "2026-09-30")
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_GB_POSIX")
        f.timeZone = TimeZone.current
        f.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        let created = try #require(f.date(from: h["DateTimeDatSetCreate"] ?? ""))
        #expect(created.timeIntervalSince(before) > -2 && created.timeIntervalSinceNow < 2, "\(h["DateTimeDatSetCreate"] ?? "")")
        #expect(r.stdout.contains("MHS001MPI.csv"))
        let names = try FileManager.default.contentsOfDirectory(atPath: run).sorted()
        let others = ["exceptions.csv", "exceptions.xlsx", "reconciliation.csv", "report.html", "resolved.csv", "summary.json"]
        #expect(names == (Self.flatTables.map { $0 + ".csv" } + others).sorted())
    }

    @Test func delimiterFromTheManifestOrTheCommandLine() throws {
        let dir = TempDir()
        dir.write("mpi.csv", "Patient ID,DOB\nP1,01/02/1980\nP2,\"03/04/1981\"\n")
        let manifest = dir.write("pipeline.toml", """
        [pipeline]
        period = "2026-09"
        provider = "RX4"
        packs = ["ethnicity"]

        [export]
        delimiter = "|"

        [[source]]
        table = "MHS001MPI"
        file = "mpi.csv"
        date_formats = ["dd/mm/yyyy"]
        [source.columns]
        "Patient ID" = "LocalPatientID"
        "DOB" = "PersonBirthDate"
        """ + "\n")
        let pipe = try mhdq(environment: [:], ["run", manifest, "--out", dir.path + "/out", "--run-id", "pipe"])
        #expect(pipe.status < 2, "\(pipe.stderr)")
        let mpi = try String(contentsOfFile: dir.path + "/out/pipe/MHS001MPI.txt", encoding: .utf8)
        #expect(mpi.hasPrefix("LocalPatientID|OrgIDLocalPatientID|"))
        #expect(mpi.contains("\nP1|||||1980-02-01|"))
        #expect(FileManager.default.fileExists(atPath: dir.path + "/out/pipe/MHS000Header.txt"))

        let tab = try mhdq(environment: [:], ["run", manifest, "--out", dir.path + "/out", "--run-id", "tab", "--delimiter", "tab"])
        #expect(tab.status < 2, "\(tab.stderr)")
        let records = try csvDictionaries(dir.path + "/out/tab/MHS001MPI.tsv", delimiter: 0x09)
        #expect(records.map { $0["PersonBirthDate"] } == ["1980-02-01", "1981-04-03"])

        let bad = try mhdq(environment: [:], ["run", manifest, "--out", dir.path + "/out", "--delimiter", "\"\""])
        #expect(bad.status == 2)
    }

    /// A run that fails part way (an unreadable row) leaves nothing behind and `latest` where it was.
    @Test func failedRunLeavesNoTrace() throws {
        let dir = TempDir()
        dir.write("mpi.csv", "LocalPatientID,PersonBirthDate\nP1,1980-01-01\n")
        dir.write("broken.csv", "LocalPatientID,PersonBirthDate\nP1,1980-01-01\nP2,\"1981-01-01\n")
        let manifest = { (file: String) in dir.write("\(file).toml", "[pipeline]\npacks = [\"ethnicity\"]\n[[source]]\ntable = \"MHS001MPI\"\nfile = \"\(file)\"\n") }
        let out = dir.path + "/out"
        let good = try mhdq(environment: [:], ["run", manifest("mpi.csv"), "--out", out, "--run-id", "good"])
        #expect(good.status == 0, "\(good.stderr)")
        let bad = try mhdq(environment: [:], ["run", manifest("broken.csv"), "--out", out, "--run-id", "bad"])
        #expect(bad.status == 3 && bad.stderr.contains("broken.csv"), "\(bad.stderr)")
        #expect(try Self.outputNames(out) == ["good", "latest"])
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: out + "/latest") == "good")
    }

    /// An output folder that cannot be written is exit 3, as README documents for outputs that cannot be written, not 2
    /// ("invalid invocation"): a read-only folder gave exit 2. As root modes are ignored, so a regular file in the way
    /// fails both the output folder and the run's folder the same way (mkdir, ENOTDIR).
    @Test func unwritableOutputFolderExitsThree() throws {
        let dir = TempDir()
        dir.write("mpi.csv", "LocalPatientID,PersonBirthDate\nP1,1980-01-01\n")
        let manifest = dir.write("pipeline.toml", "[pipeline]\npacks = [\"ethnicity\"]\n[[source]]\ntable = \"MHS001MPI\"\nfile = \"mpi.csv\"\n")
        let file = dir.write("in-the-way", "not a folder\n")
        let r = try mhdq(environment: [:], ["run", manifest, "--out", file + "/out"])
        #expect(r.status == 3, "\(r.status) \(r.stderr)")
        expectOneLineError(r, naming: file + "/out")
        #expect(r.stderr.contains("cannot create the output folder: \(file) is a file, not a folder"), "\(r.stderr)")
        // The run's own folder (a read-only output folder fails here, on mkdir of the partial folder).
        #expect { _ = try OutputFolder.claim(file + "/.nightly.partial") } throws: { error in
            (error as? MHDQError)?.exitCode == ExitCode.unreadableInput
        }
    }

    /// A folder named latest (not the link) cannot be re-pointed: the run exits 3 and, as README says of a run whose
    /// outputs cannot be moved into place, is neither saved nor in the history (it was recorded as completed, exit 1,
    /// with its folder in place, while mhdq exited 3).
    @Test func latestThatCannotBeRepointedFailsTheRunWhole() throws {
        let dir = TempDir()
        dir.write("mpi.csv", "LocalPatientID,PersonBirthDate\nP1,1980-01-01\n")
        let manifest = dir.write("pipeline.toml", "[pipeline]\npacks = [\"ethnicity\"]\n[[source]]\ntable = \"MHS001MPI\"\nfile = \"mpi.csv\"\n")
        let out = dir.path + "/out"
        try FileManager.default.createDirectory(atPath: out + "/latest", withIntermediateDirectories: true)
        let r = try mhdq(environment: [:], ["run", manifest, "--out", out, "--run-id", "nightly"])
        #expect(r.status == 3, "\(r.status) \(r.stderr)")
        expectOneLineError(r, naming: out + "/latest")
        #expect(!FileManager.default.fileExists(atPath: out + "/nightly"))
        let runs = FileManager.default.fileExists(atPath: out + "/history.sqlite")
            ? try HistoryStore(path: out + "/history.sqlite", create: false).runs().filter { $0.exitCode != 3 }.map(\.runID) : []
        #expect(runs.isEmpty, "\(runs)")
    }

    /// A disk that fills while the outputs are written: a per-file size limit (SIGXFSZ ignored, so write() fails
    /// with EFBIG as it fails with ENOSPC on a full disk) cuts exceptions.csv after its first 64 KiB. The run fails
    /// naming the file and the reason, and is not published (it exited 1 with a truncated exceptions.csv in `latest`).
    @Test func aFullDiskFailsTheRunAndPublishesNothing() throws {
        let dir = TempDir()
        dir.write("mpi.csv", "LocalPatientID,PersonBirthDate\nP1,1980-01-01\n")
        let small = dir.write("small.toml", "[pipeline]\npacks = [\"ethnicity\"]\n[[source]]\ntable = \"MHS001MPI\"\nfile = \"mpi.csv\"\n")
        let out = dir.path + "/out"
        let good = try mhdq(environment: [:], ["run", small, "--out", out, "--run-id", "good"])
        #expect(good.status == 0, "\(good.stderr)")

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", "trap '' XFSZ; ulimit -f 100; exec \"$0\" run \"$1\" --out \"$2\" --run-id full",
                             mhdqBinary, Self.demo + "/pipeline.toml", out]
        var env = ProcessInfo.processInfo.environment
        env["MHDQ_RULES"] = TestPaths.rules
        env.removeValue(forKey: Redactor.keyVariable)
        process.environment = env
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 3, "\(stderr)")
        #expect(stderr.contains("exceptions.csv: write failed: \(String(cString: strerror(EFBIG)))"), "\(stderr)")
        #expect(try Self.outputNames(out) == ["good", "latest"])
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: out + "/latest") == "good")
    }

    /// --run-id names the run's folder, which is renamed over whatever has that name: a path, a hidden name, latest
    /// or the history's file is refused before anything is read (`--run-id history.sqlite` replaced the history
    /// with a run folder; `--run-id latest` replaced the link, and every later run failed).
    @Test func runIDIsAPlainName() throws {
        let dir = TempDir()
        dir.write("mpi.csv", "LocalPatientID,PersonBirthDate\nP1,1980-01-01\n")
        let manifest = dir.write("pipeline.toml", "[pipeline]\npacks = [\"ethnicity\"]\n[[source]]\ntable = \"MHS001MPI\"\nfile = \"mpi.csv\"\n")
        let out = dir.path + "/out"
        let good = try mhdq(environment: [:], ["run", manifest, "--out", out, "--run-id", "good"])
        #expect(good.status == 0, "\(good.stderr)")
        let before = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        for id in ["", "history.sqlite", "history.sqlite-wal", "history.sqlite.lock", "latest", ".", "..", ".good.partial",
                   "a/b", "../elsewhere", "a\\b", "#3"] {
            let r = try mhdq(environment: [:], ["run", manifest, "--out", out, "--run-id", id])
            #expect(r.status == 2 && r.stderr.contains("--run-id \"\(id)\""), "\(id): \(r.status) \(r.stderr)")
        }
        // A history kept in the output folder under another name is refused as a run id too.
        let named = try mhdq(environment: [:], ["run", manifest, "--out", out, "--history", out + "/nightly.db", "--run-id", "nightly.db"])
        #expect(named.status == 2 && named.stderr.contains("history"), "\(named.stderr)")
        // Anything else of the id's name that is not a run's folder is never replaced.
        try "kept".write(toFile: out + "/notes", atomically: false, encoding: .utf8)
        let clash = try mhdq(environment: [:], ["run", manifest, "--out", out, "--run-id", "notes"])
        #expect(clash.status == 2 && clash.stderr.contains("not a run's folder"), "\(clash.stderr)")
        #expect(try String(contentsOfFile: out + "/notes", encoding: .utf8) == "kept")
        try FileManager.default.removeItem(atPath: out + "/notes")

        #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted() == before)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: out + "/latest") == "good")
        #expect(try HistoryStore(path: out + "/history.sqlite", create: false).runs().map(\.runID) == ["good"])
        let next = try mhdq(environment: [:], ["run", manifest, "--out", out, "--run-id", "next"])
        #expect(next.status == 0, "\(next.stderr)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: out + "/latest") == "next")
        #expect(try HistoryStore(path: out + "/history.sqlite", create: false).runs().map(\.runID) == ["good", "next"])
    }

    /// The rename into place replaces an earlier run of the same id, and refuses anything else that took the name.
    @Test func commitReplacesOnlyARun() throws {
        let parent = try makeTemporaryDirectory()
        let folder = try OutputFolder(parent: parent, runID: "nightly")
        try "{}".write(toFile: folder.path("summary.json"), atomically: false, encoding: .utf8)
        try "not a run".write(toFile: parent + "/nightly", atomically: false, encoding: .utf8)
        #expect(throws: MHDQError.self) { try folder.commit() }
        #expect(try String(contentsOfFile: parent + "/nightly", encoding: .utf8) == "not a run")
        #expect(!FileManager.default.fileExists(atPath: parent + "/latest"))
        try FileManager.default.removeItem(atPath: parent + "/nightly")
        try folder.commit()
        let again = try OutputFolder(parent: parent, runID: "nightly")
        try "{\"again\": true}".write(toFile: again.path("summary.json"), atomically: false, encoding: .utf8)
        try again.commit()
        #expect(try String(contentsOfFile: parent + "/nightly/summary.json", encoding: .utf8) == "{\"again\": true}")
    }

    /// Two runs into different folders sharing one history, started in the same second: the id mhdq makes skips one
    /// the history holds, as it skips one the folder holds (the second run was refused with exit 2 and wrote nothing).
    @Test func madeIDsSkipOnesTheHistoryHolds() throws {
        let parent = try makeTemporaryDirectory()
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        let base = OutputFolder.newRunID(date: now)
        let folder = try OutputFolder(parent: parent, date: now) { $0 == base }
        #expect(folder.runID == base + "-2")
        // An id the invocation gives is never changed: the history refuses it instead.
        let chosen = try OutputFolder(parent: parent, runID: base, date: now) { _ in true }
        #expect(chosen.runID == base)
    }

    /// Every NHS number, local patient id, postcode and birth date of the inputs (birth dates in every
    /// common spelling), searched for in every file the run writes and in what it prints.
    @Test func redactedRunLeavesNoIdentifierBehind() throws {
        let out = try makeTemporaryDirectory()
        let key = "a key the trust keeps"
        let r = try mhdq(environment: [Redactor.keyVariable: key],
                         ["run", Self.demo + "/pipeline.toml", "--out", out, "--run-id", "masked", "--redact"])
        #expect(r.status == 1, "\(r.stderr)")
        let redactor = Redactor(key: Array(key.utf8))

        let mpi = try csvDictionaries(Self.demo + "/mpi.csv")
        var identifiers = Set<String>()
        var birthDates = Set<String>()
        for row in mpi {
            for k in ["Patient ID", "NHS No", "Postcode"] where !(row[k] ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                identifiers.insert(row[k]!.trimmingCharacters(in: .whitespaces))
            }
            if let dob = row["DOB"], !dob.trimmingCharacters(in: .whitespaces).isEmpty { birthDates.formUnion(Self.spellings(of: dob)) }
        }
        // A birth date that is also some other date of the inputs (a GP registration on the day of birth,
        // a referral date) cannot be told apart from that date: only the others prove anything.
        var otherDates = Set<String>()
        for name in ["gp", "accommodation", "employment", "referrals", "other_services", "contacts"] {
            for row in try csvDictionaries(Self.demo + "/\(name).csv") {
                for (k, v) in row where k != "Patient ID" { otherDates.formUnion(Self.spellings(of: v)) }
                if let p = row["Patient ID"], !p.isEmpty { identifiers.insert(p) }
            }
        }
        otherDates.formUnion(Self.spellings(of: "2026-09-01").union(Self.spellings(of: "2026-09-30")))
        birthDates.subtract(otherDates)
        #expect(identifiers.count > 5000 && birthDates.count > 3000, "\(identifiers.count) identifiers, \(birthDates.count) dates")
        let needles = identifiers.union(birthDates)

        // Every file the run wrote (workbooks unzipped), the history database beside them, and what it printed.
        var outputs: [(String, [UInt8])] = [("standard output", Array(r.stdout.utf8)), ("standard error", Array(r.stderr.utf8))]
        let run = out + "/masked"
        for name in try FileManager.default.contentsOfDirectory(atPath: run) {
            let path = run + "/" + name
            if name.hasSuffix(".xlsx") {
                let zip = try ZipArchive(path: path)
                for entry in zip.entries { outputs.append(("\(name):\(entry.name)", try zip.readAll(entry))) }
            } else {
                outputs.append((name, try ByteInput.readAll(path: path)))
            }
        }
        for name in try FileManager.default.contentsOfDirectory(atPath: out) where name.hasPrefix("history.sqlite") {
            outputs.append((name, try ByteInput.readAll(path: out + "/" + name)))
        }
        #expect(outputs.count > 20, "\(outputs.map(\.0))")
        let scanner = SubstringScanner(needles)
        for (name, bytes) in outputs {
            let found = scanner.occurrences(in: bytes)
            #expect(found.isEmpty, "\(name) shows \(found.count) identifiers, e.g. \(found.sorted().prefix(5))")
        }
        // The scanner itself finds what is there: a sample identifier, and any other needle inside it (a
        // malformed postcode "CV5" inside "CV5 9SP"). The sample is the longest, so the check is the same
        // whichever order the set iterates in.
        let sample = identifiers.max { ($0.utf8.count, $0) < ($1.utf8.count, $1) }!
        let inside = Set(needles.filter { sample.contains($0) })
        #expect(scanner.occurrences(in: Array("x\(sample)y".utf8)) == inside)
        #expect(inside.contains(sample))

        // One patient, one mask: the MPI, the referrals and the exceptions agree, under the key given.
        let mask = { (id: String) in redactor.mask(id) }
        let maskedMPI = try csvDictionaries(run + "/MHS001MPI.csv")
        let inputIDs = Set(mpi.compactMap { $0["Patient ID"] })
        #expect(maskedMPI.count > 1900)
        #expect(Set(maskedMPI.compactMap { $0["LocalPatientID"] }).isSubset(of: Set(inputIDs.map(mask))))
        let referralPatient = Dictionary(try csvDictionaries(Self.demo + "/referrals.csv").map { ($0["Referral ID"]!, $0["Patient ID"]!) },
                                         uniquingKeysWith: { a, _ in a })
        let maskedReferrals = try csvDictionaries(run + "/MHS101Referral.csv")
        #expect(maskedReferrals.count > 2800)
        for ref in maskedReferrals {
            let patient = try #require(referralPatient[ref["ServiceRequestID"]!])
            #expect(ref["LocalPatientID"] == (patient.isEmpty ? "" : mask(patient)))
        }
        // Source row numbers are line numbers (a blank line or a quoted line break moves them on).
        let mpiCSV = try readCSV(Self.demo + "/mpi.csv", delimiter: 0x2C)
        let mpiRows = Dictionary(zip(mpiCSV.rowNumbers, mpiCSV.records).dropFirst().map { ($0.0, $0.1) },
                                 uniquingKeysWith: { a, _ in a })
        let exceptions = try csvDictionaries(run + "/exceptions.csv")
        var checked = 0
        for e in exceptions where e["table"] == "MHS001MPI" && e["rule_id"]?.hasPrefix("MHS001") == true {
            guard let row = Int(e["row"] ?? ""), let input = mpiRows[row], !input[0].isEmpty else { continue }
            // Records are named by LocalPatientID; the duplicate NHS number rule names the group by NHS number.
            let key = e["rule_id"] == "MHS00147" ? input[1] : input[0]
            #expect(e["record_key"] == mask(key), "\(e)")
            checked += 1
        }
        #expect(checked > 20)
        let summary = try String(contentsOfFile: run + "/summary.json", encoding: .utf8)
        #expect(summary.contains("\"redacted\": true") || summary.contains("\"redacted\":true"))
    }

    /// Without a key each run masks differently, yet the history still knows a finding from one night to
    /// the next: it fingerprints findings before they are masked.
    @Test func redactedRunsKeepTheirHistoryStatuses() throws {
        let dir = try makeTemporaryDirectory()
        let gen = try mhdq(environment: [:], ["generate", "--out", dir + "/in", "--patients", "150", "--seed", "3"])
        try #require(gen.status == 0, "\(gen.stderr)")
        var keys: [[String]] = []
        for night in ["one", "two"] {
            let r = try mhdq(environment: [:], ["run", dir + "/in/pipeline.toml", "--out", dir + "/out", "--run-id", night, "--redact"])
            #expect(r.status == 1, "\(r.stderr)")
            let rows = try csvDictionaries(dir + "/out/\(night)/exceptions.csv").filter {
                $0["table"] == "MHS001MPI" && $0["rule_id"]?.hasPrefix("MHS") == true && $0["record_key"]?.isEmpty == false
            }
            #expect(rows.count > 10)
            #expect(rows.allSatisfy { $0["status"] == (night == "one" ? "new" : "persisting") }, "\(night): \(rows.map { $0["status"] ?? "" })")
            #expect(rows.allSatisfy { $0["record_key"]?.hasPrefix(Redactor.prefix) == true })
            keys.append(rows.compactMap { $0["record_key"] })
        }
        #expect(Set(keys[0]).isDisjoint(with: Set(keys[1])), "a random key per run: the masks change")
    }

    /// `check --findings --redact` masks the findings file and the examples it prints.
    @Test func checkFindingsRedacted() throws {
        let dir = TempDir()
        let file = dir.write("mpi.csv", """
        LocalPatientID,NHSNumber,PersonBirthDate,Postcode,EthnicCategory
        P7001,9434765919,31/02/1980,LS1 4AP,Q
        P7001,943476591,1981-01-01,LS2 4AP,
        """ + "\n")
        let findings = dir.path + "/findings.csv"
        let r = try mhdq(environment: [:], ["check", "--table", "MHS001MPI=\(file)", "--findings", findings, "--redact"])
        #expect(r.status == 1)
        let text = try String(contentsOfFile: findings, encoding: .utf8)
        #expect(text.split(separator: "\n").count > 4)
        for id in ["P7001", "9434765919", "943476591", "31/02/1980", "1980-02-31", "1981-01-01", "LS1 4AP", "LS2 4AP"] {
            #expect(!text.contains(id) && !r.stdout.contains(id), "\(id) is shown")
        }
        #expect(r.stdout.contains("\"ID-"), "the example of the bad date shows its mask")
        let plain = try mhdq(environment: [:], ["check", "--table", "MHS001MPI=\(file)", "--findings", findings])
        #expect(plain.stdout.contains("31/02/1980"), "without --redact the examples show the value")
    }

    /// A date as extracts spell it: the input text and the usual spellings of the same day.
    static func spellings(of text: String) -> Set<String> {
        let t = text.trimmingCharacters(in: .whitespaces)
        var out: Set<String> = []
        var d: CivilDate?
        let slash = t.split(separator: "/"), dash = t.split(separator: "-")
        if slash.count == 3, let a = Int(slash[0]), let b = Int(slash[1]), let y = Int(slash[2]), slash[2].count == 4 {
            d = CivilDate.isValid(year: y, month: b, day: a) ? CivilDate(year: y, month: b, day: a) : nil
            out.insert(t)
        } else if dash.count == 3, let y = Int(dash[0]), let m = Int(dash[1]), let day = Int(dash[2]), dash[0].count == 4 {
            d = CivilDate.isValid(year: y, month: m, day: day) ? CivilDate(year: y, month: m, day: day) : nil
            out.insert(t)
        }
        guard let d else { return out }
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let y = String(d.year)
        out.formUnion(["\(y)-\(two(d.month))-\(two(d.day))", "\(two(d.day))/\(two(d.month))/\(y)", "\(d.day)/\(d.month)/\(y)",
                       "\(two(d.day))-\(two(d.month))-\(y)", "\(y)/\(two(d.month))/\(two(d.day))", "\(y)\(two(d.month))\(two(d.day))"])
        return out
    }
}

/// Finds which of many needles occur anywhere in a text, in one pass per needle length (Rabin-Karp):
/// thousands of identifiers against megabytes of output, where a search per needle would take minutes.
struct SubstringScanner {
    /// Needle length → rolling hash → needles with that hash.
    var byLength: [Int: [UInt64: [[UInt8]]]] = [:]
    static let base: UInt64 = 1_099_511_628_211

    init(_ needles: Set<String>) {
        for n in needles where !n.isEmpty {
            let bytes = Array(n.utf8)
            byLength[bytes.count, default: [:]][Self.hash(bytes[...]), default: []].append(bytes)
        }
    }

    static func hash(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.reduce(0) { $0 &* base &+ UInt64($1) }
    }

    func occurrences(in text: [UInt8]) -> Set<String> {
        var found: Set<String> = []
        for (length, table) in byLength where length <= text.count {
            var top: UInt64 = 1
            for _ in 1 ..< length { top = top &* Self.base }
            var h = Self.hash(text[0 ..< length])
            var i = 0
            while true {
                if let candidates = table[h] {
                    for c in candidates where text[i ..< i + length].elementsEqual(c) { found.insert(String(decoding: c, as: UTF8.self)) }
                }
                if i + length >= text.count { break }
                h = (h &- UInt64(text[i]) &* top) &* Self.base &+ UInt64(text[i + length])
                i += 1
            }
        }
        return found
    }
}
