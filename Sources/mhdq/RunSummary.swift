// The one-screen summary `mhdq run` ends with: reconciliation, findings, what changed since the last run,
// where the outputs are. The details are in the outputs; this is what a steward reads first.

import MHDQ
import Foundation

enum RunSummary {
    static func text(manifest: Manifest, runID: String, period: ReportingPeriod?, result: CheckResult,
                     reconciliation: [ReconciliationRow], history: RunHistory, folder: OutputFolder) -> String {
        let n = CheckReport.number
        var s = "\(manifest.name.visible): run \(runID.visible)" + (period.map { ", reporting period \($0)" } ?? "") + "\n\n"
        s += "tables (rows read = exported + rejected):\n"
        for r in reconciliation {
            s += "  \(r.table.visible.padding(23)) \(n(r.read).leftPadding(9)) = \(n(r.exported).leftPadding(9)) + \(n(r.rejected).leftPadding(7))"
            s += r.balanced ? "\n" : "  NOT BALANCED\n"
        }
        s += "\nfindings: \(n(result.totalFindings))"
        let bySeverity = result.countsBySeverity()
        if !bySeverity.isEmpty { s += " (" + bySeverity.map { "\($0.0.rawValue) \(n($0.1))" }.joined(separator: ", ") + ")" }
        s += "\n"
        let byRule = result.countsByRule()
        for r in byRule.prefix(6) {
            s += "  \(r.rule.visible.padding(10)) \(r.severity.rawValue.padding(18)) \(n(r.count).leftPadding(8))  \(String(r.title.visible.prefix(60)))\n"
        }
        if byRule.count > 6 { s += "  ... \(byRule.count - 6) more rules in exceptions.csv and summary.json\n" }
        let returns = CheckReport.returns(result)
        if !returns.isEmpty { s += "\n" + returns + "\n" }
        if let o = history.outcome {
            let since = o.previous.map { "since \($0.runID.visible)" } ?? "first run of this history"
            s += "\(since): \(n(o.run.opened)) new, \(n(o.run.persisting)) persisting, \(n(o.run.resolved)) resolved (distinct findings)\n"
            s += "history: \(o.file.visible) (\(n(o.runsInHistory)) run\(o.runsInHistory == 1 ? "" : "s"), \(String(format: "%.1f", Double(o.fileBytes) / 1_048_576)) MB)\n"
        } else if let e = history.error {
            s += "history: NOT RECORDED: \(e.message.visible) (statuses are blank; see standard error)\n"
        } else {
            s += "history: not kept (--no-history)\n"
        }
        if !result.notRun.isEmpty {
            s += "not run: \(result.notRun.count) rules need context this run did not have (listed in summary.json)\n"
        }
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder.final)) ?? []).sorted()
        s += "outputs: \(folder.final.visible)/ (\(files.map(\.visible).joined(separator: ", "))); \(folder.latest.visible) points to it\n"
        let failing = result.failingCount
        s += failing > 0 ? "verdict: FAIL (\(n(failing)) findings at a failing level: rejections or breaches)\n"
                         : "verdict: PASS (nothing at a failing level)\n"
        return TerminalText.visibleLines(s)
    }
}
