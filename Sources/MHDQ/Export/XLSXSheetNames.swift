// Sheet names Excel accepts: at most 31 characters, none of []:*?/\, not "History", unique ignoring case.

struct XLSXSheetNames {
    static let maxLength = 31
    private var taken: Set<String> = []

    /// A name Excel accepts for `proposed`, different from every name taken so far (and now taken).
    mutating func claim(_ proposed: String) -> String {
        let base = XLSXSheetNames.sanitise(proposed)
        if take(base) { return base }
        return claimNumbered(base, from: 2)
    }

    /// `base (n)` for the first n ≥ `from` not yet taken, shortening `base` to fit.
    mutating func claimNumbered(_ base: String, from: Int) -> String {
        var n = from
        while true {
            let suffix = " (\(n))"
            let candidate = XLSXSheetNames.truncate(XLSXSheetNames.sanitise(base), to: XLSXSheetNames.maxLength - suffix.count) + suffix
            if take(candidate) { return candidate }
            n += 1
        }
    }

    private mutating func take(_ name: String) -> Bool { taken.insert(name.lowercased()).inserted }

    /// Replaces the characters Excel forbids, trims the apostrophes it forbids at either end,
    /// avoids its reserved name and cuts to 31 characters.
    static func sanitise(_ name: String) -> String {
        var s = String(String.UnicodeScalarView(name.unicodeScalars.map { c -> Unicode.Scalar in
            switch c {
            case "[", "]", ":", "*", "?", "/", "\\": return "_"
            default: return c.value < 0x20 || c.value == 0x7F ? " " : c
            }
        }))
        while s.hasPrefix("'") { s.removeFirst() }
        s = truncate(s, to: maxLength)
        while s.hasSuffix("'") { s.removeLast() }
        if s.trimmingSpaces().isEmpty { s = "Sheet" }
        if s.lowercased() == "history" { s += "_" }
        return s
    }

    /// The longest prefix of `s` of at most `units` UTF-16 code units (Excel's count), whole characters only.
    static func truncate(_ s: String, to units: Int) -> String {
        guard s.utf16.count > units else { return s }
        var out = ""
        var used = 0
        for c in s {
            let u = c.utf16.count
            if used + u > units { break }
            out.append(c)
            used += u
        }
        return out
    }
}
