// Date, time and number recognition over field bytes, driven by the formats a manifest names.

/// One accepted date layout: "dd/mm/yyyy", "yyyy-mm-dd", "d mmm yyyy", "yyyymmdd", or "excel-serial".
public struct DateFormat: Sendable, Hashable, CustomStringConvertible {
    enum Token: Sendable, Hashable {
        case day, month, monthName, year4, year2
        case literal(UInt8)
    }

    let tokens: [Token]
    let isExcelSerial: Bool
    public let description: String
    /// The layout with two-digit days and months, which most dates in a file take: read by position.
    let fixed: FixedLayout?

    /// Byte offsets of a date whose every number has its full width ("05/09/2026" for dd/mm/yyyy).
    /// Plain integers only, so copying a `DateFormat` for each cell retains nothing more.
    struct FixedLayout: Sendable, Hashable {
        var length: Int
        var day: Int
        var month: Int
        var year: Int
        /// Up to eight separators: offsets and bytes packed a byte each.
        var literalCount: Int
        var literalOffsets: UInt64
        var literalBytes: UInt64

        init?(_ tokens: [Token]) {
            var day: Int?, month: Int?, year: Int?
            var count = 0, offsets: UInt64 = 0, bytes: UInt64 = 0
            var offset = 0
            for token in tokens {
                switch token {
                case .day: day = offset; offset += 2
                case .month: month = offset; offset += 2
                case .year4: year = offset; offset += 4
                case .literal(let c):
                    guard count < 8, offset < 256 else { return nil }
                    offsets |= UInt64(offset) << (8 * count)
                    bytes |= UInt64(c) << (8 * count)
                    count += 1
                    offset += 1
                case .monthName, .year2: return nil
                }
            }
            guard let day, let month, let year else { return nil }
            self.length = offset
            self.day = day
            self.month = month
            self.year = year
            self.literalCount = count
            self.literalOffsets = offsets
            self.literalBytes = bytes
        }
    }

    public static let excelSerial = DateFormat(tokens: [], isExcelSerial: true, description: "excel-serial")
    public static let iso = DateFormat(pattern: "yyyy-mm-dd")!
    /// When a manifest names none: ISO first (what MHSDS files carry), then UK day-first.
    public static let defaults: [DateFormat] = [.iso, DateFormat(pattern: "dd/mm/yyyy")!]

    init(tokens: [Token], isExcelSerial: Bool, description: String) {
        self.tokens = tokens
        self.isExcelSerial = isExcelSerial
        self.description = description
        self.fixed = FixedLayout(tokens)
    }

    public init?(pattern: String) {
        // "ccyy" is how the Data Dictionary writes a four-digit year.
        let p = pattern.lowercased().replacingAll("ccyy", with: "yyyy")
        if p == "excel-serial" || p == "excel" || p == "serial" {
            self = .excelSerial
            return
        }
        var tokens: [Token] = []
        var chars = Array(p.utf8)[...]
        var sawDay = false, sawMonth = false, sawYear = false
        while let c = chars.first {
            let run = chars.prefix { $0 == c }.count
            switch (c, run) {
            case (UInt8(ascii: "d"), 1 ... 2): tokens.append(.day); sawDay = true
            case (UInt8(ascii: "m"), 1 ... 2): tokens.append(.month); sawMonth = true
            case (UInt8(ascii: "m"), 3 ... 4): tokens.append(.monthName); sawMonth = true
            case (UInt8(ascii: "y"), 4): tokens.append(.year4); sawYear = true
            case (UInt8(ascii: "y"), 2): tokens.append(.year2); sawYear = true
            case (let ch, _) where !(ch >= 97 && ch <= 122):
                for _ in 0 ..< run { tokens.append(.literal(ch)) }
            default:
                return nil
            }
            chars = chars.dropFirst(run)
        }
        guard sawDay, sawMonth, sawYear else { return nil }
        self.tokens = tokens
        self.isExcelSerial = false
        self.description = pattern
        self.fixed = FixedLayout(tokens)
    }

    static let monthNames: [[UInt8]] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"].map { Array($0.utf8) }

    /// Days since 1970-01-01, or nil when `bytes` is not a valid date in this layout.
    /// A trailing midnight time (" 00:00", "T00:00:00", " 00:00:00.000") is accepted: spreadsheets add one.
    func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        if isExcelSerial { return DateFormat.parseExcelSerial(bytes) }
        if let fixed, bytes.count == fixed.length, let days = DateFormat.parseFixed(bytes, fixed) { return days }
        return parseTokens(bytes)
    }

    /// A valid date in the fixed layout, or nil for anything else (which `parseTokens` then decides the same way).
    /// The caller has checked the length. Digits are checked all at once: a byte is a digit when subtracting
    /// "0" leaves less than ten, and the eight such differences are or-ed after each is tested.
    @inline(__always) static func parseFixed(_ bytes: UnsafeBufferPointer<UInt8>, _ layout: FixedLayout) -> Int? {
        let p = bytes.baseAddress!
        var offsets = layout.literalOffsets, literals = layout.literalBytes
        for _ in 0 ..< layout.literalCount {
            guard p[Int(truncatingIfNeeded: offsets & 0xFF)] == UInt8(truncatingIfNeeded: literals) else { return nil }
            offsets &>>= 8
            literals &>>= 8
        }
        let d1 = p[layout.day] &- 48, d2 = p[layout.day &+ 1] &- 48
        let m1 = p[layout.month] &- 48, m2 = p[layout.month &+ 1] &- 48
        let y1 = p[layout.year] &- 48, y2 = p[layout.year &+ 1] &- 48, y3 = p[layout.year &+ 2] &- 48, y4 = p[layout.year &+ 3] &- 48
        let notDigit = (d1 > 9 ? 1 : 0) | (d2 > 9 ? 1 : 0) | (m1 > 9 ? 1 : 0) | (m2 > 9 ? 1 : 0)
            | (y1 > 9 ? 1 : 0) | (y2 > 9 ? 1 : 0) | (y3 > 9 ? 1 : 0) | (y4 > 9 ? 1 : 0)
        guard notDigit == 0 else { return nil }
        let day = Int(d1) &* 10 &+ Int(d2), month = Int(m1) &* 10 &+ Int(m2)
        let year = ((Int(y1) &* 10 &+ Int(y2)) &* 10 &+ Int(y3)) &* 10 &+ Int(y4)
        // Every month has 28 days: only later days need the month's length.
        guard year >= 1, month >= 1, month <= 12, day >= 1,
              day <= 28 || day <= CivilDate.daysIn(month: month, year: year) else { return nil }
        return CivilDate(year: year, month: month, day: day).days
    }

    func parseTokens(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 0
        let n = bytes.count
        var day = 0, month = 0, year = 0
        @inline(__always) func digits(max: Int, exact: Bool) -> Int? {
            var v = 0, k = 0
            while k < max, i < n, bytes[i] >= 48, bytes[i] <= 57 {
                v = v * 10 + Int(bytes[i] - 48)
                i += 1
                k += 1
            }
            if k == 0 || (exact && k != max) { return nil }
            return v
        }
        // Fixed-width layouts without separators ("yyyymmdd") need exact digit counts.
        let compact = !tokens.contains { if case .literal = $0 { return true }; return false }
        for token in tokens {
            switch token {
            case .day: guard let v = digits(max: 2, exact: compact) else { return nil }; day = v
            case .month: guard let v = digits(max: 2, exact: compact) else { return nil }; month = v
            case .year4: guard let v = digits(max: 4, exact: true) else { return nil }; year = v
            case .year2:
                guard let v = digits(max: 2, exact: true) else { return nil }
                // Two-digit years are births and events: 00-29 → 2000s, else 1900s.
                year = v < 30 ? 2000 + v : 1900 + v
            case .monthName:
                guard i + 3 <= n else { return nil }
                let three = (0 ..< 3).map { bytes[i + $0] | 0x20 }
                guard let m = DateFormat.monthNames.firstIndex(of: three) else { return nil }
                month = m + 1
                i += 3
                while i < n, (bytes[i] | 0x20) >= 97, (bytes[i] | 0x20) <= 122 { i += 1 }  // "April", "Sept"
            case .literal(let c):
                guard i < n, bytes[i] == c || (c == 32 && bytes[i] == 9) else { return nil }
                i += 1
            }
        }
        if i < n {
            // Allow a midnight time after the date.
            guard bytes[i] == 32 || bytes[i] == UInt8(ascii: "T") else { return nil }
            let rest = UnsafeBufferPointer(rebasing: bytes[(i + 1)...])
            guard let t = TimeParsing.parse(rest), t == 0 else { return nil }
        }
        guard CivilDate.isValid(year: year, month: month, day: day) else { return nil }
        return CivilDate(year: year, month: month, day: day).days
    }

    /// Excel's 1900 date system, with its phantom 29 February 1900 (serial 60).
    static func parseExcelSerial(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 12 else { return nil }
        var v = 0
        var i = 0
        while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 {
            v = v * 10 + Int(bytes[i] - 48)
            i += 1
        }
        // A fractional part is a time of day: ".0" is allowed, any other fraction is not a date.
        if i < bytes.count {
            guard bytes[i] == 46 else { return nil }
            for k in (i + 1) ..< bytes.count where bytes[k] != 48 { return nil }
        }
        guard i > 0, v >= 1, v <= 2_958_465, v != 60 else { return nil }
        let epoch1899 = CivilDate(year: 1899, month: 12, day: 31).days
        return epoch1899 + (v < 60 ? v : v - 1)
    }
}

enum TimeParsing {
    /// Seconds since midnight for "hh:mm", "hh:mm:ss", "hh:mm:ss.fff", with optional AM/PM; nil otherwise.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 0
        let n = bytes.count
        func number(_ maxDigits: Int) -> Int? {
            var v = 0, k = 0
            while k < maxDigits, i < n, bytes[i] >= 48, bytes[i] <= 57 {
                v = v * 10 + Int(bytes[i] - 48)
                i += 1
                k += 1
            }
            return k == 0 ? nil : v
        }
        guard var h = number(2), i < n, bytes[i] == 58 else { return nil }
        i += 1
        guard let m = number(2), m < 60 else { return nil }
        var s = 0
        if i < n, bytes[i] == 58 {
            i += 1
            guard let sec = number(2), sec < 60 else { return nil }
            s = sec
            if i < n, bytes[i] == 46 {
                i += 1
                while i < n, bytes[i] >= 48, bytes[i] <= 57 { i += 1 }
            }
        }
        while i < n, bytes[i] == 32 { i += 1 }
        if i < n {
            guard i + 2 == n, (bytes[i + 1] | 0x20) == UInt8(ascii: "m") else { return nil }
            let ap = bytes[i] | 0x20
            guard h >= 1, h <= 12 else { return nil }
            if ap == UInt8(ascii: "a") { if h == 12 { h = 0 } }
            else if ap == UInt8(ascii: "p") { if h != 12 { h += 12 } }
            else { return nil }
        }
        guard h < 24 else { return nil }
        return h * 3600 + m * 60 + s
    }
}

enum NumberParsing {
    /// A plain decimal number: optional sign, digits with optional thousands commas, optional fraction.
    static func parse(_ text: String) -> Double? {
        if let fast = text.utf8.withContiguousStorageIfAvailable(parseSimple), let d = fast { return d }
        return parseGeneral(text)
    }

    /// The same as `parse(_: String)`, read from a field's bytes: most numbers need no String at all.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        if let d = parseSimple(bytes) { return d }
        return parseGeneral(String(decoding: bytes, as: UTF8.self))
    }

    static let powersOfTen: [Double] = (0 ... 15).map { k in (0 ..< k).reduce(1.0) { a, _ in a * 10 } }

    /// "-?digits(.digits)?" with at most 15 digits, or nil for anything else (which `parseGeneral` decides).
    /// Both the digits and the power of ten are exact doubles, so one division rounds correctly:
    /// the result equals `Double(text)` bit for bit (Clinger's fast path).
    @inline(__always) static func parseSimple(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        let n = bytes.count
        var i = 0
        let negative = n > 0 && bytes[0] == 0x2D
        if negative { i = 1 }
        var mantissa = 0
        var digits = 0
        var fraction = 0
        var seenPoint = false
        while i < n {
            let b = bytes[i]
            if b &- 0x30 < 10 {
                mantissa = mantissa &* 10 &+ Int(b &- 0x30)
                digits += 1
                if seenPoint { fraction += 1 }
            } else if b == 0x2E && !seenPoint && digits > 0 {
                seenPoint = true
            } else {
                return nil
            }
            i += 1
        }
        guard digits > 0, digits <= 15, !seenPoint || fraction > 0 else { return nil }
        var d = Double(mantissa)
        if fraction > 0 { d /= powersOfTen[fraction] }
        return negative ? -d : d
    }

    static func parseGeneral(_ text: String) -> Double? {
        guard !text.isEmpty else { return nil }
        var s = text
        if s.contains(",") {
            // Commas only as thousands separators: "1,234" and "12,345.6", not "1,2".
            let parts = s.split(separator: ".", maxSplits: 1)
            let groups = parts[0].split(separator: ",", omittingEmptySubsequences: false)
            guard groups.count > 1, groups.dropFirst().allSatisfy({ $0.count == 3 }), !groups[0].isEmpty else { return nil }
            s = s.filter { $0 != "," }
        }
        guard let d = Double(s), d.isFinite, !s.lowercased().contains("n"), !s.contains("x") else { return nil }
        return d
    }
}
