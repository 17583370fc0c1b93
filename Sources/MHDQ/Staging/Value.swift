// A staged value: typed where the dataset says so, the raw text kept when it could not be typed.

public enum Value: Sendable, Hashable {
    case null
    case text(String)
    case number(Double)
    /// Days since 1970-01-01.
    case date(Int)
    /// Seconds since midnight.
    case time(Int)
    /// Seconds since 1970-01-01T00:00:00.
    case dateTime(Int)
    case bool(Bool)
    /// A value an aggregate return typed by hand, kept as typed beside what it means: fields of type amount
    /// and period. One case for both: every extra reference-counted case makes copying any Value dearer.
    case typed(TypedValue)

    public var isNull: Bool { if case .null = self { return true }; return false }

    /// Null, or text of only spaces and tabs (the rule language's "is blank").
    @inline(__always) var isBlank: Bool {
        switch self {
        case .null: return true
        case .text(let s): return TextBytes.isBlank(s)
        default: return false
        }
    }

    /// The value as MHSDS writes it: dates CCYY-MM-DD, times hh:mm:ss, numbers without a needless ".0".
    public var text: String {
        switch self {
        case .null: return ""
        case .text(let s): return s
        case .number(let d): return Value.format(d)
        case .date(let days): return CivilDate(days: days).iso
        case .time(let s): return Value.formatTime(s)
        case .dateTime(let s):
            let days = s >= 0 ? s / 86_400 : (s - 86_399) / 86_400
            return CivilDate(days: days).iso + "T" + Value.formatTime(s - days * 86_400)
        case .bool(let b): return b ? "true" : "false"
        case .typed(.amount(let a)): return a.raw
        case .typed(.period(let p)): return p.text
        }
    }

    /// Amounts take part in arithmetic as their number (blank when they are a marker such as "*").
    @inline(__always) public var arithmetic: Value {
        if case .typed(.amount(let a)) = self { return a.number.map { .number($0) } ?? .null }
        return self
    }

    /// The value as a number for arithmetic and comparison: numbers, and amounts that are numbers.
    public var numeric: Double? {
        switch self {
        case .number(let d): return d
        case .typed(.amount(let a)): return a.number
        default: return nil
        }
    }

    /// A number as a plain number (an amount typed "8,330" is 8330), anything else as `text`: for columns that
    /// hold numbers, which a spreadsheet can only sum when they are written without the return's separators.
    public var plainNumberText: String {
        numeric.map(Value.format) ?? text
    }

    public static func format(_ d: Double) -> String {
        if d == d.rounded(), abs(d) < 1e15 { return String(Int(d)) }
        // Never "4e-05" or "1e+21": flat files and reports carry plain decimals.
        return d.isFinite ? DecimalText.plain(d) : String(d)
    }

    static func formatTime(_ s: Int) -> String {
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(two(s / 3600)):\(two(s / 60 % 60)):\(two(s % 60))"
    }
}

/// What an aggregate return typed: a number as typed ("74.02%", "*", "Unavailable"), or a reporting period
/// normalised ("Apr-23" is 2023-04).
public enum TypedValue: Sendable, Hashable {
    case amount(Amount)
    case period(ReturnPeriod)
}

/// A proleptic Gregorian calendar date (no time zone: MHSDS dates are civil dates).
public struct CivilDate: Sendable, Hashable, Comparable {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    public static func isValid(year: Int, month: Int, day: Int) -> Bool {
        guard year >= 1, year <= 9999, month >= 1, month <= 12, day >= 1 else { return false }
        return day <= daysIn(month: month, year: year)
    }

    public static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    @inline(__always) public var days: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public init(days: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = doy - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    }

    public var iso: String {
        // Years 0-9999 (every date data carries): ten digits and dashes written as bytes.
        if (0 ... 9999).contains(year), (1 ... 12).contains(month), (1 ... 31).contains(day) {
            return String(unsafeUninitializedCapacity: 10) { b in
                b[0] = UInt8(48 + year / 1000); b[1] = UInt8(48 + year / 100 % 10); b[2] = UInt8(48 + year / 10 % 10); b[3] = UInt8(48 + year % 10)
                b[4] = 0x2D; b[5] = UInt8(48 + month / 10); b[6] = UInt8(48 + month % 10)
                b[7] = 0x2D; b[8] = UInt8(48 + day / 10); b[9] = UInt8(48 + day % 10)
                return 10
            }
        }
        func pad(_ n: Int, _ w: Int) -> String {
            let s = String(n)
            return s.count >= w ? s : String(repeating: "0", count: w - s.count) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// The month as CCYY-MM (for grouping): the first seven characters of `iso`, made without slicing it.
    public var isoMonth: String {
        guard (0 ... 9999).contains(year), (1 ... 12).contains(month) else { return String(iso.prefix(7)) }
        return String(unsafeUninitializedCapacity: 7) { b in
            b[0] = UInt8(48 + year / 1000); b[1] = UInt8(48 + year / 100 % 10); b[2] = UInt8(48 + year / 10 % 10); b[3] = UInt8(48 + year % 10)
            b[4] = 0x2D; b[5] = UInt8(48 + month / 10); b[6] = UInt8(48 + month % 10)
            return 7
        }
    }

    /// Whole years from `self` to `later` (an age on a date).
    public func years(until later: CivilDate) -> Int {
        var years = later.year - year
        if (later.month, later.day) < (month, day) { years -= 1 }
        return years
    }

    public static func < (a: CivilDate, b: CivilDate) -> Bool { a.days < b.days }
}
