// Small-number suppression for the report, which travels to boards: counts under 5 are shown as "<5", and
// further counts are hidden wherever a hidden count could otherwise be worked out from the totals by
// subtraction (complementary suppression, checked by bounds propagation over the totals).

import Foundation

/// How a count may appear in an aggregate output.
public enum Disclosure: Sendable, Equatable {
    case shown
    /// 1 to 4: shown as "<5" (0 is shown: "no records" is not a small number about anyone).
    case small
    /// Not small itself, hidden so that a small count in the same total cannot be recovered ("*").
    case hidden
}

public enum SmallCounts {
    public static let threshold = 5
    public static let smallText = "<5"
    public static let hiddenText = "*"

    public static func isSmall(_ n: Int) -> Bool { n > 0 && n < threshold }

    public static func text(_ n: Int, _ disclosure: Disclosure) -> String {
        switch disclosure {
        case .shown: return HTMLText.count(n)
        case .small: return smallText
        case .hidden: return hiddenText
        }
    }

    /// Marks the small counts, then protects them: `lines` are sets of cells (indices into `counts`) whose total
    /// may be published. Other cells are hidden too until no count shown as "<5" or "*" can be worked out from
    /// the totals and the counts shown (see `complement`).
    /// `countsPeople(i)` is false for a cell that counts something other than records about people (the groups
    /// or periods an aggregate rule flagged): such a cell is never small, but can still be hidden for another.
    public static func protect(_ counts: [Int], lines: [[Int]], countsPeople: (Int) -> Bool = { _ in true }) -> [Disclosure] {
        protect(counts, totals: lines.map { CountLine(parts: $0) }, countsPeople: countsPeople)
    }

    /// As above, for lines whose total may itself be a cell of the same table (a severity's count, the total of
    /// its rules' counts), suppressed like any other. `canHide(i)` is false for a cell published elsewhere as
    /// it is (hiding it here would protect nothing).
    public static func protect(_ counts: [Int], totals lines: [CountLine], countsPeople: (Int) -> Bool = { _ in true },
                               canHide: (Int) -> Bool = { _ in true }) -> [Disclosure] {
        var state = counts.indices.map { isSmall(counts[$0]) && countsPeople($0) ? Disclosure.small : .shown }
        complement(&state, values: counts, sizes: counts, lines: lines, hidden: .hidden,
                   canHide: { canHide($0) && $1 == .shown }, mustNotPin: { $1 != .shown }) { i, d in
            switch d {
            case .shown: return CountBounds(counts[i])
            case .small: return CountBounds(lo: 1, hi: Double(threshold - 1))
            // A hidden count is not small (unless it counts no people), or is zero.
            case .hidden: return CountBounds(lo: counts[i] == 0 ? 0 : countsPeople(i) ? Double(threshold) : 1, hi: .infinity)
            }
        }
        return state
    }

    /// Complementary suppression over `lines`, against a reader who knows the published totals, every count
    /// shown and what each "<5", "*" or bound says (`known(i, state)`: the range a cell in that state is known
    /// to lie in), and who works out whatever follows from them by subtraction, line after line, as far as it
    /// goes. While a cell that must not be worked out (`mustNotPin`) is pinned to one value, a cell of one of
    /// its lines that `canHide` is hidden too (`hidden`): the smallest that leaves that line pinning nothing,
    /// else the one that widens it most. The smallest non-zero cell costs the reader least (`sizes`); a zero
    /// only if nothing else will do. Where no such cell helps, `escalate` may give the pinned cell itself a
    /// vaguer state; else it is left as it is (every cell of its lines already suppressed: the total gives it).
    /// A line of one cell and no whole is no line: its total is that cell, published under the same rules.
    /// Returns whether anything changed.
    @discardableResult
    static func complement<S>(_ state: inout [S], values: [Int], sizes: [Int], lines allLines: [CountLine], hidden: S,
                              canHide: (Int, S) -> Bool, mustNotPin: (Int, S) -> Bool,
                              escalate: (S) -> S? = { _ in nil }, known: (Int, S) -> CountBounds) -> Bool {
        let lines = allLines.filter { $0.whole != nil || $0.parts.count > 1 }.map { SumLine($0, values: values) }
        var linesOf = [[Int]](repeating: [], count: values.count)
        for (l, line) in lines.enumerated() {
            for c in Set(line.cells) { linesOf[c].append(l) }
        }
        var changed = false
        var givenUp = Set<Int>()
        while true {
            // One reading of the whole table, then every pinned cell none of whose lines has changed since.
            let reader = CountBounds.derive(values.indices.map { known($0, state[$0]) }, lines: lines)
            let pinnedCells = values.indices.filter { mustNotPin($0, state[$0]) && !givenUp.contains($0) && reader[$0].isPinned }
            guard !pinnedCells.isEmpty else { break }
            var touched = Set<Int>()
            for pinned in pinnedCells where linesOf[pinned].allSatisfy({ !touched.contains($0) }) {
                // Candidates from the lines that pin the cell by themselves (from what the cells' states say;
                // all its lines when it takes more than one), cheapest first: the first that leaves its line
                // pinning nothing is taken; failing that, the one that widens its line most.
                let pinning = linesOf[pinned].filter { l in
                    let line = lines[l]
                    return line.tighten(line.cells.map { known($0, state[$0]) })[line.cells.firstIndex(of: pinned)!].isPinned
                }
                var candidates: [(cell: Int, line: Int)] = []
                for l in pinning.isEmpty ? linesOf[pinned] : pinning {
                    for k in lines[l].cells where canHide(k, state[k]) { candidates.append((k, l)) }
                }
                candidates.sort { (sizes[$0.cell] == 0 ? 1 : 0, sizes[$0.cell], $0.cell, $0.line) < (sizes[$1.cell] == 0 ? 1 : 0, sizes[$1.cell], $1.cell, $1.line) }
                var pick: Int?
                var widest: (slack: Double, cell: Int)?
                for (k, l) in candidates {
                    let line = lines[l]
                    // What this line alone tells of its cells once k is hidden, from what each cell's state says.
                    let before = line.cells.map { c in c == k ? known(k, hidden) : known(c, state[c]) }
                    let after = line.tighten(before)
                    let protects = line.cells.indices.allSatisfy { j in
                        let c = line.cells[j]
                        return !mustNotPin(c, c == k ? hidden : state[c]) || !after[j].isPinned
                    }
                    if protects {
                        pick = k
                        break
                    }
                    let slack = Double(values[k]) - known(k, hidden).lo
                    if slack > 0, widest == nil || slack > widest!.slack { widest = (slack, k) }
                }
                let moved: Int
                if let k = pick ?? widest?.cell {
                    state[k] = hidden
                    moved = k
                } else if let vaguer = escalate(state[pinned]) {
                    state[pinned] = vaguer
                    moved = pinned
                } else {
                    givenUp.insert(pinned)
                    continue
                }
                touched.formUnion(linesOf[moved])
                touched.formUnion(linesOf[pinned])
                changed = true
            }
        }
        return changed
    }
}

/// A published total: its `parts` add up to `whole`, a cell of the same table (with `offset`: counts
/// published elsewhere that are part of it), or (whole nil) to a total published elsewhere.
public struct CountLine: Sendable, Equatable {
    public var parts: [Int]
    public var whole: Int?
    public var offset: Int

    public init(parts: [Int], whole: Int? = nil, offset: Int = 0) {
        self.parts = parts
        self.whole = whole
        self.offset = offset
    }
}

/// A line as an equation: the sum of its terms (parts +1, the whole -1) is `total` (the parts' counts when
/// the whole is published elsewhere, less the offset when it is a cell).
struct SumLine {
    var cells: [Int]
    var signs: [Double]
    var total: Double

    init(_ line: CountLine, values: [Int]) {
        cells = line.parts + (line.whole.map { [$0] } ?? [])
        signs = line.parts.map { _ in 1.0 } + (line.whole == nil ? [] : [-1.0])
        total = line.whole == nil ? Double(line.parts.map { values[$0] }.reduce(0, +)) : Double(-line.offset)
    }

    /// Each cell's range (in `cells` order) narrowed to the total less the other cells' ranges.
    func tighten(_ known: [CountBounds]) -> [CountBounds] {
        func range(_ j: Int) -> (lo: Double, hi: Double) {
            signs[j] > 0 ? (known[j].lo, known[j].hi) : (-known[j].hi, -known[j].lo)
        }
        // Sums of the terms' minima and maxima, the infinite ones counted apart (so that one can be taken out).
        var loSum = 0.0, hiSum = 0.0, loInfinite = 0, hiInfinite = 0
        for j in cells.indices {
            let r = range(j)
            if r.lo.isInfinite { loInfinite += 1 } else { loSum += r.lo }
            if r.hi.isInfinite { hiInfinite += 1 } else { hiSum += r.hi }
        }
        return cells.indices.map { j in
            let r = range(j)
            let othersLo = loInfinite - (r.lo.isInfinite ? 1 : 0) > 0 ? -Double.infinity : loSum - (r.lo.isInfinite ? 0 : r.lo)
            let othersHi = hiInfinite - (r.hi.isInfinite ? 1 : 0) > 0 ? Double.infinity : hiSum - (r.hi.isInfinite ? 0 : r.hi)
            // sign * x = total - others
            let termLo = total - othersHi, termHi = total - othersLo
            let (lo, hi) = signs[j] > 0 ? (termLo, termHi) : (-termHi, -termLo)
            return CountBounds(lo: max(known[j].lo, lo), hi: min(known[j].hi, hi))
        }
    }
}

/// What a reader can know of a count: from `lo` to `hi` (hi may be infinite).
struct CountBounds: Equatable {
    var lo: Double
    var hi: Double

    init(lo: Double, hi: Double) {
        self.lo = lo
        self.hi = hi
    }

    init(_ exact: Int) { self.init(lo: Double(exact), hi: Double(exact)) }

    var isPinned: Bool { lo >= hi }

    /// Everything a reader can work out by subtraction: each line in turn narrows each of its cells to what
    /// its total less the others' ranges leaves, until no range narrows (bounds propagation; capped, and what
    /// it gives always holds the true count).
    static func derive(_ known: [CountBounds], lines: [SumLine]) -> [CountBounds] {
        var b = known
        for _ in 0 ..< 1_000 {
            var changed = false
            for line in lines {
                let after = line.tighten(line.cells.map { b[$0] })
                for (j, c) in line.cells.enumerated() where after[j] != b[c] {
                    b[c] = after[j]
                    changed = true
                }
            }
            if !changed { break }
        }
        return b
    }
}

/// One aggregate measure for one group as the report may show it, after small-number suppression.
public struct MetricCell: Sendable {
    public enum Shown: Sendable, Equatable {
        case exact
        /// The numerator is 1 to 4: only an upper bound on the value is shown.
        case below
        /// Denominator minus numerator is 1 to 4: only a lower bound is shown.
        case above
        /// The denominator is 1 to 4.
        case small
        /// Hidden so that a suppressed cell of the same rule cannot be worked out from a row or column total.
        case hidden
    }

    public var metric: Metric
    /// The group's parts ("RUG-CMHT / 2026-07" → ["RUG-CMHT", "2026-07"]).
    public var parts: [String]
    public var shown: Shown
    public var numeratorText: String
    public var denominatorText: String
    public var valueText: String
    /// What a chart may draw: the value, or a bound within 5 percentage points of it; nil when not drawn.
    public var chartValue: Double?

    public var isSuppressed: Bool { shown != .exact }
}

public enum MetricDisclosure {
    /// Suppresses the metrics of one rule. Groups with two or more parts form a grid (the last part, usually the
    /// month, across the others): each row and each column is a line whose total another rule may publish.
    /// A one-part rule is one line.
    public static func protect(_ metrics: [Metric]) -> [MetricCell] {
        let parts = metrics.map { $0.group.components(separatedBy: " / ") }
        let den = metrics.map { Int($0.denominator.rounded()) }
        let num = metrics.map { Int($0.numerator.rounded()) }
        let countsNumerator = metrics.map { $0.measure != "mean" }
        var lines: [[Int]] = []
        if let width = parts.first?.count, width > 1, parts.allSatisfy({ $0.count == width }) {
            var rows: [String: [Int]] = [:]
            var columns: [String: [Int]] = [:]
            for (i, p) in parts.enumerated() {
                rows[p.dropLast().joined(separator: " / "), default: []].append(i)
                columns[p.last!, default: []].append(i)
            }
            lines = rows.sorted { $0.key < $1.key }.map(\.value) + columns.sorted { $0.key < $1.key }.map(\.value)
        } else {
            lines = [Array(metrics.indices)]
        }

        // Primary suppression, per cell.
        var shown: [MetricCell.Shown] = metrics.indices.map { i in
            if SmallCounts.isSmall(den[i]) { return .small }
            guard countsNumerator[i] else { return .exact }
            if SmallCounts.isSmall(num[i]) { return .below }
            if SmallCounts.isSmall(den[i] - num[i]) { return .above }
            return .exact
        }
        // Secondary: while a hidden denominator, or an inexact numerator, could be worked out from a line's
        // total and the cells shown, another cell of the line is hidden (whole cells are hidden: a shown rate
        // and numerator would give the denominator back).
        let countLines = lines.map { CountLine(parts: $0) }
        let numeratorLines = lines.map { CountLine(parts: $0.filter { countsNumerator[$0] }) }
        let small = Double(SmallCounts.threshold - 1)
        var changed = true
        while changed {
            changed = false
            // What a reader knows of a denominator: exact unless the cell is small (1 to 4) or hidden (not small).
            if SmallCounts.complement(&shown, values: den, sizes: den, lines: countLines, hidden: .hidden,
                                      canHide: { $1 != .small && $1 != .hidden },
                                      mustNotPin: { $1 == .small || $1 == .hidden }, known: { i, s in
                switch s {
                case .small: return CountBounds(lo: 1, hi: small)
                case .hidden: return CountBounds(lo: den[i] == 0 ? 0 : Double(SmallCounts.threshold), hi: .infinity)
                default: return CountBounds(den[i])
                }
            }) { changed = true }
            // And of a numerator: exact, under 5, within 5 of its denominator, at most a small denominator, or
            // anything (hidden). What must not be worked out: a numerator under 5, and one within 5 of the
            // denominator shown. Where no cell shown can protect such a bound, the cell is hidden whole (its
            // denominator is then protected above).
            if SmallCounts.complement(&shown, values: num, sizes: den, lines: numeratorLines, hidden: .hidden,
                                      canHide: { $1 == .exact },
                                      mustNotPin: { i, s in s == .above || (s != .exact && SmallCounts.isSmall(num[i])) },
                                      escalate: { $0 == .below || $0 == .above ? .hidden : nil }, known: { i, s in
                switch s {
                case .exact: return CountBounds(num[i])
                case .below: return CountBounds(lo: 1, hi: small)
                case .above: return CountBounds(lo: Double(den[i] - SmallCounts.threshold + 1), hi: Double(den[i] - 1))
                case .small: return CountBounds(lo: 0, hi: small)
                case .hidden: return CountBounds(lo: 0, hi: .infinity)
                }
            }) { changed = true }
        }

        return metrics.indices.map { i in
            let m = metrics[i]
            var cell = MetricCell(metric: m, parts: parts[i], shown: shown[i], numeratorText: "", denominatorText: "",
                                  valueText: "", chartValue: nil)
            let isShare = m.measure == "share"
            switch shown[i] {
            case .exact:
                cell.numeratorText = m.measure == "mean" ? HTMLText.number(m.numerator) : HTMLText.count(num[i])
                cell.denominatorText = HTMLText.count(den[i])
                cell.valueText = m.value.map { valueText($0, metric: m) } ?? "no value"
                cell.chartValue = m.value
            case .below:
                cell.numeratorText = SmallCounts.smallText
                cell.denominatorText = HTMLText.count(den[i])
                let bound = ceil(Double(SmallCounts.threshold) / Double(den[i]) * 1000) / 1000
                cell.valueText = isShare ? "<" + HTMLText.percent(bound) : (m.measure == "count" ? SmallCounts.smallText : "suppressed")
                if isShare && den[i] >= 100 { cell.chartValue = bound }
            case .above:
                cell.numeratorText = ">" + HTMLText.count(den[i] - SmallCounts.threshold)
                cell.denominatorText = HTMLText.count(den[i])
                let bound = floor(Double(den[i] - SmallCounts.threshold) / Double(den[i]) * 1000) / 1000
                cell.valueText = isShare ? ">" + HTMLText.percent(bound) : (m.measure == "count" ? cell.numeratorText : "suppressed")
                if isShare && den[i] >= 100 { cell.chartValue = bound }
            case .small:
                cell.numeratorText = SmallCounts.smallText
                cell.denominatorText = SmallCounts.smallText
                cell.valueText = "suppressed"
            case .hidden:
                cell.numeratorText = SmallCounts.hiddenText
                cell.denominatorText = SmallCounts.hiddenText
                cell.valueText = "suppressed"
            }
            return cell
        }
    }

    static func valueText(_ v: Double, metric: Metric) -> String {
        if metric.percent { return HTMLText.percent(v) }
        if metric.measure == "count" { return HTMLText.count(Int(v.rounded())) }
        return HTMLText.number(v, decimals: 2)
    }
}
