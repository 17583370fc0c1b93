// Inline SVG charts the report draws itself (no script, no external file): horizontal bars against threshold
// lines, and lines over ordered periods with flagged points marked by a distinct shape. Every chart is an
// image with a title and a description; the report puts a table of the same numbers next to it.

import Foundation

public enum ChartStatus: Sendable, Equatable {
    case pass, warn, fail, neutral

    var colour: String {
        switch self {
        case .pass: return ReportPalette.pass
        case .warn: return ReportPalette.warn
        case .fail: return ReportPalette.fail
        case .neutral: return ReportPalette.neutral
        }
    }
}

/// A reference line: a warn or fail band edge, or a target.
public struct ChartThreshold: Sendable, Equatable {
    public enum Kind: Sendable { case warn, fail, target }
    public var value: Double
    public var label: String
    public var kind: Kind

    public init(value: Double, label: String, kind: Kind) {
        self.value = value
        self.label = label
        self.kind = kind
    }

    var colour: String { kind == .fail ? ReportPalette.fail : kind == .warn ? ReportPalette.warn : ReportPalette.text }
    /// Fail lines are solid, warn lines dashed, targets dotted: told apart without colour.
    var dash: String { kind == .fail ? "" : kind == .warn ? "7 4" : "2 3" }
    var textColour: String { kind == .fail ? ReportPalette.failText : kind == .warn ? ReportPalette.warnText : ReportPalette.text }
}

/// Geometry shared by the charts: text widths estimated for layout, number formatting, and the SVG frame
/// with its accessible name.
enum SVG {
    static let fontSize = 12.0

    /// An upper estimate of the width of `text` in a sans-serif at `size` px (widths in em from DejaVu Sans,
    /// the widest of the common system fonts), so labels are given room and never overlap.
    static func width(_ text: String, size: Double = fontSize) -> Double {
        var em = 0.0
        for c in text.unicodeScalars {
            switch c {
            case "i", "l", "j", "'", "|", ".", ",", ":", ";", "!": em += 0.32
            case " ", "f", "t", "r", "(", ")", "[", "]", "-", "/": em += 0.4
            case "m", "w", "M", "W", "%": em += 0.95
            case "A" ... "Z": em += 0.74
            case "0" ... "9": em += 0.64
            default: em += c.value < 0x80 ? 0.62 : 0.8
            }
        }
        return em * size
    }

    static func n(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(r)
    }

    /// Shortens `text` to at most `limit` characters (with an ellipsis); the full text is in the data table.
    static func clip(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(max(1, limit - 1))) + "…"
    }

    static func open(id: String, title: String, description: String, width: Double, height: Double) -> String {
        "<svg role=\"img\" aria-labelledby=\"\(id)-title \(id)-desc\" id=\"\(id)\" viewBox=\"0 0 \(n(width)) \(n(height))\" "
            + "width=\"\(n(width))\" height=\"\(n(height))\" class=\"chart\" "
            + "font-size=\"\(n(fontSize))\">"
            + "<title id=\"\(id)-title\">\(HTMLText.escape(title))</title>"
            + "<desc id=\"\(id)-desc\">\(HTMLText.escape(description))</desc>"
    }

    static func text(_ s: String, x: Double, y: Double, anchor: String = "start", fill: String = ReportPalette.text,
                     weight: String? = nil, halo: Bool = false, cssClass: String? = nil) -> String {
        var a = "<text"
        if let cssClass { a += " class=\"\(cssClass)\"" }
        a += " x=\"\(n(x))\" y=\"\(n(y))\""
        if anchor != "start" { a += " text-anchor=\"\(anchor)\"" }
        a += " fill=\"\(fill)\""
        if let weight { a += " font-weight=\"\(weight)\"" }
        if halo { a += " stroke=\"\(ReportPalette.page)\" stroke-width=\"3\" paint-order=\"stroke\"" }
        return a + ">" + HTMLText.escape(s) + "</text>"
    }

    static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width: Double = 1,
                     dash: String = "", cssClass: String? = nil) -> String {
        var a = "<line x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(n(width))\""
        if !dash.isEmpty { a += " stroke-dasharray=\"\(dash)\"" }
        if let cssClass { a += " class=\"\(cssClass)\"" }
        return a + "/>"
    }

    /// The marker of a flagged point: a diamond with a white rim, larger than a plain point.
    static func flaggedMarker(x: Double, y: Double, size: Double = 6, cssClass: String = "flagged") -> String {
        "<path class=\"\(cssClass)\" d=\"M\(n(x)) \(n(y - size)) L\(n(x + size)) \(n(y)) L\(n(x)) \(n(y + size)) L\(n(x - size)) \(n(y)) Z\" "
            + "fill=\"\(ReportPalette.flagged)\" stroke=\"\(ReportPalette.page)\" stroke-width=\"1.5\"/>"
    }

    static func point(x: Double, y: Double, colour: String) -> String {
        "<circle class=\"point\" cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"3\" fill=\"\(colour)\"/>"
    }
}
