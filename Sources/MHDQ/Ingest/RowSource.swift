// The boundary between readers and staging: a stream of raw rows with provenance.

/// A reader that yields rows one at a time. Implementations stream: memory does not
/// grow with the size of the input.
public protocol RowSource {
    /// File path as the user gave it (for messages).
    var file: String { get }
    /// Sheet name for spreadsheets, nil for text files.
    var sheet: String? { get }
    /// Reads the next record into `row` (overwriting it). Returns false at end of input.
    /// Errors are `MHDQError` of kind `.input` naming file, sheet and row.
    mutating func next(into row: inout RawRow) throws -> Bool
}

extension RowSource {
    public func location(row: Int? = nil, column: String? = nil) -> SourceLocation {
        SourceLocation(file: file, sheet: sheet, row: row, column: column)
    }
}
