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
    public static func open(path: String, format: SourceFormat, sheet: SheetSelector?, range: CellRange?) throws -> any RowSource {
        throw MHDQError.input("\(format.rawValue) workbooks are not supported yet", at: SourceLocation(file: path))
    }

    public static func sheets(path: String, format: SourceFormat) throws -> [SheetInfo] {
        throw MHDQError.input("\(format.rawValue) workbooks are not supported yet", at: SourceLocation(file: path))
    }
}
