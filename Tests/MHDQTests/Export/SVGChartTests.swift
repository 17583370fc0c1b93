// The report's chart module: round-number ticks, bars in proportion, flagged points as a distinct shape,
// gaps for missing values, category labels that never overlap, threshold labels that never collide.

import Foundation
import Testing
@testable import MHDQ

@Suite struct SVGChartTests {
    @Test func niceScalesEndOnRoundNumbers() {
        let shares = NiceScale(upper: 1)
        #expect(shares.step == 0.2)
        #expect(shares.upper == 1)
        #expect(shares.ticks == [0, 0.2, 0.4, 0.6, 0.8, 1])
        let findings = NiceScale(upper: 730)
        #expect(findings.step == 200)
        #expect(findings.upper == 800)
        #expect(findings.ticks == [0, 200, 400, 600, 800])
        #expect(NiceScale(upper: 12_345).step == 2_500)
        #expect(NiceScale(upper: 12_345).upper == 12_500)
        #expect(NiceScale(upper: 7).ticks == [0, 2, 4, 6, 8])
        #expect(NiceScale(upper: 0.073).step == 0.02)
        // A value exactly on a tick is the end of the axis, not one step short of it.
        #expect(NiceScale(upper: 800).upper == 800)
        // Nothing to show: still a usable axis.
        #expect(NiceScale(upper: 0).upper == 1)
        // Three ticks for a small multiple.
        #expect(NiceScale(upper: 1, maxTicks: 3).ticks == [0, 0.5, 1])
        #expect(NiceScale(upper: 1).position(0.5, from: 100, to: 300) == 200)
    }

    func monthly(_ n: Int) -> [String] {
        (0 ..< n).map { i in HTMLText.shortMonth("\(2023 + (i + 8) / 12)-\(String(format: "%02d", (i + 8) % 12 + 1))") }
    }

    @Test func lineChartMarksFlaggedPointsWithADistinctShape() {
        let chart = LineChart(id: "c1", title: "Denominator", description: "d", categories: ["Apr-23", "May-23", "Jun-23", "Jul-23", "Aug-23"],
                              series: [LineChart.Series(name: "Denominator", values: [12_000, 12_100, nil, 310, 11_900],
                                                        flagged: [false, false, false, true, false])],
                              tickText: { HTMLText.number($0, decimals: 0) })
        let svg = chart.svg()
        // Plain points are circles of radius 3; the flagged one is a diamond 12 px across, and the legend says so.
        #expect(HTMLScan.matches("<circle class=\"point\"[^>]*r=\"3\"", in: svg).count == 3)
        let diamonds = HTMLScan.matches("<path class=\"flagged\" d=\"M([0-9.]+) ([0-9.]+) L([0-9.]+) ([0-9.]+) L([0-9.]+) ([0-9.]+) L([0-9.]+) ([0-9.]+) Z\"", in: svg)
        #expect(diamonds.count == 1)
        let d = diamonds[0].dropFirst().map { Double($0)! }
        #expect(d[2] - d[6] == 12)          // right x − left x
        #expect(d[5] - d[1] == 12)          // bottom y − top y
        #expect(svg.contains(">flagged by a rule</text>"))
        // The missing month breaks the line: two sub-paths.
        let path = HTMLScan.matches("<path class=\"series\" d=\"([^\"]*)\"", in: svg)[0][1]
        #expect(path.filter { $0 == "M" }.count == 2)
        // The flagged point sits where 310 falls on the axis: near the bottom.
        let grid = HTMLScan.matches("<line x1=\"[0-9.]+\" y1=\"([0-9.]+)\"[^>]*class=\"gridline\"", in: svg).map { Double($0[1])! }
        let axisBottom = grid.max()!, axisTop = grid.min()!
        let scale = chart.scale
        #expect(scale.upper == 12_500)
        #expect(abs(d[3] - (axisBottom - 310 / scale.upper * (axisBottom - axisTop))) < 0.2)
        // Y ticks at round numbers, labelled.
        let ticks = HTMLScan.matches("<text class=\"tick\"[^>]*>([^<]*)</text>", in: svg).map { $0[1] }
        #expect(ticks == ["0", "2,500", "5,000", "7,500", "10,000", "12,500"])
    }

    @Test func categoryLabelsNeverOverlap() {
        for (width, n) in [(1000.0, 37), (480.0, 37), (500.0, 12), (1000.0, 6), (480.0, 120)] {
            var chart = LineChart(id: "c", title: "t", description: "d", categories: monthly(n),
                                  series: [LineChart.Series(name: "s", values: (0 ..< n).map { Double($0 % 7) / 10 })],
                                  axisMax: 1, tickText: { HTMLText.percent($0, decimals: 0) })
            chart.width = width
            let svg = chart.svg()
            let labels = HTMLScan.matches("<text class=\"category\" x=\"([0-9.]+)\"[^>]*>([^<]*)</text>", in: svg)
            #expect(labels.count >= min(n, 3), "\(width) \(n)")
            #expect(labels.last?[2] == monthly(n).last, "the latest period is always labelled")
            for (a, b) in zip(labels, labels.dropFirst()) {
                let room = Double(b[1])! - Double(a[1])!
                #expect(room >= (SVG.width(a[2]) + SVG.width(b[2])) / 2 + 4, "\(width) \(n): \(a[2]) and \(b[2]) overlap")
            }
            // Nothing drawn past the right edge: the last label's half width fits.
            if let last = labels.last { #expect(Double(last[1])! + SVG.width(last[2]) / 2 <= width) }
        }
        // All labels drawn when they fit.
        let few = LineChart(id: "c", title: "t", description: "d", categories: monthly(6),
                            series: [LineChart.Series(name: "s", values: Array(repeating: 0.5, count: 6))], tickText: { "\($0)" })
        #expect(HTMLScan.matches("class=\"category\"", in: few.svg()).count == 6)
    }

    @Test func barChartThresholdLabelsPointAwayFromEachOther() {
        let chart = BarChart(id: "b", title: "t", description: "d",
                             bars: [BarChart.Bar(label: "A", value: 0.5, valueText: "50%", status: .fail)],
                             thresholds: [ChartThreshold(value: 0.95, label: "warn below 95%", kind: .warn),
                                          ChartThreshold(value: 0.90, label: "fail below 90%", kind: .fail)],
                             axisMax: 1, tickText: { HTMLText.percent($0, decimals: 0) })
        let svg = chart.svg()
        let fail = HTMLScan.matches("<text class=\"threshold-label\" x=\"([0-9.]+)\"[^>]* text-anchor=\"end\"[^>]*>fail below 90%</text>", in: svg)
        let warn = HTMLScan.matches("<text class=\"threshold-label\" x=\"([0-9.]+)\"[^>]*>warn below 95%</text>", in: svg)
        #expect(fail.count == 1)
        #expect(warn.count == 1)
        #expect(!(warn.first?[0].contains("text-anchor") ?? true))
        // The fail label ends left of its line, the warn label starts right of its own: no overlap however close.
        #expect(Double(fail[0][1])! < Double(warn[0][1])!)
        // Lines: fail solid, warn dashed (told apart without colour).
        let lines = HTMLScan.matches("<line [^>]*class=\"threshold\"/>", in: svg).map { $0[0] }
        #expect(lines.count == 2)
        #expect(lines.filter { $0.contains("stroke-dasharray") }.count == 1)
        // The bar is half the axis.
        let grid = HTMLScan.matches("<line x1=\"([0-9.]+)\"[^>]*class=\"gridline\"", in: svg).map { Double($0[1])! }
        let w = Double(HTMLScan.matches("<rect class=\"bar\"[^>]* width=\"([0-9.]+)\"", in: svg)[0][1])!
        #expect(abs(w / (grid.last! - grid.first!) - 0.5) < 0.001)
    }

    @Test func barLabelsFitTheirColumn() {
        let names = ["RUG-CMHT", "WWWWWWWWWW", "a very long team name that goes on and on and on"]
        let chart = BarChart(id: "b", title: "t", description: "d",
                             bars: names.map { BarChart.Bar(label: $0, value: 0.5, valueText: "50%", status: .neutral) },
                             axisMax: 1, tickText: { HTMLText.percent($0, decimals: 0) })
        let svg = chart.svg()
        let x0 = Double(HTMLScan.matches("<rect class=\"bar\" x=\"([0-9.]+)\"", in: svg)[0][1])!
        for label in HTMLScan.matches("<text class=\"label\" x=\"([0-9.]+)\"[^>]*>([^<]*)</text>", in: svg) {
            // Right-aligned at x, so it starts at x − width: never before the chart's left edge.
            #expect(Double(label[1])! - SVG.width(label[2]) >= 0, "\(label[2])")
            #expect(Double(label[1])! < x0)
        }
        #expect(svg.contains(">a very long team name that goes…</text>"))
    }

    @Test func numbersReadTheBritishWay() {
        #expect(HTMLText.count(0) == "0")
        #expect(HTMLText.count(999) == "999")
        #expect(HTMLText.count(1_000) == "1,000")
        #expect(HTMLText.count(20_994) == "20,994")
        #expect(HTMLText.count(-1_234_567) == "−1,234,567")
        #expect(HTMLText.number(64.758, decimals: 1) == "64.8")
        #expect(HTMLText.number(64.0, decimals: 1) == "64")
        #expect(HTMLText.number(-5.5, decimals: 2) == "−5.5")
        #expect(HTMLText.number(12_345.678, decimals: 2) == "12,345.68")
        #expect(HTMLText.number(-0.004, decimals: 2) == "0")
        #expect(HTMLText.percent(0.6475858) == "64.8%")
        #expect(HTMLText.percent(1) == "100%")
        #expect(HTMLText.monthName("2026-09") == "September 2026")
        #expect(HTMLText.shortMonth("2023-12") == "Dec 2023")
        #expect(HTMLText.monthName("Q1 2023/24") == "Q1 2023/24")
        #expect(HTMLText.isMonth("2026-09") && !HTMLText.isMonth("2026-9") && !HTMLText.isMonth("RX4"))
    }
}
