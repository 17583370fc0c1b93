// A number as an aggregate return types it ("1,234", "74.02%", "14.85 days per FTE", ">75%",
// "8 days per FTE (+/- 1 day)", "Retention rate is 87%", "*", "Unavailable"): kept as typed beside
// what it means, so a rule can use the number and a report can show the text.

/// One typed amount. A class so that a staged `Value` holding one stays as small as one holding text.
public final class Amount: Sendable, Hashable, CustomStringConvertible {
    /// The status of an amount that is a number.
    public static let numberStatus = "number"

    /// The text as typed (trimmed).
    public let raw: String
    /// "number", or the marker the text is (from the field's marker list: "suppressed", "unavailable",
    /// "not applicable").
    public let status: String
    public let number: Double?
    /// Digits typed after the decimal point (2 for "74.02%"): the rounding the value implies.
    public let decimals: Int
    /// The unit as typed after the number ("%", "days per FTE"); "" when none.
    public let unit: String
    /// ">", ">=", "<", "<=", "=" or "" (targets: ">75%", "at least 80%").
    public let comparator: String
    /// "(+/- 1 day)": 1, and its unit as typed ("day").
    public let tolerance: Double?
    public let toleranceUnit: String
    /// Bracketed remarks that are not a tolerance ("rolling 12 months"), joined with "; ".
    public let note: String
    /// The measure a value names before "is" ("Retention rate" in "Retention rate is 87%").
    public let subject: String

    init(raw: String, status: String, number: Double? = nil, decimals: Int = 0, unit: String = "", comparator: String = "",
         tolerance: Double? = nil, toleranceUnit: String = "", note: String = "", subject: String = "") {
        self.raw = raw
        self.status = status
        self.number = number
        self.decimals = decimals
        self.unit = unit
        self.comparator = comparator
        self.tolerance = tolerance
        self.toleranceUnit = toleranceUnit
        self.note = note
        self.subject = subject
    }

    public var description: String { raw }

    /// The step the value was typed to: 0.01 for "74.02%", 1 for "1,234".
    public var precision: Double? {
        guard number != nil else { return nil }
        var p = 1.0
        for _ in 0 ..< decimals { p /= 10 }
        return p
    }

    public static func == (a: Amount, b: Amount) -> Bool { a.raw == b.raw && a.status == b.status }
    public func hash(into h: inout Hasher) { h.combine(raw) }
}

/// Reads typed amounts. `markers` maps spellings of "no number here" to a status: the field's marker list
/// (Rules/codes/amount-markers.csv: "*" → suppressed, "Information unavailable" → unavailable, ...).
public struct AmountParser: Sendable {
    let markers: [String: String]

    public static let formsAccepted = "1,234; 74.02%; 14.85 days per FTE; >75%; 8 days per FTE (+/- 1 day); Retention rate is 87%"

    public init(markers: CodeList?) {
        var m: [String: String] = [:]
        for e in markers?.entries ?? [] {
            for spelling in [e.code, e.description] + e.aliases where !spelling.isEmpty {
                m[spelling.lowercased()] = e.code
                // Words also match loosely ("information unavailable."); symbols ("*", "<5") only exactly.
                let n = CodeList.normalise(spelling)
                if !n.isEmpty, spelling.contains(where: \.isLetter) { m[n] = e.code }
            }
        }
        self.markers = m
    }

    /// Comparator words in the order they are tried (longest first), and what each means.
    static let comparatorWords: [(String, String)] = [
        (">=", ">="), ("=>", ">="), ("≥", ">="), ("<=", "<="), ("=<", "<="), ("≤", "<="), (">", ">"), ("<", "<"), ("=", "="),
        ("no less than ", ">="), ("not less than ", ">="), ("at least ", ">="), ("minimum of ", ">="), ("minimum ", ">="),
        ("min ", ">="), ("no more than ", "<="), ("not more than ", "<="), ("at most ", "<="), ("maximum of ", "<="),
        ("maximum ", "<="), ("max ", "<="), ("up to ", "<="), ("greater than ", ">"), ("more than ", ">"), ("above ", ">"),
        ("over ", ">"), ("less than ", "<"), ("fewer than ", "<"), ("below ", "<"), ("under ", "<"),
    ]

    /// nil when the text is neither a marker nor an amount (the caller reports it); blank text is not an amount.
    public func parse(_ typed: String) -> Amount? {
        let raw = typed.trimmingSpaces()
        guard !raw.isEmpty else { return nil }
        if let status = markers[raw.lowercased()] ?? markers[CodeList.normalise(raw)] {
            return Amount(raw: raw, status: status)
        }
        // Bracketed remarks: a tolerance "(+/- 1 day)" or a note "(rolling 12 months)".
        var main = ""
        var notes: [String] = []
        var tolerance: (Double, String)?
        var depth = 0
        var inner = ""
        for c in raw {
            if c == "(" {
                if depth > 0 { return nil }
                depth = 1
                inner = ""
            } else if c == ")" {
                guard depth == 1 else { return nil }
                depth = 0
                let remark = inner.trimmingSpaces()
                if let t = AmountParser.tolerance(remark) {
                    guard tolerance == nil else { return nil }
                    tolerance = t
                } else if !remark.isEmpty {
                    notes.append(remark)
                }
            } else if depth > 0 {
                inner.append(c)
            } else {
                main.append(c)
            }
        }
        guard depth == 0 else { return nil }
        main = main.trimmingSpaces()
        // An inline tolerance: "8 days ± 1 day".
        for sign in ["+/-", "±", "+-"] {
            if let r = main.range(of: sign) {
                guard tolerance == nil, let t = AmountParser.tolerance(String(main[r.lowerBound...])) else { return nil }
                tolerance = t
                main = String(main[..<r.lowerBound]).trimmingSpaces()
            }
        }
        // "Retention rate is 87%": the measure the value is about, then the value.
        var subject = ""
        if let r = main.range(of: " is ", options: .caseInsensitive) {
            subject = String(main[..<r.lowerBound]).trimmingSpaces()
            main = String(main[r.upperBound...]).trimmingSpaces()
        }
        var comparator = ""
        let lower = main.lowercased()
        for (word, meaning) in AmountParser.comparatorWords where lower.hasPrefix(word) {
            comparator = meaning
            main = String(main.dropFirst(word.count)).trimmingSpaces()
            break
        }
        guard let (number, decimals, rest) = AmountParser.leadingNumber(main) else { return nil }
        var unit = rest.trimmingSpaces()
        if unit.hasPrefix("%") {
            let after = String(unit.dropFirst()).trimmingSpaces()
            unit = after.isEmpty ? "%" : "% " + after
        }
        // A unit starts with a letter or %: "12/13", "80-85%" and "12 34" are not a number and a unit.
        if let first = unit.unicodeScalars.first, !(first.properties.isAlphabetic || first == "%") { return nil }
        return Amount(raw: raw, status: Amount.numberStatus, number: number, decimals: decimals, unit: unit,
                      comparator: comparator, tolerance: tolerance?.0, toleranceUnit: tolerance?.1 ?? "",
                      note: notes.joined(separator: "; "), subject: subject)
    }

    /// "+/- 1 day", "± 0.5", "+- 2%": the tolerance and its unit.
    static func tolerance(_ text: String) -> (Double, String)? {
        var s = Substring(text)
        var signed = false
        for sign in ["+/-", "±", "+-", "plus or minus"] where s.lowercased().hasPrefix(sign) {
            s = s.dropFirst(sign.count)
            signed = true
            break
        }
        guard signed, let (n, _, rest) = leadingNumber(String(s).trimmingSpaces()) else { return nil }
        return (n, rest.trimmingSpaces())
    }

    /// A leading number (sign, £, digits with thousands commas, a fraction, an exponent), its decimals and what follows.
    static func leadingNumber(_ text: String) -> (Double, Int, String)? {
        var chars = Substring(text)
        var sign = ""
        if chars.first == "-" || chars.first == "+" || chars.first == "−" {
            if chars.first != "+" { sign = "-" }
            chars = chars.dropFirst()
        }
        if chars.first == "£" { chars = chars.dropFirst() }
        var digits = ""
        var decimals = 0
        var seenPoint = false
        while let c = chars.first, c.isASCII, c.isNumber || c == "," || c == "." {
            if c == "." {
                if seenPoint { return nil }
                seenPoint = true
            } else if seenPoint, c.isNumber {
                decimals += 1
            }
            digits.append(c)
            chars = chars.dropFirst()
        }
        let typed = sign + (digits.hasPrefix(".") ? "0" + digits : digits)
        guard digits.contains(where: { $0.isNumber }), var n = NumberParsing.parse(typed) else { return nil }
        // An exponent is part of the number, not a unit: Excel saves a small number to CSV as "4E-05".
        if let e = chars.first, e == "e" || e == "E", !digits.contains(",") {
            var rest = chars.dropFirst()
            let negative = rest.first == "-"
            if rest.first == "-" || rest.first == "+" { rest = rest.dropFirst() }
            let power = rest.prefix { $0.isASCII && $0.isNumber }
            if !power.isEmpty, power.count <= 3, let p = Int(power), let scaled = Double(typed + "e" + (negative ? "-" : "") + power), scaled.isFinite {
                n = scaled
                decimals = max(0, decimals + (negative ? p : -p))
                chars = rest.dropFirst(power.count)
            }
        }
        return (n, decimals, String(chars))
    }
}
