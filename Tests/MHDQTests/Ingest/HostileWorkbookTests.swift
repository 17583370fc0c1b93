// Damaged and hostile workbooks: each must fail with one clear input error, quickly, never a crash.

#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import MHDQ

@Suite struct HostileWorkbookTests {
    private func expectInputError(_ name: String, containing text: String, format: SourceFormat? = nil) {
        let started = clock()
        let error = WorkbookFixtures.readError(name, format: format)
        #expect(error?.kind == .input, "\(name): \(String(describing: error))")
        #expect(error?.message.contains(text) == true, "\(name): \(String(describing: error))")
        #expect(error.map { !$0.description.contains("\n") } ?? false, "one line: \(String(describing: error))")
        #expect(error?.location?.file.hasSuffix(name) == true)
        let seconds = Double(clock() - started) / Double(CLOCKS_PER_SEC)
        #expect(seconds < 2, "\(name) took \(seconds) s of CPU")
    }

    @Test func truncatedZip() { expectInputError("hostile_truncated.xlsx", containing: "truncated") }
    @Test func corruptDeflateStream() { expectInputError("hostile_corrupt_deflate.xlsx", containing: "corrupt deflate data") }
    @Test func oleContainer() { expectInputError("hostile_ole.xlsx", containing: "password-protected or legacy .xls workbook: save as .xlsx without a password") }
    @Test func oleContainerAs2003() { expectInputError("hostile_ole.xlsx", containing: "password-protected or legacy .xls", format: .spreadsheetML) }
    @Test func billionLaughs() { expectInputError("hostile_billion_laughs.xlsx", containing: "DOCTYPE") }
    @Test func realBomb() { expectInputError("hostile_bomb.xlsx", containing: "compression ratio above 200:1") }
    @Test func entryClaimingTenGigabytes() { expectInputError("hostile_claims_10gb.xlsx", containing: "claims 10000000000 bytes") }
    @Test func badChecksumAfterSheetData() { expectInputError("hostile_bad_crc.xlsx", containing: "CRC-32 mismatch") }
    @Test func encryptedEntry() { expectInputError("hostile_encrypted_entry.xlsx", containing: "encrypted") }

    @Test func notAZip() throws {
        let folder = TemporaryFolder()
        let path = folder.file("text.xlsx")
        let f = fopen(path, "w")!
        fputs("LocalPatientID,Age\nP1,34\n", f)
        fclose(f)
        let error = #expect(throws: MHDQError.self) { _ = try Readers.open(path: path) }
        #expect(error?.kind == .input && error?.message.contains("not an .xlsx workbook") == true)
        let empty = folder.file("empty.xlsx")
        fclose(fopen(empty, "w"))
        #expect(throws: MHDQError.self) { _ = try Readers.open(path: empty) }
        #expect(throws: MHDQError.self) { _ = try Readers.open(path: folder.file("missing.xlsx")) }
    }

    private func readAll(_ path: String) throws -> Int {
        var source = try Readers.open(path: path)
        var row = RawRow()
        var n = 0
        while try source.next(into: &row) { n += 1 }
        return n
    }

    @Test func malformedSheetXMLNamesTheRow() throws {
        let folder = TemporaryFolder()
        let path = folder.file("bad.xlsx")
        TestZipWriter.workbook(at: path, sheet: "<worksheet><sheetData><row r=\"1\"><c r=\"A1\"><v>1</v></c></row><row r=\"2\"><c r=\"A2\"><v>2</c></row></sheetData></worksheet>")
        let error = #expect(throws: MHDQError.self) { _ = try readAll(path) }
        #expect(error?.kind == .input)
        #expect(error?.location?.sheet == "Big" && error?.location?.row == 2)
        #expect(error?.message.contains("malformed XML") == true)
    }

    @Test func hostileCellValues() throws {
        let folder = TemporaryFolder()
        let cases: [(String, String)] = [
            ("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>7</v></c></row>", "shared string index"),
            ("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>99999999999999999999</v></c></row>", "shared string index"),
            ("<row r=\"99999999999999999999\"><c><v>1</v></c></row>", "bad row number"),
            ("<row r=\"1\"><c r=\"ZZZZ1\"><v>1</v></c></row>", "cell ZZZZ1 is past column XFD"),
            ("<row r=\"1\"><c r=\"1A\"><v>1</v></c></row>", "bad cell reference \"1A\""),
            ("<row r=\"1\"><c r=\"C1\"><v>1</v></c><c r=\"A1\"><v>1</v></c></row>", "out of order"),
            (String(repeating: "<x>", count: 200), "nests elements"),
        ]
        for (k, (rows, message)) in cases.enumerated() {
            let path = folder.file("case\(k).xlsx")
            TestZipWriter.workbook(at: path, sharedStrings: ["only"], sheet: "<worksheet><sheetData>\(rows)</sheetData></worksheet>")
            let error = #expect(throws: MHDQError.self) { _ = try readAll(path) }
            #expect(error?.kind == .input && error?.message.contains(message) == true, "\(rows): \(String(describing: error))")
        }
        // A shared string that is not there is named by its cell: row and column.
        let path = folder.file("shared.xlsx")
        TestZipWriter.workbook(at: path, sharedStrings: ["only"],
                               sheet: "<worksheet><sheetData><row r=\"1\"><c r=\"A1\"><v>1</v></c></row><row r=\"2\"><c r=\"A2\"><v>1</v></c><c r=\"C2\" t=\"s\"><v>7</v></c></row></sheetData></worksheet>")
        let error = #expect(throws: MHDQError.self) { _ = try readAll(path) }
        #expect(error?.location?.row == 2 && error?.location?.column == "C", "\(String(describing: error))")
    }

    @Test func doctypeInWorkbookPartIsRefused() throws {
        let folder = TemporaryFolder()
        let path = folder.file("dtd.xlsx")
        let zip = TestZipWriter(path: path)
        zip.add("xl/workbook.xml", "<?xml version=\"1.0\"?><!DOCTYPE w [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><workbook><sheets><sheet name=\"&x;\"/></sheets></workbook>")
        zip.close()
        let error = #expect(throws: MHDQError.self) { _ = try Readers.open(path: path) }
        #expect(error?.message.contains("DOCTYPE") == true)
    }

    @Test func hostileSpreadsheetML() throws {
        let folder = TemporaryFolder()
        let laughs = "<?xml version=\"1.0\"?><!DOCTYPE Workbook [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>"
            + "<Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\" xmlns:ss=\"urn:schemas-microsoft-com:office:spreadsheet\"><Worksheet ss:Name=\"S\"><Table><Row><Cell><Data ss:Type=\"String\">&c;</Data></Cell></Row></Table></Worksheet></Workbook>"
        let truncated = "<?xml version=\"1.0\"?><Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\" xmlns:ss=\"urn:schemas-microsoft-com:office:spreadsheet\"><Worksheet ss:Name=\"S\"><Table><Row><Cell><Data ss:Type=\"String\">a</Data></Cell></Row><Row><Cell><Data"
        for (name, text, message) in [("laughs.xml", laughs, "DOCTYPE"), ("cut.xml", truncated, "malformed XML")] {
            let path = folder.file(name)
            let f = fopen(path, "w")!
            fputs(text, f)
            fclose(f)
            let error = #expect(throws: MHDQError.self) {
                var source = try Readers.open(path: path, options: ReadOptions(sheet: .name("S")))
                var row = RawRow()
                while try source.next(into: &row) {}
            }
            #expect(error?.kind == .input && error?.message.contains(message) == true, "\(name): \(String(describing: error))")
        }
    }

    @Test func totalSizeLimitIsCheckedWhileInflating() throws {
        var limits = ZipLimits()
        limits.maxTotalUncompressed = 1000
        let archive = try ZipArchive(path: WorkbookFixtures.path("handmade.xlsx"), limits: limits)
        let error = #expect(throws: MHDQError.self) {
            for entry in archive.entries { _ = try archive.readAll(entry) }
        }
        #expect(error?.message.contains("a zip bomb?") == true)
    }
}
