// exceptions.xlsx read back by our reader, openpyxl and LibreOffice: every cell as exceptions.csv has it.

import Foundation
import Testing
@testable import MHDQ

/// Findings a worklist must carry through intact: formula-like and XML-hostile text, unicode, long
/// text, aggregates with observed/expected/denominator, history status, a rule over two tables.
enum WorklistFixture {
    static let longText = String(repeating: "Long note – £ 😀 ", count: 2_500)  // 42,500 UTF-16 units

    /// `copies` repeats the record findings (enough of them to split a sheet at a lowered row limit).
    static func findings(copies: Int = 1) -> [Finding] {
        var out: [Finding] = []
        let values = ["=HYPERLINK(\"http://x\")", "+441234", "-x", "-12.5", "@SUM(1)", "\tTAB", "\rCR", "£12 – café 😀",
                      "a\u{1}b\u{1F}c\u{0}d", "x\u{FFFE}y", "_x0041_ kept", "line1\nline2\r\nline3", "  padded  ",
                      "<b>&amp;</b>", "", longText]
        for (i, v) in (0 ..< copies).flatMap({ _ in values }).enumerated() {
            var f = Finding(ruleID: "MHS00133", title: "EthnicCategory is invalid", findingClass: .invalid,
                            severity: .recordRejected, table: "MHS001MPI",
                            message: "Record rejected - EthnicCategory \(v.prefix(20)) is not a valid code")
            f.file = "Samples/demo/mpi.csv"
            f.row = 10 + i
            f.recordKey = "P\(1000 + i)"
            f.field = "EthnicCategory"
            f.value = v
            f.period = "2024-03"
            out.append(f)
        }
        for (team, severity, observed, denominator) in [("RUG-CMHT", Severity.fail, "64.8%", "2009"),
                                                         ("COV-CMHT", .warning, "92.5", "17"), ("NUN-CMHT", .warning, "93", "")] {
            var f = Finding(ruleID: "ETH010", title: "Share of patients with a valid ethnic category", findingClass: .missing,
                            severity: severity, table: "MHS001MPI", message: "Share below threshold for \(team)")
            f.recordKey = team
            f.group = team
            f.period = "2024-03"
            f.observed = observed
            f.expected = "≥ 95% (warn below), ≥ 90% (fail below)"
            f.denominator = denominator
            out.append(f)
        }
        for (table, sheet, row) in [("MHS001MPI", "", 4), ("MHS101Referral", "Referrals & Discharges", 7), ("MHS101Referral", "Referrals & Discharges", 9)] {
            var f = Finding(ruleID: "STG-DATE", title: "Value is not a date", findingClass: .invalid, severity: .warning,
                            table: table, message: "not a date: 31/02/2024")
            f.file = table == "MHS001MPI" ? "mpi.csv" : "referrals.xlsx"
            f.sheet = sheet.isEmpty ? nil : sheet
            f.row = row
            f.recordKey = "K\(row)"
            f.field = "ReferralRequestReceivedDate"
            f.value = "31/02/2024"
            f.period = "2024-03"
            out.append(f)
        }
        var odd = Finding(ruleID: "LOCAL/1:*?", title: "A local rule with an awkward id", findingClass: .inconsistent,
                          severity: .info, table: "MHS101Referral", message: "=cmd|' /C calc'!A0")
        odd.recordKey = "R1"
        odd.group = "RUG-CMHT"
        odd.period = "2024-02"  // not the run's period: the sheet must show it
        out.append(odd)
        return out
    }

    /// A row limit the record findings of `findings(copies: 8)` overflow twice (the Summary fits).
    static let splitOptions: XLSXWriter.Options = {
        var options = XLSXWriter.Options()
        options.maxRowsPerSheet = 50
        return options
    }()

    /// Writes exceptions.csv as a run does, with history status on some findings.
    static func writeCSV(_ findings: [Finding], to path: String) throws {
        try ExceptionsCSV.write(findings, runID: "20240401T060000Z", to: path) { f in
            guard f.ruleID == "MHS00133", let row = f.row else { return ("", "") }
            return row % 2 == 0 ? ("new", "20240401T060000Z") : ("persisting", "20240301T060000Z")
        }
    }

    /// A folder with exceptions.csv and the workbook built from it.
    static func build(_ findings: [Finding] = findings(), options: XLSXWriter.Options = XLSXWriter.Options(),
                      maxRuleSheets: Int = ExceptionsWorkbook.maxRuleSheets) throws -> (csv: String, xlsx: String, report: ExceptionsWorkbook.Report) {
        let folder = try makeTemporaryDirectory()
        let csv = folder + "/exceptions.csv"
        let xlsx = folder + "/exceptions.xlsx"
        try writeCSV(findings, to: csv)
        let report = try ExceptionsWorkbook.write(exceptionsCSV: csv, to: xlsx, runID: "20240401T060000Z", period: "2024-03",
                                                  options: options, maxRuleSheets: maxRuleSheets)
        return (csv, xlsx, report)
    }
}

@Suite("Exceptions workbook")
struct ExceptionsWorkbookTests {
    @Test func ourReaderReadsEveryCellOfTheCSV() throws {
        let (csv, xlsx, report) = try WorklistFixture.build()
        let sheets = try readWorkbook(xlsx)
        #expect(try WorklistCheck.verify(sheets, csv: csv, perTable: false) == WorklistFixture.findings().count)
        // Most serious first; the awkward id made a valid sheet name.
        #expect(sheets.map(\.name) == ["Summary", "MHS00133", "ETH010", "STG-DATE", "LOCAL_1___"])
        #expect(!report.sheetPerTable && report.truncatedCells == 1)
        // Only the columns each rule's findings use; history status when the CSV has it.
        let headers = Dictionary(uniqueKeysWithValues: sheets.map { ($0.name, $0.rows.first ?? []) })
        #expect(headers["MHS00133"] == ["Status", "First seen", "Record key", "Field", "Value", "Message", "Source file", "Source row"])
        #expect(headers["ETH010"] == ["Severity", "Record key", "Message", "Group", "Observed", "Expected", "Denominator"])
        #expect(headers["STG-DATE"] == ["Table", "Record key", "Field", "Value", "Message", "Source file", "Source sheet", "Source row"])
        // Neutralised once (by the CSV), not twice.
        let values = sheets[1].rows.dropFirst().map { $0[4] }
        // A NUL (from a workbook's _x0000_) is U+FFFD in the CSV, which no reader would accept otherwise.
        #expect(values[8] == "a\u{1}b\u{1F}c\u{FFFD}d")
        #expect(values.prefix(7) == ["'=HYPERLINK(\"http://x\")", "'+441234", "'-x", "-12.5", "'@SUM(1)", "'\tTAB", "'\rCR"])
        #expect(sheets[4].rows == [["Record key", "Message", "Group", "Period"], ["R1", "'=cmd|' /C calc'!A0", "RUG-CMHT", "2024-02"]])
        let summary = sheets[0].rows
        #expect(WorklistCheck.value(summary, "Verdict")?.hasPrefix("FAIL: 17 findings at a failing level") == true)
        #expect(WorklistCheck.value(summary, "Cut cells")?.hasPrefix("1 cell was longer than Excel's 32,767") == true)
        #expect(WorklistCheck.table(summary, heading: ["Severity", "Findings"]).map { Array($0.prefix(3)) } == [
            ["Record rejected", "16", "yes"], ["Fail", "1", "yes"], ["Warning", "5", "no"], ["Info", "1", "no"],
        ])
        #expect(WorklistCheck.table(summary, heading: ["Status", "Findings"]).map { Array($0.prefix(2)) } == [["new", "8"], ["persisting", "8"]])
        let groups = WorklistCheck.table(summary, heading: ["Group", "Findings", "Failing"])
        #expect(groups.first?.prefix(3) == ["(no group)", "19", "16"])
        #expect(groups.map { $0[0] } == ["(no group)", "RUG-CMHT", "COV-CMHT", "NUN-CMHT"])
        #expect(groups[1] == ["RUG-CMHT", "2", "1", "", "1", "", "1"])
    }

    @Test func frozenHeaderAutofilterAndLinks() throws {
        let (_, xlsx, _) = try WorklistFixture.build()
        for part in 1 ... 4 {
            let xml = try partText(xlsx, "xl/worksheets/sheet\(part).xml")
            #expect(xml.contains("state=\"frozen\"") && xml.contains("<autoFilter ref=\"A1:"), "sheet\(part)")
        }
        let summary = try partText(xlsx, "xl/worksheets/sheet5.xml")
        #expect(!summary.contains("<pane") && !summary.contains("autoFilter"))
        #expect(summary.contains("location=\"'MHS00133'!A1\"") && summary.contains("location=\"'LOCAL_1___'!A1\""))
    }

    @Test func oneSheetPerTableWhenRulesAreMany() throws {
        let (csv, xlsx, report) = try WorklistFixture.build(maxRuleSheets: 3)
        #expect(report.sheetPerTable)
        let sheets = try readWorkbook(xlsx)
        #expect(sheets.map(\.name) == ["Summary", "MHS001MPI", "MHS101Referral"])
        try WorklistCheck.verify(sheets, csv: csv, perTable: true)
        #expect(sheets[1].rows[0].prefix(3) == ["Rule", "Title", "Severity"])
        #expect(WorklistCheck.value(sheets[0].rows, "Sheets")?.hasPrefix("one per table: 4 rules") == true)
    }

    @Test func aRuleOverTheRowLimitContinuesOnNumberedSheets() throws {
        let (csv, xlsx, report) = try WorklistFixture.build(WorklistFixture.findings(copies: 8), options: WorklistFixture.splitOptions)
        let sheets = try readWorkbook(xlsx)
        #expect(sheets.map(\.name) == ["Summary", "MHS00133", "MHS00133 (2)", "MHS00133 (3)", "ETH010", "STG-DATE", "LOCAL_1___"])
        #expect(sheets[1 ... 3].map { $0.rows.count - 1 } == [49, 49, 30])
        #expect(report.sheets.filter { $0.continues == "MHS00133" }.count == 2)
        let rule = WorklistCheck.table(sheets[0].rows, heading: ["Rule", "Title"]).first
        #expect(rule?.last == "MHS00133 (and 2 more)")
        #expect(try WorklistCheck.verify(sheets, csv: csv, perTable: false) == 135)
    }

    @Test func aCleanRunHasASummaryOnly() throws {
        let (csv, xlsx, report) = try WorklistFixture.build([])
        let sheets = try readWorkbook(xlsx)
        #expect(sheets.map(\.name) == ["Summary"])
        #expect(WorklistCheck.value(sheets[0].rows, "Verdict") == "PASS: nothing at a failing level")
        #expect(report.findings == 0)
        try WorklistCheck.verify(sheets, csv: csv, perTable: false)
    }

    /// A message quoting two long values the reader accepted (each under its 8 MiB field limit) is longer than
    /// that limit; the workbook reads the run's own exceptions.csv without it, and cuts the cell as a sheet must.
    @Test func aMessageLongerThanTheReadersFieldLimitIsCarried() throws {
        var f = WorklistFixture.findings()[0]
        let long = String(repeating: "P", count: 4_700_000)
        f.message = "Record rejected - LocalPatientID=\(long) EthnicCategory=\(long)"
        f.recordKey = long
        let (_, xlsx, report) = try WorklistFixture.build([f])
        #expect(report.findings == 1)
        let sheets = try readWorkbook(xlsx)
        #expect(sheets.count == 2)
    }

    @Test func aFileThatIsNotAnExceptionsFileIsNamed() throws {
        let csv = try writeTemporaryFile("a,b,c\n1,2,3\n", name: "other.csv")
        let error = captureError {
            try ExceptionsWorkbook.write(exceptionsCSV: csv, to: csv + ".xlsx", runID: "r", period: nil)
        }
        #expect(error?.kind == .input && error?.location?.file == csv)
        #expect(error?.message.contains("no \"rule_id\" column") == true)
    }

    /// Later CSV columns (added by other features) travel to the sheets under their own names.
    @Test func extraColumnsAreCarried() throws {
        let folder = try makeTemporaryDirectory()
        let csv = folder + "/exceptions.csv"
        let text = ExceptionsCSV.columns.joined(separator: ",") + ",assignee\n"
            + "r1,R1,Title,missing,Warning,T,f.csv,,3,K1,F,v,msg,,2024-03,,,,,,Asha\n"
            + "r1,R1,Title,missing,Warning,T,f.csv,,4,K2,F,v,msg,,2024-03,,,,,,\n"
        try text.write(toFile: csv, atomically: true, encoding: .utf8)
        try ExceptionsWorkbook.write(exceptionsCSV: csv, to: folder + "/x.xlsx", runID: "r1", period: "2024-03")
        let sheets = try readWorkbook(folder + "/x.xlsx")
        #expect(sheets[1].rows[0] == ["Record key", "Field", "Value", "Message", "Source file", "Source row", "assignee"])
        try WorklistCheck.verify(sheets, csv: csv, perTable: false)
    }

    // MARK: - Other readers

    static let openpyxlDump = """
    import sys, json, re, openpyxl
    # openpyxl leaves OOXML's _xHHHH_ escapes undecoded in cell text; Excel decodes them, and so does this.
    escape = re.compile(r"_x([0-9A-Fa-f]{4})_")
    def text(v):
        if v is None: return ""
        if isinstance(v, bool): return "TRUE" if v else "FALSE"
        if isinstance(v, int): return str(v)
        if isinstance(v, float): return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
        return escape.sub(lambda m: chr(int(m.group(1), 16)), v)
    wb = openpyxl.load_workbook(sys.argv[1])
    out = [{"name": ws.title, "freeze": ws.freeze_panes, "filter": ws.auto_filter.ref,
            "rows": [[text(v) for v in row] for row in ws.iter_rows(values_only=True)]} for ws in wb.worksheets]
    json.dump(out, sys.stdout)
    """

    static func openpyxlSheets(_ xlsx: String) throws -> [(sheet: SheetContents, freeze: String?, filter: String?)] {
        let result = try PythonTools.run(script: openpyxlDump, arguments: [xlsx])
        #expect(result.status == 0, "openpyxl failed: \(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        return json.map { s in
            ((s["name"] as? String ?? "?", (s["rows"] as? [[String]]) ?? []), s["freeze"] as? String, s["filter"] as? String)
        }
    }

    @Test(.enabled(if: PythonTools.hasOpenpyxl, "python3 with openpyxl is not installed (make setup installs python3-openpyxl)"))
    func openpyxlReadsEveryCellOfTheCSV() throws {
        for (maxRules, perTable) in [(50, false), (3, true)] {
            let (csv, xlsx, _) = try WorklistFixture.build(WorklistFixture.findings(copies: 8), options: WorklistFixture.splitOptions,
                                                           maxRuleSheets: maxRules)
            let sheets = try ExceptionsWorkbookTests.openpyxlSheets(xlsx)
            #expect(sheets.count == (perTable ? 5 : 7))
            #expect(try WorklistCheck.verify(sheets.map(\.sheet), csv: csv, perTable: perTable) == 135)
            #expect(sheets[0].freeze == nil && sheets[0].filter == nil, "the Summary is not a table")
            for s in sheets.dropFirst() {
                #expect(s.freeze == "A2", "\(s.sheet.name) header not frozen")
                let width = s.sheet.rows[0].count
                let lastColumn = String(decoding: [UInt8(0x40 + width)], as: UTF8.self)
                #expect(s.filter == "A1:\(lastColumn)\(s.sheet.rows.count)", "\(s.sheet.name) autofilter")
            }
        }
    }

    /// openpyxl's type of every Denominator cell, by sheet: "int" or "float" for a number cell, "str" for text.
    static let denominatorTypes = """
    import sys, json, openpyxl
    wb = openpyxl.load_workbook(sys.argv[1])
    out = {}
    for ws in wb.worksheets[1:]:
        rows = list(ws.iter_rows(values_only=True))
        if rows and "Denominator" in rows[0]:
            i = rows[0].index("Denominator")
            out[ws.title] = [type(r[i]).__name__ for r in rows[1:] if r[i] is not None]
    json.dump(out, sys.stdout)
    """

    /// Returns type counts with thousands separators ("10,000"); a finding's denominator is the number, so that
    /// the workbook's Denominator cells are numbers (a filter or a sum works), never the return's text.
    @Test(.enabled(if: PythonTools.hasOpenpyxl, "python3 with openpyxl is not installed (make setup installs python3-openpyxl)"))
    func denominatorsAreNumberCells() throws {
        let dir = TempDir()
        let path = dir.write("ascof.csv", """
        Period,Area,Measure,Numerator,Denominator,StatedValue
        Jan-24,Shire,ASCOF 1F,"1,000","10,000",10.00%
        Feb-24,Shire,ASCOF 1F,"1,000","10,000",10.00%
        Mar-24,Shire,ASCOF 1F,950,"10,000",10.00%
        Apr-24,Shire,ASCOF 1F,"1,003","10,000",10.03%

        """)
        let catalogue = RuleTestSupport.catalogue
        let run = CheckRun(catalogue: catalogue,
                           sources: try CheckRun.adHocSources(["IndicatorReturn=" + path], catalogue: catalogue, read: ReadOptions()),
                           period: nil, packs: ["ascof"])
        let findings = try run.run().findings
        #expect(Set(findings.map(\.ruleID)) == ["ASC005", "ASC008"], "\(findings.map(\.ruleID))")
        #expect(findings.map(\.denominator) == ["10000", "10000"])
        let csv = dir.path + "/exceptions.csv", xlsx = dir.path + "/exceptions.xlsx"
        try ExceptionsCSV.write(findings, runID: "r1", to: csv)
        try ExceptionsWorkbook.write(exceptionsCSV: csv, to: xlsx, runID: "r1", period: "2024-04")
        let result = try PythonTools.run(script: Self.denominatorTypes, arguments: [xlsx])
        #expect(result.status == 0, "openpyxl failed: \(result.stderr)")
        let types = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: [String]])
        #expect(types == ["ASC005": ["int"], "ASC008": ["int"]], "\(types)")
    }

    static let soffice: String? = ["/usr/bin/soffice", "/usr/bin/libreoffice", "/usr/local/bin/soffice",
                                   "/opt/libreoffice/program/soffice"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// LibreOffice opens the workbook and saves every sheet as CSV; the values are the CSV's.
    @Test(.enabled(if: soffice != nil, "LibreOffice is not installed"))
    func libreOfficeOpensItCleanly() throws {
        let (csv, xlsx, _) = try WorklistFixture.build(WorklistFixture.findings(copies: 8), options: WorklistFixture.splitOptions)
        let out = try makeTemporaryDirectory()
        let filter = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
        let result = try PythonTools.run(executable: ExceptionsWorkbookTests.soffice!, arguments: [
            "-env:UserInstallation=file://\(out)/profile", "--headless", "--convert-to", filter, "--outdir", out, xlsx,
        ])
        #expect(result.status == 0, "soffice: \(result.stderr)")
        let ours = try readWorkbook(xlsx)
        var sheets: [SheetContents] = []
        for s in ours {
            let path = out + "/exceptions-\(s.name).csv"
            #expect(FileManager.default.fileExists(atPath: path), "LibreOffice wrote no \(path): \(result.stdout) \(result.stderr)")
            guard FileManager.default.fileExists(atPath: path) else { continue }
            let rows = try WorklistCheck.readCSV(path)
            sheets.append((s.name, [rows.header] + rows.rows))
        }
        #expect(sheets.count == 7)
        // LibreOffice's cells keep a line break as LF alone: a CRLF inside a value comes out as LF.
        let lineBreaks: (String) -> String = { $0.replacingOccurrences(of: "\r\n", with: "\n") }
        #expect(try WorklistCheck.verify(sheets, csv: csv, perTable: false, readerNormalises: lineBreaks) == 135)
    }
}
