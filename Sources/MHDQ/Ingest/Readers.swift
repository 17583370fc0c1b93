// Opens the right reader for a source: the one place that knows every input format.

public enum SourceFormat: String, Sendable, CaseIterable {
    case csv
    case xlsx
    /// SpreadsheetML 2003 ("XML Spreadsheet 2003").
    case spreadsheetML = "spreadsheetml"

    public init?(name: String) {
        switch name.lowercased() {
        case "csv", "txt", "tsv", "psv", "dat": self = .csv
        case "xlsx", "xlsm": self = .xlsx
        case "spreadsheetml", "xml", "xml2003", "excel2003": self = .spreadsheetML
        default: return nil
        }
    }

    /// The format a file's extension implies (CSV when unsure: extracts come in many names).
    public static func infer(path: String) -> SourceFormat {
        let ext = path.split(separator: "/").last.flatMap { name in
            name.contains(".") ? name.split(separator: ".").last.map(String.init) : nil
        } ?? ""
        return SourceFormat(name: ext) ?? .csv
    }
}

/// How to pick a sheet in a workbook.
public enum SheetSelector: Sendable, Hashable, CustomStringConvertible {
    case name(String)
    /// 1-based position among the workbook's sheets.
    case position(Int)
    /// A number typed where a sheet is wanted: the sheet of that name if there is one (sheets are often named
    /// for years: "2026" is the sheet called 2026, not the 2026th), else the sheet at that position.
    case nameOrPosition(String)

    /// A sheet as the command line names it (`--sheet 2026`, `--sheet Patients`).
    public init(typed text: String) {
        self = Int(text) == nil ? .name(text) : .nameOrPosition(text)
    }

    /// The name or position this selector picks among sheets with these names.
    func resolved(among names: [String]) -> SheetSelector {
        guard case .nameOrPosition(let text) = self else { return self }
        let wanted = text.lowercased()
        if names.contains(where: { $0.lowercased() == wanted }) { return .name(text) }
        return Int(text).map { .position($0) } ?? .name(text)
    }

    public var description: String {
        switch self {
        case .name(let n), .nameOrPosition(let n): return "\"\(n)\""
        case .position(let p): return "#\(p)"
        }
    }
}

/// Options a manifest or the command line gives for reading one source.
public struct ReadOptions: Sendable {
    public var format: SourceFormat?
    public var delimiter: UInt8?
    public var encoding: TextEncoding = .auto
    public var sheet: SheetSelector?
    /// Workbooks only: read just this range of the sheet.
    public var range: CellRange?
    /// The line the header is on (title lines may come before it): text files guess their delimiter from it.
    public var headerRow = 1
    public init(format: SourceFormat? = nil, delimiter: UInt8? = nil, encoding: TextEncoding = .auto,
                sheet: SheetSelector? = nil, range: CellRange? = nil) {
        self.format = format
        self.delimiter = delimiter
        self.encoding = encoding
        self.sheet = sheet
        self.range = range
    }
}

public enum Readers {
    /// Opens `path` for streaming. Spreadsheet formats are registered by their readers.
    public static func open(path: String, options: ReadOptions = ReadOptions()) throws -> any RowSource {
        let format = options.format ?? SourceFormat.infer(path: path)
        switch format {
        case .csv:
            // A text file has no sheets: a range or sheet asked of it would be silently read as the whole file.
            if options.range != nil || options.sheet != nil {
                throw MHDQError.invocation("\(options.range != nil ? "range" : "sheet") applies to workbooks (xlsx, spreadsheetml), not to delimited text",
                                           at: SourceLocation(file: path))
            }
            return try CSVReader(path: path, delimiter: options.delimiter, encoding: options.encoding, headerLine: options.headerRow)
        case .xlsx, .spreadsheetML:
            return try SpreadsheetReaders.open(path: path, format: format, sheet: options.sheet, range: options.range)
        }
    }
}
