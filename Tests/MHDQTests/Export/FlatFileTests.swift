// MHSDS flat files: what staging accepted minus what the rules rejected, in v6 order, and read back
// by our own reader and stager into the very same staged records.

import Foundation
import Testing
@testable import MHDQ

/// Keeps every staged record, per table, in the order the engine sees them.
final class StagedRecordRecorder: StagedRecordConsumer {
    var records: [String: [[Value]]] = [:]
    func begin(table: Dataset, source: SourceSpec) {}
    func consume(_ record: StagedRecord, table: Dataset) { records[table.table, default: []].append(record.values) }
    func end(table: Dataset, stats: StagingStats) {}
}

@Suite struct FlatFileTests {
    static let demoManifest = TestPaths.packageRoot + "/Samples/demo/pipeline.toml"

    /// Stages a flat file back the way `mhdq check --table NAME=FILE` would.
    static func restage(_ file: FlatFileSpooler.FlatFile, delimiter: UInt8 = 0x2C) throws -> (records: [[Value]], stats: StagingStats) {
        var read = ReadOptions()
        read.delimiter = delimiter
        let spec = try CheckRun.adHocSources(["\(file.table)=\(file.path)"], catalogue: sharedCatalogue, read: read)[0]
        let stager = Stager(dataset: sharedCatalogue.datasets[file.table]!, spec: spec, catalogue: sharedCatalogue,
                            findings: FindingCollector())
        var stats = StagingStats(table: file.table)
        var records: [[Value]] = []
        try stager.run(stats: &stats) { records.append($0.values) }
        return (records, stats)
    }

    struct Run {
        var result: CheckResult
        var files: [FlatFileSpooler.FlatFile]
        var staged: [String: [[Value]]]
        var folder: String
    }

    static func run(_ sources: [SourceSpec], packs: [String]?, delimiter: UInt8 = 0x2C, provider: String? = nil) throws -> Run {
        let folder = try makeTemporaryDirectory()
        var check = CheckRun(catalogue: sharedCatalogue, sources: sources, period: ReportingPeriod("2026-09"), packs: packs)
        check.provider = provider
        check.keepFindings = false
        let spooler = FlatFileSpooler(folder: folder, delimiter: delimiter)
        let recorder = StagedRecordRecorder()
        check.recordConsumer = StagedRecordFanOut([spooler, recorder])
        let result = try check.run()
        let files = try spooler.finish(outcomes: result.outcomes)
        return Run(result: result, files: files, staged: recorder.records, folder: folder)
    }

    @Test func demoFlatFilesRestageToTheAcceptedRecords() throws {
        let manifest = try Manifest.load(path: Self.demoManifest, catalogue: sharedCatalogue)
        let run = try Self.run(manifest.sources, packs: manifest.packs, provider: manifest.provider)
        #expect(run.files.map(\.table) == run.result.stats.map(\.table), "one file per table, in MHSDS order")
        var leftOut = 0
        for file in run.files {
            let outcome = try #require(run.result.outcomes.first { $0.table == file.table })
            let staged = try #require(run.staged[file.table])
            #expect(outcome.rejected.count == staged.count)
            let accepted = zip(staged, outcome.rejected).filter { !$0.1 }.map(\.0)
            #expect(file.written == accepted.count && file.leftOut == outcome.rejectedCount)
            leftOut += file.leftOut
            let back = try Self.restage(file)
            #expect(back.stats.rowsRejected == 0 && back.stats.unmappedColumns.isEmpty && back.stats.missingFields.isEmpty)
            #expect(back.records.count == accepted.count, "\(file.table)")
            for (i, (a, b)) in zip(back.records, accepted).enumerated() where a != b {
                Issue.record("\(file.table) record \(i): re-staged \(a) but staged \(b)")
                break
            }
            // Header: the v6 field names, in the dataset's order.
            let csv = try readCSV(file.path, delimiter: 0x2C)
            #expect(csv.records.first == sharedCatalogue.datasets[file.table]!.fields.map(\.name))
        }
        #expect(leftOut > 500, "the demo carries rejections: the test must leave some out")
        // Nothing lost: the reconciliation takes the written counts, and balances.
        let rows = try ReconciliationRow.make(run.result, written: Dictionary(uniqueKeysWithValues: run.files.map { ($0.table, $0.written) }))
        #expect(rows.count == run.result.stats.count && rows.count >= 7 && rows.allSatisfy(\.balanced))
        // The spools are gone.
        let left = try FileManager.default.contentsOfDirectory(atPath: run.folder).filter { $0.hasSuffix(".spool") }
        #expect(left.isEmpty)
    }

    /// Two sources of one table: the engine counts records across both, and so must the spool, or the
    /// wrong records would be left out.
    @Test func rejectedFlagsLineUpAcrossSourcesOfOneTable() throws {
        let dir = TempDir()
        let header = "LocalPatientID,OrgIDLocalPatientID,NHSNumber,NHSNumberStatus,PersonBirthDate,Postcode,GenderIDCode,EthnicCategory\n"
        let first = dir.write("mpi-1.csv", header + "P1,RXX,9434765919,01,1980-01-01,LS1 4AP,1,A\nP2,RXX,9434765870,01,1980-01-02,LS1 4AP,1,B\n")
        let second = dir.write("mpi-2.csv", header + """
        ,RXX,9434765862,01,1980-01-03,LS1 4AP,1,C
        P1,RXX,9434765854,01,1980-01-04,LS1 4AP,1,D
        P4,RXX,9434765846,01,1980-01-05,LS1 4AP,1,E
        """ + "\n")
        let sources = try CheckRun.adHocSources(["MHS001MPI=\(first)", "MHS001MPI=\(second)"], catalogue: sharedCatalogue, read: ReadOptions())
        let run = try Self.run(sources, packs: ["mhsds-v6"])
        #expect(run.result.outcomes.first?.rejected == [true, false, true, true, false])
        let file = try #require(run.files.first)
        let csv = try readCSV(file.path, delimiter: 0x2C)
        #expect(csv.records.dropFirst().map { $0[0] } == ["P2", "P4"])
        #expect(csv.records.dropFirst().map { $0[11] } == ["B", "E"])
        #expect(file.written == 2 && file.leftOut == 3)
    }

    @Test func withoutRulesEveryStagedRecordIsWritten() throws {
        let dir = TempDir()
        let mpi = dir.write("mpi.csv", "LocalPatientID,PersonBirthDate\nP1,1980-01-01\n,\nP3,bad\n")
        let run = try Self.run(try CheckRun.adHocSources(["MHS001MPI=\(mpi)"], catalogue: sharedCatalogue, read: ReadOptions()), packs: [])
        #expect(run.result.outcomes.isEmpty)
        let file = try #require(run.files.first)
        #expect(file.written == 2 && file.leftOut == 0, "the blank line is no record; the bad date is written as staged")
        let rows = try ReconciliationRow.make(run.result, written: ["MHS001MPI": file.written])
        #expect(rows[0].exported == 2 && rows[0].balanced)
    }

    /// Formula-like text is data in a submission file: written as it came, quoted only where CSV needs it.
    @Test func valuesAreWrittenExactlyWithoutFormulaNeutralising() throws {
        let dir = TempDir()
        let values = ["=HYPERLINK(\"http://x\")", "-12", "+44 113", "@SUM(A1)", "a, b", "say \"hi\"", "two\nlines", " padded "]
        var text = "LocalPatientID,LanguageCodePreferred\n"
        for (i, v) in values.enumerated() {
            text += "P\(i),\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\"\n"
        }
        let mpi = dir.write("mpi.csv", text)
        var read = ReadOptions()
        read.delimiter = 0x2C
        var sources = try CheckRun.adHocSources(["MHS001MPI=\(mpi)"], catalogue: sharedCatalogue, read: read)
        sources[0].trim = false
        let run = try Self.run(sources, packs: [])
        let file = try #require(run.files.first)
        let csv = try readCSV(file.path, delimiter: 0x2C)
        let column = sharedCatalogue.datasets["MHS001MPI"]!.index(of: "LanguageCodePreferred")!
        #expect(csv.records.dropFirst().map { $0[column] } == values)
    }

    /// A NUL (a workbook's `_x0000_`) would make the submission file binary to every text reader, ours included:
    /// it is written as U+FFFD, as exceptions.csv writes it, and the file restages.
    @Test func aNULInAValueIsWrittenAsTheReplacementCharacter() throws {
        let dataset = sharedCatalogue.datasets["MHS001MPI"]!
        let encoder = FlatFileRecordEncoder(dataset: dataset, delimiter: 0x2C, redactor: nil)
        let id = dataset.index(of: "LocalPatientID")!
        let language = dataset.index(of: "LanguageCodePreferred")!
        var values = Array(repeating: Value.null, count: dataset.fields.count)
        values[id] = .text("P00000002\0")
        values[language] = .text("a,\0\"b")
        let out = ByteBuffer()
        encoder.encode(values, into: out)
        let bytes = Array(out.bytes)
        #expect(!bytes.contains(0))
        let line = String(decoding: bytes, as: UTF8.self)
        #expect(line.hasPrefix("P00000002\u{FFFD},") || line.contains(",P00000002\u{FFFD},"))
        #expect(line.contains("\"a,\u{FFFD}\"\"b\""))
        // And the whole file reads back as text.
        let dir = TempDir()
        let path = dir.write("MHS001MPI.csv", "")
        let file = try OutputBuffer(creating: path)
        let header = ByteBuffer()
        encoder.header(dataset, into: header)
        file.write(bytes: UnsafeBufferPointer(start: header.base, count: header.count))
        file.write(bytes: UnsafeBufferPointer(start: out.base, count: out.count))
        try file.close()
        let restaged = try Self.restage(FlatFileSpooler.FlatFile(table: "MHS001MPI", path: path, written: 1, leftOut: 0))
        #expect(restaged.records.first?[id] == .text("P00000002\u{FFFD}"))
    }

    @Test func pipeDelimitedFilesAreTxt() throws {
        let dir = TempDir()
        let mpi = dir.write("mpi.csv", "LocalPatientID,OrgIDLocalPatientID,PersonBirthDate\nP1,R|X,1980-01-01\nP2,RXX,\n")
        let run = try Self.run(try CheckRun.adHocSources(["MHS001MPI=\(mpi)"], catalogue: sharedCatalogue, read: ReadOptions()),
                               packs: [], delimiter: 0x7C)
        let file = try #require(run.files.first)
        #expect(file.path.hasSuffix("/MHS001MPI.txt"))
        let lines = try String(contentsOfFile: file.path, encoding: .utf8).split(separator: "\n")
        #expect(lines[1] == "P1|\"R|X\"||||1980-01-01||||||||")
        let back = try Self.restage(file, delimiter: 0x7C)
        #expect(back.records == run.staged["MHS001MPI"])
        #expect(FlatFileSpooler.fileName(table: "MHS001MPI", delimiter: 0x09) == "MHS001MPI.tsv")
    }

    @Test func generatedHeaderCarriesTheRunsCreationTime() throws {
        let folder = try makeTemporaryDirectory()
        var check = CheckRun(catalogue: sharedCatalogue, sources: [], period: ReportingPeriod("2026-09"))
        check.provider = "RX4"
        check.created = CivilDate(year: 2026, month: 10, day: 3).days * 86_400 + 7 * 3600 + 5 * 60 + 9
        let spooler = FlatFileSpooler(folder: folder)
        let ds = sharedCatalogue.datasets["MHS000Header"]!
        let files = try spooler.finish(outcomes: [], header: (ds, check.syntheticHeader()!))
        #expect(files.map(\.table) == ["MHS000Header"])
        let csv = try readCSV(files[0].path, delimiter: 0x2C)
        #expect(csv.records == [
            ["DatSetVer", "OrgIDProvider", "OrgIDSubmit", "PrimSystemInUse", "ReportingPeriodStartDate", "ReportingPeriodEndDate", "DateTimeDatSetCreate"],
            ["6.0", "RX4", "RX4", "mhdq", "2026-09-01", "2026-09-30", "2026-10-03T07:05:09"],
        ])
    }

    /// A run with its own header file submits that header, not a generated one.
    @Test func aStagedHeaderIsWrittenInsteadOfTheGeneratedOne() throws {
        let dir = TempDir()
        let header = dir.write("header.csv", "DatSetVer,OrgIDProvider,OrgIDSubmit,PrimSystemInUse,ReportingPeriodStartDate,ReportingPeriodEndDate,DateTimeDatSetCreate\n"
            + "6.0,RY1,RY1,RiO,2026-09-01,2026-09-30,2026-10-02T09:15:00\n")
        let sources = try CheckRun.adHocSources(["MHS000Header=\(header)"], catalogue: sharedCatalogue, read: ReadOptions())
        let folder = try makeTemporaryDirectory()
        var check = CheckRun(catalogue: sharedCatalogue, sources: sources, period: ReportingPeriod("2026-09"), packs: [])
        check.provider = "RX4"
        let spooler = FlatFileSpooler(folder: folder)
        check.recordConsumer = spooler
        let result = try check.run()
        let files = try spooler.finish(outcomes: result.outcomes, header: (sharedCatalogue.datasets["MHS000Header"]!, check.syntheticHeader()!))
        #expect(files.map(\.table) == ["MHS000Header"])
        #expect(try readCSV(files[0].path, delimiter: 0x2C).records.last == ["6.0", "RY1", "RY1", "RiO", "2026-09-01", "2026-09-30", "2026-10-02T09:15:00"])
    }

    /// The engine's verdicts must cover exactly the records spooled; if not, the run stops instead of guessing.
    @Test func aMismatchWithTheEngineFailsLoudly() throws {
        let folder = try makeTemporaryDirectory()
        let spooler = FlatFileSpooler(folder: folder)
        let ds = sharedCatalogue.datasets["MHS002GP"]!
        spooler.begin(table: ds, source: SourceSpec(table: ds.table, file: "gp.csv"))
        for _ in 0 ..< 3 {
            spooler.consume(StagedRecord(values: Array(repeating: .text("x"), count: ds.fields.count), row: 2, fileIndex: 0), table: ds)
        }
        let outcome = TableOutcome(table: ds.table, records: 2, rejectedByRecordRules: 0, rejectedByGroupRules: 0, rejected: [false, false])
        let error = captureError { _ = try spooler.finish(outcomes: [outcome]) }
        #expect(error?.message.contains("3 records spooled for MHS002GP but the rule engine saw 2") == true)

        var result = CheckResult(stats: [], findings: [], tally: FindingTally(keep: false))
        var stats = StagingStats(table: "MHS002GP")
        stats.rowsRead = 3
        stats.rowsStaged = 3
        result.stats = [stats]
        let mismatch = captureError { _ = try ReconciliationRow.make(result, written: ["MHS002GP": 2]) }
        #expect(mismatch?.message.contains("2 records written to its flat file, but rows staged − rejected = 3") == true)
        #expect(captureError { _ = try ReconciliationRow.make(result, written: [:]) } != nil)
    }

    /// The flat files take their column order from the dataset files; the order must be v6's, which the
    /// published rule list follows (each element first appears in its table's position).
    @Test func datasetFieldsAreInV6Order() throws {
        var reader = try CSVReader(path: TestPaths.rules + "/packs/mhsds-v6/official-rules.csv", encoding: .utf8)
        var row = RawRow()
        _ = try reader.next(into: &row)
        let table = row.fields.firstIndex(of: "table")!, element = row.fields.firstIndex(of: "element")!
        var firstSeen: [String: [String]] = [:]
        while try reader.next(into: &row) {
            let t = row.string(table), e = row.string(element)
            if e != t, !(firstSeen[t]?.contains(e) ?? false) { firstSeen[t, default: []].append(e) }
        }
        #expect(firstSeen.count == 8)
        for (t, order) in firstSeen {
            let fields = try #require(sharedCatalogue.datasets[t]).fields.map(\.name)
            #expect(fields.filter { order.contains($0) } == order, "\(t)")
        }
    }
}
