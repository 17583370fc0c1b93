// Which cell styles of a workbook show numbers as dates, times or percentages (styles.xml: cellXfs and numFmts).

/// How a cell's number format shows a number that is a date or time serial (days since the workbook's epoch).
enum SerialFormat: UInt8, Sendable {
    /// Not a date or time format: the number is shown as a number.
    case number
    /// A date, or a date and time (dd/mm/yyyy, yyyy-mm-dd hh:mm).
    case date
    /// A time of day and nothing else (hh:mm, h:mm:ss AM/PM, mm:ss): the serial's whole days are not shown, so the
    /// cell is a time whatever its serial, in either date system (0 is midnight, not 1904-01-01).
    case timeOfDay
    /// An elapsed time ([h]:mm:ss, [mm]:ss): hours past 24 are shown (1.5 is 36:00:00).
    case elapsed
}

struct XLSXStyles {
    /// For each cellXfs index (a cell's `s` attribute), how its number format shows a date or time serial.
    var serialFormats: [SerialFormat] = []
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
        serialFormats = ids.map { id in custom[id].map(XLSXStyles.serialFormat(code:)) ?? XLSXStyles.serialFormat(builtIn: id) }
        isPercent = ids.map { id in custom[id].map(XLSXStyles.isPercentCode) ?? (id == 9 || id == 10) }
    }

    @inline(__always) func serialFormat(style: Int) -> SerialFormat {
        style >= 0 && style < serialFormats.count ? serialFormats[style] : .number
    }
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

    /// Built-in formats: 18 to 21 (h:mm AM/PM, h:mm:ss AM/PM, h:mm, h:mm:ss), 32 and 33 (East Asian hours and
    /// minutes), 45 and 47 (mm:ss, mmss.0) show a time of day; 46 ([h]:mm:ss) an elapsed time. (34, 35 and 50 to 58
    /// are times in some locales and dates in others: read as dates, as before.)
    static func serialFormat(builtIn id: Int) -> SerialFormat {
        switch id {
        case 18 ... 21, 32, 33, 45, 47: return .timeOfDay
        case 46: return .elapsed
        default: return isBuiltInDate(id) ? .date : .number
        }
    }

    /// How a custom format code shows a serial: a time of day when its only parts are hours, minutes, seconds (and
    /// AM/PM), elapsed when one of them is in brackets ([h]), a date when it has any day, month or year part. An m or
    /// mm is minutes right after an h or right before an s, as Excel reads it, and a month otherwise.
    static func serialFormat(code: String) -> SerialFormat {
        let parts = timeParts(code)
        guard isDateCode(code) || parts.contains(where: \.elapsed) else { return .number }
        var elapsed = false
        for (k, part) in parts.enumerated() {
            switch part.letter {
            case 0x68, 0x73:  // h s
                elapsed = elapsed || part.elapsed
            case 0x6D:  // m, mm: minutes after an h or before an s (mmm and longer are month names)
                let afterHour = k > 0 && parts[k - 1].letter == 0x68
                let beforeSecond = k + 1 < parts.count && parts[k + 1].letter == 0x73
                guard part.elapsed || (part.length <= 2 && (afterHour || beforeSecond)) else { return .date }
                elapsed = elapsed || part.elapsed
            default:
                return .date
            }
        }
        return elapsed ? .elapsed : .timeOfDay
    }

    /// The date and time parts of a format code in order, one per run of a letter (lowercased) with the run's length:
    /// live d, m, y, h, s and the other date letters (a: weekday names; e, g, b: East Asian and Buddhist eras and
    /// years), and [h], [m], [s] (elapsed). Quoted text, other [brackets], escaped characters and the AM/PM and A/P
    /// markers are not parts.
    static func timeParts(_ code: String) -> [(letter: UInt8, length: Int, elapsed: Bool)] {
        let bytes = Array(code.utf8).map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        var parts: [(letter: UInt8, length: Int, elapsed: Bool)] = []
        var lastLetter = -1  // where the last part's letter was seen, to tell a run (mm) from a new part
        var i = 0
        func starts(with marker: String, at k: Int) -> Bool {
            let m = Array(marker.utf8)
            return k + m.count <= bytes.count && bytes[k ..< k + m.count].elementsEqual(m)
        }
        while i < bytes.count {
            let c = bytes[i]
            switch c {
            case 0x22:  // "quoted"
                i += 1
                while i < bytes.count && bytes[i] != 0x22 { i += 1 }
                i += 1
            case 0x5B:  // [bracket]: elapsed when only h, only m or only s
                var j = i + 1
                while j < bytes.count && bytes[j] != 0x5D { j += 1 }
                let inside = bytes[min(i + 1, j) ..< j]
                if let first = inside.first, [0x68, 0x6D, 0x73].contains(first), inside.allSatisfy({ $0 == first }) {
                    parts.append((first, inside.count, true))
                }
                i = j + 1
            case 0x5C, 0x5F, 0x2A:  // \x, _x, *x
                i += 2
            case 0x61 where starts(with: "am/pm", at: i):
                i += 5
            case 0x61 where starts(with: "a/p", at: i):
                i += 3
            case 0x64, 0x6D, 0x79, 0x68, 0x73, 0x61, 0x65, 0x67, 0x62:  // d m y h s a e g b
                if lastLetter >= 0 && lastLetter == i - 1 && bytes[lastLetter] == c {
                    parts[parts.count - 1].length += 1
                } else {
                    parts.append((c, 1, false))
                }
                lastLetter = i
                i += 1
            default:
                i += 1
            }
        }
        return parts
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
