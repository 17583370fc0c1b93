// Lines over ordered periods with flagged points marked, drawn as inline SVG (see SVGChart.swift).

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
