// The functions rule expressions may call: one table that the compiler and `mhdq help rules` share.

public struct RuleFunction: Sendable {
    public var name: String
    public var signature: String
    public var summary: String
    public var arity: ClosedRange<Int>
    /// Context the function needs to run ("ods", "postcodes", "period").
    public var needs: String?
    /// What a call gives, as far as can be told before a record is read: lint refuses a number used as a
    /// condition, a date compared with a number, arithmetic on text.
    public var gives: Gives
    var implementation: @Sendable (EvalContext, RuleArguments) -> Value

    public enum Gives: Sendable {
        /// True, false or unknown: a condition.
        case truth
        /// A number, text or a date (or blank), never true or false.
        case number, text, date
        /// Its argument's kind (trim, upper and lower give back what is not text as it is).
        case itsArgument
        /// A value of a kind that depends on the record, never true or false.
        case value
        /// Anything, true or false included (if(), coalesce(), lookup(), setting()).
        case unknown

        /// Never true or false.
        var isValue: Bool { self != .truth && self != .unknown }
    }
}

/// A call's argument values, the first three held inline: calling a rule function (millions of times a run)
/// allocates nothing, where an array of arguments was an allocation and a release per call.
public struct RuleArguments: RandomAccessCollection {
    private var a0: Value = .null, a1: Value = .null, a2: Value = .null
    private var more: [Value] = []
    public let count: Int

    init() { count = 0 }
    init(_ x: Value) { a0 = x; count = 1 }
    init(_ x: Value, _ y: Value) { a0 = x; a1 = y; count = 2 }
    init(_ x: Value, _ y: Value, _ z: Value) { a0 = x; a1 = y; a2 = z; count = 3 }
    init(_ values: [Value]) {
        count = values.count
        if count > 0 { a0 = values[0] }
        if count > 1 { a1 = values[1] }
        if count > 2 { a2 = values[2] }
        if count > 3 { more = Array(values[3...]) }
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(i: Int) -> Value {
        precondition(i >= 0 && i < count, "argument index out of range")
        switch i {
        case 0: return a0
        case 1: return a1
        case 2: return a2
        default: return more[i - 3]
        }
    }
}

public enum RuleFunctions {
    /// The function called `name`, if there is one.
    static func named(_ name: String) -> RuleFunction? { byName[name] }
    private static let byName: [String: RuleFunction] = Dictionary(all.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })

    public static let all: [RuleFunction] = [
        RuleFunction(name: "trim", signature: "trim(text)", summary: "text without leading and trailing spaces", arity: 1 ... 1, needs: nil, gives: .itsArgument) { _, a in
            guard case .text(var s) = a[0] else { return a[0] }
            // Most values have nothing to trim: their first and last bytes cannot begin or end a space,
            // tab, CR, LF or no-break space, and they are returned as they are (no new String).
            let untouched = s.withUTF8 { b -> Bool in
                guard let first = b.first, let last = b.last else { return false }
                return first != 0x20 && first != 0x09 && first != 0x0D && first != 0x0A && first != 0xC2
                    && last != 0x20 && last != 0x09 && last != 0x0D && last != 0x0A && last != 0xA0
            }
            if untouched { return a[0] }
            let t = s.trimmingSpaces()
            return t.isEmpty ? .null : .text(t)
        },
        RuleFunction(name: "upper", signature: "upper(text)", summary: "text in upper case", arity: 1 ... 1, needs: nil, gives: .itsArgument) { _, a in
            guard case .text(let s) = a[0] else { return a[0] }
            if let ascii = ASCIICase.convert(s, upper: true) { return ascii.map { .text($0) } ?? a[0] }
            return .text(s.uppercased())
        },
        RuleFunction(name: "lower", signature: "lower(text)", summary: "text in lower case", arity: 1 ... 1, needs: nil, gives: .itsArgument) { _, a in
            guard case .text(let s) = a[0] else { return a[0] }
            if let ascii = ASCIICase.convert(s, upper: false) { return ascii.map { .text($0) } ?? a[0] }
            return .text(s.lowercased())
        },
        RuleFunction(name: "first", signature: "first(text)", summary: "the first character (ETHNIC CATEGORY's national code)", arity: 1 ... 1, needs: nil, gives: .text) { _, a in
            if case .null = a[0] { return .null }
            var s = a[0].text
            // An ASCII first byte followed by another ASCII byte (not CR LF) or nothing is the first
            // Character by itself (every grapheme extender is non-ASCII): no Character to build.
            if let byte = s.withUTF8({ b -> UInt8? in
                guard let c = b.first, c < 0x80 else { return nil }
                return b.count == 1 || (b[1] < 0x80 && !(c == 0x0D && b[1] == 0x0A)) ? c : nil
            }) { return .text(String(UnicodeScalar(byte))) }
            return s.isEmpty ? .null : .text(String(s.first!))
        },
        RuleFunction(name: "length", signature: "length(text)", summary: "number of characters", arity: 1 ... 1, needs: nil, gives: .number) { _, a in
            if case .null = a[0] { return .null }
            return .number(Double(a[0].text.count))
        },
        RuleFunction(name: "substr", signature: "substr(text, start, count)", summary: "part of the text, counting from 1", arity: 3 ... 3, needs: nil, gives: .text) { _, a in
            guard case .number(let st) = a[1], case .number(let n) = a[2], st >= 1, n >= 0 else { return .null }
            if case .null = a[0] { return .null }
            let chars = Array(a[0].text)
            // Compared as numbers first: a start or count past the text (1e20 included) is the text's end.
            let from = st - 1 >= Double(chars.count) ? chars.count : Int(st) - 1
            let to = n >= Double(chars.count - from) ? chars.count : from + Int(n)
            return .text(String(chars[from ..< to]))
        },
        RuleFunction(name: "is_date", signature: "is_date(field)", summary: "true when the value was staged as a date", arity: 1 ... 1, needs: nil, gives: .truth) { _, a in
            if case .null = a[0] { return .null }
            if case .date = a[0] { return .bool(true) }
            return .bool(false)
        },
        RuleFunction(name: "is_time", signature: "is_time(field)", summary: "true when the value was staged as a time", arity: 1 ... 1, needs: nil, gives: .truth) { _, a in
            if case .null = a[0] { return .null }
            if case .time = a[0] { return .bool(true) }
            return .bool(false)
        },
        RuleFunction(name: "is_number", signature: "is_number(value)", summary: "true when the value is a number (or text that reads as one)", arity: 1 ... 1, needs: nil, gives: .truth) { _, a in
            switch a[0] {
            case .null: return .null
            case .number: return .bool(true)
            case .typed(.amount(let x)): return .bool(x.number != nil)
            case .text(let s): return .bool(NumberParsing.parse(s) != nil)
            default: return .bool(false)
            }
        },
        RuleFunction(name: "number", signature: "number(value)", summary: "text read as a number (blank if it is not one)", arity: 1 ... 1, needs: nil, gives: .number) { _, a in
            switch a[0] {
            case .number: return a[0]
            case .typed(.amount(let x)): return x.number.map { .number($0) } ?? .null
            case .text(let s): return NumberParsing.parse(s).map { .number($0) } ?? .null
            default: return .null
            }
        },
        RuleFunction(name: "format_ok", signature: "format_ok(field)", summary: "true when the value fits the field's Data Dictionary format (Rules/datasets)", arity: 1 ... 1, needs: nil, gives: .truth) { _, _ in .null },
        RuleFunction(name: "date", signature: "date(\"CCYY-MM-DD\")", summary: "a date literal", arity: 1 ... 1, needs: nil, gives: .date) { _, _ in .null },
        RuleFunction(name: "to_date", signature: "to_date(text)", summary: "text in CCYY-MM-DD read as a date (blank if it is not one)", arity: 1 ... 1, needs: nil, gives: .date) { _, a in
            switch a[0] {
            case .date: return a[0]
            case .text(let s): return ExpressionCompiler.parseISODate(s).map { .date($0) } ?? .null
            default: return .null
            }
        },
        RuleFunction(name: "period_start", signature: "period_start()", summary: "first day of the reporting period", arity: 0 ... 0, needs: "period", gives: .date) { _, _ in .null },
        RuleFunction(name: "period_end", signature: "period_end()", summary: "last day of the reporting period", arity: 0 ... 0, needs: "period", gives: .date) { _, _ in .null },
        RuleFunction(name: "age", signature: "age(birth_date, at_date)", summary: "age in whole years at a date", arity: 2 ... 2, needs: nil, gives: .number) { _, a in
            guard let b = dayOf(a[0]), let at = dayOf(a[1]) else { return .null }
            return .number(Double(CivilDate(days: b).years(until: CivilDate(days: at))))
        },
        RuleFunction(name: "days_between", signature: "days_between(from, to)", summary: "days from the first date to the second (negative if earlier)", arity: 2 ... 2, needs: nil, gives: .number) { _, a in
            guard let x = dayOf(a[0]), let y = dayOf(a[1]) else { return .null }
            return .number(Double(y - x))
        },
        RuleFunction(name: "add_days", signature: "add_days(date, n)", summary: "the date n days later", arity: 2 ... 2, needs: nil, gives: .date) { _, a in
            guard let d = dayOf(a[0]), case .number(let n) = a[1] else { return .null }
            return shifted(d, days: n.rounded(.towardZero))
        },
        RuleFunction(name: "add_months", signature: "add_months(date, n)", summary: "the date n months later (day clamped to the month's end)", arity: 2 ... 2, needs: nil, gives: .date) { _, a in
            guard let d = dayOf(a[0]), case .number(let n) = a[1] else { return .null }
            let c = CivilDate(days: d)
            // A date beyond years 1 to 9999 is blank, as a count of months that large is.
            guard abs(n) <= 120_000 else { return .null }
            let total = c.year * 12 + (c.month - 1) + Int(n)
            let y = total / 12, m = total % 12 + 1
            guard y >= 1, y <= 9999 else { return .null }
            return .date(CivilDate(year: y, month: m, day: min(c.day, CivilDate.daysIn(month: m, year: y))).days)
        },
        RuleFunction(name: "year", signature: "year(date)", summary: "the year of a date", arity: 1 ... 1, needs: nil, gives: .number) { _, a in
            guard let d = dayOf(a[0]) else { return .null }
            return .number(Double(CivilDate(days: d).year))
        },
        RuleFunction(name: "month", signature: "month(date)", summary: "the month of a date as CCYY-MM (for grouping)", arity: 1 ... 1, needs: nil, gives: .text) { _, a in
            guard let d = dayOf(a[0]) else { return .null }
            return .text(CivilDate(days: d).isoMonth)
        },
        RuleFunction(name: "if", signature: "if(condition, then, else)", summary: "then when the condition is true, else otherwise (also when unknown)", arity: 3 ... 3, needs: nil, gives: .unknown) { _, a in
            if case .bool(true) = a[0] { return a[1] }
            return a[2]
        },
        RuleFunction(name: "coalesce", signature: "coalesce(a, b, ...)", summary: "the first value that is not blank", arity: 1 ... 8, needs: nil, gives: .unknown) { _, a in
            a.first { !$0.isBlank } ?? .null
        },
        RuleFunction(name: "nhs_number_valid", signature: "nhs_number_valid(text)", summary: "10 digits with a correct Modulus 11 check digit", arity: 1 ... 1, needs: nil, gives: .truth) { _, a in
            if a[0].isBlank { return .null }
            return .bool(Identifiers.nhsNumberValid(a[0].text))
        },
        RuleFunction(name: "postcode_valid", signature: "postcode_valid(text)", summary: "a UK postcode in one of the standard formats (AN NAA ... AANA NAA)", arity: 1 ... 1, needs: nil, gives: .truth) { _, a in
            if a[0].isBlank { return .null }
            return .bool(Identifiers.postcodeValid(a[0].text))
        },
        RuleFunction(name: "postcode_active", signature: "postcode_active(text)", summary: "in the active postcode table the manifest supplies", arity: 1 ... 1, needs: "postcodes", gives: .truth) { ctx, a in
            guard case .text(let s) = a[0], let set = ctx.reference.postcodes else { return .null }
            return .bool(set.contains(Identifiers.normalisePostcode(s)))
        },
        RuleFunction(name: "ods_live", signature: "ods_live(code, [from, to])", summary: "the organisation is in the supplied ODS table and open at some point between the dates (or at all)", arity: 1 ... 3, needs: "ods", gives: .truth) { ctx, a in
            guard case .text(let code) = a[0], let ods = ctx.reference.ods else { return .null }
            guard let entry = ods[code.uppercased()] else { return .bool(false) }
            let from = a.count > 1 ? dayOf(a[1]) : nil
            let to = a.count > 2 ? dayOf(a[2]) : from
            if let to, let open = entry.open, open > to { return .bool(false) }
            if let from, let close = entry.close, close < from { return .bool(false) }
            return .bool(true)
        },
        RuleFunction(name: "in_reference", signature: "in_reference(\"list\", value)", summary: "the value is in a reference list the manifest's [context] supplies as a file (list = FILE)", arity: 2 ... 2, needs: nil, gives: .truth) { _, _ in .null },
        RuleFunction(name: "setting", signature: "setting(\"name\")", summary: "a threshold from pack.toml [settings] (a manifest's [settings] overrides it), or a value the manifest's [context] gives (portal_org, upload_date)", arity: 1 ... 1, needs: nil, gives: .unknown) { _, _ in .null },
        RuleFunction(name: "lookup", signature: "lookup(TABLE.FIELD, key)", summary: "a field of the record of an earlier table whose key equals key", arity: 2 ... 2, needs: nil, gives: .unknown) { _, _ in .null },
        RuleFunction(name: "codes", signature: "codes(\"list\")", summary: "a national code list under Rules/codes, used after \"in\"", arity: 1 ... 1, needs: nil, gives: .unknown) { _, _ in .null },
    ] + MetricHistoryFunctions.catalogue + ReturnValueFunctions.all + WindowFunctions.all

    /// The days of the dates a rule can make: years 1 to 9999, the dates staging reads.
    static let dayRange = CivilDate(year: 1, month: 1, day: 1).days ... CivilDate(year: 9999, month: 12, day: 31).days

    /// `day` moved by a whole number of days; blank when the date would fall outside years 1 to 9999 (a
    /// number of days such as 1e20 included: it is no Int, and no date).
    static func shifted(_ day: Int, days n: Double) -> Value {
        guard abs(n) <= Double(dayRange.count) else { return .null }
        let d = day + Int(n)
        return dayRange.contains(d) ? .date(d) : .null
    }

    static func dayOf(_ v: Value) -> Int? {
        switch v {
        case .date(let d): return d
        case .dateTime(let s): return s >= 0 ? s / 86_400 : (s - 86_399) / 86_400
        default: return nil
        }
    }
}

/// Case conversion of ASCII text on its bytes (codes and identifiers, nearly every value a rule upper-cases).
enum ASCIICase {
    /// nil when the text has bytes outside ASCII (the caller converts it the Unicode way); .some(nil) when it
    /// is already in the case asked for (the caller keeps the value it has); else the converted text.
    static func convert(_ text: String, upper: Bool) -> String?? {
        var text = text
        return text.withUTF8 { bytes -> String?? in
            let from: ClosedRange<UInt8> = upper ? 0x61 ... 0x7A : 0x41 ... 0x5A
            var change = false
            for b in bytes {
                if b >= 0x80 { return nil }
                if from.contains(b) { change = true }
            }
            guard change else { return .some(nil) }
            return .some(String(decoding: bytes.map { from.contains($0) ? $0 ^ 0x20 : $0 }, as: UTF8.self))
        }
    }
}

public enum Identifiers {
    /// NHS number: 10 digits; weights 10..2 over the first nine; 11 − remainder; 11 → 0; 10 → invalid.
    public static func nhsNumberValid(_ s: String) -> Bool {
        let digits = Array(s.utf8)
        guard digits.count == 10, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return false }
        var sum = 0
        for i in 0 ..< 9 { sum += Int(digits[i] - 48) * (10 - i) }
        var check = 11 - sum % 11
        if check == 11 { check = 0 }
        if check == 10 { return false }
        return check == Int(digits[9] - 48)
    }

    public static func normalisePostcode(_ s: String) -> String {
        String(s.uppercased().filter { $0 != " " })
    }

    /// The UK postcode formats: outward code (A9, A99, AA9, AA99, A9A, AA9A) then inward code (9AA), one space optional.
    public static func postcodeValid(_ s: String) -> Bool {
        var text = s
        if let ascii = text.withUTF8({ asciiPostcodeValid($0) }) { return ascii }
        return unicodePostcodeValid(s)
    }

    /// The same test on ASCII bytes, with nothing allocated; nil when the text has other bytes.
    static func asciiPostcodeValid(_ raw: UnsafeBufferPointer<UInt8>) -> Bool? {
        var packed: UInt64 = 0          // the characters other than spaces, upper-cased, a byte each
        var n = 0, spaces = 0, spaceAt = -1
        for (i, byte) in raw.enumerated() {
            guard byte < 0x80 else { return nil }
            if byte == 32 { spaces += 1; spaceAt = i; continue }
            if n < 8 { packed |= UInt64(byte >= 0x61 && byte <= 0x7A ? byte - 0x20 : byte) << (8 * UInt64(n)) }
            n += 1
        }
        guard n >= 5, n <= 7, raw.count <= 8 else { return false }
        if spaces > 1 || (spaces == 1 && spaceAt != raw.count - 4) { return false }
        func at(_ k: Int) -> UInt8 { UInt8(truncatingIfNeeded: packed >> (8 * UInt64(k))) }
        func isLetter(_ b: UInt8) -> Bool { b >= 65 && b <= 90 }
        func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
        guard isDigit(at(n - 3)), isLetter(at(n - 2)), isLetter(at(n - 1)) else { return false }
        // The outward code's shape in base 4 (letter 1, digit 2, other 3): A9 is 6, A99 26, AA9 22, A9A 25,
        // AA99 90, AA9A 89 (distinct across lengths, as no digit is 0).
        var shape = 0
        for k in 0 ..< n - 3 { shape = shape * 4 + (isLetter(at(k)) ? 1 : isDigit(at(k)) ? 2 : 3) }
        switch shape {
        case 6, 26, 22, 25, 90, 89: return true
        default: return false
        }
    }

    static func unicodePostcodeValid(_ s: String) -> Bool {
        let up = Array(s.uppercased().utf8)
        var compact = up.filter { $0 != 32 }
        guard compact.count >= 5, compact.count <= 7, up.count <= 8 else { return false }
        // At most one space, and only between outward and inward codes.
        let spaces = up.filter { $0 == 32 }.count
        if spaces > 1 || (spaces == 1 && up[up.count - 4] != 32) { return false }
        func isLetter(_ b: UInt8) -> Bool { b >= 65 && b <= 90 }
        func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
        let inward = compact.suffix(3)
        let i = Array(inward)
        guard isDigit(i[0]), isLetter(i[1]), isLetter(i[2]) else { return false }
        compact.removeLast(3)
        let o = compact
        let shape = String(o.map { isLetter($0) ? "A" : isDigit($0) ? "9" : "?" })
        return ["A9", "A99", "AA9", "AA99", "A9A", "AA9A"].contains(shape)
    }
}

/// A Data Dictionary format ("an10 CCYY-MM-DD", "max an20", "min an3 max an6", "n10", "max n4") as a check.
public struct FormatSpec: Sendable {
    enum Kind: Sendable { case date, time, dateTime, text, digits, decimal }
    let kind: Kind
    let minLength: Int
    let maxLength: Int

    public init?(_ spec: String) {
        let s = spec.lowercased()
        if s.contains("ccyy-mm-ddthh") || s.contains("ccyy-mm-dd hh") { kind = .dateTime; minLength = 0; maxLength = .max; return }
        if s.contains("ccyy-mm-dd") { kind = .date; minLength = 0; maxLength = .max; return }
        if s.contains("hh:mm") { kind = .time; minLength = 0; maxLength = .max; return }
        let words = s.split(separator: " ").map(String.init)
        var minL: Int?, maxL: Int?, exact: Int?
        var isNumeric: Bool?
        var decimal = false
        var i = 0
        while i < words.count {
            let w = words[i]
            let qualifier = (w == "min" || w == "max") ? w : nil
            let token = qualifier != nil ? (i + 1 < words.count ? words[i + 1] : "") : w
            if qualifier != nil { i += 1 }
            i += 1
            let numeric: Bool
            let digits: Substring
            if token.hasPrefix("an") { numeric = false; digits = token.dropFirst(2) }
            else if token.hasPrefix("n") { numeric = true; digits = token.dropFirst(1) }
            else { return nil }
            // "max n3.2": a decimal with digits before and after the point.
            let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count <= 2, let n = FormatSpec.length(parts[0]) else { return nil }
            if parts.count == 2 {
                guard let after = FormatSpec.length(parts[1]) else { return nil }
                isNumeric = true; maxL = n + 1 + after; decimal = true; continue
            }
            isNumeric = numeric
            switch qualifier {
            case "min": minL = n
            case "max": maxL = n
            default: exact = n
            }
        }
        guard let isNumeric else { return nil }
        kind = decimal ? .decimal : (isNumeric ? .digits : .text)
        minLength = exact ?? minL ?? 1
        maxLength = exact ?? maxL ?? .max
        if minLength > maxLength { return nil }
    }

    /// The longest length a format may give: the Data Dictionary's are a few hundred characters at most.
    static let maximumLength = 100_000

    /// A length in a format: ASCII digits only (no sign: "max n-5" is no format), at most `maximumLength`.
    static func length(_ digits: Substring) -> Int? {
        guard !digits.isEmpty, digits.count <= 6, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let n = Int(digits), n <= maximumLength else { return nil }
        return n
    }

    /// Why `spec` is refused, when it is written as a length format ("max n4", "an2", "min an3 max an6") that
    /// FormatSpec does not read; nil for one it reads, and for a description ("number as typed") that is no
    /// length format at all.
    public static func problem(_ spec: String) -> String? {
        guard FormatSpec(spec) == nil, let first = spec.lowercased().split(separator: " ").first else { return nil }
        let lengthLike = first == "min" || first == "max"
            || ((first.hasPrefix("an") ? first.dropFirst(2) : first.hasPrefix("n") ? first.dropFirst() : "x")
                .first.map { $0.isNumber || $0 == "-" || $0 == "+" || $0 == "." } ?? false)
        guard lengthLike else { return nil }
        return "format \"\(spec)\" is not understood: lengths are whole numbers from 0 to \(maximumLength) (an20, max n4, min an3 max an6, max n3.2, with the minimum at most the maximum); see Rules/datasets/README.md"
    }

    /// The length of all-ASCII text (one character a byte), or nil when it has other bytes.
    @inline(__always) static func asciiLength(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var high: UInt8 = 0
        for b in bytes { high |= b }
        return high < 0x80 ? bytes.count : nil
    }

    /// How many characters `Value.format` writes for a whole number (a minus sign counted), or nil for
    /// numbers it writes another way.
    @inline(__always) static func integerLength(_ d: Double) -> Int? {
        guard d == d.rounded(), abs(d) < 1e15 else { return nil }
        let n = Int(d)
        var rest = n.magnitude, length = n < 0 ? 1 : 0
        repeat { length += 1; rest /= 10 } while rest > 0
        return length
    }

    public func accepts(_ v: Value) -> Bool {
        withUnsafePointer(to: v) { accepts(at: $0) }
    }

    /// `accepts` for a value where it lies (in a record): the common cases (a date, a short ASCII text, a
    /// whole number) are decided there, with no copy of the value (a copy retains and releases its text);
    /// the rest is `acceptsSlowly`.
    func accepts(at value: UnsafePointer<Value>) -> Bool {
        let v = value.pointee
        switch kind {
        case .date: if case .date = v { return true }; return false
        case .time: if case .time = v { return true }; return false
        case .dateTime: if case .dateTime = v { return true }; return false
        case .text:
            // A String knows its byte count, and a character is one to four bytes: fewer bytes than the
            // minimum are too few characters, and any bytes up to the maximum are at least one character
            // and at most the maximum, all most formats ask (max anN). All-ASCII text is counted by its bytes.
            if case .text(let s) = v, let fits = s.utf8.withContiguousStorageIfAvailable({ bytes -> Bool? in
                if bytes.count < minLength { return false }
                if bytes.count <= maxLength && minLength <= 1 { return true }
                return FormatSpec.asciiLength(bytes).map { $0 >= minLength && $0 <= maxLength }
            }), let fits { return fits }
        case .digits:
            // A whole number staged as a number: its digits as MHSDS writes it (Value.format), without the text.
            if case .number(let d) = v, let n = FormatSpec.integerLength(d) {
                return d >= 0 && n >= minLength && n <= maxLength
            }
            if case .text(let s) = v, let ok = s.utf8.withContiguousStorageIfAvailable({ bytes -> Bool in
                for b in bytes where b &- 48 >= 10 { return false }
                return bytes.count >= minLength && bytes.count <= maxLength
            }) { return ok }
        case .decimal:
            if case .number(let d) = v, let n = FormatSpec.integerLength(d) { return n <= maxLength }
        }
        return acceptsSlowly(v)
    }

    /// What `accepts` leaves: text that is not all ASCII or not contiguous, and values of another kind
    /// (their text as MHSDS writes it).
    @inline(never) func acceptsSlowly(_ v: Value) -> Bool {
        switch kind {
        case .date, .time, .dateTime: return false
        case .text:
            let t = v.text
            let n = t.utf8.allSatisfy { $0 < 0x80 } ? t.utf8.count : t.unicodeScalars.count
            return n >= minLength && n <= maxLength
        case .digits:
            let s = v.text
            return s.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } && s.utf8.count >= minLength && s.utf8.count <= maxLength
        case .decimal:
            let t = v.text
            return NumberParsing.parse(t) != nil && t.utf8.count <= maxLength
        }
    }
}
