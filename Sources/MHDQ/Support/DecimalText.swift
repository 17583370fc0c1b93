// Numbers as plain decimal text, never in exponent form: what a spreadsheet cell shows and MHSDS files expect.

enum DecimalText {
    /// A finite number as plain decimal digits: the shortest that read back as the same double (as
    /// `Double.description` chooses them), with the point moved where Swift would write an exponent.
    /// Staging reads a cell's text, and "4e-05" reads as 4 in a unit "e-05"; Excel shows the digits.
    static func plain(_ value: Double) -> String {
        var s = value.description
        if s.hasSuffix(".0") { s.removeLast(2) }
        guard let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }), let exponent = Int(s[s.index(after: e)...]) else { return s }
        var mantissa = s[..<e]
        let negative = mantissa.hasPrefix("-")
        if negative { mantissa = mantissa.dropFirst() }
        let point = mantissa.firstIndex(of: ".").map { mantissa.distance(from: mantissa.startIndex, to: $0) } ?? mantissa.count
        let digits = String(mantissa.filter { $0 != "." })
        let at = point + exponent  // the point's place among the digits
        var out = negative ? "-" : ""
        if at <= 0 {
            out += "0." + String(repeating: "0", count: -at) + digits
        } else if at >= digits.count {
            out += digits + String(repeating: "0", count: at - digits.count)
        } else {
            out += digits.prefix(at) + "." + digits.dropFirst(at)
        }
        return out
    }
}
