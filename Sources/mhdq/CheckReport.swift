// Renders a check result as a terminal summary or as JSON for scripts.

import MHDQ

enum CheckReport {
    static func number(_ n: Int) -> String {
        let s = String(n)
        var out = ""
        for (i, c) in s.reversed().enumerated() {
            if i > 0 && i % 3 == 0 && c != "-" { out.append(",") }
            out.append(c)
        }
        return String(out.reversed())
    }

    static func text(_ result: CheckResult, period: ReportingPeriod?) -> String {
        var s = "mhdq check" + (period.map { ", reporting period \($0)" } ?? "") + "\n\n"
        for t in result.stats {
            let files = t.files.enumerated().map { i, f in t.sheets[i].map { "\(f.visible) [\($0.visible)]" } ?? f.visible }
            s += "\(t.table.visible)  \(files.joined(separator: ", "))\n"
            s += "  rows read \(number(t.rowsRead))   staged \(number(t.rowsStaged))   rejected \(number(t.rowsRejected))"
            if t.blankRows > 0 { s += "   blank rows skipped \(number(t.blankRows))" }
            s += "\n"
            if t.valuesMapped > 0 { s += "  values mapped from descriptions or re-cased to codes: \(number(t.valuesMapped))\n" }
            if t.windows1252Fields > 0 { s += "  fields read as Windows-1252 (not valid UTF-8): \(number(t.windows1252Fields))\n" }
            if !t.unmappedColumns.isEmpty { s += "  columns not mapped to a field (ignored): \(t.unmappedColumns.map(\.visible).joined(separator: ", "))\n" }
            if !t.missingFields.isEmpty { s += "  no column for mandatory/required fields: \(t.missingFields.map(\.visible).joined(separator: ", "))\n" }
            if t.problems.isEmpty {
                s += "  staging problems: none\n"
            } else {
                s += "  staging problems:\n"
                for (kind, count) in t.problems.sorted(by: { $0.value > $1.value }) {
                    s += "    \(kind.visible): \(number(count))\n"
                    for e in t.examples[kind] ?? [] { s += "      \(e.visible)\n" }
                }
            }
            s += "\n"
        }
        if !result.notRun.isEmpty {
            s += "not run (\(result.notRun.count) rules need context this run does not have):\n"
            var byNeed: [String: [String]] = [:]
            for n in result.notRun { byNeed[n.needs, default: []].append(n.rule) }
            for (need, rules) in byNeed.sorted(by: { $0.key < $1.key }) {
                s += "  needs \(need): \(rules.joined(separator: ", "))\n"
            }
            s += "\n"
        }
        s += returns(result)
        let byRule = result.countsByRule()
        if byRule.isEmpty {
            s += "findings: none\n"
        } else {
            s += "findings by rule:\n"
            for r in byRule.prefix(40) {
                s += "  \(r.rule.visible.padding(12)) \(r.severity.rawValue.padding(19)) \(number(r.count).leftPadding(8))  \(r.title.visible)\n"
            }
            if byRule.count > 40 { s += "  ... and \(byRule.count - 40) more rules (see --findings or --json)\n" }
            s += "findings: \(number(result.totalFindings)) ("
            s += result.countsBySeverity().map { "\($0.0.rawValue) \(number($0.1))" }.joined(separator: ", ") + ")\n"
        }
        let failing = result.failingCount
        s += failing > 0 ? "verdict: FAIL (\(number(failing)) findings at a failing level: rejections or breaches)\n"
                         : "verdict: PASS (nothing at a failing level)\n"
        return TerminalText.visibleLines(s)
    }

    static func json(_ result: CheckResult, period: ReportingPeriod?) -> JSON {
        let tables: [JSON] = result.stats.map { t in
            .object([
                ("table", .string(t.table)),
                ("files", .array(t.files.map { .string($0) })),
                ("rows_read", .int(t.rowsRead)),
                ("rows_staged", .int(t.rowsStaged)),
                ("rows_rejected", .int(t.rowsRejected)),
                ("blank_rows", .int(t.blankRows)),
                ("values_mapped", .int(t.valuesMapped)),
                ("unmapped_columns", .array(t.unmappedColumns.map { .string($0) })),
                ("missing_fields", .array(t.missingFields.map { .string($0) })),
                ("problems", .array(t.problems.sorted { $0.key < $1.key }.map { kind, count in
                    .object([("kind", .string(kind)), ("count", .int(count)),
                             ("examples", .array((t.examples[kind] ?? []).map { .string($0) }))])
                })),
            ])
        }
        return .object([
            ("period", period.map { .string($0.description) } ?? .null),
            ("tables", .array(tables)),
            ("findings", result.findingCountsJSON),
            ("not_run", result.notRunJSON),
            ("series", returnsSeriesJSON(result)),
            ("kpis", returnsKPIJSON(result)),
            ("exit_code", .int(Int(result.exitCode))),
        ])
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
    func leftPadding(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
