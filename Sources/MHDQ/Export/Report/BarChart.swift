// Horizontal bars against threshold lines, drawn as inline SVG (see SVGChart.swift for the shared parts).

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
