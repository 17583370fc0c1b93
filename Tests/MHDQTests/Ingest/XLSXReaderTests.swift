import Testing
@testable import MHDQ

private typealias Row = WorkbookFixtures.Row

@Suite struct XLSXReaderTests {
    @Test func handMadeTypesSheet() throws {
        let rows = try WorkbookFixtures.rows("handmade.xlsx")
        #expect(rows == [
            Row(1, ["plain", "rich text", "東京", "line1\r\nline2", "literal _x000D_ kept", "", "  padded  ", "A & B <tag>"]),
            Row(2, ["ab", "inline", "TRUE", "FALSE", "#DIV/0!", "#N/A", "2023-04-01", "2023-04-01T13:05:00", "tab\there"]),
            Row(3, ["5", "5", "0.1", "123456789012", "1000000000000000000000", "0.30000000000000004", "-2.5", "10", "0.00001", "12.5", "7"]),
            // Date styles: built-in 14 and 22, custom "dd/mm/yyyy hh:mm" and "[$-809]dd mmmm yyyy;@"; styled empty cells trimmed.
            Row(5, ["", "2023-04-01", "", "2023-04-01T13:05:00", "", "2023-04-01T12:00:00", "2023-04-01"]),
            // Row 6 holds only a styled empty cell and an empty shared string: not delivered.
            Row(7, ["no r 1", "2"]),
            Row(8, ["", "", "3", "4"]),
            // A merged range A10:C10: the value stays in the top-left cell.
            Row(10, ["merged", "", "", "1"]),
        ])
    }

    @Test func rangeRebasesColumnsAndSkipsRows() throws {
        let rows = try WorkbookFixtures.rows("handmade.xlsx", range: CellRange("B3:D8"))
        #expect(rows == [
            Row(3, ["5", "0.1", "123456789012"]),
            Row(5, ["2023-04-01", "", "2023-04-01T13:05:00"]),
            Row(7, ["2"]),
            Row(8, ["", "3", "4"]),
        ])
        #expect(try WorkbookFixtures.rows("handmade.xlsx", range: CellRange("H2:H")) == [
            Row(2, ["2023-04-01T13:05:00"]), Row(3, ["10"]),
        ])
    }

    @Test func sheetSelection() throws {
        #expect(try WorkbookFixtures.rows("handmade.xlsx", sheet: .name("SECRET")) == [Row(1, ["hidden value"])])
        #expect(try WorkbookFixtures.rows("handmade.xlsx", sheet: .position(3)) == [])
        let infos = try SpreadsheetReaders.sheets(path: WorkbookFixtures.path("handmade.xlsx"), format: .xlsx)
        #expect(infos == [SheetInfo(name: "Types", hidden: false), SheetInfo(name: "Secret", hidden: true),
                          SheetInfo(name: "Empty", hidden: false), SheetInfo(name: "Wide", hidden: false),
                          SheetInfo(name: "VeryHidden", hidden: true)])
        let missing = WorkbookFixtures.readError("handmade.xlsx", sheet: .name("Nope"))
        #expect(missing?.kind == .input)
        #expect(missing?.message.contains("\"Types\", \"Secret\", \"Empty\", \"Wide\", \"VeryHidden\"") == true)
        #expect(WorkbookFixtures.readError("handmade.xlsx", sheet: .position(9))?.kind == .input)
    }

    /// Sheets named for years, or "1": `--sheet 2026` is the sheet named 2026, not the 2026th.
    @Test func aTypedNumberNamesASheetBeforeItCountsOne() throws {
        let folder = TemporaryFolder()
        let path = folder.file("years.xlsx")
        TestZipWriter.workbook(at: path, sheets: [("2025", ["OLD"]), ("2026", ["NEW"]), ("1", ["ONE"])])
        try WorkbookFixtures.expectSheetsNamedInDigits(path)
    }

    /// libxml2 hands over an attribute's `&` as the text "&#38;": "R&D" must still read as "R&D".
    @Test func ampersandsInSheetNames() throws {
        let folder = TemporaryFolder()
        let path = folder.file("amp.xlsx")
        let zip = TestZipWriter(path: path)
        let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        zip.add("_rels/.rels", "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"\(rel)/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>")
        zip.add("xl/workbook.xml", "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"\(rel)\"><sheets><sheet name=\"R&amp;D &lt;North&gt; &#38; &amp;#38; &quot;x&quot;\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>")
        zip.add("xl/_rels/workbook.xml.rels", "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"\(rel)/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>")
        zip.add("xl/worksheets/sheet1.xml", "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>ok</t></is></c></row></sheetData></worksheet>")
        zip.close()
        let name = "R&D <North> & &#38; \"x\""
        #expect(try SpreadsheetReaders.sheets(path: path, format: .xlsx).map(\.name) == [name])
        var source = try Readers.open(path: path, options: ReadOptions(sheet: .name(name)))
        var row = RawRow()
        #expect(try source.next(into: &row) && row.fields == ["ok"])
    }

    @Test func sourceNamesItsSheet() throws {
        let source = try Readers.open(path: WorkbookFixtures.path("handmade.xlsx"), options: ReadOptions(sheet: .position(2)))
        #expect(source.sheet == "Secret")
        #expect(source.file.hasSuffix("handmade.xlsx"))
    }

    @Test func sixteenThousandColumns() throws {
        let rows = try WorkbookFixtures.rows("handmade.xlsx", sheet: .name("Wide"))
        #expect(rows.count == 2)
        #expect(rows[0].fields.count == 16_384)
        #expect(rows[0].fields.first == "1" && rows[0].fields.last == "16384")
        #expect(rows[1].fields.count == 16_384 && rows[1].fields.last == "last" && rows[1].fields[0] == "")
    }

    @Test func dates1900System() throws {
        // Serials 1, 59, 60 (Excel's phantom 1900-02-29), 61, a time alone, dates, a time, rounding up
        // to midnight, the last date, a negative serial (before 1900, as LibreOffice writes it), and a
        // serial past 9999 shown as a number.
        #expect(try WorkbookFixtures.rows("dates1900.xlsx") == [Row(1, [
            "1900-01-01", "1900-02-28", "1900-02-29", "1900-03-01", "12:00:00", "2023-04-01", "2023-04-01T13:05:00",
            "2023-04-02", "9999-12-31", "1899-12-29", "3000000",
        ])])
    }

    @Test func dates1904System() throws {
        #expect(try WorkbookFixtures.rows("dates1904.xlsx") == [Row(1, ["1904-01-01", "1904-01-02", "2023-04-01", "2023-04-01T06:00:00"])])
    }

    /// A cell in a time format is a time whatever its serial, in either date system: midnight is serial 0, which in
    /// the 1904 system is also the date 1904-01-01, and used to read as that date there (00:00:00 in the 1900 system).
    /// The whole days of a time-of-day format are not shown (1.5 in hh:mm is 12:00); an elapsed format shows them all.
    /// Date formats are unchanged: 1904-01-01 is a date in both.
    @Test func timesInEitherDateSystem() throws {
        let header = Row(1, ["Midnight", "Morning", "Midnight hh:mm", "1.5 hh:mm", "36 hours", "Date", "Date and time"])
        let values = Row(2, ["00:00:00", "09:30:00", "00:00:00", "12:00:00", "36:00:00", "1904-01-01", "2023-04-01"])
        for name in ["times1900.xlsx", "times1904.xlsx"] {
            #expect(try WorkbookFixtures.rows(name) == [header, values], "\(name)")
        }
    }

    @Test func nonStandardPartPaths() throws {
        #expect(try WorkbookFixtures.rows("nonstandard_paths.xlsx") == [Row(1, ["from shared"])])
        #expect(try WorkbookFixtures.rows("nonstandard_paths.xlsx", sheet: .name("second")) == [Row(2, ["", "2"])])
    }

    @Test func zip64Archive() throws {
        #expect(try WorkbookFixtures.rows("zip64.xlsx") == [Row(1, ["zip64", "64"])])
        let archive = try ZipArchive(path: WorkbookFixtures.path("zip64.xlsx"))
        let sheet = try #require(archive.entry(named: "XL/Worksheets/Sheet1.xml"))
        #expect(sheet.uncompressedSize > 0 && sheet.uncompressedSize < 0xFFFF_FFFF)
        #expect(sheet.localHeaderOffset < archive.fileSize)
    }

    @Test func storedEntries() throws {
        #expect(try WorkbookFixtures.rows("stored.xlsx") == [Row(1, ["42"])])
    }

    @Test func openpyxlWorkbook() throws {
        #expect(try WorkbookFixtures.rows("openpyxl.xlsx") == [
            Row(1, ["LocalPatientID", "ReferralDate", "Age", "Score", "Discharged", "Note"]),
            Row(2, ["P001", "2023-04-01", "34", "12.5", "TRUE", "first"]),
            Row(3, ["P002", "2023-04-02T13:05:00", "51", "0.1", "FALSE"]),
            Row(5, ["P003", "1900-01-01", "7", "-3", "", "x\ny"]),
            Row(6, ["merged across", "", "", "", "", "1000000000000000000000"]),
        ])
        let infos = try SpreadsheetReaders.sheets(path: WorkbookFixtures.path("openpyxl.xlsx"), format: .xlsx)
        #expect(infos == [SheetInfo(name: "Referrals", hidden: false), SheetInfo(name: "Lookup", hidden: true)])
    }

    @Test func libreOfficeWorkbook() throws {
        // LibreOffice writes booleans from this source as numbers 1 and 0.
        #expect(try WorkbookFixtures.rows("libreoffice.xlsx") == [
            Row(1, ["Area", "Period", "Numerator", "Rate", "Submitted", "Valid"]),
            Row(2, ["North & East", "2023-04-01", "1234", "1.68%", "2023-05-02T13:05:00", "1"]),
            Row(4, ["Merged total", "", "5", "-2.5", "", "0"]),
        ])
        #expect(try WorkbookFixtures.rows("libreoffice.xlsx", sheet: .name("Notes")) == [Row(1, ["second sheet"])])
    }
}
