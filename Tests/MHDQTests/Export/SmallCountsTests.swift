// Small-number suppression: counts under 5 shown as "<5", zero shown, and no hidden count recoverable by
// subtraction from a total (complementary suppression), checked on hand cases and on generated grids.

import Foundation
import Testing
@testable import MHDQ

@Suite struct SmallCountsTests {
    @Test func primaryAndComplementarySuppression() {
        // One small cell in a total: the smallest other non-zero cell is hidden with it.
        #expect(SmallCounts.protect([3, 10, 20], lines: [[0, 1, 2]]) == [.small, .hidden, .shown])
        // Zero is shown, and is not picked as the complement while a non-zero cell is left.
        #expect(SmallCounts.protect([0, 3, 40, 12], lines: [[0, 1, 2, 3]]) == [.shown, .small, .shown, .hidden])
        // Two small cells already protect each other.
        #expect(SmallCounts.protect([1, 4, 40], lines: [[0, 1, 2]]) == [.small, .small, .shown])
        // No published total: nothing more to hide.
        #expect(SmallCounts.protect([2, 40], lines: []) == [.small, .shown])
        // Cells that count groups, not people, are never small but still serve as complements.
        #expect(SmallCounts.protect([1, 2, 30], lines: [[0, 1, 2]], countsPeople: { $0 != 0 }) == [.hidden, .small, .shown])
        // Texts.
        #expect(SmallCounts.text(4, .small) == "<5")
        #expect(SmallCounts.text(1_234, .shown) == "1,234")
        #expect(SmallCounts.text(0, .shown) == "0")
        #expect(SmallCounts.text(99, .hidden) == "*")
        #expect(!SmallCounts.isSmall(0) && SmallCounts.isSmall(1) && SmallCounts.isSmall(4) && !SmallCounts.isSmall(5))
    }

    @Test func cascadesAcrossRowsAndColumns() {
        // A 2×2 grid of lines: hiding the complement in row 0 leaves column 1 with one hidden cell, which
        // must take another with it, and so on until every line has none or two.
        //   [ 2, 50]
        //   [30, 40]
        let state = SmallCounts.protect([2, 50, 30, 40], lines: [[0, 1], [2, 3], [0, 2], [1, 3]])
        #expect(state == [.small, .hidden, .hidden, .hidden])
    }

    func metric(_ group: String, _ numerator: Double, _ denominator: Double) -> Metric {
        var m = Metric(ruleID: "R", title: "t", table: "T", measure: "share", group: group, value: numerator / denominator,
                       numerator: numerator, denominator: denominator, status: "pass")
        m.percent = true
        return m
    }

    @Test func metricCellsShowBoundsNotExactSmallCounts() {
        let cells = MetricDisclosure.protect([metric("A", 248, 250), metric("B", 2, 300), metric("C", 17, 20),
                                              metric("E", 0, 40), metric("F", 40, 40)])
        let byGroup = Dictionary(uniqueKeysWithValues: cells.map { ($0.metric.group, $0) })
        #expect(byGroup["A"]!.shown == .above)
        #expect(byGroup["A"]!.numeratorText == ">245")
        #expect(byGroup["A"]!.valueText == ">98%")
        #expect(byGroup["A"]!.chartValue == 0.98)             // a tight bound: drawn
        #expect(byGroup["B"]!.valueText == "<1.7%")          // 5/300 = 1.67% rounded up
        #expect(byGroup["B"]!.chartValue == 0.017)
        #expect(byGroup["C"]!.valueText == ">75%")           // 15/20; the real 85% is not given away
        #expect(byGroup["C"]!.chartValue == nil)             // a loose bound: not drawn
        // A group of 4 records: nothing shown, and the smallest other group (C, 20 records) hidden with it,
        // since the groups' total may be published.
        let withSmall = MetricDisclosure.protect([metric("C", 17, 20), metric("D", 3, 4), metric("G", 100, 200)])
        #expect(withSmall.map(\.shown) == [.hidden, .small, .exact])
        #expect(withSmall.map(\.denominatorText) == ["*", "<5", "200"])
        #expect(withSmall.map(\.valueText) == ["suppressed", "suppressed", "50%"])
        #expect(byGroup["E"]!.valueText == "0%")             // zero is shown
        #expect(byGroup["F"]!.valueText == "100%")
        // The bound always holds.
        for c in cells {
            guard let v = c.metric.value, c.shown == .below || c.shown == .above, let bound = Double(c.valueText.dropFirst().dropLast()) else { continue }
            #expect(c.shown == .below ? v * 100 < bound : v * 100 > bound, "\(c.metric.group)")
        }
    }

    @Test func generatedGridsNeverLeaveOneHiddenCellInALine() {
        var rng = SyntheticRandom(seed: 20260922)
        for trial in 0 ..< 300 {
            let rows = rng.below(6) + 1, columns = rng.below(8) + 2
            var metrics: [Metric] = []
            for r in 0 ..< rows {
                for c in 0 ..< columns where rng.below(10) != 0 {
                    let den = rng.below(40) + 1
                    let num = rng.below(den + 1)
                    metrics.append(metric("T\(r) / 2026-\(String(format: "%02d", c + 1))", Double(num), Double(den)))
                }
            }
            guard !metrics.isEmpty else { continue }
            let cells = MetricDisclosure.protect(metrics)
            var lines: [String: [MetricCell]] = [:]
            for cell in cells {
                lines["r" + cell.parts[0], default: []].append(cell)
                lines["c" + cell.parts[1], default: []].append(cell)
            }
            for (name, line) in lines where line.count > 1 {
                #expect(line.filter { $0.shown == .small || $0.shown == .hidden }.count != 1, "trial \(trial) \(name)")
                #expect(line.filter { $0.shown != .exact }.count != 1, "trial \(trial) \(name)")
            }
            // Nothing shown exactly is small, and a hidden cell shows no number.
            for cell in cells {
                if cell.shown == .exact {
                    #expect(!SmallCounts.isSmall(Int(cell.metric.numerator)) && !SmallCounts.isSmall(Int(cell.metric.denominator - cell.metric.numerator)))
                }
                if cell.shown == .hidden { #expect([cell.numeratorText, cell.denominatorText] == ["*", "*"]) }
            }
        }
    }
}
