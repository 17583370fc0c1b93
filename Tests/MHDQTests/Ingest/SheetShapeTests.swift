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

    // MARK: - Rows out of order

    /// XLSX rows numbered 1, 5, 2, 3 were read as they came (or, with a range ending at row 4, stopped at row 5 with
    /// rows 2 and 3 unread); a row number given twice made two records. SpreadsheetML refused both; both now say which row.
    @Test func xlsxRowsOutOfOrderOrDuplicatedAreErrors() throws {
        let folder = TemporaryFolder()
        let header = "<row r=\"1\">\(cell("id"))\(cell("x"))</row>"
        let outOfOrder = xlsx(folder, header + [5, 2, 3].map { "<row r=\"\($0)\">\(cell("P\($0)"))</row>" }.joined())
        for range in [nil, CellRange("A1:B4"), CellRange("A1:B")] {
            let error = readError(outOfOrder, range: range)
            #expect(error?.kind == .input)
            #expect(error?.message == "row 2 is out of order: it comes after row 5", "\(String(describing: range)): \(String(describing: error))")
            #expect(error?.location?.file == outOfOrder && error?.location?.sheet == "Big" && error?.location?.row == 2)
        }
        let twice = xlsx(folder, header + "<row r=\"2\">\(cell("P2"))</row><row r=\"2\">\(cell("P2 again"))</row>")
        let error = readError(twice)
        #expect(error?.message == "row 2 is duplicated: a second row numbered 2")
        #expect(error?.location?.row == 2)
        // Rows in order after a range's end are read past without a complaint (and without their cells).
        let inOrder = xlsx(folder, header + (2 ... 6).map { "<row r=\"\($0)\">\(cell("P\($0)"))</row>" }.joined())
        #expect(try read(inOrder, range: CellRange("A1:B3")) == [Row(1, ["id", "x"]), Row(2, ["P2"]), Row(3, ["P3"])])
    }

    /// A row whose number is not one was blamed on the row before it.
    @Test func badRowNumberNamesTheRowItFollows() throws {
        let folder = TemporaryFolder()
        let path = xlsx(folder, "<row r=\"1\">\(cell("id"))</row><row r=\"4\">\(cell("P4"))</row><row r=\"x\">\(cell("P?"))</row>")
        let error = readError(path)
        #expect(error?.message == "bad row number \"x\" (the row after row 4)")
        #expect(error?.location?.sheet == "Big" && error?.location?.row == nil)
        let first = xlsx(folder, "<row r=\"0\">\(cell("id"))</row>")
        #expect(readError(first)?.message == "bad row number \"0\" (the first row)")
        let ss = try spreadsheetML("<Table><Row>\(ssCell("id"))</Row><Row ss:Index=\"x\">\(ssCell("P?"))</Row></Table>")
        let ssError = readError(ss)
        #expect(ssError?.message == "bad row index \"x\" (the row after row 1)")
        #expect(ssError?.location?.sheet == "S" && ssError?.location?.row == nil)
    }

    /// SpreadsheetML: the same messages, a row inside an earlier row's span is out of order too, and a range no longer
    /// stops reading at its last row (a row out of order after it was never seen).
    @Test func spreadsheetMLRowsOutOfOrder() throws {
        let cases: [(String, String, Int)] = [
            ("<Row ss:Index=\"5\">\(ssCell("P5"))</Row><Row ss:Index=\"2\">\(ssCell("P2"))</Row>", "row 2 is out of order: it comes after row 5", 2),
            ("<Row ss:Index=\"3\">\(ssCell("P3"))</Row><Row ss:Index=\"3\">\(ssCell("P3"))</Row>", "row 3 is duplicated: a second row numbered 3", 3),
            ("<Row ss:Index=\"3\" ss:Span=\"2\">\(ssCell("P3"))</Row><Row ss:Index=\"4\">\(ssCell("P4"))</Row>", "row 4 is out of order: it comes after row 5", 4),
        ]
        for (rows, message, row) in cases {
            let path = try spreadsheetML("<Table><Row>\(ssCell("id"))</Row>\(rows)</Table>")
            for range in [nil, CellRange("A1:B4")] {
                let error = readError(path, range: range)
                #expect(error?.message == message, "\(rows) \(String(describing: range)): \(String(describing: error))")
                #expect(error?.location?.sheet == "S" && error?.location?.row == row)
            }
        }
    }

    // MARK: - Cells outside rows, a second table

    /// A cell in sheetData but in no row was dropped and the sheet read on without it.
    @Test func xlsxCellOutsideAnyRowIsAnError() throws {
        let folder = TemporaryFolder()
        let path = xlsx(folder, "<row r=\"1\">\(cell("id"))\(cell("pc"))</row><row r=\"2\"/>\(cell("P2", "A2"))\(cell("CV2", "B2"))<row r=\"3\">\(cell("P3"))</row>")
        let error = readError(path)
        #expect(error?.kind == .input)
        #expect(error?.message == "malformed sheet: a cell A2 outside any row (after row 2)", "\(String(describing: error))")
        #expect(error?.location?.file == path && error?.location?.sheet == "Big")
        #expect(error?.location?.row == 2 && error?.location?.column == "A")
        let first = xlsx(folder, "<c><v>1</v></c><row r=\"1\">\(cell("id"))</row>")
        #expect(readError(first)?.message == "malformed sheet: a cell outside any row (before the first row)")
        // With a range that ends before it, too: the cell may be one of the range's.
        #expect(readError(path, range: CellRange("A1:B1"))?.message.hasPrefix("malformed sheet") == true)
    }

    /// SpreadsheetML: a Cell directly in the Table was dropped; a second Table's rows were all ignored.
    @Test func spreadsheetMLCellOutsideARowOrASecondTableIsAnError() throws {
        let loose = try spreadsheetML("<Table><Row>\(ssCell("a"))\(ssCell("b"))</Row>\(ssCell("lost"))<Row>\(ssCell("3"))</Row></Table>")
        let error = readError(loose)
        #expect(error?.kind == .input)
        #expect(error?.message == "malformed sheet: a cell outside any row (after row 1)", "\(String(describing: error))")
        #expect(error?.location?.file == loose && error?.location?.sheet == "S")
        let twoTables = try spreadsheetML("<Table><Row>\(ssCell("a"))</Row><Row>\(ssCell("1"))</Row></Table><Table><Row>\(ssCell("3"))</Row></Table>")
        for range in [nil, CellRange("A1:A1")] {
            let second = readError(twoTables, range: range)
            #expect(second?.message == "malformed sheet: a second Table in the worksheet (Excel writes one)", "\(String(describing: second))")
            #expect(second?.location?.sheet == "S")
        }
        // Another worksheet's table is no concern of this one's.
        let otherSheet = try writeTemporaryFile("<?xml version=\"1.0\"?><Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\" "
            + "xmlns:ss=\"urn:schemas-microsoft-com:office:spreadsheet\"><Worksheet ss:Name=\"S\"><Table><Row>\(ssCell("a"))</Row></Table></Worksheet>"
            + "<Worksheet ss:Name=\"T\"><Table><Row>\(ssCell("b"))</Row></Table></Worksheet></Workbook>", name: "two.xml")
        #expect(try read(otherSheet) == [Row(1, ["a"])])
    }

    // MARK: - Sparse wide rows

    /// Rows whose only value is in XFD: each row's 16,383 empty cells are written at once, and the rows a parse
    /// completes are fewer at a time (their pool held 400 MB). Every row is still read, whole. (Not timed here.)
    @Test func sparseWideRowsReadWhole() throws {
        let folder = TemporaryFolder()
        let rows = 3000
        let path = xlsx(folder, "<row r=\"1\">\(cell("id", "A1"))\(cell("pc", "XFD1"))</row>"
            + (2 ... rows).map { "<row r=\"\($0)\"><c r=\"XFD\($0)\"><v>\($0)</v></c></row>" }.joined())
        var source = try Readers.open(path: path)
        var row = RawRow()
        var count = 0
        while try source.next(into: &row) {
            count += 1
            #expect(row.count == 16_384 && row.string(16_383) == String(row.number) || row.number == 1)
            #expect(row.isEmpty(0) == (row.number > 1) && !row.isAllBlank)
        }
        #expect(count == rows)
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
