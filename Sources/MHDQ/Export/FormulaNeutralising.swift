// The one rule for text a spreadsheet would run as a formula, shared by the CSV and XLSX writers.

public enum FormulaNeutralising {
    /// A text cell starting with = + - @ tab or CR would run as a formula in Excel (or in the
    /// spreadsheet a CSV is pasted into): such text is prefixed with an apostrophe.
    public static func needsNeutralising<Bytes: Collection>(utf8 bytes: Bytes) -> Bool where Bytes.Element == UInt8 {
        guard let first = bytes.first else { return false }
        guard first == 0x3D || first == 0x2B || first == 0x2D || first == 0x40 || first == 0x09 || first == 0x0D else { return false }
        // A plain negative number is data, not a formula.
        if first == 0x2D, isDecimal(bytes.dropFirst()) { return false }
        return true
    }

    /// digits[.digits][e[+-]digits]: a number to a spreadsheet. Not Swift's `Double(String)`, which also takes
    /// inf, nan and hexadecimal floats (-inf, -nan, -0x1p3), text that Excel runs as a formula.
    static func isDecimal<Bytes: Collection>(_ bytes: Bytes) -> Bool where Bytes.Element == UInt8 {
        var i = bytes.startIndex
        func digits() -> Bool {
            let start = i
            while i != bytes.endIndex, bytes[i] >= 0x30, bytes[i] <= 0x39 { i = bytes.index(after: i) }
            return i != start
        }
        guard digits() else { return false }
        if i != bytes.endIndex, bytes[i] == 0x2E {
            i = bytes.index(after: i)
            guard digits() else { return false }
        }
        if i != bytes.endIndex, bytes[i] == 0x65 || bytes[i] == 0x45 {
            i = bytes.index(after: i)
            if i != bytes.endIndex, bytes[i] == 0x2B || bytes[i] == 0x2D { i = bytes.index(after: i) }
            guard digits() else { return false }
        }
        return i == bytes.endIndex
    }

    public static func needsNeutralising(_ s: String) -> Bool { needsNeutralising(utf8: s.utf8) }

    /// The text as a spreadsheet may safely show it.
    public static func neutralised(_ s: String) -> String { needsNeutralising(s) ? "'" + s : s }

    /// What neutralising puts in front of the text.
    public static let prefix: UInt8 = 0x27  // '
}
