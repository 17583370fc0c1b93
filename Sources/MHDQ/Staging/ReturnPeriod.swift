// A reporting period of an aggregate return, read in any of the forms returns use and normalised so
// that periods order and compare ("Apr-23", "April 2023" and "2023-04" are one month).

/// A month, a financial-year quarter, a calendar quarter or a year. A class so that a staged `Value`
/// holding one stays as small as one holding text.
public final class ReturnPeriod: Sendable, Hashable, Comparable, CustomStringConvertible {
    public enum Granularity: String, Sendable {
        case month, quarter, year
    }

    /// The period as the return typed it ("Apr-23").
    public let raw: String
    /// The normalised period: "2023-04", "FY2023/24 Q1", "2023 Q2", "FY2023/24", "2023".
    public let text: String
    /// First month, counted as year × 12 + (month − 1).
    public let startMonth: Int
    /// Length in months: 1, 3 or 12.
    public let months: Int
    /// Financial quarters and years start in April; calendar ones in January.
    public let financial: Bool
    public var granularity: Granularity { months == 1 ? .month : months == 3 ? .quarter : .year }

    init(raw: String, text: String, startMonth: Int, months: Int, financial: Bool = false) {
        self.raw = raw
        self.text = text
        self.startMonth = startMonth
        self.months = months
        self.financial = financial
    }

    public var description: String { text }

    /// Whole periods of this period's length from `earlier` to `self` (1 for consecutive months);
    /// nil when the two are not the same kind of period.
    public func steps(since earlier: ReturnPeriod) -> Int? {
        guard months == earlier.months, financial == earlier.financial else { return nil }
        return (startMonth - earlier.startMonth) / months
    }

    public static func == (a: ReturnPeriod, b: ReturnPeriod) -> Bool { a.startMonth == b.startMonth && a.months == b.months && a.text == b.text }
    public func hash(into h: inout Hasher) { h.combine(text) }
    /// Earlier start first; at the same start, the shorter period first (April before Q1 before the year).
    public static func < (a: ReturnPeriod, b: ReturnPeriod) -> Bool { (a.startMonth, a.months, a.text) < (b.startMonth, b.months, b.text) }

    // MARK: - Reading

    public static let formsAccepted = "2023-04, Apr-23, April 2023, 04/2023, 2023-04-30, Q1 2023/24, 2023/24 Q1, 2023 Q2, FY2023/24, 2023/24, 2023"

    /// Reads a period as returns type it; nil when the text is none of the accepted forms
    /// (or ambiguous, like "Q1 2023": calendar or financial?).
    public static func parse(_ typed: String) -> ReturnPeriod? {
        let raw = typed.trimmingSpaces()
        var tokens = PeriodTokens(raw)
        guard !tokens.items.isEmpty else { return nil }
        // A leading "FY" marks a financial year; it may be glued to the year ("FY2023/24").
        var financial = false
        if case .word(let w) = tokens.items[0], w == "fy" || w == "financial" {
            financial = true
            tokens.items.removeFirst()
            if case .word("year")? = tokens.items.first { tokens.items.removeFirst() }
        }
        let t = tokens.items
        func month(_ y: Int, _ m: Int) -> ReturnPeriod? {
            guard (1 ... 12).contains(m), (1900 ... 2999).contains(y) else { return nil }
            return ReturnPeriod(raw: raw, text: "\(y)-\(m < 10 ? "0" : "")\(m)", startMonth: y * 12 + m - 1, months: 1)
        }
        func financialYear(_ y: Int) -> ReturnPeriod? {
            guard (1900 ... 2999).contains(y) else { return nil }
            return ReturnPeriod(raw: raw, text: "FY\(y)/\(twoDigits((y + 1) % 100))", startMonth: y * 12 + 3, months: 12, financial: true)
        }
        func financialQuarter(_ q: Int, _ y: Int) -> ReturnPeriod? {
            guard (1 ... 4).contains(q), (1900 ... 2999).contains(y) else { return nil }
            return ReturnPeriod(raw: raw, text: "FY\(y)/\(twoDigits((y + 1) % 100)) Q\(q)", startMonth: y * 12 + 3 + (q - 1) * 3, months: 3, financial: true)
        }
        func calendarQuarter(_ q: Int, _ y: Int) -> ReturnPeriod? {
            guard (1 ... 4).contains(q), (1900 ... 2999).contains(y) else { return nil }
            return ReturnPeriod(raw: raw, text: "\(y) Q\(q)", startMonth: y * 12 + (q - 1) * 3, months: 3)
        }
        /// "2023/24", "2023-24", "2023/2024", "23/24": the first year when the second follows it.
        func yearPair(_ a: PeriodToken, _ b: PeriodToken) -> Int? {
            guard case .number(let x, let xd) = a, case .number(let y, let yd) = b else { return nil }
            let first = xd == 2 ? 2000 + x : x
            guard xd == 4 || xd == 2 else { return nil }
            if yd == 2, (first + 1) % 100 == y { return first }
            if yd == 4, first + 1 == y { return first }
            return nil
        }

        switch t.count {
        case 1:
            // "2023": a calendar year.
            guard !financial, case .number(let y, 4) = t[0], (1900 ... 2999).contains(y) else { return nil }
            return ReturnPeriod(raw: raw, text: "\(y)", startMonth: y * 12, months: 12)
        case 2:
            switch (t[0], t[1]) {
            case (.monthName(let m), .number(let y, let d)) where !financial && (d == 4 || d == 2):
                return month(d == 2 ? 2000 + y : y, m)            // Apr-23, April 2023
            case (.number(let y, 4), .number(let m, let d)) where !financial && d <= 2:
                // "2023-04" is ISO's April; "2011/12" and "2023-24" are financial years.
                if let fy = yearPair(t[0], t[1]), raw.contains("/") || !(1 ... 12).contains(m) { return financialYear(fy) }
                return month(y, m)
            case (.number(let y, 4), .monthName(let m)) where !financial:
                return month(y, m)                               // 2023 April
            case (.number(let m, let d), .number(let y, 4)) where !financial && d <= 2:
                return month(y, m)                               // 04/2023
            case (.quarter, .number):
                return nil                                       // "Q1 2023": calendar or financial? ambiguous
            case (.number(let y, 4), .quarter(let q)) where !financial:
                return calendarQuarter(q, y)                     // 2023 Q2, 2023-Q2
            default:
                return yearPair(t[0], t[1]).flatMap(financialYear)   // FY2023/24, 2023/24, 2023-24
            }
        case 3:
            switch (t[0], t[1], t[2]) {
            case (.quarter(let q), _, _):
                return yearPair(t[1], t[2]).flatMap { financialQuarter(q, $0) }   // Q1 2023/24
            case (_, _, .quarter(let q)):
                return yearPair(t[0], t[1]).flatMap { financialQuarter(q, $0) }   // 2023/24 Q1
            case (.number(let y, 4), .number(let m, let md), .number(let d, let dd)) where !financial && md <= 2 && dd <= 2:
                return CivilDate.isValid(year: y, month: m, day: d) ? month(y, m) : nil   // 2023-04-30
            case (.number(let d, let dd), .number(let m, let md), .number(let y, 4)) where !financial && md <= 2 && dd <= 2:
                return CivilDate.isValid(year: y, month: m, day: d) ? month(y, m) : nil   // 30/04/2023
            case (.number(let d, let dd), .monthName(let m), .number(let y, 4)) where !financial && dd <= 2:
                return CivilDate.isValid(year: y, month: m, day: d) ? month(y, m) : nil   // 30 Apr 2023
            default:
                return nil
            }
        default:
            return nil
        }
    }

    static func twoDigits(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}

enum PeriodToken: Equatable {
    /// A number and how many digits it was typed with.
    case number(Int, Int)
    case monthName(Int)
    case quarter(Int)
    case word(String)
}

/// Splits "Apr-23", "FY2023/24", "Q1 2023/24" into numbers, month names, quarters and words;
/// separators (space - / . , _) only separate.
struct PeriodTokens {
    var items: [PeriodToken] = []

    static let monthNames: [String: Int] = {
        let names = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
                     "october", "november", "december"]
        var out: [String: Int] = [:]
        for (i, n) in names.enumerated() {
            out[n] = i + 1
            out[String(n.prefix(3))] = i + 1
        }
        out["sept"] = 9
        return out
    }()

    init(_ text: String) {
        var word = "", digits = ""
        func flush() {
            if !digits.isEmpty {
                items.append(.number(Int(digits) ?? -1, digits.count))
                digits = ""
            }
            if !word.isEmpty {
                if let m = PeriodTokens.monthNames[word] {
                    items.append(.monthName(m))
                } else if word == "q" || word == "quarter" {
                    items.append(.word("q"))
                } else {
                    items.append(.word(word))
                }
                word = ""
            }
        }
        for c in text.lowercased() {
            if c.isASCII, c.isNumber {
                if !word.isEmpty { flush() }
                digits.append(c)
            } else if c.isLetter {
                if !digits.isEmpty { flush() }
                word.append(c)
            } else {
                flush()
            }
        }
        flush()
        // "Q1", "Q 1", "Quarter 1": one quarter token.
        var merged: [PeriodToken] = []
        var i = 0
        while i < items.count {
            if case .word("q") = items[i], i + 1 < items.count, case .number(let q, 1) = items[i + 1] {
                merged.append(.quarter(q))
                i += 2
            } else {
                merged.append(items[i])
                i += 1
            }
        }
        items = merged
    }
}
