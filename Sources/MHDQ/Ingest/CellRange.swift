// A rectangular cell range such as "B3:K5000" (A1 notation), used to read part of a sheet.

public struct CellRange: Sendable, Hashable, CustomStringConvertible {
    /// 1-based, inclusive.
    public var firstColumn: Int
    public var firstRow: Int
    public var lastColumn: Int
    public var lastRow: Int

    public init(firstColumn: Int, firstRow: Int, lastColumn: Int, lastRow: Int) {
        self.firstColumn = firstColumn
        self.firstRow = firstRow
        self.lastColumn = lastColumn
        self.lastRow = lastRow
    }

    /// Parses "B3:K5000", "B3:K" (to the last row), or "A:F" (whole columns).
    public init?(_ text: String) {
        let parts = text.uppercased().split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2,
              let a = CellRange.parseCell(Substring(parts[0])),
              let b = CellRange.parseCell(Substring(parts[1])) else { return nil }
        firstColumn = a.column
        firstRow = a.row ?? 1
        lastColumn = b.column
        lastRow = b.row ?? Int.max
        guard firstColumn <= lastColumn, firstRow <= lastRow else { return nil }
    }

    public func contains(row: Int, column: Int) -> Bool {
        row >= firstRow && row <= lastRow && column >= firstColumn && column <= lastColumn
    }

    public var description: String {
        let last = lastRow == Int.max ? "" : String(lastRow)
        return "\(CellRange.columnName(firstColumn))\(firstRow):\(CellRange.columnName(lastColumn))\(last)"
    }

    /// "AB12" → (28, 12); "AB" → (28, nil). Columns up to XFD (16,384).
    public static func parseCell(_ text: Substring) -> (column: Int, row: Int?)? {
        var column = 0
        var index = text.startIndex
        while index < text.endIndex, let a = text[index].asciiValue, a >= 65, a <= 90 {
            column = column * 26 + Int(a - 64)
            guard column <= 16_384 else { return nil }
            index = text.index(after: index)
        }
        guard column > 0 else { return nil }
        let digits = text[index...]
        if digits.isEmpty { return (column, nil) }
        guard let row = Int(digits), row >= 1, row <= 1_048_576 else { return nil }
        return (column, row)
    }

    /// 1 → "A", 28 → "AB".
    public static func columnName(_ column: Int) -> String {
        var n = column
        var letters: [Character] = []
        while n > 0 {
            let r = (n - 1) % 26
            letters.append(Character(Unicode.Scalar(UInt8(65 + r))))
            n = (n - 1) / 26
        }
        return String(letters.reversed())
    }
}
