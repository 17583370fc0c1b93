// Streams one worksheet of an XLSX workbook as rows of cell text.

/// Inflates the sheet part in chunks and parses it with libxml2's SAX2 push parser; rows
/// completed by a chunk wait in a small pool of reusable `RawRow`s and are handed out by
/// swapping buffers, so reading allocates nothing per cell. Elements after `sheetData`
/// (merged ranges, conditional formats) are never parsed.
public final class XLSXSheetReader: RowSource, XMLEventHandler {
    public let file: String
    public let sheet: String?

    static let maxColumns = 16_384

    private let entryReader: ZipEntryReader
    private var parser: XMLPushParser!
    private var chunk: [UInt8]
    private var done = false
    /// The parse state lives behind a pointer: the callbacks run millions of times, and stored
    /// properties of a class would pay a dynamic exclusivity check on every access.
    private let state: UnsafeMutablePointer<SheetParseState>

    init(archive: ZipArchive, entry: ZipEntry, file: String, sheet: String, strings: SharedStrings,
         styles: XLSXStyles, date1904: Bool, range: CellRange?, chunkSize: Int = 1 << 16) throws {
        self.file = file
        self.sheet = sheet
        entryReader = try ZipEntryReader(archive: archive, entry: entry)
        chunk = [UInt8](repeating: 0, count: chunkSize)
        state = .allocate(capacity: 1)
        state.initialize(to: SheetParseState(strings: strings.store, styles: styles, date1904: date1904, range: range))
        parser = XMLPushParser(handler: self, location: SourceLocation(file: file, sheet: sheet), part: entry.name)
    }

    deinit {
        state.deinitialize(count: 1)
        state.deallocate()
    }

    public func next(into row: inout RawRow) throws -> Bool {
        while !state.pointee.queue.pop(into: &row) {
            if done { return false }
            try pump()
        }
        return true
    }

    /// How much of an inflated chunk is parsed at a time: the rows one parse completes wait in the pool, and a
    /// wide sheet's rows are large (16,384 fields each: a 64 KiB chunk of short rows held 400 MB of them).
    static let sliceSize = 8192
    private var fed = 0
    private var available = 0

    /// Parses the next slice of the inflated chunk, inflating the next chunk when it is all parsed.
    private func pump() throws {
        do {
            if fed == available {
                let n = try chunk.withUnsafeMutableBytes { try entryReader.read(into: $0) }
                if n == 0 {
                    try parser.finish()
                    done = true
                    return
                }
                (fed, available) = (0, n)
            }
            let (from, to) = (fed, min(available, fed + Self.sliceSize))
            fed = to
            try chunk.withUnsafeBytes { try parser.feed(UnsafeRawBufferPointer(rebasing: $0[from ..< to])) }
            if parser.isStopped {
                done = true
                // After </sheetData> only a little markup remains: inflate it unparsed so the
                // entry's size and CRC-32 are still checked.
                if state.pointee.sheetDataEnded {
                    while try chunk.withUnsafeMutableBytes({ try entryReader.read(into: $0) }) > 0 {}
                }
            }
        } catch var error as MHDQError {
            done = true
            if error.location == nil { error.location = SourceLocation(file: file) }
            error.location?.sheet = sheet
            // A failure of the sheet's own names its row itself (or none: a row whose number is not one).
            let row = state.pointee.rowNumber
            if error.location?.row == nil, row > 0, state.pointee.failure == nil { error.location?.row = row }
            throw error
        }
    }

    @inline(__always) private func checkStop() {
        guard state.pointee.stop else { return }
        state.pointee.stop = false
        let error = state.pointee.failure.map {
            MHDQError.input($0, at: SourceLocation(file: file, sheet: sheet, row: state.pointee.failureRow,
                                                   column: state.pointee.failureColumn))
        }
        parser.stop(error)
    }

    func startElement(_ name: XMLName, _ attributes: XMLAttributes) {
        state.pointee.startElement(name, attributes)
        checkStop()
    }

    func endElement(_ name: XMLName) {
        state.pointee.endElement(name)
        checkStop()
    }

    func characters(_ text: UnsafeBufferPointer<UInt8>) {
        if state.pointee.collecting { state.pointee.value.append(contentsOf: text) }
    }

    /// A non-negative decimal integer of at most 12 digits (no overflow on hostile input).
    @inline(__always) static func parseInt(_ t: UnsafeBufferPointer<UInt8>) -> Int? {
        guard t.count > 0, t.count <= 12 else { return nil }
        var v = 0
        for b in t {
            let d = b &- 0x30
            guard d < 10 else { return nil }
            v = v * 10 + Int(d)
        }
        return v
    }
}

/// What the sheet parser knows between events: the row being built and the cell being read.
struct SheetParseState {
    enum CellType { case number, shared, string, inline, boolean, error, date }

    let strings: RawRow
    let styles: XLSXStyles
    let date1904: Bool
    let firstColumn: Int
    let lastColumn: Int
    let firstRow: Int
    let lastRow: Int

    var queue = RowQueue()
    var current = RawRow()
    var value: [UInt8] = []
    /// Set to ask the reader to stop the parser; with `failure` it is an error.
    var stop = false
    var failure: String?
    /// The row and the column letters of the cell the failure is about, when it is about one.
    var failureRow: Int?
    var failureColumn: String?

    var inSheetData = false
    var sheetDataEnded = false
    var rowNumber = 0
    var rowInRange = false
    var inRow = false
    /// Past the range's last row: the rest of the rows are only checked for order (a row out of order after the
    /// range's end may belong inside it), their cells not read.
    var pastRange = false
    var nonEmptyFields = 0
    var nextColumn = 1
    var cellColumn = 0
    var cellType = CellType.number
    var cellStyle = 0
    var inCell = false
    var collecting = false
    var inInline = false
    var phoneticDepth = 0

    init(strings: RawRow, styles: XLSXStyles, date1904: Bool, range: CellRange?) {
        self.strings = strings
        self.styles = styles
        self.date1904 = date1904
        firstColumn = range?.firstColumn ?? 1
        lastColumn = range?.lastColumn ?? XLSXSheetReader.maxColumns
        firstRow = range?.firstRow ?? 1
        lastRow = range?.lastRow ?? Int.max
        value.reserveCapacity(256)
    }

    private mutating func fail(_ message: String, column: String? = nil) {
        fail(message, row: rowNumber, column: column)
    }

    private mutating func fail(_ message: String, row: Int?, column: String? = nil) {
        if failure == nil {
            failure = message
            failureRow = row.flatMap { $0 > 0 ? $0 : nil }
            failureColumn = column
        }
        stop = true
    }

    /// The error for a row numbered at or before the row above it (SpreadsheetML's too).
    static func rowOutOfOrder(_ row: Int, after previous: Int) -> String {
        row == previous ? "row \(row) is duplicated: a second row numbered \(row)"
                        : "row \(row) is out of order: it comes after row \(previous)"
    }

    /// Where a cell outside any row is.
    static func cellAfterRow(_ previous: Int) -> String {
        previous > 0 ? "after row \(previous)" : "before the first row"
    }

    /// Where a row whose number is not one is (its predecessor's number).
    static func afterRow(_ previous: Int) -> String {
        previous > 0 ? "the row after row \(previous)" : "the first row"
    }

    /// The error for a cell past column XFD, whether its reference says so (r="XFE2") or it follows a cell in XFD.
    static func pastLastColumn(_ reference: String) -> String {
        "cell \(reference) is past column XFD, the last of a sheet's \(XLSXSheetReader.maxColumns) columns"
    }

    mutating func startElement(_ name: XMLName, _ attributes: XMLAttributes) {
        let p = name.pointer
        switch p[0] {
        case 0x63 where p[1] == 0:  // c
            if inSheetData {
                if !inRow { cellOutsideRow(attributes) }
                else if !pastRange { startCell(attributes) }
            }
        case 0x76 where p[1] == 0:  // v
            if inCell { collecting = true }
        case 0x74 where p[1] == 0:  // t
            if inInline && phoneticDepth == 0 { collecting = true }
        case 0x72:
            if name.is("row") {
                if inSheetData { inRow = true; startRow(attributes) }
            } else if name.is("rPh") {
                phoneticDepth += 1
            }
        case 0x69 where p[1] == 0x73 && p[2] == 0:  // is
            if inCell { inInline = true }
        case 0x73:
            if name.is("sheetData") { inSheetData = true }
        default:
            break
        }
    }

    mutating func endElement(_ name: XMLName) {
        let p = name.pointer
        switch p[0] {
        case 0x63 where p[1] == 0:
            if inCell { endCell() }
        case 0x76 where p[1] == 0, 0x74 where p[1] == 0:
            collecting = false
        case 0x72:
            if name.is("row") {
                if inSheetData { inRow = false; endRow() }
            } else if name.is("rPh") {
                phoneticDepth -= 1
            }
        case 0x69 where p[1] == 0x73 && p[2] == 0:
            inInline = false
        case 0x73:
            // Nothing after the cells matters: stop without parsing merged ranges and the rest.
            if name.is("sheetData") {
                inSheetData = false
                sheetDataEnded = true
                stop = true
            }
        default:
            break
        }
    }

    private mutating func startRow(_ attributes: XMLAttributes) {
        if let r = attributes.value("r") {
            guard let n = XLSXSheetReader.parseInt(r), n >= 1 else {
                fail("bad row number \"\(String(decoding: r, as: UTF8.self))\" (\(SheetParseState.afterRow(rowNumber)))", row: nil)
                return
            }
            // Rows come in order, each once: one out of order was read where it fell, or after a range's end not at all.
            guard n > rowNumber else {
                fail(SheetParseState.rowOutOfOrder(n, after: rowNumber), row: n)
                return
            }
            rowNumber = n
        } else {
            rowNumber += 1
        }
        if rowNumber > lastRow {
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

    private mutating func endRow() {
        guard rowInRange, nonEmptyFields > 0 else { return }
        current.truncate(to: nonEmptyFields)
        queue.push(&current)
    }

    /// A cell in sheetData but in no row belongs to no record: the sheet is malformed (it was dropped).
    private mutating func cellOutsideRow(_ attributes: XMLAttributes) {
        let r = attributes.value("r").map { String(decoding: $0, as: UTF8.self) }
        let reference = r.map { " \($0)" } ?? ""
        // Its own reference, if it has one, is where it is.
        let referencedColumn = r.map { String($0.prefix { $0.isLetter }).uppercased() }.flatMap { $0.isEmpty ? nil : $0 }
        let referencedRow = r.flatMap { Int($0.drop { $0.isLetter }) }
        fail("malformed sheet: a cell\(reference) outside any row (\(SheetParseState.cellAfterRow(rowNumber)))", row: referencedRow, column: referencedColumn)
    }

    private mutating func startCell(_ attributes: XMLAttributes) {
        inCell = true
        value.removeAll(keepingCapacity: true)
        cellColumn = nextColumn
        cellType = .number
        cellStyle = 0
        defer {
            // A cell with no reference after one in XFD would be read nowhere: as much an error as r="XFE2".
            if cellColumn > XLSXSheetReader.maxColumns {
                let letters = CellRange.columnName(cellColumn)
                fail(SheetParseState.pastLastColumn("\(letters)\(rowNumber)"), column: letters)
            }
        }
        guard let base = attributes.base else { return }
        for i in 0 ..< attributes.count {
            let a = base + i * 5
            guard let n = a[0], let s = a[3], let e = a[4], n[1] == 0 else { continue }
            let v = UnsafeBufferPointer(start: s, count: e - s)
            switch n[0] {
            case 0x72:  // r
                var column = 0
                for b in v {
                    let letter = b | 0x20
                    guard letter >= 0x61 && letter <= 0x7A else { break }
                    column = column * 26 + Int(letter - 0x60)
                    if column > XLSXSheetReader.maxColumns { break }
                }
                let reference = String(decoding: v, as: UTF8.self)
                if column > XLSXSheetReader.maxColumns {
                    fail(SheetParseState.pastLastColumn(reference), column: String(reference.prefix { $0.isLetter }).uppercased())
                    return
                }
                if column == 0 {
                    fail("bad cell reference \"\(reference)\"")
                    return
                }
                cellColumn = column
            case 0x74:  // t
                cellType = SheetParseState.cellType(v)
            case 0x73:  // s
                cellStyle = XLSXSheetReader.parseInt(v) ?? 0
            default:
                break
            }
        }
    }

    private mutating func endCell() {
        inCell = false
        inInline = false
        collecting = false
        let column = cellColumn
        nextColumn = column + 1
        guard rowInRange, column >= firstColumn, column <= lastColumn else { return }
        let field = column - firstColumn
        if field < current.count {
            fail("cell \(CellRange.columnName(column))\(rowNumber) is out of order (after column \(CellRange.columnName(current.count + firstColumn - 1)))")
            return
        }
        if value.isEmpty { return }
        current.padEmptyFields(to: field)
        let type = cellType
        let serialFormat = styles.serialFormat(style: cellStyle)
        let isPercentStyle = styles.isPercent(style: cellStyle)
        let date1904 = self.date1904
        var badIndex = false
        value.withUnsafeBufferPointer { v in
            switch type {
            case .number:
                if serialFormat != .number, let serial = CellText.parseDouble(v),
                   serialFormat == .date ? CellText.appendSerialDate(serial, date1904: date1904, to: &current)
                                         : CellText.appendSerialTime(serial, elapsed: serialFormat == .elapsed, to: &current) {
                    current.markDateCell()
                    break
                }
                if isPercentStyle {
                    CellText.appendPercent(v, to: &current)   // as the sheet shows it: 0.7402 is 74.02%
                } else {
                    CellText.appendNumber(v, to: &current)
                }
            case .shared:
                guard let index = XLSXSheetReader.parseInt(v), index < strings.count else {
                    badIndex = true
                    return
                }
                strings.withField(index) { current.appendBytes($0) }
            case .string, .inline:
                CellText.appendDecodingEscapes(v, to: &current)
            case .boolean:
                if v.count == 1 && v[0] == 0x31 {
                    current.appendBytes("TRUE".utf8)
                } else if v.count == 1 && v[0] == 0x30 {
                    current.appendBytes("FALSE".utf8)
                } else {
                    current.appendBytes(v)
                }
            case .error:
                current.appendBytes(v)
            case .date:
                if CellText.appendISODateTime(v, to: &current) { current.markDateCell() }
            }
        }
        if badIndex {
            fail("shared string index \"\(String(decoding: value, as: UTF8.self))\" is not in the workbook's \(strings.count) strings",
                 column: CellRange.columnName(cellColumn))
            return
        }
        let empty = current.openFieldLength == 0
        current.endField()
        if !empty { nonEmptyFields = current.count }
    }

    private static func cellType(_ t: UnsafeBufferPointer<UInt8>) -> CellType {
        guard let first = t.first else { return .number }
        switch first {
        case 0x73: return t.count == 1 ? .shared : .string  // s, str
        case 0x69: return .inline  // inlineStr
        case 0x62: return .boolean
        case 0x65: return .error
        case 0x64: return .date
        default: return .number
        }
    }
}
