// Text as the HTML report writes it: escaped for HTML and SVG, numbers in the style a board paper uses.

import Foundation

public enum HTMLText {
    /// Escapes text for element content and quoted attribute values. Control characters (other than tab and
    /// line breaks) become U+FFFD: they are not allowed in HTML and would end a page early in some readers.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || (0x7F ... 0x9F).contains(scalar.value) || scalar.properties.generalCategory == .surrogate {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// 12345 → "12,345".
    public static func count(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return n < 0 ? "−" + out : out
    }

    /// A number with at most `decimals` places, trailing zeros dropped, thousands separated ("1,234.5").
    public static func number(_ value: Double, decimals: Int = 1) -> String {
        guard value.isFinite else { return "–" }
        var text = String(format: "%.\(max(0, decimals))f", abs(value))
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        let parts = text.split(separator: ".", maxSplits: 1)
        var out = count(Int(parts[0]) ?? 0)
        if parts.count == 2 { out += "." + parts[1] }
        return value < 0 && out != "0" ? "−" + out : out
    }

    /// A share (0.6476) as a percentage ("64.8%").
    public static func percent(_ share: Double, decimals: Int = 1) -> String {
        number(share * 100, decimals: decimals) + "%"
    }

    /// "2026-09" → "September 2026"; anything else unchanged.
    public static func monthName(_ period: String) -> String {
        let parts = period.split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let y = Int(parts[0]), let m = Int(parts[1]),
              (1 ... 12).contains(m) else { return period }
        return months[m - 1] + " \(y)"
    }

    /// "2026-09" → "Sep 2026" (axis labels).
    public static func shortMonth(_ period: String) -> String {
        let parts = period.split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let m = Int(parts[1]), (1 ... 12).contains(m) else { return period }
        return String(months[m - 1].prefix(3)) + " " + parts[0]
    }

    static let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                         "October", "November", "December"]

    /// True for "CCYY-MM".
    public static func isMonth(_ text: String) -> Bool {
        let b = Array(text.utf8)
        guard b.count == 7, b[4] == UInt8(ascii: "-") else { return false }
        return b.enumerated().allSatisfy { i, c in i == 4 || (c >= 48 && c <= 57) }
    }
}
