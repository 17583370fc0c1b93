// Runs what `mhdq run` runs, against a history file: staging and rules, statuses as findings stream, the record.

import Foundation
import Testing
@testable import MHDQ

enum HistoryTestSupport {
    static let fixtures = TestPaths.testsDirectory + "/Fixtures/history"

    /// One night: the findings after the status tracker (statuses set), the check result and what was recorded.
    struct Night {
        var result: CheckResult
        var findings: [Finding]
        var outcome: HistoryOutcome
    }

    /// Stages `tables` (NAME → file) with `packs`, provider RX1, comparing with and recording into `history`
    /// (`uncommitted`: recorded, then the session ends without committing it, as when a run's outputs fail).
    static func run(history: String, runID: String, started: String, tables: [(String, String)], packs: [String] = ["ethnicity"],
                    storedRecordKey: ((Finding) -> String)? = nil, wait: Double = 0, uncommitted: Bool = false,
                    catalogue: Catalogue = RuleTestSupport.catalogue) throws -> Night {
        var info = RunInfo(runID: runID, pipeline: "fixture", started: started)
        info.period = "2026-09"
        info.finished = started
        let session = try HistorySession(path: history, info: info, wait: wait)
        defer { session.end() }
        if let storedRecordKey { session.tracker.storedRecordKey = storedRecordKey }
        let sources = try CheckRun.adHocSources(tables.map { $0.0 + "=" + $0.1 }, catalogue: catalogue, read: ReadOptions())
        var check = CheckRun(catalogue: catalogue, sources: sources, period: RuleTestSupport.period, packs: packs)
        check.provider = "RX1"
        let after = FindingCollector()
        check.findingSink = session.statusSink(forwardingTo: after)
        check.metricHistory = session.store
        let result = try check.run()
        let outcome = uncommitted ? try session.recordUncommitted(result, info: info, inputs: [])
                                  : try session.record(result, info: info, inputs: [])
        return Night(result: result, findings: after.findings, outcome: outcome)
    }

    /// "RULE KEY" for each finding with `status`, sorted.
    static func keys(_ findings: [Finding], status: String) -> [String] {
        findings.filter { $0.status == status }.map { "\($0.ruleID) \($0.recordKey)" }.sorted()
    }

    static func resolved(_ store: HistoryStore, by run: HistoryRun) throws -> [String] {
        var out: [String] = []
        try store.resolvedFindings(by: run) { out.append("\($0.ruleID) \($0.recordKey)") }
        return out.sorted()
    }

    static func copyFixture(_ name: String, to dir: TempDir) throws -> String {
        let path = dir.path + "/" + name
        try FileManager.default.copyItem(atPath: fixtures + "/" + name, toPath: path)
        return path
    }
}
