// Manifests: column and value maps, globs, and every way a manifest can be wrong (exit 2, located).

import Foundation
import Testing
@testable import MHDQ

/// Writes a manifest and data files into a fresh folder; returns the manifest path.
func writeManifest(_ toml: String, files: [String: String] = [:]) throws -> String {
    let dir = try makeTemporaryDirectory()
    for (name, text) in files {
        let path = dir + "/" + name
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }
    let path = dir + "/pipeline.toml"
    try Data(toml.utf8).write(to: URL(fileURLWithPath: path))
    return path
}

func loadManifest(_ path: String) throws -> Manifest { try Manifest.load(path: path, catalogue: sharedCatalogue) }

func stageManifest(_ manifest: Manifest) throws -> (stats: [StagingStats], findings: [Finding], records: [StagedRecord]) {
    final class Keep: StagedRecordConsumer {
        var records: [StagedRecord] = []
        func begin(table: Dataset, source: SourceSpec) {}
        func consume(_ record: StagedRecord, table: Dataset) { records.append(record) }
        func end(table: Dataset, stats: StagingStats) {}
    }
    let keep = Keep()
    let collector = FindingCollector()
    let stats = try StagingPass(catalogue: sharedCatalogue, sources: manifest.sources).run(findings: collector, consumer: keep)
    return (stats, collector.findings, keep.records)
}

let mpiSource = """
[pipeline]
name = "Trust extract"
period = "2024-05"

[[source]]
table = "MHS001MPI"
file = "extracts/mpi-*.csv"
date_formats = ["dd/mm/yyyy", "excel-serial"]

[source.columns]
"Patient No" = "LocalPatientID"
"Ethnic Origin (local)" = "EthnicCategory"

[source.values.EthnicCategory]
"WB" = "A"
"Refused" = "Z"

"""

@Suite("Manifest")
struct ManifestTests {
    @Test func columnsValuesAndGlobs() throws {
        let path = try writeManifest(mpiSource, files: [
            "extracts/mpi-2024-05.csv": "Patient No,Ethnic Origin (local),PersonBirthDate\nP2,wb,15/06/1985\n",
            "extracts/mpi-2024-04.csv": "Patient No,Ethnic Origin (local),PersonBirthDate\nP1,Refused,31213\n",
            "extracts/other.csv": "not,matched\n",
        ])
        let m = try loadManifest(path)
        #expect(m.name == "Trust extract")
        #expect(m.period == "2024-05")
        #expect(m.sources.count == 1)
        #expect(m.sources[0].files.map { ($0 as NSString).lastPathComponent } == ["mpi-2024-04.csv", "mpi-2024-05.csv"])
        let (stats, findings, records) = try stageManifest(m)
        #expect(findings.isEmpty)
        #expect(stats[0].rowsRead == 2 && stats[0].rowsStaged == 2)
        let ds = sharedCatalogue.dataset("MHS001MPI")!
        #expect(records.map { $0[ds.index(of: "LocalPatientID")!].text } == ["P1", "P2"])
        #expect(records.map { $0[ds.index(of: "EthnicCategory")!].text } == ["Z", "A"])
        #expect(records.map { $0[ds.index(of: "PersonBirthDate")!].text } == ["1985-06-15", "1985-06-15"])
        #expect(records.map(\.fileIndex) == [0, 1])
    }

    @Test func aColumnTheFileDoesNotHave() throws {
        let path = try writeManifest(mpiSource, files: ["extracts/mpi-1.csv": "LocalPatientID,Postcode\nP1,LS1\n"])
        let m = try loadManifest(path)
        let error = captureError { _ = try stageManifest(m) }
        #expect(error?.kind == .invocation)
        #expect(error?.exitCode == 2)
        #expect(error?.message == "the manifest maps column \"Patient No\", which is not in the header (found: \"LocalPatientID\", \"Postcode\")")
        #expect(error?.location?.file.hasSuffix("mpi-1.csv") == true)
    }

    /// Each broken manifest fails on load with exit 2, pointing at the line (and the message says what to do).
    @Test("broken manifests", arguments: [
        ("table = \"MHS999Nothing\"\nfile = \"a.csv\"", "unknown table \"MHS999Nothing\" (known: MHS000Header, MHS001MPI", 2),
        ("table = \"MHS001MPI\"\nfile = \"a.csv\"\ndelimeter = \";\"", "unknown key \"delimeter\" in a [[source]] (known: ", 4),
        ("table = \"MHS001MPI\"\nfile = \"a.csv\"\ndate_formats = [\"dd/mm/yyy\"]", "unknown date format \"dd/mm/yyy\"", 4),
        ("table = \"MHS001MPI\"\nfile = \"a.csv\"\nencoding = \"ebcdic\"", "unknown encoding \"ebcdic\"", 4),
        ("table = \"MHS001MPI\"\nfile = \"a.csv\"\n[source.columns]\n\"Patient No\" = \"LocalPatentID\"",
         "\"LocalPatentID\" is not a field of MHS001MPI (did you mean LocalPatientID", 5),
        ("table = \"MHS001MPI\"\nfile = \"a.csv\"\n[source.values.Ethnicity]\n\"WB\" = \"A\"", "\"Ethnicity\" is not a field of MHS001MPI", 4),
        ("table = \"MHS001MPI\"\nfile = \"a.csv\"\nheader_row = 0", "header_row counts from 1", 4),
    ])
    func brokenManifest(_ body: String, _ message: String, _ line: Int) throws {
        let path = try writeManifest("[[source]]\n" + body + "\n", files: ["a.csv": "LocalPatientID\nP1\n"])
        let error = captureError { _ = try loadManifest(path) }
        #expect(error?.kind == .invocation)
        #expect(error?.message.hasPrefix(message) == true, "\(error?.message ?? "")")
        #expect(error?.location?.file == path)
        #expect(error?.location?.row == line)
    }

    @Test func globMatchingNothingAndMissingFile() throws {
        let glob = try writeManifest("[[source]]\ntable = \"MHS001MPI\"\nfile = \"extracts/*.csv\"\n")
        let e1 = captureError { _ = try loadManifest(glob) }
        #expect(e1?.kind == .input)
        #expect(e1?.message.hasPrefix("no file matches ") == true)
        #expect(e1?.message.hasSuffix("extracts/*.csv") == true)
        let plain = try writeManifest("[[source]]\ntable = \"MHS001MPI\"\nfile = \"gone.csv\"\n")
        let e2 = captureError { _ = try loadManifest(plain) }
        #expect(e2?.kind == .input)
        #expect(e2?.message.hasPrefix("source file not found: ") == true)
    }

    /// A file the pattern finds whose name is not UTF-8 (a Latin-1 byte, as files copied from Windows shares
    /// have) is named as such, not reported as missing.
    @Test func globFindingANameThatIsNotUTF8() throws {
        let manifest = try writeManifest("[[source]]\ntable = \"MHS001MPI\"\nfile = \"mpi_*.csv\"\n")
        let dir = (manifest as NSString).deletingLastPathComponent
        let bytes = Array((dir + "/mpi_").utf8) + [0xFF] + Array(".csv".utf8) + [0]
        let fd = bytes.withUnsafeBufferPointer { p in
            p.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bytes.count) { open($0, O_CREAT | O_WRONLY, 0o644) }
        }
        #expect(fd >= 0)
        close(fd)
        let e = captureError { _ = try loadManifest(manifest) }
        #expect(e?.kind == .input)
        #expect(e?.message.contains("mpi_\u{FFFD}.csv: this file's name is not valid UTF-8") == true, "\(e?.message ?? "")")
    }

    @Test func manifestLevelMistakes() throws {
        let noSource = captureError { _ = try loadManifest(try writeManifest("[pipeline]\nname = \"x\"\n")) }
        #expect(noSource?.message == "the manifest names no [[source]]")
        let period = captureError { _ = try loadManifest(try writeManifest("[pipeline]\nperiod = \"May 2024\"\n")) }
        #expect(period?.message == "period must be YYYY-MM, not \"May 2024\"")
        let unknownTop = captureError { _ = try loadManifest(try writeManifest("[pipline]\nname = \"x\"\n")) }
        #expect(unknownTop?.message.hasPrefix("unknown key \"pipline\" in the manifest") == true)
        // A pack listed twice ran twice, every finding reported twice.
        let twice = captureError { _ = try loadManifest(try writeManifest("[pipeline]\npacks = [\"mhsds-v6\", \"ethnicity\", \"mhsds-v6\"]\n")) }
        #expect(twice?.message == "packs lists \"mhsds-v6\" twice: list each pack once")
        #expect(twice?.kind == .invocation)
        #expect(twice?.location?.row == 2)
        let missing = captureError { _ = try loadManifest("/nonexistent/pipeline.toml") }
        #expect(missing?.kind == .invocation)
        #expect(missing?.message == "manifest not found")
    }

    /// Manifest mistakes that were accepted and ran as if nothing were wrong: packs = [] ran no rule and passed,
    /// a misspelt setting left its rule at the default, an upload date that is no date left MHS00027 unknown, and
    /// a missing [context] file stopped the run without saying which key named it.
    @Test func mistakesThatRanSilently() throws {
        let source = "\n[[source]]\ntable = \"MHS001MPI\"\nfile = \"a.csv\"\n"
        let files = ["a.csv": "LocalPatientID\nP1\n"]
        let empty = try writeManifest("[pipeline]\npacks = []\n" + source, files: files)
        let noPacks = captureError { _ = try loadManifest(empty) }
        #expect(noPacks?.message == "packs = [] runs no rules: list the packs to run, or leave packs out to run every pack for the tables read")
        #expect(noPacks?.exitCode == 2)
        #expect(noPacks?.location?.file == empty && noPacks?.location?.row == 2)

        let uploadDate = captureError { _ = try loadManifest(try writeManifest("[context]\nupload_date = \"2026-02-30\"\n" + source, files: files)) }
        #expect(uploadDate?.message == "upload_date must be a date, CCYY-MM-DD, not \"2026-02-30\"")
        #expect(uploadDate?.exitCode == 2)
        #expect(uploadDate?.location?.row == 2)

        // A missing [context] file is an input that cannot be read, as a missing [[source]] file is (exit 3),
        // located at the key that names it.
        let missing = try writeManifest("[context]\nspecialised_services = \"gone.csv\"\n" + source, files: files)
        let gone = captureError { _ = try loadManifest(missing) }
        #expect(gone?.kind == .input)
        #expect(gone?.message.hasPrefix("[context] specialised_services: file not found: ") == true)
        #expect(gone?.location?.file == missing && gone?.location?.row == 2)

        // A setting no pack knows is named with the known ones, at its line in the manifest or as --setting.
        let typo = try loadManifest(try writeManifest("[settings]\ndenominator_change_limt = 0.05\n" + source, files: files))
        let reference = try ReferenceLoader.load(typo.context, settings: typo.settings, settingLocations: typo.settingLocations)
        let unknown = captureError { try RulePackLoader.checkSettingNames(reference, rulesDirectory: sharedCatalogue.rulesDirectory) }
        #expect(unknown?.message.hasPrefix("[settings] denominator_change_limt: no rule pack has a setting \"denominator_change_limt\" (did you mean denominator_change_limit?); known settings: denominator_change_limit, ") == true,
                "\(unknown?.message ?? "")")
        #expect(unknown?.exitCode == 2)
        #expect(unknown?.location?.file == typo.path && unknown?.location?.row == 2)
        var given = ReferenceData()
        given.settings = ["denominator_change_limt": "0.05"]
        let flag = captureError { try RulePackLoader.checkSettingNames(given, rulesDirectory: sharedCatalogue.rulesDirectory) }
        #expect(flag?.message.hasPrefix("--setting denominator_change_limt=...: no rule pack has a setting") == true)
        given.settings = ["denominator_change_limit": "0.05", "upload_date": "2026-10-15", "portal_org": "RX4"]
        try RulePackLoader.checkSettingNames(given, rulesDirectory: sharedCatalogue.rulesDirectory)
        given.settings = ["upload_date": "2026-02-30"]
        let date = captureError { try RulePackLoader.checkSettingNames(given, rulesDirectory: sharedCatalogue.rulesDirectory) }
        #expect(date?.message == "--setting upload_date=...: upload_date must be a date, CCYY-MM-DD, not \"2026-02-30\"")
    }

    @Test func exportDelimiter() throws {
        let source = "\n[[source]]\ntable = \"MHS001MPI\"\nfile = \"a.csv\"\n"
        let files = ["a.csv": "LocalPatientID\nP1\n"]
        #expect(try loadManifest(try writeManifest(source, files: files)).exportDelimiter == nil)
        #expect(try loadManifest(try writeManifest("[export]\ndelimiter = \"|\"\n" + source, files: files)).exportDelimiter == 0x7C)
        #expect(try loadManifest(try writeManifest("[export]\ndelimiter = \"tab\"\n" + source, files: files)).exportDelimiter == 0x09)
        let bad = try writeManifest("[export]\ndelimiter = \"||\"\n" + source, files: files)
        let error = captureError { _ = try loadManifest(bad) }
        #expect(error?.kind == .invocation)
        #expect(error?.message == "unusable delimiter \"||\" (, | tab ;)")
        #expect(error?.location?.row == 2)
        let unknown = captureError { _ = try loadManifest(try writeManifest("[export]\nseparator = \",\"\n" + source, files: files)) }
        #expect(unknown?.message.hasPrefix("unknown key \"separator\" in [export]") == true, "\(unknown?.message ?? "")")
    }
}

@Suite("Catalogue")
struct CatalogueTests {
    @Test func tablesInMHSDSOrderThenAggregateReturns() {
        let names = sharedCatalogue.tableNames
        #expect(names.first == "MHS000Header")
        #expect(Array(names.suffix(2)).sorted() == ["IndicatorReturn", "KpiReturn"])
        #expect(names.firstIndex(of: "MHS001MPI")! < names.firstIndex(of: "MHS101Referral")!)
    }
}
