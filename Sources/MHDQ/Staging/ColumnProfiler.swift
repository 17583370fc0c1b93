// Profiles a source's columns for `mhdq inspect`: inferred type, blank rate, sample values.

public struct ColumnProfile {
    public var header: String
    public var blanks = 0
    public var integers = 0
    public var decimals = 0
    public var dates = 0
    public var times = 0
    public var texts = 0
    public var samples: [String] = []
    public var maxLength = 0

    public var inferredType: String {
        let nonBlank = integers + decimals + dates + times + texts
        guard nonBlank > 0 else { return "empty" }
        let kinds = [("integer", integers), ("decimal", decimals + integers), ("date", dates), ("time", times), ("text", texts)]
        // A type wins when every non-blank value fits it; otherwise it is text (with the mix shown).
        for (name, n) in kinds where n == nonBlank { return name }
        let best = kinds.max { $0.1 < $1.1 }!
        return "text (\(best.1 * 100 / nonBlank)% \(best.0))"
    }
}

public struct SourceProfile {
    public var file: String
    public var sheet: String?
    public var headerRow: Int
    public var rows = 0
    public var columns: [ColumnProfile]
    public var raggedRows = 0
    public var firstRaggedRow: Int?

    public func render() -> String {
        var s = "\(file)\(sheet.map { " [\($0)]" } ?? ""): \(rows) data rows, \(columns.count) columns (header row \(headerRow))\n"
        if raggedRows > 0 { s += "  \(raggedRows) rows have a different number of fields from the header (first at row \(firstRaggedRow!))\n" }
        // A column with no header is named by its position, as staging names it; the width is that of the names
        // shown (every header empty made it 0, and cutting a name to width - 1 trapped).
        let names = columns.enumerated().map { i, c in c.header.isEmpty ? "(column \(i + 1))" : c.header }
        let width = min(32, names.map(\.count).max() ?? 6)
        for (c, var name) in zip(columns, names) {
            let blankRate = rows == 0 ? 0 : Double(c.blanks) * 100 / Double(rows)
            if name.count > width { name = String(name.prefix(width - 1)) + "…" }
            name += String(repeating: " ", count: max(0, width - name.count))
            let rate = String(Int(blankRate.rounded())) + "%"
            let samples = c.samples.map { "\"\($0.count > 24 ? String($0.prefix(23)) + "…" : $0)\"" }.joined(separator: ", ")
            s += "  \(name)  \(c.inferredType.padded(18))  blank \(rate.padded(5))  \(samples)\n"
        }
        return s
    }
}

public enum ColumnProfiler {
    public static func profile(_ source: inout some RowSource, headerRow: Int = 1, sampleCount: Int = 3) throws -> SourceProfile {
        var row = RawRow()
        var header: [String]?
        while try source.next(into: &row) {
            if row.number >= headerRow { header = row.fields; break }
        }
        guard let header else { throw MHDQError.input("the file is empty", at: source.location()) }
        var p = SourceProfile(file: source.file, sheet: source.sheet, headerRow: row.number,
                              columns: header.map { ColumnProfile(header: $0) })
        let isoDate = DateFormat.iso
        let ukDate = DateFormat(pattern: "dd/mm/yyyy")!
        func next() throws -> Bool {
            do { return try source.next(into: &row) } catch var error as MHDQError {
                error.location?.nameField(from: header.map { $0.trimmingSpaces() })
                throw error
            }
        }
        while try next() {
            p.rows += 1
            if row.count != header.count, source.sheet == nil || row.count > header.count {
                p.raggedRows += 1
                if p.firstRaggedRow == nil { p.firstRaggedRow = row.number }
            }
            for i in 0 ..< header.count {
                guard i < row.count, !row.isBlank(i) else { p.columns[i].blanks += 1; continue }
                row.withField(i) { bytes in
                    p.columns[i].maxLength = max(p.columns[i].maxLength, bytes.count)
                    if isoDate.parse(bytes) != nil || ukDate.parse(bytes) != nil { p.columns[i].dates += 1 }
                    else if TimeParsing.parse(bytes) != nil { p.columns[i].times += 1 }
                    else if bytes.allSatisfy({ $0 >= 48 && $0 <= 57 }) && bytes.count < 16 { p.columns[i].integers += 1 }
                    else if NumberParsing.parse(bytes) != nil { p.columns[i].decimals += 1 }
                    else { p.columns[i].texts += 1 }
                }
                if p.columns[i].samples.count < sampleCount {
                    let v = row.string(i)
                    if !p.columns[i].samples.contains(v) { p.columns[i].samples.append(v) }
                }
            }
        }
        return p
    }
}

extension String {
    func padded(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
