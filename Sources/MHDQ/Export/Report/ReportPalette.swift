// The report's colours, chosen for WCAG 2.1 AA: text pairs at 4.5:1 or more, chart marks at 3:1 or more
// against the page (tests compute the ratios). Colour is never the only signal: status is also a word and a symbol.

import Foundation

public enum ReportPalette {
    public static let page = "#ffffff"
    public static let text = "#1b1b1b"
    public static let muted = "#4a4a4a"
    public static let panel = "#f4f5f7"
    public static let border = "#c8ccd2"
    public static let link = "#1d4f91"
    /// Gridlines and axes: decoration, not information (axis labels carry the values).
    public static let grid = "#e1e4e8"
    public static let axis = "#6b6b6b"

    // Marks on charts, against the page.
    public static let fail = "#b3261e"
    public static let warn = "#b86e00"
    public static let pass = "#2e7d32"
    public static let neutral = "#2f5f9e"
    public static let series = ["#2f5f9e", "#6a3d9a", "#00796b", "#5d4037"]
    public static let flagged = "#b3261e"

    // Status cells and badges: dark text on a light tint.
    public static let failText = "#8c1d18", failTint = "#fde8e6"
    public static let warnText = "#6b4200", warnTint = "#fff1cc"
    public static let passText = "#1d5b22", passTint = "#e3f4e5"
    public static let noneText = "#37474f", noneTint = "#eceff1"

    /// Every text colour the stylesheet puts on a background, for the contrast test.
    public static let textPairs: [(name: String, foreground: String, background: String)] = [
        ("body text", text, page), ("muted text", muted, page), ("text on panel", text, panel),
        ("muted text on panel", muted, panel), ("link", link, page),
        ("fail cell", failText, failTint), ("warn cell", warnText, warnTint), ("pass cell", passText, passTint),
        ("no-status cell", noneText, noneTint),
        ("verdict fail", page, failText), ("verdict warn", page, warnText), ("verdict pass", page, passText),
        ("chart labels", text, page), ("axis labels", muted, page),
        ("fail text", fail, page), ("pass text", pass, page),
    ]

    /// Chart marks (bars, lines, markers) that carry information, for the 3:1 non-text contrast test.
    public static let marks: [(name: String, colour: String)] = [
        ("fail", fail), ("warn", warn), ("pass", pass), ("neutral", neutral), ("flagged", flagged), ("axis", axis),
    ] + series.enumerated().map { ("series \($0.offset + 1)", $0.element) }

    /// WCAG 2.1 contrast ratio of two "#rrggbb" colours (1 to 21).
    public static func contrastRatio(_ a: String, _ b: String) -> Double {
        let la = luminance(a), lb = luminance(b)
        return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
    }

    /// WCAG 2.1 relative luminance.
    public static func luminance(_ hex: String) -> Double {
        let digits = Array(hex.utf8.dropFirst())
        precondition(hex.hasPrefix("#") && digits.count == 6, "colour \(hex) is not #rrggbb")
        func channel(_ i: Int) -> Double {
            let v = Double(Int(String(decoding: digits[i ..< i + 2], as: UTF8.self), radix: 16)!) / 255
            return v <= 0.03928 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4)
    }
}
