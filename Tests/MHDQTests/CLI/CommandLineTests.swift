// The built `mhdq` binary end to end: exit codes, one-line located errors, JSON, record dumps.

import Foundation
import Testing
@testable import MHDQ

struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
    var stdoutBytes: Data
}

/// The debug binary `swift test` builds next to the tests, whatever the scratch path ($MHDQ_TEST_BIN overrides).
let mhdqBinary: String = {
    if let env = ProcessInfo.processInfo.environment["MHDQ_TEST_BIN"], !env.isEmpty { return env }
    let beside = URL(fileURLWithPath: CommandLine.arguments.first ?? "").deletingLastPathComponent().appendingPathComponent("mhdq").path
    if FileManager.default.isExecutableFile(atPath: beside) { return beside }
    for scratch in [".build-tests", ".build"] {
        let path = TestPaths.packageRoot + "/\(scratch)/debug/mhdq"
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return TestPaths.packageRoot + "/.build-tests/debug/mhdq"
}()

func mhdq(_ arguments: String...) throws -> CommandResult {
    try mhdq(environment: [:], arguments)
}

/// Runs the built binary (with extra environment variables); the whole of stdout and stderr.
func mhdq(environment: [String: String], _ arguments: [String]) throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: mhdqBinary)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: TestPaths.packageRoot)
    var env = ProcessInfo.processInfo.environment
    env["MHDQ_RULES"] = TestPaths.rules
    env.removeValue(forKey: Redactor.keyVariable)
    for (k, v) in environment { env[k] = v }
    process.environment = env
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read both pipes before waiting so a large output cannot block the child.
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    #expect(process.terminationReason == .exit, "mhdq was killed by a signal")
    #expect(process.terminationStatus < 128)
    return CommandResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self), stdoutBytes: outData)
}

/// The error is a single line that starts "mhdq: FILE".
func expectOneLineError(_ r: CommandResult, naming file: String, row: Int? = nil,
                        sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.count == 2 && lines[1].isEmpty, "not one line: \(r.stderr)", sourceLocation: sourceLocation)
    #expect(r.stderr.hasPrefix("mhdq: \(file)"), "\(r.stderr)", sourceLocation: sourceLocation)
    if let row { #expect(r.stderr.contains("row \(row)"), "\(r.stderr)", sourceLocation: sourceLocation) }
}

@Suite("Command line", .enabled(if: FileManager.default.isExecutableFile(atPath: mhdqBinary), "build mhdq first"))
struct CommandLineTests {
    @Test func checkJSONCounts() throws {
        let file = try writeTemporaryFile("""
        LocalPatientID,OrgIDLocalPatientID,PersonBirthDate,EthnicCategory
        P1,RX1,1985-06-15,A
        P2,RX1,15/06/1985,White - British
        P3,RX1
        P4,RX1,31/02/2023,Z
        """ + "\n\n", name: "mpi.csv")
        // The ethnicity pack only: the staging counts are what this test is about.
        let r = try mhdq("check", "--table", "MHS001MPI=\(file)", "--pack", "ethnicity", "--json")
        #expect(r.status == 1, "a rejected row is a failing finding")
        let json = try #require(try JSONSerialization.jsonObject(with: r.stdoutBytes) as? [String: Any])
        let table = try #require((json["tables"] as? [[String: Any]])?.first)
        #expect(table["table"] as? String == "MHS001MPI")
        #expect(table["rows_read"] as? Int == 4)
        #expect(table["rows_staged"] as? Int == 3)
        #expect(table["rows_rejected"] as? Int == 1)
        #expect(table["blank_rows"] as? Int == 1)
        #expect(table["values_mapped"] as? Int == 1)
        #expect(json["exit_code"] as? Int == 1)
        let findings = try #require(json["findings"] as? [String: Any])
        #expect(findings["failing"] as? Int == 1)
        let rules = (findings["by_rule"] as? [[String: Any]])?.compactMap { $0["rule_id"] as? String }
        #expect(rules?.sorted() == ["ETH004", "STG-DATE", "STG-RAGGED"])
        #expect(r.stderr.isEmpty)
    }

    /// Without a findings file, `check` counts findings and builds none (no message, key or group text): the
    /// counts by rule and severity, the verdict and the tables' rejections are those of the run that writes
    /// every finding out, on the demo trust (record, group, aggregate and staging findings).
    @Test func checkCountsAsManyFindingsWithoutAFindingsFile() throws {
        let manifest = TestPaths.packageRoot + "/Samples/demo/pipeline.toml"
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mhdq-counts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("findings.csv").path
        let counted = try mhdq("check", manifest, "--json")
        let written = try mhdq("check", manifest, "--json", "--findings", file)
        #expect(counted.status == 1 && written.status == 1)
        let a = try #require(try JSONSerialization.jsonObject(with: counted.stdoutBytes) as? [String: Any])
        let b = try #require(try JSONSerialization.jsonObject(with: written.stdoutBytes) as? [String: Any])
        let countedFindings = try #require(a["findings"] as? NSDictionary)
        #expect(countedFindings.isEqual(to: try #require(b["findings"] as? [String: Any])))
        #expect((a["tables"] as? NSArray)?.isEqual(to: try #require(b["tables"] as? [Any])) == true)
        let total = try #require(countedFindings["total"] as? Int)
        #expect(total > 2_000)
        let rows = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").count - 1
        #expect(rows == total, "one row per finding counted")
        let byRule = try #require(countedFindings["by_rule"] as? [[String: Any]])
        #expect(byRule.contains { $0["rule_id"] as? String == "MHS10101" }, "group findings are counted")
        #expect(byRule.contains { $0["rule_id"] as? String == "MHS00165" }, "record findings are counted")
    }

    /// --findings naming the manifest or an input (by another spelling or a link too) is refused before anything is
    /// written: the findings file was truncated before the inputs were read, destroying the extract.
    @Test func checkRefusesFindingsOverAnInput() throws {
        let dir = TempDir()
        let mpiText = "LocalPatientID,EthnicCategory\nP1,A\n"
        let mpi = dir.write("mpi.csv", mpiText)
        let manifestText = "[pipeline]\npacks = [\"ethnicity\"]\n[[source]]\ntable = \"MHS001MPI\"\nfile = \"mpi.csv\"\n"
        let manifest = dir.write("pipeline.toml", manifestText)
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/link.csv", withDestinationPath: mpi)
        let cases: [[String]] = [
            ["check", manifest, "--findings", mpi], ["check", manifest, "--findings", manifest],
            ["check", manifest, "--findings", dir.path + "/./mpi.csv"], ["check", manifest, "--findings", dir.path + "/link.csv"],
            ["check", "--table", "MHS001MPI=\(mpi)", "--findings", mpi],
        ]
        for args in cases {
            let r = try mhdq(environment: [:], args)
            #expect(r.status == 2, "\(args): \(r.status) \(r.stderr)")
            expectOneLineError(r, naming: args[args.count - 1])
            #expect(r.stderr.contains("--findings"))
        }
        #expect(try String(contentsOfFile: mpi, encoding: .utf8) == mpiText)
        #expect(try String(contentsOfFile: manifest, encoding: .utf8) == manifestText)
        // Another file, existing or not, is written as before.
        let ok = try mhdq(environment: [:], ["check", manifest, "--findings", dir.path + "/findings.csv"])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.path + "/findings.csv"))
    }

    @Test func checkPassesACleanFile() throws {
        let file = try writeTemporaryFile("LocalPatientID,EthnicCategory\nP1,A\n", name: "mpi.csv")
        let r = try mhdq("check", "--table", "MHS001MPI=\(file)", "--pack", "ethnicity")
        #expect(r.status == 0)
        #expect(r.stdout.contains("rows read 1   staged 1   rejected 0"))
        #expect(r.stdout.contains("verdict: PASS"))
    }

    @Test func invocationErrorsExitTwo() throws {
        let unknown = try mhdq("check", "--table", "MHS999Nothing=whatever.csv")
        #expect(unknown.status == 2)
        #expect(unknown.stderr.hasPrefix("mhdq: unknown table \"MHS999Nothing\""))
        #expect(unknown.stderr.split(separator: "\n").count == 1)

        let manifest = try writeManifest("[[source]]\ntable = \"MHS001MPI\"\nfile = unquoted.csv\n")
        let bad = try mhdq("check", manifest)
        #expect(bad.status == 2)
        #expect(bad.stderr.hasPrefix("mhdq: \(manifest):3:8: unexpected \"unquoted.csv\": strings need double quotes"))

        #expect(try mhdq("check").status == 2)
        #expect(try mhdq("check", "--table", "MHS001MPI").status == 2)
        #expect(try mhdq("frobnicate").status == 2)
        #expect(try mhdq("check", "--bogus").status == 2)
        #expect(try mhdq("inspect", "--records", "xml", TestPaths.csv("simple.csv")).status == 2)
    }

    @Test func unreadableInputsExitThreeWithOneLine() throws {
        let header = "LocalPatientID,Postcode\n"
        let garbage = try writeTemporaryFile(Array(header.utf8) + [0x50, 0x31, 0x2C, 0x00, 0xFF, 0x00, 0x0A], name: "garbage.csv")
        let truncated = try writeTemporaryFile(header + "P1,LS1\nP2,\"LS2\nP3,LS3\n", name: "truncated.csv")
        let missing = "/nonexistent/mpi.csv"
        let cases: [(String, Int?)] = [
            (garbage, 2), (truncated, 3), (missing, nil), (TestPaths.csv("zip_as_csv.csv"), nil),
            (TestPaths.csv("ole_as_csv.csv"), nil), (TestPaths.csv("utf16le_bom.csv"), nil),
            (TestPaths.csv("empty_file.csv"), nil), (TestPaths.testsDirectory, nil),
        ]
        for (file, row) in cases {
            let check = try mhdq("check", "--table", "MHS001MPI=\(file)", "--json")
            #expect(check.status == 3, "check \(file): \(check.stderr)")
            #expect(check.stdout.isEmpty)
            expectOneLineError(check, naming: file, row: row)
            let inspect = try mhdq("inspect", file)
            #expect(inspect.status == 3, "inspect \(file): \(inspect.stderr)")
            expectOneLineError(inspect, naming: file, row: row)
        }
        let empty = try mhdq("check", "--table", "MHS001MPI=\(TestPaths.csv("empty_file.csv"))")
        #expect(empty.stderr.contains("the file is empty"))
        #expect(try mhdq("inspect", TestPaths.csv("empty_file.csv")).stderr.contains("the file is empty"))
    }

    @Test func inspectRecordsCSVRoundTrips() throws {
        // Already in the writer's form (LF line ends, quotes only where needed), so bytes come back unchanged.
        let canonical = "id,text,note\n1,\"a, b\",\"say \"\"hi\"\"\"\n2,\"two\nlines\",\"cr\r\nlf\"\n3,,\"O\"\"Brien\"\n4,£ – é ’ 😀, lead\n"
        let file = try writeTemporaryFile(canonical, name: "tricky.csv")
        let r = try mhdq("inspect", file, "--records", "csv")
        #expect(r.status == 0)
        #expect(r.stdout == canonical)
        // Any input: what comes out reads back as the same records.
        for fixture in ["multiline_rows.csv", "quotes_and_newlines.csv", "windows1252.csv", "cr_only.csv", "location_coordinates.csv"] {
            let dump = try mhdq("inspect", TestPaths.csv(fixture), "--records", "csv")
            let again = try writeTemporaryFile(Array(dump.stdoutBytes), name: "again.csv")
            #expect(try readCSV(again).records == readCSV(TestPaths.csv(fixture)).records, "\(fixture)")
        }
    }

    /// A workbook row ends at its last non-empty cell: its records are written out to the header's width, the values
    /// `--records json` gives them. They came out short (P002 had 5 fields under 6 headers). A delimited file's short
    /// line stays as the file holds it.
    @Test func inspectRecordsCSVPadsWorkbookRowsToTheHeader() throws {
        let workbook = TestPaths.testsDirectory + "/Fixtures/xlsx/openpyxl.xlsx"
        let r = try mhdq("inspect", workbook, "--records", "csv")
        #expect(r.status == 0)
        let dump = try readCSV(try writeTemporaryFile(Array(r.stdoutBytes), name: "workbook.csv")).records
        #expect(dump.count == 5)
        #expect(dump.allSatisfy { $0.count == 6 }, "\(dump)")
        #expect(dump[2] == ["P002", "2023-04-02T13:05:00", "51", "0.1", "FALSE", ""])
        let json = try mhdq("inspect", workbook, "--records", "json")
        let objects = try #require(try JSONSerialization.jsonObject(with: json.stdoutBytes) as? [[String: String]])
        #expect(objects.map { o in dump[0].map { o[$0] ?? "?" } } == Array(dump.dropFirst()))
        let ragged = try writeTemporaryFile("a,b,c\n1\n2,3,4,5\n", name: "ragged.csv")
        #expect(try mhdq("inspect", ragged, "--records", "csv").stdout == "a,b,c\n1\n2,3,4,5\n")
    }

    @Test func inspectRecordsJSONKeysByHeader() throws {
        let r = try mhdq("inspect", TestPaths.csv("quote_in_unquoted.csv"), "--records", "json")
        #expect(r.status == 0)
        let rows = try #require(try JSONSerialization.jsonObject(with: r.stdoutBytes) as? [[String: String]])
        #expect(rows == [["name": "O\"Brien", "height": "5'10\"", "note": "a \"quoted\" word"], ["name": "xy", "height": "z", "note": ""]])
        let empty = try mhdq("inspect", TestPaths.csv("simple.csv"), "--records", "json", "--header-row", "9")
        #expect(empty.stdout == "[]\n")
    }

    @Test func inspectProfilesColumns() throws {
        let r = try mhdq("inspect", TestPaths.csv("tab.tsv"))
        #expect(r.status == 0)
        #expect(r.stdout.contains("1 data rows, 3 columns (header row 1)"))
        #expect(r.stdout.contains("EthnicCategory"))
    }
}
