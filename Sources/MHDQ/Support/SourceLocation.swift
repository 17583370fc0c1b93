// Where a value, a row or a rule came from: carried by every error and finding.

public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var sheet: String?
    /// 1-based line (text files) or row number (sheets) where the record starts.
    public var row: Int?
    /// Column header name, or column letter for spreadsheets without a header.
    public var column: String?
    /// 1-based character column inside a line (rule files, manifests).
    public var offset: Int?
    /// 1-based position of the field in its row, from a reader that does not know the header: staging names
    /// the column instead (`column`) where the header gives it a name.
    public var field: Int?

    public init(file: String, sheet: String? = nil, row: Int? = nil, column: String? = nil, offset: Int? = nil,
                field: Int? = nil) {
        self.file = file
        self.sheet = sheet
        self.row = row
        self.column = column
        self.offset = offset
        self.field = field
    }

    /// Names the field by its header when the header has a name for it.
    public mutating func nameField(from header: [String]) {
        guard column == nil, let f = field, f >= 1, f <= header.count, !header[f - 1].isEmpty else { return }
        column = header[f - 1]
        field = nil
    }

    public var description: String {
        var parts = [file]
        if let sheet { parts.append("sheet \"\(sheet)\"") }
        if let row {
            if let offset { parts[parts.count - 1] += ":\(row):\(offset)" } else { parts.append("row \(row)") }
        }
        if let column { parts.append("column \"\(column)\"") } else if let field { parts.append("field \(field)") }
        return parts.joined(separator: ", ")
    }
}

extension String {
    /// The spaces that put a caret under column `column` (1-based) of this line. Columns count Unicode scalars,
    /// as the TOML reader and the rule language count them; a terminal shows a letter and the combining marks
    /// after it (e + U+0301) in one place, so the caret moves one place per character (grapheme cluster). A
    /// column inside a character points at the character; one past the end of the line, past the end.
    func caretIndent(column: Int) -> String {
        let wanted = max(0, column - 1)
        var scalars = 0, places = 0
        for character in self {
            let n = character.unicodeScalars.count
            if scalars + n > wanted { return String(repeating: " ", count: places) }
            scalars += n
            places += 1
        }
        return String(repeating: " ", count: places + wanted - scalars)
    }
}
