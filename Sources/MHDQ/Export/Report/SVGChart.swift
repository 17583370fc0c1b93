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
    static func width(_ text: String, size: Double = fontSize, bold: Bool = false) -> Double {
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
        return em * size * (bold ? 1.1 : 1)
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
                     weight: String? = nil, halo: Bool = false, size: Double? = nil, cssClass: String? = nil) -> String {
        var a = "<text"
        if let cssClass { a += " class=\"\(cssClass)\"" }
        a += " x=\"\(n(x))\" y=\"\(n(y))\""
        if anchor != "start" { a += " text-anchor=\"\(anchor)\"" }
        a += " fill=\"\(fill)\""
        if let weight { a += " font-weight=\"\(weight)\"" }
        if let size { a += " font-size=\"\(n(size))\"" }
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

/// Horizontal bars (one per group), a value axis with round ticks, and threshold lines: across the chart when
/// every bar is held to the same band, or as marks on each bar's own row when bars have bands of their own.
public struct BarChart {
    public struct Bar: Sendable {
        public var label: String
        /// nil: not drawn (suppressed or no value); `valueText` says why.
        public var value: Double?
        public var valueText: String
        public var status: ChartStatus
        /// This bar's own band (drawn as marks across its row).
        public var thresholds: [ChartThreshold]

        public init(label: String, value: Double?, valueText: String, status: ChartStatus, thresholds: [ChartThreshold] = []) {
            self.label = label
            self.value = value
            self.valueText = valueText
            self.status = status
            self.thresholds = thresholds
        }
    }

    public var id: String
    public var title: String
    public var description: String
    public var bars: [Bar]
    /// One band for every bar, drawn across the chart with labels above it.
    public var thresholds: [ChartThreshold]
    /// The axis runs to at least this (1 for shares, so 100% is always the end).
    public var axisMax: Double?
    public var tickText: (Double) -> String
    /// Long labels (measure titles) go above their bar, across the chart's width, instead of in a column.
    public var labelsAbove = false
    public var width = 1000.0

    public init(id: String, title: String, description: String, bars: [Bar], thresholds: [ChartThreshold] = [],
                axisMax: Double? = nil, tickText: @escaping (Double) -> String) {
        self.id = id
        self.title = title
        self.description = description
        self.bars = bars
        self.thresholds = thresholds
        self.axisMax = axisMax
        self.tickText = tickText
    }

    static let barHeight = 16.0
    var rowHeight: Double { labelsAbove ? 44 : 26 }

    public var scale: NiceScale {
        let values = bars.compactMap(\.value) + thresholds.map(\.value) + bars.flatMap { $0.thresholds.map(\.value) }
        return NiceScale(lower: 0, upper: max(axisMax ?? 0, values.max() ?? 0), maxTicks: 6)
    }

    var rowThresholdKinds: [ChartThreshold.Kind] {
        let kinds = Set(bars.flatMap { $0.thresholds.map(\.kind) })
        return [ChartThreshold.Kind.fail, .warn, .target].filter(kinds.contains)
    }

    public func svg() -> String {
        let labels = bars.map { labelsAbove ? SVG.clip($0.label, 120) : SVG.clip($0.label, 32) }
        let labelWidth = labelsAbove ? 18 : min(260, max(40, (labels.map { SVG.width($0) }.max() ?? 0) + 14))
        let valueWidth = max(60, (bars.map { SVG.width($0.valueText) }.max() ?? 0) + 12)
        let x0 = labelWidth, x1 = width - valueWidth
        let labelRows = thresholds.count > 2 ? 2 : (thresholds.isEmpty ? 0 : 1)
        let top = 8 + Double(labelRows) * 16
        let axisY = top + Double(bars.count) * rowHeight + 4
        let legend = rowThresholdKinds
        let height = axisY + 24 + (legend.isEmpty ? 0 : 22)
        let scale = self.scale
        func x(_ v: Double) -> Double { scale.position(v, from: x0, to: x1) }

        var s = SVG.open(id: id, title: title, description: description, width: width, height: height)
        for t in scale.ticks {
            s += SVG.line(x(t), top - 4, x(t), axisY, stroke: ReportPalette.grid, cssClass: "gridline")
            s += SVG.text(tickText(t), x: x(t), y: axisY + 16, anchor: "middle", fill: ReportPalette.muted, cssClass: "tick")
        }
        s += SVG.line(x0, axisY, x1, axisY, stroke: ReportPalette.axis, cssClass: "axis")
        for (i, bar) in bars.enumerated() {
            let rowTop = top + Double(i) * rowHeight
            let mid = labelsAbove ? rowTop + 30 : rowTop + rowHeight / 2
            if labelsAbove {
                s += SVG.text(labels[i], x: x0, y: rowTop + 14, weight: "600", cssClass: "label")
            } else {
                s += SVG.text(labels[i], x: x0 - 8, y: mid + 4, anchor: "end", cssClass: "label")
            }
            if let v = bar.value {
                let w = max(1, x(v) - x0)
                s += "<rect class=\"bar\" x=\"\(SVG.n(x0))\" y=\"\(SVG.n(mid - BarChart.barHeight / 2))\" width=\"\(SVG.n(w))\" "
                    + "height=\"\(SVG.n(BarChart.barHeight))\" fill=\"\(bar.status.colour)\"/>"
                let textX = max(x0 + w, bar.thresholds.map { x($0.value) }.max() ?? 0) + 6
                s += SVG.text(bar.valueText, x: textX, y: mid + 4, cssClass: "value")
            } else {
                s += SVG.text(bar.valueText, x: x0 + 6, y: mid + 4, fill: ReportPalette.muted, cssClass: "value")
            }
            for t in bar.thresholds {
                s += SVG.line(x(t.value), mid - BarChart.barHeight / 2 - 4, x(t.value), mid + BarChart.barHeight / 2 + 4,
                              stroke: t.colour, width: 2.5, dash: t.kind == .fail ? "" : "4 2", cssClass: "threshold")
            }
        }
        // Chart-wide threshold lines; their labels sit above the plot, the lower value's to the left of its line
        // and the higher's to the right, so two close thresholds never overlap.
        for (i, t) in thresholds.sorted(by: { $0.value < $1.value }).enumerated() {
            let tx = x(t.value)
            s += SVG.line(tx, top - 4, tx, axisY, stroke: t.colour, width: 2, dash: t.dash, cssClass: "threshold")
            let row = Double(i / 2)
            let anchorEnd = i % 2 == 0 && thresholds.count > 1
            s += SVG.text(t.label, x: anchorEnd ? tx - 4 : tx + 4, y: 12 + row * 16, anchor: anchorEnd ? "end" : "start",
                          fill: t.textColour, cssClass: "threshold-label")
        }
        if !legend.isEmpty {
            var lx = x0
            let ly = height - 8
            for kind in legend {
                let sample = ChartThreshold(value: 0, label: "", kind: kind)
                s += SVG.line(lx + 4, ly - 12, lx + 4, ly + 2, stroke: sample.colour, width: 2.5, dash: kind == .fail ? "" : "4 2")
                let name = kind == .fail ? "fail threshold" : kind == .warn ? "warn threshold" : "target"
                s += SVG.text(name, x: lx + 12, y: ly)
                lx += 12 + SVG.width(name) + 20
            }
        }
        return s + "</svg>"
    }
}

/// Lines over ordered categories (periods or runs): round-number ticks on the value axis, every label on the
/// category axis that fits, gaps where a value is missing or suppressed, and a diamond on each flagged point.
public struct LineChart {
    public struct Series: Sendable {
        public var name: String
        public var values: [Double?]
        public var flagged: [Bool]

        public init(name: String, values: [Double?], flagged: [Bool] = []) {
            self.name = name
            self.values = values
            self.flagged = flagged.isEmpty ? Array(repeating: false, count: values.count) : flagged
        }
    }

    public var id: String
    public var title: String
    public var description: String
    public var categories: [String]
    public var series: [Series]
    public var thresholds: [ChartThreshold]
    public var axisMax: Double?
    public var tickText: (Double) -> String
    public var width = 1000.0
    public var height = 260.0
    public var maxTicks = 6

    public init(id: String, title: String, description: String, categories: [String], series: [Series],
                thresholds: [ChartThreshold] = [], axisMax: Double? = nil, tickText: @escaping (Double) -> String) {
        self.id = id
        self.title = title
        self.description = description
        self.categories = categories
        self.series = series
        self.thresholds = thresholds
        self.axisMax = axisMax
        self.tickText = tickText
    }

    public var scale: NiceScale {
        let top = max(axisMax ?? 0, series.flatMap { $0.values.compactMap { $0 } }.max() ?? 0, thresholds.map(\.value).max() ?? 0)
        return NiceScale(lower: 0, upper: top, maxTicks: maxTicks)
    }

    var hasFlags: Bool { series.contains { s in s.flagged.enumerated().contains { $0.element && s.values[$0.offset] != nil } } }
    var showsLegend: Bool { series.count > 1 || hasFlags }

    /// Every `step`-th category label is drawn (counting back from the last), so labels never overlap.
    public func labelStep(plotWidth: Double) -> Int {
        guard !categories.isEmpty else { return 1 }
        let band = plotWidth / Double(categories.count)
        let widest = categories.map { SVG.width($0) }.max() ?? 0
        return max(1, Int(((widest + 10) / band).rounded(.up)))
    }

    public func svg() -> String {
        let scale = self.scale
        let tickLabels = scale.ticks.map(tickText)
        let x0 = (tickLabels.map { SVG.width($0) }.max() ?? 0) + 14
        // Room for half the last category label, which is centred on the last point.
        let x1 = width - max(16, (categories.last.map { SVG.width($0) } ?? 0) / 2 + 4)
        let top = 14.0
        let legendHeight = showsLegend ? 22.0 : 0
        let axisY = height - 26 - legendHeight
        func y(_ v: Double) -> Double { scale.position(v, from: axisY, to: top) }
        let band = (x1 - x0) / Double(max(1, categories.count))
        func x(_ i: Int) -> Double { x0 + band * (Double(i) + 0.5) }

        var s = SVG.open(id: id, title: title, description: description, width: width, height: height)
        for (t, label) in zip(scale.ticks, tickLabels) {
            s += SVG.line(x0, y(t), x1, y(t), stroke: ReportPalette.grid, cssClass: "gridline")
            s += SVG.text(label, x: x0 - 6, y: y(t) + 4, anchor: "end", fill: ReportPalette.muted, cssClass: "tick")
        }
        s += SVG.line(x0, axisY, x1, axisY, stroke: ReportPalette.axis, cssClass: "axis")
        let step = labelStep(plotWidth: x1 - x0)
        for (i, c) in categories.enumerated() where (categories.count - 1 - i) % step == 0 {
            s += SVG.line(x(i), axisY, x(i), axisY + 4, stroke: ReportPalette.axis)
            s += SVG.text(c, x: x(i), y: axisY + 17, anchor: "middle", fill: ReportPalette.muted, cssClass: "category")
        }
        // Thresholds: the higher label above its line, the lower below its own, both at the right end.
        let sorted = thresholds.sorted { $0.value > $1.value }
        for (i, t) in sorted.enumerated() {
            let ty = y(t.value)
            s += SVG.line(x0, ty, x1, ty, stroke: t.colour, width: 1.5, dash: t.dash, cssClass: "threshold")
            let below = i % 2 == 1
            s += SVG.text(t.label, x: x1 - 2, y: below ? ty + 13 : ty - 5, anchor: "end",
                          fill: t.textColour, halo: true, cssClass: "threshold-label")
        }
        for (k, line) in series.enumerated() {
            let colour = ReportPalette.series[k % ReportPalette.series.count]
            let dash = LineChart.dashes[k % LineChart.dashes.count]
            var d = ""
            var penDown = false
            for (i, v) in line.values.enumerated() {
                guard let v else { penDown = false; continue }
                d += (penDown ? " L" : (d.isEmpty ? "M" : " M")) + SVG.n(x(i)) + " " + SVG.n(y(v))
                penDown = true
            }
            if !d.isEmpty {
                s += "<path class=\"series\" d=\"\(d)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\""
                    + (dash.isEmpty ? "" : " stroke-dasharray=\"\(dash)\"") + "/>"
            }
            for (i, v) in line.values.enumerated() {
                guard let v else { continue }
                s += line.flagged[i] ? SVG.flaggedMarker(x: x(i), y: y(v)) : SVG.point(x: x(i), y: y(v), colour: colour)
            }
        }
        if showsLegend {
            var lx = x0
            let ly = height - 8
            for (k, line) in series.enumerated() where series.count > 1 {
                let colour = ReportPalette.series[k % ReportPalette.series.count]
                s += SVG.line(lx, ly - 4, lx + 22, ly - 4, stroke: colour, width: 2, dash: LineChart.dashes[k % LineChart.dashes.count])
                s += SVG.text(line.name, x: lx + 27, y: ly)
                lx += 27 + SVG.width(line.name) + 18
            }
            if hasFlags {
                s += SVG.flaggedMarker(x: lx + 6, y: ly - 4, size: 5, cssClass: "legend-flagged")
                s += SVG.text("flagged by a rule", x: lx + 16, y: ly)
            }
        }
        return s + "</svg>"
    }

    /// Solid, dashed, dotted, dash-dot: series told apart without colour.
    static let dashes = ["", "7 4", "2 3", "9 3 2 3"]
}
