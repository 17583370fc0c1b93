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

    @Test func hiddenCountsCannotBeWorkedOutFromWhatIsLeft() {
        // The demo's warnings: two rules of 1 finding each ("<5") beside counts of periods flagged on returns
        // (1, 1, 1, shown: they count no people) and a rule of 40. Total less the shown cells leaves 2 for two
        // cells of at least 1: both were 1. A period count of 1 hidden with them leaves 3 for three cells of at
        // least 1: still all 1. The 2 leaves 4: each could be 1 or 2.
        let people: Set<Int> = [0, 1, 5]
        #expect(SmallCounts.protect([1, 1, 1, 1, 2, 40], lines: [[0, 1, 2, 3, 4, 5]], countsPeople: { people.contains($0) })
            == [.small, .small, .shown, .shown, .hidden, .shown])
        // A hidden count is at least 5: hiding the 5 would leave 6 for "<5" and "*", so 1 and 5.
        #expect(SmallCounts.protect([1, 5, 30], lines: [[0, 1, 2]]) == [.small, .shown, .hidden])
        // Two small counts that add up to 8 are both 4.
        #expect(SmallCounts.protect([4, 4, 20], lines: [[0, 1, 2]]) == [.small, .small, .hidden])
        // ...and two that add up to 5 can be 1 and 4, 2 and 3, ...: nothing more to hide.
        #expect(SmallCounts.protect([2, 3, 20], lines: [[0, 1, 2]]) == [.small, .small, .shown])
        // A total that is itself a cell: severity A (2 findings: rules of 1 and 1) and severity B (50: rules of
        // 30 and 20) add up to a published 52. A is "<5", so B would give it back and is hidden; B would then be
        // its rules' sum, so its smaller rule is hidden too. A protects its two rules: they add up to 1 to 4.
        let lines = [CountLine(parts: [0, 1], whole: 4), CountLine(parts: [2, 3], whole: 5), CountLine(parts: [4, 5])]
        #expect(SmallCounts.protect([1, 1, 30, 20, 2, 50], totals: lines) == [.small, .small, .shown, .hidden, .small, .hidden])
    }

    @Test func generatedFindingsTablesNeverGiveAHiddenCountBack() {
        // Findings-shaped tables as the report publishes them: rules within severities, severities within the
        // total (a cell, hidden if need be), and the failing and the warning severities' counts published in the
        // headline. Many small counts; some rules count periods rather than people. Every value a suppressed
        // cell could take, given what is published and what "<5" and "*" say, is found by enumerating the
        // suppressed severities (and the rules' ranges each leaves): each cell must have at least two.
        enum Kind { case failing, warning, info }
        var rng = SyntheticRandom(seed: 20261123)
        var protected = 0, unprotectable = 0
        for trial in 0 ..< 300 {
            let kinds: [Kind] = [.failing, .failing, .warning, .warning, .info].filter { _ in rng.below(3) != 0 }
            guard kinds.count >= 2 else { continue }
            let m = kinds.count
            var counts: [Int] = [], people: [Bool] = [], severityOf: [Int] = []
            for s in 0 ..< m {
                for _ in 0 ... rng.below(4) {
                    counts.append(rng.below(3) == 0 ? rng.below(10) + 5 : rng.below(4) + 1)
                    people.append(rng.below(4) != 0)
                    severityOf.append(s)
                }
            }
            let n = counts.count
            let severityCounts = (0 ..< m).map { s in counts.indices.filter { severityOf[$0] == s }.map { counts[$0] }.reduce(0, +) }
            let grand = severityCounts.reduce(0, +)
            let cells = counts + severityCounts + [grand]
            let isPeople = people + (0 ..< m).map { s in people.indices.contains { severityOf[$0] == s && people[$0] } } + [people.contains(true)]
            let failing = (0 ..< m).filter { kinds[$0] == .failing }, warning = (0 ..< m).filter { kinds[$0] == .warning }
            var lines = (0 ..< m).map { s in CountLine(parts: counts.indices.filter { severityOf[$0] == s }, whole: n + s) }
            // The headline publishes a kind's count exactly unless it is under 5; a severity alone in its kind is
            // the headline's count, never hidden for another.
            let failingTotal = failing.map { severityCounts[$0] }.reduce(0, +), warningTotal = warning.map { severityCounts[$0] }.reduce(0, +)
            let published = [(failing, failingTotal), (warning, warningTotal)].filter { !$0.0.isEmpty && !SmallCounts.isSmall($0.1) }
            for (kind, _) in published { lines.append(CountLine(parts: kind.map { n + $0 })) }
            let inTotal = (0 ..< m).filter { s in !published.contains { $0.0.contains(s) } }
            lines.append(CountLine(parts: inTotal.map { n + $0 }, whole: n + m, offset: published.map(\.1).reduce(0, +)))
            let alone = Set(published.filter { $0.0.count == 1 }.map { n + $0.0[0] })
            let state = SmallCounts.protect(cells, totals: lines, countsPeople: { isPeople[$0] }, canHide: { !alone.contains($0) })
            for i in alone { #expect(state[i] != .hidden) }

            // Every value each suppressed cell could take, given `state`.
            func possible(_ state: [Disclosure]) -> [Int: Set<Int>] {
                let cap = grand + 20
                func range(_ i: Int) -> ClosedRange<Int> {
                    switch state[i] {
                    case .shown: return cells[i] ... cells[i]
                    case .small: return 1 ... 4
                    case .hidden: return (isPeople[i] ? 5 : 1) ... cap
                    }
                }
                // A severity's rules when its count is `value`: the values each suppressed rule can take (nil: none).
                func ruleValues(_ s: Int, value: Int) -> [Int: ClosedRange<Int>]? {
                    let rules = counts.indices.filter { severityOf[$0] == s }
                    let left = value - rules.filter { state[$0] == .shown }.map { cells[$0] }.reduce(0, +)
                    let open = rules.filter { state[$0] != .shown }
                    let lo = open.map { range($0).lowerBound }.reduce(0, +), hi = open.map { range($0).upperBound }.reduce(0, +)
                    guard left >= lo, left <= hi else { return nil }
                    var out: [Int: ClosedRange<Int>] = [:]
                    for r in open {
                        out[r] = max(range(r).lowerBound, left - (hi - range(r).upperBound)) ... min(range(r).upperBound, left - (lo - range(r).lowerBound))
                    }
                    return out
                }
                var seen = [Int: Set<Int>]()
                let open = (0 ..< m).filter { state[n + $0] != .shown }
                func search(_ k: Int, _ chosen: [Int: Int]) {
                    let value = { (s: Int) in chosen[s] ?? severityCounts[s] }
                    if k == open.count {
                        let sum = (0 ..< m).map(value).reduce(0, +)
                        guard range(n + m).contains(sum), published.allSatisfy({ $0.0.map(value).reduce(0, +) == $0.1 }) else { return }
                        var found: [Int: ClosedRange<Int>] = [:]
                        for s in 0 ..< m {
                            guard let r = ruleValues(s, value: value(s)) else { return }
                            found.merge(r) { a, _ in a }
                        }
                        for (s, v) in chosen { seen[n + s, default: []].insert(v) }
                        seen[n + m, default: []].insert(sum)
                        for (r, values) in found { seen[r, default: []].formUnion(values.prefix(2)) }
                        return
                    }
                    let s = open[k]
                    // The last open member of a published kind is what the kind's count leaves.
                    for (group, total) in published where group.contains(s) && group.filter({ open.contains($0) }).last == s {
                        let v = total - group.filter { $0 != s }.map(value).reduce(0, +)
                        if range(n + s).contains(v) { search(k + 1, chosen.merging([s: v]) { $1 }) }
                        return
                    }
                    for v in range(n + s) { search(k + 1, chosen.merging([s: v]) { $1 }) }
                }
                search(0, [:])
                return seen
            }
            let seen = possible(state)
            // Where a count is worked out all the same, hiding every other cell the table may hide must not
            // help either (a severity of "<5" listing four rules, say: each is 1).
            lazy var atBest: [Int: Set<Int>] = {
                var everything = state
                for i in cells.indices where everything[i] == .shown && !alone.contains(i) { everything[i] = .hidden }
                return possible(everything)
            }()
            for i in cells.indices where state[i] != .shown {
                protected += 1
                if (seen[i]?.count ?? 0) < 2 {
                    unprotectable += 1
                    #expect((atBest[i]?.count ?? 0) < 2, "trial \(trial): cell \(i) (\(cells[i]), \(state[i])) of \(cells) worked out; \(state), kinds \(kinds), people \(isPeople)")
                }
            }
            // Nothing shown is a small count of people.
            for i in cells.indices where state[i] == .shown { #expect(!(SmallCounts.isSmall(cells[i]) && isPeople[i])) }
        }
        #expect(protected > 1_000)
        #expect(unprotectable * 50 < protected, "\(unprotectable) of \(protected)")
    }

    @Test func gridNumeratorsCannotBeWorkedOutFromTheTeamTotal() {
        // One team's months: 1 of 30 and 1 of 40 are "<5" each, 20 of 50 is exact. The team's total (22 of
        // 120, published by the team rule) less 20 leaves 2 for the two "<5": both 1. The 50 is hidden with
        // them, then the 30, since the 50 alone would come back from the denominators.
        let cells = MetricDisclosure.protect([metric("T / 2026-01", 1, 30), metric("T / 2026-02", 1, 40), metric("T / 2026-03", 20, 50)])
        #expect(cells.map(\.shown) == [.hidden, .below, .hidden])
        // A bound that no cell shown can protect: 29 of 33 (">28") beside 0 of 6, the team 29 of 39. The 0
        // cannot go lower, so the 29 (and the 4 without) follows whatever else is hidden: the cell is hidden
        // whole, and its denominator protected by the others (the column's 2 of 26 with it).
        let whole = MetricDisclosure.protect([metric("T0 / 2026-01", 2, 26), metric("T1 / 2026-01", 29, 33), metric("T1 / 2026-02", 0, 6)])
        #expect(whole.map(\.shown) == [.hidden, .hidden, .hidden])
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
