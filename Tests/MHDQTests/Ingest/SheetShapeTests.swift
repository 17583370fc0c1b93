// Sheets whose cells or rows are where no spreadsheet program puts them: read in full, or an error that names
// the file, sheet, row and column. Never a cell quietly left out.

import Testing
@testable import MHDQ

private typealias Row = WorkbookFixtures.Row

@Suite struct SheetShapeTests {
    /// An XLSX workbook whose one sheet ("Big") has this `<sheetData>` content.
    private func xlsx(_ folder: TemporaryFolder, _ sheetData: String) -> String {
        let path = folder.file("shape.xlsx")
        TestZipWriter.workbook(at: path, sheet: "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>\(sheetData)</sheetData></worksheet>")
        return path
    }

    /// A SpreadsheetML 2003 workbook whose one worksheet ("S") holds `content`.
    private func spreadsheetML(_ content: String) throws -> String {
        try writeTemporaryFile("<?xml version=\"1.0\"?><Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\" "
            + "xmlns:ss=\"urn:schemas-microsoft-com:office:spreadsheet\"><Worksheet ss:Name=\"S\">\(content)</Worksheet></Workbook>",
            name: "shape.xml")
    }

    private func read(_ path: String, range: CellRange? = nil, headerRow: Int = 1) throws -> [Row] {
        var options = ReadOptions(range: range)
        options.headerRow = headerRow
        var source = try Readers.open(path: path, options: options)
        var row = RawRow()
        var out: [Row] = []
        while try source.next(into: &row) { out.append(Row(row.number, row.fields)) }
        return out
    }

    private func readError(_ path: String, range: CellRange? = nil) -> MHDQError? {
        captureError { _ = try read(path, range: range) }
    }

    private func cell(_ value: String, _ ref: String? = nil) -> String {
        "<c\(ref.map { " r=\"\($0)\"" } ?? "") t=\"inlineStr\"><is><t>\(value)</t></is></c>"
    }

    private func ssCell(_ value: String, _ attributes: String = "") -> String {
        "<Cell\(attributes)><Data ss:Type=\"String\">\(value)</Data></Cell>"
    }

    // MARK: - Past column XFD

    /// A cell with no reference after one in XFD was read nowhere and the sheet read on; r="XFE2" was an error.
    @Test func xlsxCellPastXFDIsAnError() throws {
        let folder = TemporaryFolder()
        for row2 in ["<c r=\"A2\"><v>1</v></c><c r=\"XFD2\"><v>2</v></c><c><v>999</v></c>", "<c r=\"A2\"><v>1</v></c><c r=\"XFE2\"><v>999</v></c>"] {
            let path = xlsx(folder, "<row r=\"1\">\(cell("a"))\(cell("b"))</row><row r=\"2\">\(row2)</row>")
            let error = readError(path)
            #expect(error?.kind == .input)
            #expect(error?.message == "cell XFE2 is past column XFD, the last of a sheet's 16384 columns", "\(String(describing: error))")
            #expect(error?.location?.file == path && error?.location?.sheet == "Big")
            #expect(error?.location?.row == 2 && error?.location?.column == "XFE")
        }
        // A header of 16,385 cells without references: the last was dropped and the header read as 16,384 columns.
        let wide = xlsx(folder, "<row r=\"1\">" + (1 ... 16_385).map { cell("h\($0)") }.joined() + "</row>")
        #expect(readError(wide)?.message.hasPrefix("cell XFE1 is past column XFD") == true)
        // XFD itself is a column like any other.
        let last = xlsx(folder, "<row r=\"1\">\(cell("a"))\(cell("z", "XFD1"))</row>")
        #expect(try read(last).first?.fields.last == "z")
    }

    /// A cell after ss:Index="16384", or after a merge across to XFD, was dropped; an index past it was an error.
    @Test func spreadsheetMLCellPastXFDIsAnError() throws {
        let cases = [
            ssCell("1") + ssCell("2", " ss:Index=\"16384\"") + ssCell("999"),
            ssCell("1") + ssCell("2", " ss:Index=\"16380\" ss:MergeAcross=\"4\"") + ssCell("999"),
            ssCell("1") + ssCell("999", " ss:Index=\"16385\""),
        ]
        for row2 in cases {
            let path = try spreadsheetML("<Table><Row>\(ssCell("a"))</Row><Row>\(row2)</Row></Table>")
            let error = readError(path)
            #expect(error?.kind == .input)
            #expect(error?.message == "cell XFE2 is past column XFD, the last of a sheet's 16384 columns", "\(String(describing: error))")
            #expect(error?.location?.file == path && error?.location?.sheet == "S")
            #expect(error?.location?.row == 2 && error?.location?.column == "XFE")
        }
        let last = try spreadsheetML("<Table><Row>\(ssCell("a"))\(ssCell("z", " ss:Index=\"16384\""))</Row></Table>")
        #expect(try read(last).first?.fields.last == "z")
    }
}
