// Writes an XLSX workbook sheet after sheet, each row deflated as it is written: memory does not grow with rows.

/// How a cell looks; the raw values index the formats in `XLSXPackageParts.styles`.
public enum XLSXCellStyle: Int, Sendable {
    case normal = 0
    /// Bold on a light fill with a rule below: a sheet's header row.
    case header = 1
    case bold = 2
    /// Blue and underlined: a link to another sheet.
    case link = 3
    /// Bold and larger: a sheet's title line.
    case title = 4
}

public enum XLSXCell: Sendable, Equatable {
    case text(String)
    case number(Double)
    case integer(Int)
    case boolean(Bool)
    case empty
    /// Text that links to cell A1 of another sheet of the workbook.
    case link(String, sheet: String)
}

public struct XLSXSheetOptions: Sendable {
    /// Written as the first row (header style) and repeated on continuation sheets.
    public var header: [String]?
    /// Keeps the header row in view while scrolling.
    public var freezeHeader: Bool
    /// Puts filter buttons on the header row over every written row.
    public var autoFilter: Bool
    /// Column widths in characters; nil sizes them from the header and the first rows.
    public var columnWidths: [Double]?
    /// Places the sheet before every other in the tab order (a summary written last but read first).
    public var firstTab: Bool

    public init(header: [String]? = nil, freezeHeader: Bool = true, autoFilter: Bool = true,
                columnWidths: [Double]? = nil, firstTab: Bool = false) {
        self.header = header
        self.freezeHeader = freezeHeader
        self.autoFilter = autoFilter
        self.columnWidths = columnWidths
        self.firstTab = firstTab
    }
}

/// Streams a workbook of inline-string, number and boolean cells.
///
/// Inline strings rather than a shared-string table: a shared table must be complete before a
/// reader can use it, so a writer has to hold every distinct string until the end, and memory
/// would grow with the data. Deflate removes most of the repetition that sharing saves.
///
/// Text is made safe on the way in: formula-like text is neutralised as in CSV output
/// (`FormulaNeutralising`), characters XML cannot hold are escaped (`XLSXText`), and text over
/// Excel's 32,767-character limit is cut with a visible marker and counted in `truncatedCells`.
/// A sheet that reaches Excel's 1,048,576 rows continues on "NAME (2)", header repeated.
public final class XLSXWriter {
    public struct Options: Sendable {
        /// Rows per sheet including the header (Excel's limit; lowered by tests).
        public var maxRowsPerSheet = 1_048_576
        /// Rows whose text sizes the columns when no widths are given.
        public var widthSampleRows = 500
        public var minColumnWidth = 6
        public var maxColumnWidth = 60
        public var neutraliseFormulas = true
        /// zlib level 3: on worklist sheets about a third less CPU than level 6 for files about 15% larger.
        public var zip = ZipWriter.Options(compressionLevel: 3)
        public init() {}
    }

    /// A finished sheet: its name and the rows under its header.
    public struct WrittenSheet: Sendable, Equatable {
        public var name: String
        public var dataRows: Int
        /// The sheet this one continues (nil for a first sheet).
        public var continues: String?
    }

    public let path: String
    public let options: Options
    public private(set) var writtenSheets: [WrittenSheet] = []
    /// Text cells cut to fit Excel's limit.
    public private(set) var truncatedCells = 0

    private let zip: ZipWriter
    private var names = XLSXSheetNames()
    private var reserved: Set<String> = []
    private var tabs: [XLSXPackageParts.SheetEntry] = []
    private var sheet: SheetState?
    private var closed = false

    /// Sheet XML waiting to be deflated (or, while sampling widths, the sampled rows).
    private let xml = ByteBuffer()
    private var rowOpen = false
    private var rowStyle = XLSXCellStyle.normal
    private var column = 0
    private var rowDigits: [UInt8] = []
    private var columnLetters: [[UInt8]] = []

    private struct SheetState {
        var name: String
        var baseName: String
        var continuation: Int
        var options: XLSXSheetOptions
        var part: Int
        var rows = 0
        var sampling: Bool
        var sampledRows = 0
        var widths: [Int] = []
        var hyperlinks: [(ref: String, sheet: String)] = []
        /// Where it goes in the tab order.
        var tabIndex: Int
    }

    public init(path: String, options: Options = Options()) throws {
        self.path = path
        self.options = options
        zip = try ZipWriter(path: path, options: options.zip)
    }

    // MARK: - Sheets

    /// Claims a sheet name now for a sheet begun later (so other sheets can link to it).
    public func reserveSheetName(_ proposed: String) -> String {
        let name = names.claim(proposed)
        reserved.insert(name)
        return name
    }

    /// Starts a sheet (ending the current one) and returns the name it was given: `proposed`
    /// made valid and unique, or exactly a name reserved earlier.
    @discardableResult
    public func beginSheet(_ proposed: String, options sheetOptions: XLSXSheetOptions = XLSXSheetOptions()) throws -> String {
        try endSheet()
        let name = reserved.remove(proposed) ?? names.claim(proposed)
        let tabIndex = sheetOptions.firstTab ? 0 : tabs.count
        try startSheet(SheetState(name: name, baseName: name, continuation: 1, options: sheetOptions, part: tabs.count + 1,
                                  sampling: sheetOptions.columnWidths == nil, tabIndex: tabIndex))
        return name
    }

    private func startSheet(_ state: SheetState) throws {
        guard !closed else { throw MHDQError.input("workbook already closed", at: SourceLocation(file: path)) }
        sheet = state
        tabs.insert(XLSXPackageParts.SheetEntry(name: state.name, part: state.part, filterRange: nil), at: state.tabIndex)
        try zip.beginEntry("xl/worksheets/sheet\(state.part).xml")
        xml.removeAll()
        if !state.sampling { try writeSheetHead() }
        if let header = state.options.header {
            try appendRow(header.map { .text($0) }, style: .header)
        }
    }

    /// The sheet XML before its rows; the column widths must be known by now.
    private func writeSheetHead() throws {
        guard let s = sheet else { return }
        var head: [UInt8] = []
        head.append(contentsOf: XLSXPackageParts.declaration.utf8)
        head.append(contentsOf: "<worksheet xmlns=\"\(XLSXPackageParts.mainNamespace)\" xmlns:r=\"\(XLSXPackageParts.relationshipNamespace)\">".utf8)
        head.append(contentsOf: "<sheetViews><sheetView workbookViewId=\"0\">".utf8)
        if s.options.freezeHeader && s.options.header != nil {
            head.append(contentsOf: "<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/><selection pane=\"bottomLeft\" activeCell=\"A2\" sqref=\"A2\"/>".utf8)
        }
        head.append(contentsOf: "</sheetView></sheetViews><sheetFormatPr defaultRowHeight=\"15\"/>".utf8)
        let widths = s.options.columnWidths ?? s.widths.map { Double(min(max($0 + 2, options.minColumnWidth), options.maxColumnWidth)) }
        if !widths.isEmpty {
            head.append(contentsOf: "<cols>".utf8)
            for (i, w) in widths.enumerated() {
                let width = w == w.rounded() ? String(Int(w)) : String(w)
                head.append(contentsOf: "<col min=\"\(i + 1)\" max=\"\(i + 1)\" width=\"\(width)\" customWidth=\"1\"/>".utf8)
            }
            head.append(contentsOf: "</cols>".utf8)
        }
        head.append(contentsOf: "<sheetData>".utf8)
        try zip.write(head)
    }

    /// Ends sampling: the widths are now known, so the head and the held rows can go out.
    private func finishSampling() throws {
        guard var s = sheet, s.sampling else { return }
        s.sampling = false
        // Continuation sheets keep the first sheet's widths.
        s.options.columnWidths = s.widths.map { Double(min(max($0 + 2, options.minColumnWidth), options.maxColumnWidth)) }
        sheet = s
        try writeSheetHead()
        try zip.write(xml.bytes)
        xml.removeAll()
    }

    private func endSheet() throws {
        guard sheet != nil else { return }
        if rowOpen { try endRow() }
        try finishSampling()
        let s = sheet!
        xml.append("</sheetData>" as StaticString)
        let headerWidth = s.options.header?.count ?? 0
        if s.options.autoFilter && headerWidth > 0 {
            let range = "A1:" + String(decoding: letters(headerWidth), as: UTF8.self) + String(max(s.rows, 1))
            xml.append("<autoFilter ref=\"\(range)\"/>")
            if let k = tabs.firstIndex(where: { $0.part == s.part }) { tabs[k].filterRange = range }
        }
        if !s.hyperlinks.isEmpty {
            xml.append("<hyperlinks>" as StaticString)
            for link in s.hyperlinks {
                let location = "'" + link.sheet.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "''") + "'!A1"
                xml.append("<hyperlink ref=\"\(link.ref)\" location=\"")
                XLSXText.appendAttribute(location, to: xml)
                xml.append("\" display=\"" as StaticString)
                XLSXText.appendAttribute(link.sheet, to: xml)
                xml.append("\"/>" as StaticString)
            }
            xml.append("</hyperlinks>" as StaticString)
        }
        xml.append("<pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/></worksheet>" as StaticString)
        try zip.write(xml.bytes)
        xml.removeAll()
        try zip.endEntry()
        let dataRows = max(0, s.rows - (s.options.header == nil ? 0 : 1))
        writtenSheets.append(WrittenSheet(name: s.name, dataRows: dataRows, continues: s.continuation > 1 ? s.baseName : nil))
        sheet = nil
    }

    /// Ends a full sheet and goes on with "NAME (n)", header repeated, same widths.
    private func continueSheet() throws {
        guard var s = sheet else { return }
        try finishSampling()
        s = sheet!
        try endSheet()
        let next = s.continuation + 1
        let name = names.claimNumbered(s.baseName, from: next)
        let index = (tabs.firstIndex { $0.part == s.part } ?? tabs.count - 1) + 1
        var state = SheetState(name: name, baseName: s.baseName, continuation: next, options: s.options, part: tabs.count + 1,
                               sampling: false, tabIndex: index)
        state.options.firstTab = false
        try startSheet(state)
    }

    // MARK: - Rows

    public func appendRow(_ cells: [XLSXCell], style: XLSXCellStyle = .normal) throws {
        try beginRow(style: style)
        for cell in cells {
            switch cell {
            case .text(let s):
                var s = s
                s.withUTF8 { appendText($0) }
            case .number(let v): appendNumber(v)
            case .integer(let v): appendInteger(v)
            case .boolean(let v): appendBoolean(v)
            case .empty: skipCell()
            case .link(let text, let target): appendLink(text, toSheet: target)
            }
        }
        try endRow()
    }

    /// Opens a row; cells follow left to right, then `endRow`.
    public func beginRow(style: XLSXCellStyle = .normal) throws {
        if rowOpen { try endRow() }
        guard let s = sheet else { throw MHDQError.input("a row was written before any sheet was begun", at: SourceLocation(file: path)) }
        // A continuation sheet repeats the header, so it needs room for one row more.
        let limit = max(min(options.maxRowsPerSheet, 1_048_576), s.options.header == nil ? 1 : 2)
        if s.rows >= limit { try continueSheet() }
        sheet!.rows += 1
        rowOpen = true
        rowStyle = style
        column = 0
        rowDigits.removeAll(keepingCapacity: true)
        rowDigits.append(contentsOf: String(sheet!.rows).utf8)
        xml.append("<row r=\"" as StaticString)
        xml.append(rowDigits)
        xml.append("\">" as StaticString)
    }

    public func endRow() throws {
        guard rowOpen else { return }
        rowOpen = false
        xml.append("</row>" as StaticString)
        if sheet!.sampling {
            sheet!.sampledRows += 1
            // The header alone does not size the columns; the sample is bounded in bytes as well.
            if sheet!.sampledRows > options.widthSampleRows || xml.count > 8 << 20 { try finishSampling() }
        } else if xml.count >= 1 << 16 {
            try zip.write(xml.bytes)
            xml.removeAll()
        }
    }

    /// Leaves the next cell empty.
    public func skipCell() { column += 1 }

    /// A text cell from UTF-8 bytes (empty text leaves the cell empty).
    public func appendText(_ text: UnsafeBufferPointer<UInt8>) {
        appendText(text, style: rowStyle)
    }

    private func appendText(_ text: UnsafeBufferPointer<UInt8>, style: XLSXCellStyle) {
        column += 1
        guard text.count > 0 else { return }
        let neutralise = options.neutraliseFormulas && FormulaNeutralising.needsNeutralising(utf8: text)
        openCell(style: style, type: "inlineStr")
        var body = text
        var marker: String?
        if text.count + 1 > XLSXText.maxCellCharacters {
            let length = XLSXText.utf16Length(text) + (neutralise ? 1 : 0)
            if length > XLSXText.maxCellCharacters {
                let m = XLSXText.truncationMarker(fullLength: length)
                body = UnsafeBufferPointer(rebasing: text[0 ..< XLSXText.cutLength(text, reserve: m.utf16.count + (neutralise ? 1 : 0))])
                marker = m
                truncatedCells += 1
            }
        }
        let last = marker == nil ? text[text.count - 1] : 0x5D
        let first = neutralise ? FormulaNeutralising.prefix : text[0]
        let preserve = first == 0x20 || first == 0x09 || first == 0x0A || first == 0x0D
            || last == 0x20 || last == 0x09 || last == 0x0A || last == 0x0D
        xml.append(preserve ? "<is><t xml:space=\"preserve\">" as StaticString : "<is><t>")
        if neutralise { xml.append(FormulaNeutralising.prefix) }
        XLSXText.appendEscaped(body, to: xml)
        if let marker {
            var m = marker
            m.withUTF8 { XLSXText.appendEscaped($0, to: xml) }
        }
        xml.append("</t></is></c>" as StaticString)
        // A title line spans the columns beside it: it does not size its own.
        if sheet!.sampling && style != .title {
            noteWidth(XLSXText.displayLength(text, cap: options.maxColumnWidth) + (style == .header ? 3 : 0))
        }
    }

    public func appendText(_ text: String) {
        var text = text
        text.withUTF8 { appendText($0) }
    }

    /// A number cell when `text` is a number exactly as Excel would show it back ("12", "-3.5",
    /// not "007", "1e5" or "2.50"), so nothing changes on the way; otherwise a text cell.
    public func appendNumber(text: UnsafeBufferPointer<UInt8>) {
        guard text.count > 0, CellText.isCanonical(text) else {
            appendText(text)
            return
        }
        column += 1
        openCell(style: rowStyle, type: nil)
        xml.append("<v>" as StaticString)
        xml.append(text)
        xml.append("</v></c>" as StaticString)
        if sheet!.sampling { noteWidth(text.count) }
    }

    public func appendNumber(_ value: Double) {
        guard value.isFinite else {
            appendText(value.description)
            return
        }
        var s = value.description
        if s.hasSuffix(".0") { s.removeLast(2) }
        column += 1
        openCell(style: rowStyle, type: nil)
        xml.append("<v>" as StaticString)
        xml.append(s)
        xml.append("</v></c>" as StaticString)
        if sheet!.sampling { noteWidth(s.utf8.count) }
    }

    public func appendInteger(_ value: Int) {
        column += 1
        openCell(style: rowStyle, type: nil)
        let s = String(value)
        xml.append("<v>" as StaticString)
        xml.append(s)
        xml.append("</v></c>" as StaticString)
        // Room for thousands separators when a reader formats it.
        if sheet!.sampling { noteWidth(s.utf8.count + s.utf8.count / 3) }
    }

    public func appendBoolean(_ value: Bool) {
        column += 1
        openCell(style: rowStyle, type: "b")
        xml.append(value ? "<v>1</v></c>" : "<v>0</v></c>")
        if sheet!.sampling { noteWidth(5) }
    }

    /// Text that links to another sheet of this workbook (a name from `reserveSheetName` or a
    /// sheet already begun).
    public func appendLink(_ text: String, toSheet target: String) {
        let ref = String(decoding: letters(column + 1) + rowDigits, as: UTF8.self)
        var text = text
        text.withUTF8 { appendText($0, style: .link) }
        sheet!.hyperlinks.append((ref: ref, sheet: target))
    }

    @inline(__always) private func openCell(style: XLSXCellStyle, type: StaticString?) {
        xml.append("<c r=\"" as StaticString)
        xml.append(letters(column))
        xml.append(rowDigits)
        xml.append(0x22)
        if style != .normal {
            xml.append(" s=\"" as StaticString)
            xml.append(UInt8(0x30 + style.rawValue))
            xml.append(0x22)
        }
        if let type {
            xml.append(" t=\"" as StaticString)
            xml.append(type)
            xml.append(0x22)
        }
        xml.append(0x3E)
    }

    @inline(__always) private func noteWidth(_ characters: Int) {
        let k = column - 1
        if sheet!.widths.count <= k { sheet!.widths.append(contentsOf: repeatElement(0, count: k + 1 - sheet!.widths.count)) }
        if characters > sheet!.widths[k] { sheet!.widths[k] = characters }
    }

    /// Column letters for a 1-based column ("A", "Z", "AA"), cached.
    private func letters(_ column: Int) -> [UInt8] {
        while columnLetters.count < column {
            var n = columnLetters.count + 1
            var s: [UInt8] = []
            while n > 0 {
                let r = (n - 1) % 26
                s.insert(UInt8(0x41 + r), at: 0)
                n = (n - 1) / 26
            }
            columnLetters.append(s)
        }
        return columnLetters[column - 1]
    }

    // MARK: - Closing

    /// Ends the last sheet and writes the workbook's parts. A workbook needs a sheet: an empty
    /// one is added if none was begun.
    public func close() throws {
        guard !closed else { return }
        try endSheet()
        if tabs.isEmpty {
            try beginSheet("Sheet1", options: XLSXSheetOptions(freezeHeader: false, autoFilter: false))
            try endSheet()
        }
        closed = true
        let parts = tabs.map(\.part).sorted()
        try zip.addEntry("[Content_Types].xml", XLSXPackageParts.contentTypes(sheetParts: parts))
        try zip.addEntry("_rels/.rels", XLSXPackageParts.rootRelationships)
        try zip.addEntry("docProps/app.xml", XLSXPackageParts.appProperties)
        try zip.addEntry("xl/workbook.xml", XLSXPackageParts.workbook(tabs))
        try zip.addEntry("xl/_rels/workbook.xml.rels", XLSXPackageParts.workbookRelationships(sheetParts: parts))
        try zip.addEntry("xl/styles.xml", XLSXPackageParts.styles)
        try zip.close()
    }

    /// Sheet names in tab order.
    public var sheetNames: [String] { tabs.map(\.name) }
}
