// Small-number suppression for the report, which travels to boards: counts under 5 are shown as "<5", and
// a second count is hidden wherever a hidden count could otherwise be worked out from a total by subtraction.

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
    /// may be published; wherever exactly one cell of a line is not shown, the smallest other cell of that line
    /// is hidden too, until nothing changes.
    /// `countsPeople(i)` is false for a cell that counts something other than records about people (the groups
    /// or periods an aggregate rule flagged): such a cell is never small, but can still be hidden for another.
    public static func protect(_ counts: [Int], lines: [[Int]], countsPeople: (Int) -> Bool = { _ in true }) -> [Disclosure] {
        var state = counts.indices.map { isSmall(counts[$0]) && countsPeople($0) ? Disclosure.small : .shown }
        protect(&state, sizes: counts, lines: lines) { $0 != .shown }
        return state
    }

    /// One round of complementary suppression over `lines`: `isHidden` says which cells already count as hidden.
    /// Returns whether anything changed. The smallest non-zero cell costs the reader least; a zero only if
    /// nothing else is left.
    @discardableResult
    static func protect(_ state: inout [Disclosure], sizes: [Int], lines: [[Int]], isHidden: (Disclosure) -> Bool) -> Bool {
        var changedAny = false
        var changed = true
        while changed {
            changed = false
            for line in lines where line.count > 1 {
                guard line.filter({ isHidden(state[$0]) }).count == 1 else { continue }
                let pick = line.filter { !isHidden(state[$0]) }
                    .min { (sizes[$0] == 0 ? 1 : 0, sizes[$0], $0) < (sizes[$1] == 0 ? 1 : 0, sizes[$1], $1) }
                guard let pick else { continue }
                state[pick] = .hidden
                changed = true
                changedAny = true
            }
        }
        return changedAny
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
        // Secondary: a hidden denominator alone in a line, or an inexact numerator alone in a line, takes
        // the smallest other cell of the line with it (whole cells are hidden: a shown rate and numerator
        // would give the denominator back).
        var state = shown.map { $0 == .exact ? Disclosure.shown : .small }
        var changed = true
        while changed {
            changed = false
            var denState = shown.map { ($0 == .small || $0 == .hidden) ? Disclosure.small : .shown }
            if SmallCounts.protect(&denState, sizes: den, lines: lines, isHidden: { $0 != .shown }) {
                for i in shown.indices where denState[i] == .hidden { shown[i] = .hidden }
                changed = true
            }
            let numeratorLines = lines.map { $0.filter { countsNumerator[$0] } }
            state = shown.map { $0 == .exact ? Disclosure.shown : .small }
            if SmallCounts.protect(&state, sizes: den, lines: numeratorLines, isHidden: { $0 != .shown }) {
                for i in shown.indices where state[i] == .hidden { shown[i] = .hidden }
                changed = true
            }
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
