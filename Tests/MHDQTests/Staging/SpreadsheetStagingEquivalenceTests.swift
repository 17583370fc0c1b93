// The same extract staged from CSV and from an openpyxl workbook gives the same staged rows.

import Foundation
import Testing
@testable import MHDQ

@Suite("Staging: XLSX equals CSV")
struct SpreadsheetStagingEquivalenceTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/equivalence").path

    func stage(_ file: String, sheet: SheetSelector? = nil) throws -> (records: [[Value]], rows: [Int], stats: StagingStats, findings: [Finding]) {
        let catalogue = RuleTestSupport.catalogue
        let dataset = try #require(catalogue.dataset("MHS001MPI"))
        var spec = SourceSpec(table: "MHS001MPI", file: file, read: ReadOptions(sheet: sheet))
        spec.columns = [("Patient ID", "LocalPatientID"), ("NHS No", "NHSNumber"), ("DOB", "PersonBirthDate"),
                        ("Postcode", "Postcode"), ("Gender Identity", "GenderIDCode"), ("Ethnicity", "EthnicCategory"),
                        ("Org Code", "OrgIDLocalPatientID"), ("NHS No Status", "NHSNumberStatus")]
        spec.dateFormats = [DateFormat(pattern: "dd/mm/yyyy")!, DateFormat.iso]
        let collector = FindingCollector()
        var stats = StagingStats(table: "MHS001MPI")
        var records: [[Value]] = []
        var rows: [Int] = []
        try Stager(dataset: dataset, spec: spec, catalogue: catalogue, findings: collector).run(stats: &stats) { r in
            records.append(r.values)
            rows.append(r.row)
        }
        return (records, rows, stats, collector.findings)
    }

    @Test func xlsxStagesExactlyAsCSV() throws {
        let csv = try stage(Self.fixtures + "/mpi.csv")
        let xlsx = try stage(Self.fixtures + "/mpi.xlsx", sheet: .name("Patients"))
        #expect(csv.records.count == 300)
        #expect(xlsx.records.count == csv.records.count)
        #expect(xlsx.rows == csv.rows, "row numbers point at the same line and sheet row")
        for (i, (a, b)) in zip(csv.records, xlsx.records).enumerated() where a != b {
            Issue.record("row \(csv.rows[i]) differs: CSV \(a.map(\.text)) vs XLSX \(b.map(\.text))")
            break
        }
        #expect(xlsx.stats.rowsStaged == csv.stats.rowsStaged)
        #expect(xlsx.stats.rowsRejected == csv.stats.rowsRejected)
        #expect(xlsx.stats.valuesMapped == csv.stats.valuesMapped)
        #expect(xlsx.findings.map(\.ruleID) == csv.findings.map(\.ruleID))
        #expect(xlsx.findings.map(\.value) == csv.findings.map(\.value))
        // Birth dates were real Excel dates in the workbook and dd/mm/yyyy text in the CSV.
        let dob = try #require(RuleTestSupport.catalogue.dataset("MHS001MPI")?.index(of: "PersonBirthDate"))
        #expect(xlsx.records.filter { if case .date = $0[dob] { return true }; return false }.count > 290)
    }

    /// A SpreadsheetML reader finds its sheet while reading: the staging counts (and check's table line,
    /// and findings) name the sheet all the same.
    @Test func spreadsheetMLSourcesNameTheirSheet() throws {
        func row(_ cells: [String]) -> String {
            "<Row>" + cells.map { "<Cell><Data ss:Type=\"String\">\($0)</Data></Cell>" }.joined() + "</Row>"
        }
        let header = ["Patient ID", "NHS No", "DOB", "Postcode", "Gender Identity", "Ethnicity", "Org Code", "NHS No Status"]
        let dir = TempDir()
        let path = dir.write("mpi.xml", """
        <?xml version="1.0"?>
        <Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">
        <Worksheet ss:Name="Notes"><Table>\(row(["read me"]))</Table></Worksheet>
        <Worksheet ss:Name="Patients"><Table>\(row(header))\(row(["P1", "9434765919", "31/02/1990", "LS1 4AP", "1", "A", "RX4", "01"]))</Table></Worksheet>
        </Workbook>
        """)
        let staged = try stage(path, sheet: .name("Patients"))
        #expect(staged.stats.sheets == ["Patients"])
        #expect(staged.findings.map(\.sheet) == ["Patients"])
    }

    /// A workbook's date-time cell that names no real date or time (2023-02-31, 25:61) was rolled over into another
    /// date (2023-03-03) and staged as that; it is now kept as its text, and staging reports it as it reports the
    /// same text in a CSV (STG-DATE, not a date).
    @Test func impossibleWorkbookDatesAreReportedAsInCSV() throws {
        let header = ["Patient ID", "NHS No", "DOB", "Postcode", "Gender Identity", "Ethnicity", "Org Code", "NHS No Status"]
        let dobs = ["2023-02-31T00:00:00.000", "1990-04-31T00:00:00.000", "2001-01-01T25:61:00.000", "9999-12-31T23:59:59.9999", "1990-04-30T00:00:00.000"]
        func cell(_ v: String, _ type: String = "String") -> String { "<Cell><Data ss:Type=\"\(type)\">\(v)</Data></Cell>" }
        let rows = dobs.enumerated().map { i, dob in
            "<Row>" + cell("P\(i)") + cell("9434765919") + cell(dob, "DateTime") + ["LS1 4AP", "1", "A", "RX4", "01"].map { cell($0) }.joined() + "</Row>"
        }
        let dir = TempDir()
        let xml = dir.write("mpi.xml", "<?xml version=\"1.0\"?><Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\" "
            + "xmlns:ss=\"urn:schemas-microsoft-com:office:spreadsheet\"><Worksheet ss:Name=\"Patients\"><Table><Row>"
            + header.map { cell($0) }.joined() + "</Row>" + rows.joined() + "</Table></Worksheet></Workbook>")
        let csv = dir.write("mpi.csv", ([header.joined(separator: ",")] + dobs.enumerated().map { i, dob in
            "P\(i),9434765919,\(dob),LS1 4AP,1,A,RX4,01"
        }).joined(separator: "\n") + "\n")
        let fromXML = try stage(xml)
        let fromCSV = try stage(csv)
        let notDates = fromXML.findings.filter { $0.ruleID == "STG-DATE" }
        #expect(notDates.map(\.value) == Array(dobs.prefix(4)), "\(fromXML.findings.map { ($0.ruleID, $0.value) })")
        #expect(notDates.map(\.value) == fromCSV.findings.filter { $0.ruleID == "STG-DATE" }.map(\.value))
        let dob = try #require(RuleTestSupport.catalogue.dataset("MHS001MPI")?.index(of: "PersonBirthDate"))
        #expect(fromXML.records.last?[dob] == fromCSV.records.last?[dob])
    }
}
