// Streams one worksheet of a SpreadsheetML 2003 ("XML Spreadsheet 2003") workbook.

/// Reads the file in chunks through libxml2's SAX2 push parser: Workbook / Worksheet (ss:Name)
/// / Table / Row (ss:Index) / Cell (ss:Index, ss:MergeAcross) / Data (ss:Type).
public final class SpreadsheetMLReader: RowSource, XMLEventHandler {
    public let file: String
    public private(set) var sheet: String?

    private enum Mode { case rows, scan }
    private enum DataType { case number, string, dateTime, boolean, error }

    private let mode: Mode
    private let input: ByteInput
    private var parser: XMLPushParser!
    private var started = false
    private var done = false
    private var queue = RowQueue()

    // Which worksheet to read.
    private let wantedName: String?
    private let wantedIndex: Int?
    private(set) var sheetInfos: [SheetInfo] = []
    private var worksheetIndex = -1
    private var inTarget = false
    private var found = false
    private var tablesSeen = 0
    private var inTable = false
    private var inVisible = false

    private let firstColumn: Int
    private let lastColumn: Int
    private let firstRow: Int
    private let lastRow: Int

    // Row and cell state.
    private var current = RawRow()
    private var rowNumber = 0
    private var pendingSpan = 0
    private var rowInRange = false
    private var inRow = false
    /// Past the range's last row: the rest of the rows are only checked for order, their cells not read.
    private var pastRange = false
    /// A failure of the sheet's own, which names its row itself (or none).
    private var failed = false
    private var nonEmptyFields = 0
    private var nextColumn = 1
    private var cellColumn = 0
    private var mergeAcross = 0
    private var inCell = false
    private var dataType = DataType.string
    private var inData = false
    private var commentDepth = 0
    private var value: [UInt8] = []
    /// Styles (ss:ID) whose number format shows a number as a percentage, and the style being read.
    private var percentStyles: Set<String> = []
    private var styleID: String?
    private var cellIsPercent = false

    public convenience init(path: String, sheet: SheetSelector?, range: CellRange?) throws {
        var name: String?
        var index: Int?
        var selector = sheet
        if case .nameOrPosition? = sheet {
            // Whether the text names a sheet is known only once every sheet's name has been read.
            selector = sheet?.resolved(among: try SpreadsheetMLReader.sheets(path: path).map(\.name))
        }
        switch selector {
        case .name(let n)?, .nameOrPosition(let n)?: name = n
        case .position(let p)?: index = p - 1
        case nil:
            let sheets = try SpreadsheetMLReader.sheets(path: path)
            guard let i = sheets.firstIndex(where: { !$0.hidden }) else {
                throw MHDQError.input("the workbook has no visible worksheet", at: SourceLocation(file: path))
            }
            index = i
        }
        try self.init(path: path, mode: .rows, name: name, index: index, range: range)
    }

    private init(path: String, mode: Mode, name: String?, index: Int?, range: CellRange?) throws {
        file = path
        self.mode = mode
        wantedName = name?.lowercased()
        wantedIndex = index
        firstColumn = range?.firstColumn ?? 1
        lastColumn = range?.lastColumn ?? 16_384
        firstRow = range?.firstRow ?? 1
        lastRow = range?.lastRow ?? Int.max
        input = try ByteInput(path: path)
        parser = XMLPushParser(handler: self, location: SourceLocation(file: path), part: "the workbook")
    }

    /// The worksheets' names and visibility (reads the whole file: visibility comes after each sheet's cells).
    public static func sheets(path: String) throws -> [SheetInfo] {
        let scanner = try SpreadsheetMLReader(path: path, mode: .scan, name: nil, index: nil, range: nil)
        while !scanner.done { try scanner.pump() }
        return scanner.sheetInfos
    }

    public func next(into row: inout RawRow) throws -> Bool {
        while !queue.pop(into: &row) {
            if done { return false }
            try pump()
        }
        return true
    }

    private func pump() throws {
        do {
            let n = try input.refill()
            if !started {
                started = true
                let b = input.bytes
                if n >= 4 && b[0] == 0xD0 && b[1] == 0xCF && b[2] == 0x11 && b[3] == 0xE0 {
                    throw MHDQError.input("password-protected or legacy .xls workbook: save as .xlsx without a password", at: SourceLocation(file: file))
                }
                if n >= 4 && b[0] == 0x50 && b[1] == 0x4B && b[2] == 0x03 && b[3] == 0x04 {
                    throw MHDQError.input("this is a zip file (an .xlsx workbook?), not SpreadsheetML 2003 XML", at: SourceLocation(file: file))
                }
            }
            if n == 0 {
                try parser.finish()
                done = true
            } else {
                try parser.feed(UnsafeRawBufferPointer(input.bytes))
                if parser.isStopped { done = true }
            }
            if done && mode == .rows && !found {
                let names = sheetInfos.map { "\"\($0.name)\"" }.joined(separator: ", ")
                let wanted = wantedName.map { "named \"\($0)\"" } ?? "#\((wantedIndex ?? 0) + 1)"
                throw MHDQError.input("no sheet \(wanted); the sheets are \(names.isEmpty ? "none" : names)", at: SourceLocation(file: file))
            }
        } catch var error as MHDQError {
            done = true
            if error.location == nil { error.location = SourceLocation(file: file) }
            if found { error.location?.sheet = sheet }
            if error.location?.row == nil, rowNumber > 0, inTarget, !failed { error.location?.row = rowNumber }
            throw error
        }
    }

    private func fail(_ message: String, column: String? = nil) {
        fail(message, row: rowNumber, column: column)
    }

    private func fail(_ message: String, row: Int?, column: String? = nil) {
        parser.stop(MHDQError.input(message, at: SourceLocation(file: file, sheet: sheet, row: row, column: column)))
        failed = true
    }

    // MARK: - Parse events

    func startElement(_ name: XMLName, _ attributes: XMLAttributes) {
        if inTarget && inTable {
            if name.is("Cell") {
                if !inRow {
                    // A cell in the table but in no row belongs to no record (it was dropped).
                    fail("malformed sheet: a cell outside any row (\(SheetParseState.cellAfterRow(rowNumber + pendingSpan)))", row: nil)
                } else if !pastRange {
                    startCell(attributes)
                }
            }
            else if name.is("Data") { if inCell && commentDepth == 0 { startData(attributes) } }
            else if name.is("Row") { inRow = true; startRow(attributes) }
            else if name.is("Comment") { commentDepth += 1 }
            return
        }
        if name.is("Worksheet") {
            worksheetIndex += 1
            let sheetName = attributes.string("Name") ?? "Sheet\(worksheetIndex + 1)"
            sheetInfos.append(SheetInfo(name: sheetName, hidden: false))
            guard mode == .rows, !found else { return }
            if let wantedName, sheetName.lowercased() == wantedName { found = true }
            if let wantedIndex, wantedIndex == worksheetIndex { found = true }
            if found {
                inTarget = true
                sheet = sheetName
            }
        } else if name.is("Table") {
            if inTarget {
                tablesSeen += 1
                inTable = tablesSeen == 1
                // Excel writes one Table per worksheet (the schema allows no more): a second one's rows were ignored.
                if tablesSeen > 1 { fail("malformed sheet: a second Table in the worksheet (Excel writes one)", row: nil) }
            }
        } else if name.is("Visible") {
            inVisible = true
            value.removeAll(keepingCapacity: true)
        } else if name.is("Style") {
            styleID = attributes.string("ID")
        } else if name.is("NumberFormat"), let id = styleID, let format = attributes.string("Format"),
                  SpreadsheetMLReader.isPercentFormat(format) {
            percentStyles.insert(id)
        }
    }

    /// "Percent" (a named format) or a format code with a live % ("0.00%"), as Excel and LibreOffice write them.
    static func isPercentFormat(_ format: String) -> Bool {
        format == "Percent" || XLSXStyles.isPercentCode(format)
    }

    func endElement(_ name: XMLName) {
        if inTarget && inTable {
            if name.is("Data") { inData = false }
            else if name.is("Cell") { if inCell { endCell() } }
            else if name.is("Row") { inRow = false; endRow() }
            else if name.is("Comment") { commentDepth -= 1 }
            else if name.is("Table") { inTable = false }
            return
        }
        if name.is("Worksheet") {
            if inTarget {
                inTarget = false
                parser.stop(nil)
            }
        } else if name.is("Style") {
            styleID = nil
        } else if name.is("Visible") {
            inVisible = false
            let text = String(decoding: value, as: UTF8.self).trimmingSpaces()
            if text == "SheetHidden" || text == "SheetVeryHidden", !sheetInfos.isEmpty {
                sheetInfos[sheetInfos.count - 1].hidden = true
            }
        }
    }

    func characters(_ text: UnsafeBufferPointer<UInt8>) {
        if inData || inVisible { value.append(contentsOf: text) }
    }

    private func startRow(_ attributes: XMLAttributes) {
        if let r = attributes.value("Index") {
            guard let n = XLSXSheetReader.parseInt(r), n >= 1 else {
                fail("bad row index \"\(String(decoding: r, as: UTF8.self))\" (\(SheetParseState.afterRow(rowNumber + pendingSpan)))", row: nil)
                return
            }
            // The rows a span stands for are taken: a row numbered among them is as out of order as one before them.
            guard n > rowNumber + pendingSpan else {
                fail(SheetParseState.rowOutOfOrder(n, after: rowNumber + pendingSpan), row: n)
                return
            }
            rowNumber = n
        } else {
            rowNumber += 1 + pendingSpan
        }
        // ss:Span="n" makes this element stand for n more (empty, formatted) rows.
        pendingSpan = attributes.value("Span").flatMap { XLSXSheetReader.parseInt($0) }.map { min($0, 1_048_576) } ?? 0
        if rowNumber > lastRow {
            // The rest of the table is only checked for rows out of order (one may belong inside the range).
            pastRange = true
            rowInRange = false
            return
        }
        rowInRange = rowNumber >= firstRow
        current.removeAll()
        current.number = rowNumber
        nonEmptyFields = 0
        nextColumn = 1
    }

    private func endRow() {
        guard rowInRange, nonEmptyFields > 0 else { return }
        current.truncate(to: nonEmptyFields)
        queue.push(&current)
    }

    private func startCell(_ attributes: XMLAttributes) {
        inCell = true
        value.removeAll(keepingCapacity: true)
        dataType = .string
        // A cell's own style (a style a row or column gives its cells is not looked at).
        cellIsPercent = attributes.string("StyleID").map(percentStyles.contains) ?? false
        cellColumn = nextColumn
        mergeAcross = 0
        if let i = attributes.value("Index") {
            guard let c = XLSXSheetReader.parseInt(i), c >= nextColumn else {
                fail("bad or out-of-order cell index \"\(String(decoding: i, as: UTF8.self))\"")
                return
            }
            cellColumn = c
        }
        // Past XFD, by its index or by following a cell in XFD (or a merge that reaches it): read nowhere, so an error.
        if cellColumn > XLSXSheetReader.maxColumns {
            let letters = CellRange.columnName(cellColumn)
            fail(SheetParseState.pastLastColumn("\(letters)\(rowNumber)"), column: letters)
            return
        }
        if let m = attributes.value("MergeAcross") {
            mergeAcross = min(XLSXSheetReader.parseInt(m) ?? 0, 16_384)
        }
    }

    private func startData(_ attributes: XMLAttributes) {
        inData = true
        guard let t = attributes.value("Type"), let first = t.first else { return }
        switch first {
        case 0x4E: dataType = .number
        case 0x44: dataType = .dateTime
        case 0x42: dataType = .boolean
        case 0x45: dataType = .error
        default: dataType = .string
        }
    }

    private func endCell() {
        inCell = false
        inData = false
        let column = cellColumn
        nextColumn = column + mergeAcross + 1
        guard rowInRange, column >= firstColumn, column <= lastColumn, !value.isEmpty else { return }
        let field = column - firstColumn
        current.padEmptyFields(to: field)
        value.withUnsafeBufferPointer { v in
            switch dataType {
            // As the sheet shows it: 0.7402 in a percentage format is 74.02% (a KPI actual against an "85%" target).
            case .number: if cellIsPercent { CellText.appendPercent(v, to: &current) } else { CellText.appendNumber(v, to: &current) }
            case .dateTime: if CellText.appendISODateTime(v, to: &current) { current.markDateCell() }
            case .boolean:
                if v.count == 1 && v[0] == 0x31 { current.appendBytes("TRUE".utf8) }
                else if v.count == 1 && v[0] == 0x30 { current.appendBytes("FALSE".utf8) }
                else { current.appendBytes(v) }
            case .string, .error: current.appendBytes(v)
            }
        }
        let empty = current.openFieldLength == 0
        current.endField()
        if !empty { nonEmptyFields = current.count }
    }
}
