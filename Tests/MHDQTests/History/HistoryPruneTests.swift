// Pruning keeps the last N runs and every finding still open (with its first-seen date); the report's trend
// points come from the same store.

import Foundation
import Testing
@testable import MHDQ

@Suite struct HistoryPruneTests {
    typealias H = HistoryTestSupport

    func threeNights(_ db: String) throws -> [H.Night] {
        try (1 ... 3).map { n in
            try H.run(history: db, runID: "night\(n)", started: "2026-01-0\(n + 4)T02:00:00Z",
                      tables: [("MHS001MPI", H.fixtures + "/mpi-run\(n).csv")])
        }
    }

    @Test func pruneKeepsTheLastRunsAndOpenFindings() throws {
        let dir = TempDir()
        let db = dir.path + "/history.sqlite"
        let nights = try threeNights(db)
        let store = try HistoryStore(path: db, create: false)
        #expect(try store.prune(keep: 2) == 1)
        #expect(try store.runs().map(\.runID) == ["night2", "night3"])
        #expect(try store.trend(rule: "ETH010", group: "RX1").map(\.runID) == ["night2", "night3"])
        // Still open after night 3, first seen on night 1 (pruned): the date survives, the run id does not.
        var open: [String: StoredFinding] = [:]
        try store.openFindings(after: nights[2].outcome.run) { open["\($0.ruleID) \($0.recordKey)"] = $0 }
        #expect(open.count == 7)
        #expect(open["ETH003 P4"]?.firstSeen == "2026-01-05T02:00:00Z")
        #expect(open["ETH003 P4"]?.firstRunID == "")
        #expect(open["ETH001 P1"]?.firstRunID == "night2")
        // Resolved on night 2 (closed by night 1): gone with night 1.
        let closedBeforeKept = try store.db.integer("SELECT count(*) FROM findings WHERE last_run < 2") ?? -1
        #expect(closedBeforeKept == 0)
        // Night 3's resolved set is still known (night 2 is kept).
        #expect(try H.resolved(store, by: nights[2].outcome.run) == ["ETH002 P3", "ETH004 P5"])
        // The next run carries on from night 3.
        let n4 = try H.run(history: db, runID: "night4", started: "2026-01-08T02:00:00Z", tables: [("MHS001MPI", H.fixtures + "/mpi-run3.csv")])
        #expect(n4.outcome.run.opened == 0)
        #expect(n4.outcome.run.persisting == 7)
        #expect(n4.findings.first { $0.recordKey == "P4" }?.firstSeen == "2026-01-05")
        let e = captureError { _ = try store.prune(keep: 0) }
        #expect(e?.kind == .invocation)
    }

    @Test func trendPointsForTheReport() throws {
        let dir = TempDir()
        let db = dir.path + "/history.sqlite"
        _ = try threeNights(db)
        let store = try HistoryStore(path: db, create: false)
        let points = try store.trendPoints(limit: 2, rules: ["ETH010"])
        #expect(points.map(\.runID) == ["night2", "night3"])
        #expect(points.map(\.opened) == [2, 2])
        #expect(points.map(\.resolved) == [1, 2])
        #expect(points.map(\.findings) == [7, 7])
        #expect(points[0].metrics == ["ETH010|RX1": 1.0 / 6])
        #expect(points[1].metrics == ["ETH010|RX1": 2.0 / 7])
        #expect(points[0].started == "2026-01-06T02:00:00Z")
        #expect(try store.trendPoints().count == 3)
        #expect(try store.trendPoints()[0].metrics.keys.sorted() == ["ETH010|RX1", "ETH011|RX1", "ETH012|RX1", "ETH013|RX1"])
    }
}
