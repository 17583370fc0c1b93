import Testing
@testable import MHDQ

private typealias Row = WorkbookFixtures.Row

@Suite struct SpreadsheetMLReaderTests {
    @Test func handMadeFirstVisibleSheet() throws {
        #expect(try WorkbookFixtures.rows("handmade2003.xml") == [
            Row(1, ["Name", "When", "Count", "OK"]),
            // The cell comment's text is not part of the value.
            Row(2, ["Ann & Bo", "2023-04-01", "5", "TRUE"]),
            Row(4, ["", "2023-04-01T13:05:00", "#DIV/0!", "FALSE"]),
            // MergeAcross="1" covers B5: the next cell is C5.
            Row(5, ["merged", "", "0.30000000000000004", "1000000000000000000000"]),
            // Row 7 spans rows 7 and 8 (ss:Span="1").
            Row(9, ["rich text", "", "", "", "", "123456789012"]),
        ])
    }

    @Test func sheetsAndSelection() throws {
        let infos = try SpreadsheetReaders.sheets(path: WorkbookFixtures.path("handmade2003.xml"), format: .spreadsheetML)
        #expect(infos == [SheetInfo(name: "Hidden first", hidden: true), SheetInfo(name: "Data", hidden: false),
                          SheetInfo(name: "Empty", hidden: false)])
        #expect(try WorkbookFixtures.rows("handmade2003.xml", sheet: .name("hidden FIRST")) == [Row(1, ["secret"])])
        #expect(try WorkbookFixtures.rows("handmade2003.xml", sheet: .position(3)) == [])
        let missing = WorkbookFixtures.readError("handmade2003.xml", sheet: .name("Nope"))
        #expect(missing?.kind == .input)
        #expect(missing?.message.contains("\"Hidden first\", \"Data\", \"Empty\"") == true)
    }

    /// Sheets named for years, or "1": `--sheet 2026` is the sheet named 2026, not the 2026th.
    @Test func aTypedNumberNamesASheetBeforeItCountsOne() throws {
        let sheets = [("2025", "OLD"), ("2026", "NEW"), ("1", "ONE")].map { name, value in
            "<Worksheet ss:Name=\"\(name)\"><Table><Row><Cell><Data ss:Type=\"String\">\(value)</Data></Cell></Row></Table></Worksheet>"
        }
        let path = try writeTemporaryFile("<?xml version=\"1.0\"?><Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\" "
            + "xmlns:ss=\"urn:schemas-microsoft-com:office:spreadsheet\">\(sheets.joined())</Workbook>", name: "years.xml")
        try WorkbookFixtures.expectSheetsNamedInDigits(path)
    }

    /// libxml2 hands over an attribute's `&` as the text "&#38;": "R&D" must still read as "R&D", as in XLSX.
    @Test func ampersandsInSheetNames() throws {
        let path = try writeTemporaryFile("""
            <?xml version="1.0"?>
            <Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">
            <Worksheet ss:Name="R&amp;D &lt;North&gt; &#38; &amp;#38; &quot;x&quot;"><Table>
            <Row><Cell><Data ss:Type="String">ok</Data></Cell></Row>
            </Table></Worksheet></Workbook>
            """, name: "amp.xml")
        let name = "R&D <North> & &#38; \"x\""
        #expect(try SpreadsheetReaders.sheets(path: path, format: .spreadsheetML).map(\.name) == [name])
        var source = try Readers.open(path: path, options: ReadOptions(sheet: .name(name)))
        var row = RawRow()
        #expect(try source.next(into: &row) && row.fields == ["ok"])
        #expect(source.sheet == name)
    }

    @Test func range() throws {
        #expect(try WorkbookFixtures.rows("handmade2003.xml", range: CellRange("B2:C4")) == [
            Row(2, ["2023-04-01", "5"]),
            Row(4, ["2023-04-01T13:05:00", "#DIV/0!"]),
        ])
    }

    @Test func libreOfficeExport() throws {
        #expect(try WorkbookFixtures.rows("libreoffice2003.xml") == [
            Row(1, ["Area", "Period", "Numerator", "Rate", "Submitted", "Valid"]),
            Row(2, ["North & East", "2023-04-01", "1234", "1.68%", "2023-05-02T13:05:00", "1"]),
            Row(4, ["Merged total", "", "5", "-2.5", "", "0"]),
        ])
        #expect(try WorkbookFixtures.rows("libreoffice2003.xml", sheet: .name("notes")) == [Row(1, ["second sheet"])])
    }

    @Test func formatInferredFromExtension() {
        #expect(SourceFormat.infer(path: "a/b/returns.xml") == .spreadsheetML)
        #expect(SourceFormat.infer(path: "book.XLSX") == .xlsx)
    }
}
