// Staging: code mapping, dates, times, numbers, ragged rows and the row reconciliation.

import Testing
@testable import MHDQ

struct StageOutcome {
    var dataset: Dataset
    var records: [StagedRecord]
    var stats: StagingStats
    var findings: [Finding]

    func value(_ record: Int, _ field: String) -> Value { records[record].values[dataset.index(of: field)!] }
    func texts(_ field: String) -> [String] { records.map { $0.values[dataset.index(of: field)!].text } }
}

func stage(_ text: String, table: String = "MHS001MPI", name: String = "input.csv",
           _ configure: (inout SourceSpec) -> Void = { _ in }) throws -> StageOutcome {
    try stage(path: try writeTemporaryFile(text, name: name), table: table, configure)
}

func stage(path: String, table: String = "MHS001MPI", _ configure: (inout SourceSpec) -> Void = { _ in }) throws -> StageOutcome {
    let dataset = sharedCatalogue.dataset(table)!
    var spec = SourceSpec(table: dataset.table, file: path)
    configure(&spec)
    let collector = FindingCollector()
    var stats = StagingStats(table: dataset.table)
    var records: [StagedRecord] = []
    try Stager(dataset: dataset, spec: spec, catalogue: sharedCatalogue, findings: collector)
        .run(stats: &stats) { records.append($0) }
    return StageOutcome(dataset: dataset, records: records, stats: stats, findings: collector.findings)
}

func parseDate(_ text: String, _ pattern: String) -> String? {
    let format = DateFormat(pattern: pattern)!
    let days = Array(text.utf8).withUnsafeBufferPointer { format.parse($0) }
    return days.map { CivilDate(days: $0).iso }
}

func parseTime(_ text: String) -> Int? { Array(text.utf8).withUnsafeBufferPointer { TimeParsing.parse($0) } }

@Suite("Staging")
struct StagingTests {
    /// A row the reader cannot read names the column by its header (the reader itself knows only the field's
    /// position): invalid UTF-8, a NUL byte, a field that never ends. The header's own fields are by position.
    @Test func unreadableFieldsAreNamedByTheirColumn() throws {
        var bytes = Array("LocalPatientID,EthnicCategory,Gender\nP1,A,1\nP2,".utf8)
        bytes += [0x43, 0x61, 0x66, 0xE9]   // "Caf\u{E9}" in Windows-1252: not UTF-8
        bytes += Array(",2\n".utf8)
        var e = captureError { _ = try stage(path: try writeTemporaryFile(bytes, name: "latin1.csv")) { $0.read.encoding = .utf8 } }
        #expect(e?.message.hasPrefix("not valid UTF-8") == true)
        #expect(e?.location?.row == 3 && e?.location?.column == "EthnicCategory")
        #expect(e?.description.contains("row 3, column \"EthnicCategory\": not valid UTF-8") == true)
        e = captureError { _ = try stage(path: try writeTemporaryFile(Array("LocalPatientID,EthnicCategory\nP1,A\u{0}\n".utf8), name: "nul.csv")) }
        #expect(e?.location?.column == "EthnicCategory" && e?.message.hasPrefix("binary data (a NUL byte)") == true)
        e = captureError { _ = try stage(path: try writeTemporaryFile(Array("LocalPatientID,Ethnic\u{0}Category\nP1,A\n".utf8), name: "nulheader.csv")) }
        #expect(e?.location?.column == nil && e?.location?.field == 2)
        #expect(e?.description.contains("row 1, field 2: binary data") == true)
    }

    // MARK: - Codes

    @Test func ethnicityDescriptionsMapToCodes() throws {
        let rows: [(String, String)] = [
            ("A", "A"), ("a", "A"), ("White - British", "A"), ("White – British", "A"), ("white british", "A"),
            ("WHITE BRITISH", "A"), ("Asian/Asian British – Indian", "H"), ("Asian or Asian British - Indian", "H"),
            ("Asian / Asian British - Indian", "H"), ("Not stated", "Z"), ("Not known", "99"), ("z", "Z"),
            ("Black or Black British – African", "N"), ("Martian", "Martian"),
        ]
        let csv = "LocalPatientID,EthnicCategory\n" + rows.enumerated().map { "P\($0.offset),\($0.element.0)" }.joined(separator: "\n")
        let out = try stage(csv)
        #expect(out.texts("EthnicCategory") == rows.map(\.1))
        // Everything except the exact code "A" and the unknown value was mapped.
        #expect(out.stats.valuesMapped == rows.count - 2)
    }

    @Test func manifestValueMapsWinOverTheCodeList() throws {
        let out = try stage("LocalPatientID,EthnicCategory,Gender\nP1,WB,x\nP2,wb,A\nP3, Other ,\n") { spec in
            spec.values["EthnicCategory"] = [CodeList.normalise("WB"): "A", CodeList.normalise("other"): "S"]
        }
        #expect(out.texts("EthnicCategory") == ["A", "A", "S"])
        #expect(out.value(2, "Gender") == .null)
    }

    // MARK: - Dates, times, numbers

    @Test func datesInEveryLayout() {
        #expect(parseDate("15/06/1985", "dd/mm/yyyy") == "1985-06-15")
        #expect(parseDate("5/6/1985", "dd/mm/yyyy") == "1985-06-05")
        #expect(parseDate("1985-06-15", "yyyy-mm-dd") == "1985-06-15")
        #expect(parseDate("1985-06-15", "ccyy-mm-dd") == "1985-06-15")
        #expect(parseDate("5 Jun 1985", "d mmm yyyy") == "1985-06-05")
        #expect(parseDate("5 June 1985", "d mmm yyyy") == "1985-06-05")
        #expect(parseDate("19850615", "yyyymmdd") == "1985-06-15")
        #expect(parseDate("31213", "excel-serial") == "1985-06-15")
        #expect(parseDate("31213.0", "excel-serial") == "1985-06-15")
        #expect(parseDate("61", "excel-serial") == "1900-03-01")
        #expect(parseDate("59", "excel-serial") == "1900-02-28")
        #expect(parseDate("1", "excel-serial") == "1900-01-01")
        #expect(parseDate("60", "excel-serial") == nil, "Excel's phantom 29 February 1900")
        #expect(parseDate("31213.5", "excel-serial") == nil)
        #expect(parseDate("0", "excel-serial") == nil)
        // Spreadsheets append a midnight time; any other time is not a date.
        #expect(parseDate("1985-06-15 00:00:00", "yyyy-mm-dd") == "1985-06-15")
        #expect(parseDate("1985-06-15T00:00", "yyyy-mm-dd") == "1985-06-15")
        #expect(parseDate("15/06/1985 00:00", "dd/mm/yyyy") == "1985-06-15")
        #expect(parseDate("1985-06-15 10:30", "yyyy-mm-dd") == nil)
        #expect(parseDate("31/02/2023", "dd/mm/yyyy") == nil)
        #expect(parseDate("29/02/2023", "dd/mm/yyyy") == nil)
        #expect(parseDate("29/02/2024", "dd/mm/yyyy") == "2024-02-29")
        #expect(parseDate("15/13/1985", "dd/mm/yyyy") == nil)
        #expect(parseDate("1985-06-15x", "yyyy-mm-dd") == nil)
        #expect(DateFormat(pattern: "dd/qq/yyyy") == nil)
        #expect(DateFormat(pattern: "dd/mm") == nil)
    }

    @Test func timesAndNumbers() {
        #expect(parseTime("09:30") == 9 * 3600 + 30 * 60)
        #expect(parseTime("23:59:59") == 86_399)
        #expect(parseTime("09:30:15.250") == 9 * 3600 + 30 * 60 + 15)
        #expect(parseTime("9:30 pm") == 21 * 3600 + 30 * 60)
        #expect(parseTime("12:00 AM") == 0)
        #expect(parseTime("24:00") == nil)
        #expect(parseTime("10:60") == nil)
        #expect(parseTime("half nine") == nil)
        #expect(NumberParsing.parse("1,234") == 1234)
        #expect(NumberParsing.parse("1,234,567.5") == 1_234_567.5)
        #expect(NumberParsing.parse("-12") == -12)
        #expect(NumberParsing.parse("1,2") == nil)
        #expect(NumberParsing.parse(",123") == nil)
        #expect(NumberParsing.parse("nan") == nil)
        #expect(NumberParsing.parse("inf") == nil)
        #expect(NumberParsing.parse("0x1F") == nil)
    }

    @Test func datesStagedWithTheManifestFormats() throws {
        let csv = "LocalPatientID,PersonBirthDate\nP1,15/06/1985\nP2,1985-06-15\nP3,5 Jun 1985\nP4,31213\nP5,31/02/2023\nP6,60\n"
        let out = try stage(csv) { spec in
            spec.dateFormats = ["dd/mm/yyyy", "yyyy-mm-dd", "d mmm yyyy", "excel-serial"].map { DateFormat(pattern: $0)! }
        }
        #expect(out.texts("PersonBirthDate") == ["1985-06-15", "1985-06-15", "1985-06-05", "1985-06-15", "31/02/2023", "60"])
        let dateFindings = out.findings.filter { $0.ruleID == "STG-DATE" }
        #expect(dateFindings.map(\.row) == [6, 7])
        #expect(dateFindings.first?.field == "PersonBirthDate")
        #expect(dateFindings.first?.value == "31/02/2023")
        #expect(dateFindings.first?.recordKey == "P5")
        #expect(dateFindings.first?.message.contains("is not a date in the expected formats (dd/mm/yyyy, yyyy-mm-dd, d mmm yyyy, excel-serial)") == true)
        #expect(out.stats.problems["not a date"] == 2)
        // A value that cannot be typed is reported, not a reason to drop the row.
        #expect(out.stats.rowsStaged == 6)
    }

    @Test func workbookDateCellsAreDatesWhateverTheDateFormats() throws {
        // date_formats describe dates typed as text; a cell the workbook holds as a date (which its reader
        // writes as ISO 8601) is a date however the manifest says text dates are typed.
        let ukOnly: (inout SourceSpec) -> Void = { $0.dateFormats = [DateFormat(pattern: "dd/mm/yyyy")!] }
        let folder = TemporaryFolder()
        let xlsx = folder.file("contacts.xlsx")
        TestZipWriter.workbook(at: xlsx, cellFormats: [14], sheet: """
            <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
            <row r="1"><c r="A1" t="inlineStr"><is><t>CareContactID</t></is></c><c r="B1" t="inlineStr"><is><t>CareContDate</t></is></c></row>
            <row r="2"><c r="A2" t="inlineStr"><is><t>C1</t></is></c><c r="B2" s="1"><v>46266</v></c></row>
            <row r="3"><c r="A3" t="inlineStr"><is><t>C2</t></is></c><c r="B3" t="d"><v>2026-09-02T00:00:00</v></c></row>
            <row r="4"><c r="A4" t="inlineStr"><is><t>C3</t></is></c><c r="B4" t="inlineStr"><is><t>2026-09-03</t></is></c></row>
            </sheetData></worksheet>
            """)
        let contacts = try stage(path: xlsx, table: "MHS201CareContact", ukOnly)
        #expect(contacts.value(0, "CareContDate") == .date(CivilDate(year: 2026, month: 9, day: 1).days))
        #expect(contacts.value(1, "CareContDate") == .date(CivilDate(year: 2026, month: 9, day: 2).days))
        // Typed as text, the date is still held to the manifest's formats.
        #expect(contacts.findings.map(\.ruleID) == ["STG-DATE"])
        #expect(contacts.findings.first?.row == 4)

        let header = try stage("""
            <?xml version="1.0"?>
            <Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">
            <Worksheet ss:Name="Header"><Table>
            <Row><Cell><Data ss:Type="String">ReportingPeriodEndDate</Data></Cell><Cell><Data ss:Type="String">DateTimeDatSetCreate</Data></Cell></Row>
            <Row><Cell><Data ss:Type="DateTime">2026-09-30T00:00:00.000</Data></Cell><Cell><Data ss:Type="DateTime">2026-10-01T13:05:00.000</Data></Cell></Row>
            <Row><Cell><Data ss:Type="DateTime">2026-10-31T00:00:00.000</Data></Cell><Cell><Data ss:Type="DateTime">2026-11-01T00:00:00.000</Data></Cell></Row>
            </Table></Worksheet></Workbook>
            """, table: "MHS000Header", name: "header.xml", ukOnly)
        #expect(header.findings.isEmpty, "\(header.findings.map(\.message))")
        #expect(header.texts("ReportingPeriodEndDate") == ["2026-09-30", "2026-10-31"])
        #expect(header.value(0, "DateTimeDatSetCreate") == .dateTime(CivilDate(year: 2026, month: 10, day: 1).days * 86_400 + 13 * 3600 + 5 * 60))
        // A date-time at midnight, which the reader writes as its date alone.
        #expect(header.value(1, "DateTimeDatSetCreate") == .dateTime(CivilDate(year: 2026, month: 11, day: 1).days * 86_400))
    }

    @Test func timesAndNumbersStaged() throws {
        let csv = "CareContactID,CareContTime,ClinContDurOfCareCont\nC1,09:30,\"1,234\"\nC2,25:00,60\nC3,10:00,12.5\nC4,10:00,lots\n"
        let out = try stage(csv, table: "MHS201CareContact")
        #expect(out.value(0, "CareContTime") == .time(9 * 3600 + 30 * 60))
        #expect(out.value(0, "ClinContDurOfCareCont") == .number(1234))
        #expect(out.value(1, "ClinContDurOfCareCont") == .number(60))
        let byRule = Dictionary(grouping: out.findings, by: \.ruleID)
        #expect(byRule["STG-TIME"]?.map(\.row) == [3])
        #expect(byRule["STG-TIME"]?.first?.message == "CareContTime \"25:00\" is not a time (hh:mm:ss or hh:mm)")
        #expect(byRule["STG-NUMBER"]?.map(\.row) == [4, 5])
        #expect(byRule["STG-NUMBER"]?.first?.message == "ClinContDurOfCareCont \"12.5\" is not a whole number")
    }

    // MARK: - Rows

    @Test func raggedRowsAreRejectedWithTheirRowNumbers() throws {
        let csv = "LocalPatientID,Postcode,EthnicCategory\nP1,LS1 4AP,A\nP2,LS2\nP3,LS3,B,extra\n\"P4\nsplit\",LS4,C\nP5,LS5,\n"
        let out = try stage(csv)
        #expect(out.stats.rowsRead == 5)
        #expect(out.stats.rowsStaged == 3)
        #expect(out.stats.rowsRejected == 2)
        let ragged = out.findings.filter { $0.ruleID == "STG-RAGGED" }
        #expect(ragged.map(\.row) == [3, 4])
        #expect(ragged.allSatisfy { $0.severity == .recordRejected })
        #expect(ragged[0].message == "row has 2 fields but the header (row 1) has 3: too few fields; the row is not staged")
        #expect(ragged[1].message == "row has 4 fields but the header (row 1) has 3: too many fields; the row is not staged")
        #expect(out.records.map(\.row) == [2, 5, 7])
        #expect(out.texts("LocalPatientID") == ["P1", "P4\nsplit", "P5"])
    }

    @Test func nothingIsSilentlyDropped() throws {
        // Blank lines (skipped by the reader) and rows of empty fields are both counted as blank.
        let csv = "LocalPatientID,Postcode\n\nP1,A\n,\n  ,\t\nP2\n\nP3,C\n"
        let out = try stage(csv)
        #expect(out.stats.rowsRead == out.stats.rowsStaged + out.stats.rowsRejected)
        #expect(out.stats.rowsStaged == 2)
        #expect(out.stats.rowsRejected == 1)
        #expect(out.stats.blankRows == 4)
    }

    @Test func headerRowAndSkipRows() throws {
        let out = try stage("Extract from PAS\nrun 2024-05-01\nLocalPatientID,Postcode\n(notes row)\nP1,LS1\n") { spec in
            spec.headerRow = 3
            spec.skipRows = 1
        }
        #expect(out.texts("LocalPatientID") == ["P1"])
        #expect(out.records.first?.row == 5)
    }

    @Test func headerRowBeyondTheEndOfTheFile() throws {
        let error = captureError { _ = try stage("LocalPatientID\nP1\n") { $0.headerRow = 5 } }
        #expect(error?.kind == .input)
        #expect(error?.message == "no header row (the file is empty before row 5)")
        let empty = captureError { _ = try stage("") }
        #expect(empty?.message == "no header row (the file is empty)")
    }

    @Test func unmappedColumnsAndMissingFieldsAreListed() throws {
        let out = try stage("LocalPatientID,Favourite Colour\nP1,blue\n") { $0.strictHeaders = true }
        #expect(out.stats.unmappedColumns == ["Favourite Colour"])
        #expect(out.stats.missingFields.contains("OrgIDLocalPatientID"))
        #expect(!out.stats.missingFields.contains("LocalPatientID"))
    }

    @Test func columnsWithNoHeaderAreListedByPosition() throws {
        let out = try stage("LocalPatientID,,PersonBirthDate, ,Notes\nP1,9434765919,2001-01-01,x,y\n")
        #expect(out.stats.unmappedColumns == ["(column 2)", "(column 4)", "Notes"])
    }

    @Test func aliasesMapHeadersUnlessStrict() throws {
        let loose = try stage("Patient ID,DOB,Ethnicity\nP1,1985-06-15,A\n")
        #expect(loose.texts("LocalPatientID") == ["P1"])
        #expect(loose.value(0, "PersonBirthDate") == .date(CivilDate(year: 1985, month: 6, day: 15).days))
        let error = captureError { _ = try stage("Patient ID,DOB\nP1,1985-06-15\n") { $0.strictHeaders = true } }
        #expect(error?.kind == .invocation)
        #expect(error?.message.hasPrefix("no column of the header maps to a field of MHS001MPI") == true)
    }

    @Test func trimmingSpacesAndNoBreakSpaces() throws {
        let out = try stage("LocalPatientID,Postcode\n  P1\t,\u{A0}LS1 4AP\u{A0}\n")
        #expect(out.texts("LocalPatientID") == ["P1"])
        #expect(out.texts("Postcode") == ["LS1 4AP"])
    }
}
