// The terminal summary of the aggregate returns: each indicator series with its flagged periods, and
// the KPI rows a board must look at (everything but green), with the verdict's reason.

import MHDQ

extension CheckReport {
    static func returns(_ result: CheckResult) -> String {
        var s = ""
        if !result.series.isEmpty {
            let flagged = result.series.reduce(0) { $0 + $1.points.filter { !$0.flags.isEmpty }.count }
            let periods = result.series.reduce(0) { $0 + $1.points.count }
            s += "indicator series: \(number(result.series.count)) series, \(number(periods)) periods, \(number(flagged)) flagged\n"
            for series in result.series {
                // Area, measure and period names are the return's own values (see TerminalText).
                let name = series.measure.isEmpty ? series.area.visible : "\(series.area.visible) / \(series.measure.visible)"
                let span = series.points.first.map { "\($0.period.visible) to \(series.points.last!.period.visible)" } ?? ""
                s += "  \(name.padding(34)) \(span.padding(20)) \(String(series.points.count).leftPadding(3)) periods"
                let marks = series.points.filter { !$0.flags.isEmpty }
                s += marks.isEmpty ? "  no flags\n" : "\n"
                for p in marks {
                    let counts = "\(p.numerator.map(format) ?? "-") / \(p.denominator.map(format) ?? "-")"
                    let rate = p.rate.map { format($0) + series.unit.visible } ?? "-"
                    let stated = p.stated.map { format($0) + series.unit.visible } ?? "-"
                    s += "    \(p.period.visible.padding(14)) \(counts.leftPadding(15))  rate \(rate.padding(8)) stated \(stated.padding(8)) \(p.flags.map(\.visible).joined(separator: ", "))\n"
                }
            }
            s += "\n"
        }
        if !result.kpis.isEmpty {
            var counts: [RAG: Int] = [:]
            for k in result.kpis { counts[k.rag, default: 0] += 1 }
            s += "KPIs: \(number(result.kpis.count)) rows: "
            s += RAG.allCases.compactMap { r in counts[r].map { "\(r.rawValue) \($0)" } }.joined(separator: ", ") + "\n"
            let shown = result.kpis.filter { $0.rag != .green }
            for k in shown.prefix(30) {
                s += "  \(k.rag.rawValue.padding(14)) \(clip(k.title.visible, 34).padding(34)) \(clip(k.organisation.visible, 20).padding(20)) \(k.period.visible.padding(13)) \(k.note.visible)\n"
            }
            if shown.count > 30 { s += "  ... and \(shown.count - 30) more (see --findings)\n" }
            s += "\n"
        }
        return s
    }

    /// check --json: each series with its flagged periods (the full points are the report's).
    static func returnsSeriesJSON(_ result: CheckResult) -> JSON {
        .array(result.series.map { s in
            .object([
                ("area", .string(s.area)), ("measure", .string(s.measure)), ("unit", .string(s.unit)),
                ("periods", .int(s.points.count)),
                ("first", s.points.first.map { .string($0.period) } ?? .null),
                ("last", s.points.last.map { .string($0.period) } ?? .null),
                ("flagged", .array(s.points.filter { !$0.flags.isEmpty }.map { p in
                    .object([("period", .string(p.period)), ("rules", .array(p.flags.map { .string($0) }))])
                })),
            ])
        })
    }

    /// check --json: one verdict per KPI return row.
    static func returnsKPIJSON(_ result: CheckResult) -> JSON {
        .array(result.kpis.map { k in
            .object([
                ("indicator", .string(k.indicator)), ("title", .string(k.title)), ("organisation", .string(k.organisation)),
                ("period", .string(k.period)), ("target", .string(k.target)), ("actual", .string(k.actual)),
                ("target_value", k.targetValue.map { .double($0) } ?? .null),
                ("actual_value", k.actualValue.map { .double($0) } ?? .null),
                ("unit", .string(k.unit)), ("direction", .string(k.direction)),
                ("gap", k.gap.map { .double($0) } ?? .null), ("rag", .string(k.rag.rawValue)), ("note", .string(k.note)),
            ])
        })
    }

    /// Two decimal places at most, no needless zeros.
    static func format(_ v: Double) -> String {
        let r = (v * 100).rounded() / 100
        return r == r.rounded() && abs(r) < 1e15 ? String(Int(r)) : String(r)
    }

    static func clip(_ s: String, _ width: Int) -> String { s.count <= width ? s : String(s.prefix(width - 1)) + "…" }
}
