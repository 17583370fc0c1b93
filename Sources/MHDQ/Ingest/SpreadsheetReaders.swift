// Entry points for workbook formats (XLSX, SpreadsheetML 2003).

public struct SheetInfo: Sendable, Hashable {
    public var name: String
    public var hidden: Bool
    public init(name: String, hidden: Bool) {
        self.name = name
        self.hidden = hidden
    }
}

public enum SpreadsheetReaders {
    /// Opens one sheet for streaming: by name (case-insensitive) or 1-based position, or the
    /// first visible sheet when `sheet` is nil; only the cells inside `range` when it is given.
    public static func open(path: String, format: SourceFormat, sheet: SheetSelector?, range: CellRange?) throws -> any RowSource {
        switch format {
        case .xlsx:
            return try XLSXWorkbook(path: path).openSheet(sheet, range: range)
        case .spreadsheetML:
            return try SpreadsheetMLReader(path: path, sheet: sheet, range: range)
        case .csv:
            throw MHDQError.invocation("not a workbook format: \(format.rawValue)", at: SourceLocation(file: path))
        }
    }

    public static func sheets(path: String, format: SourceFormat) throws -> [SheetInfo] {
        switch format {
        case .xlsx:
            return try XLSXWorkbook(path: path).sheetInfos
        case .spreadsheetML:
            return try SpreadsheetMLReader.sheets(path: path)
        case .csv:
            throw MHDQError.invocation("not a workbook format: \(format.rawValue)", at: SourceLocation(file: path))
        }
    }
}
