// Which cell styles of a workbook show numbers as dates or percentages (styles.xml: cellXfs and numFmts).

struct XLSXStyles {
    /// For each cellXfs index (a cell's `s` attribute), whether its number format is a date or time.
    var isDate: [Bool] = []
    /// For each cellXfs index, whether its number format shows the number as a percentage (0.7402 as 74.02%).
    var isPercent: [Bool] = []

    init() {}

    init(events: [XMLEventList.Event]) {
        var custom: [Int: String] = [:]
        var ids: [Int] = []
        var inCellXfs = false
        for event in events {
            switch event {
            case .start("numFmt", let attrs):
                if let id = attrs["numFmtId"].flatMap({ Int($0) }), let code = attrs["formatCode"] { custom[id] = code }
            case .start("cellXfs", _):
                inCellXfs = true
            case .end("cellXfs"):
                inCellXfs = false
            case .start("xf", let attrs) where inCellXfs:
                ids.append(attrs["numFmtId"].flatMap { Int($0) } ?? 0)
            default:
                break
            }
        }
        isDate = ids.map { id in custom[id].map(XLSXStyles.isDateCode) ?? XLSXStyles.isBuiltInDate(id) }
        isPercent = ids.map { id in custom[id].map(XLSXStyles.isPercentCode) ?? (id == 9 || id == 10) }
    }

    @inline(__always) func isDate(style: Int) -> Bool { style >= 0 && style < isDate.count && isDate[style] }
    @inline(__always) func isPercent(style: Int) -> Bool { style >= 0 && style < isPercent.count && isPercent[style] }

    /// A custom format shows a percentage when it has % outside quoted text, [brackets] and escapes ("0.00%").
    static func isPercentCode(_ code: String) -> Bool {
        containsLive(code) { $0 == 0x25 }
    }

    /// Built-in number formats that show dates or times (ECMA-376 Part 1, 18.8.30, with the
    /// East Asian date ids Excel uses).
    static func isBuiltInDate(_ id: Int) -> Bool {
        (14 ... 22).contains(id) || (27 ... 36).contains(id) || (45 ... 47).contains(id) || (50 ... 58).contains(id)
    }

    /// A custom format is a date or time format when it has d, m, y, h or s outside quoted
    /// text, [brackets] (colours, conditions, locales) and escaped characters.
    static func isDateCode(_ code: String) -> Bool {
        containsLive(code) { [0x64, 0x6D, 0x79, 0x68, 0x73, 0x44, 0x4D, 0x59, 0x48, 0x53].contains($0) }  // dmyhs DMYHS
    }

    /// Whether a format code has a byte matching `test` outside quoted text, [brackets] and the
    /// characters escaped by \x, _x (space of x's width) and *x (fill).
    static func containsLive(_ code: String, _ test: (UInt8) -> Bool) -> Bool {
        var quoted = false, bracket = false, skipNext = false
        for c in code.utf8 {
            if skipNext { skipNext = false; continue }
            if quoted { if c == 0x22 { quoted = false }; continue }
            if bracket { if c == 0x5D { bracket = false }; continue }
            switch c {
            case 0x22: quoted = true
            case 0x5B: bracket = true
            case 0x5C, 0x5F, 0x2A: skipNext = true
            default: if test(c) { return true }
            }
        }
        return false
    }
}
