// Three nights over one MPI extract where records are fixed, broken and added: the exact new, persisting and
// resolved sets (the fixture table is in Fixtures/history/make_fixtures.py).

import Foundation
import Testing
@testable import MHDQ

@Suite struct FindingStatusTests {
    typealias H = HistoryTestSupport
    static let nights = ["2026-01-05T02:00:00Z", "2026-01-06T02:00:00Z", "2026-01-07T02:00:00Z"]

    func mpi(_ night: Int) -> [(String, String)] { [("MHS001MPI", H.fixtures + "/mpi-run\(night).csv")] }

    @Test func threeNightsGiveExactNewPersistingAndResolved() throws {
        let dir = TempDir()
        let db = dir.path + "/history.sqlite"

        let n1 = try H.run(history: db, runID: "night1", started: Self.nights[0], tables: mpi(1))
        #expect(n1.outcome.previous == nil)
        #expect(H.keys(n1.findings, status: "new") == ["ETH001 P2", "ETH002 P3", "ETH003 P4", "ETH004 P5", "ETH010 RX1", "ETH013 RX1"])
        #expect(H.keys(n1.findings, status: "persisting").isEmpty)
        #expect(n1.findings.allSatisfy { $0.firstSeen == "2026-01-05" })
        #expect((n1.outcome.run.opened, n1.outcome.run.persisting, n1.outcome.run.resolved) == (6, 0, 0))

        let n2 = try H.run(history: db, runID: "night2", started: Self.nights[1], tables: mpi(2))
        #expect(n2.outcome.previous?.runID == "night1")
        #expect(H.keys(n2.findings, status: "new") == ["ETH001 P1", "ETH002 P6"])
        #expect(H.keys(n2.findings, status: "persisting") == ["ETH002 P3", "ETH003 P4", "ETH004 P5", "ETH010 RX1", "ETH013 RX1"])
        let store = try HistoryStore(path: db, create: false)
        #expect(try H.resolved(store, by: n2.outcome.run) == ["ETH001 P2"])
        #expect((n2.outcome.run.opened, n2.outcome.run.persisting, n2.outcome.run.resolved) == (2, 5, 1))

        let n3 = try H.run(history: db, runID: "night3", started: Self.nights[2], tables: mpi(3))
        // P2 was fixed on night 2 and broken again: a new episode, first seen tonight, not the old one reopened.
        #expect(H.keys(n3.findings, status: "new") == ["ETH001 P2", "ETH001 P7"])
        #expect(H.keys(n3.findings, status: "persisting") == ["ETH001 P1", "ETH002 P6", "ETH003 P4", "ETH010 RX1", "ETH013 RX1"])
        #expect(try H.resolved(store, by: n3.outcome.run) == ["ETH002 P3", "ETH004 P5"])
        #expect((n3.outcome.run.opened, n3.outcome.run.persisting, n3.outcome.run.resolved) == (2, 5, 2))
        let firstSeen = Dictionary(n3.findings.map { ("\($0.ruleID) \($0.recordKey)", $0.firstSeen) }, uniquingKeysWith: { a, _ in a })
        #expect(firstSeen["ETH001 P1"] == "2026-01-06")
        #expect(firstSeen["ETH003 P4"] == "2026-01-05")
        #expect(firstSeen["ETH001 P2"] == "2026-01-07")

        // The worklist after night 3: the same open set, new first, each with its first run.
        var worklist: [StoredFinding] = []
        try store.openFindings(after: n3.outcome.run) { worklist.append($0) }
        #expect(worklist.map { "\($0.ruleID) \($0.recordKey)" }.sorted() == (H.keys(n3.findings, status: "new") + H.keys(n3.findings, status: "persisting")).sorted())
        #expect(worklist.prefix(2).allSatisfy { $0.status == "new" })
        #expect(worklist.first { $0.recordKey == "P1" }?.firstRunID == "night2")
        var sinceNight2: [String] = []
        try store.openFindings(after: n3.outcome.run, filter: .init(sinceRun: try store.requireRun("night2"))) { sinceNight2.append("\($0.ruleID) \($0.recordKey)") }
        #expect(sinceNight2.sorted() == ["ETH001 P2", "ETH001 P7"])
        var sinceDate: [String] = []
        try store.openFindings(after: n3.outcome.run, filter: .init(sinceDate: "2026-01-06")) { sinceDate.append("\($0.ruleID) \($0.recordKey)") }
        #expect(sinceDate.sorted() == ["ETH001 P1", "ETH001 P2", "ETH001 P7", "ETH002 P6"])
    }

    @Test func fingerprintIgnoresRowAndMessageButNotKeyOrField() {
        let salt: [UInt8] = Array(repeating: 7, count: 16)
        var a = Finding(ruleID: "ETH001", title: "t", findingClass: .missing, severity: .warning, table: "MHS001MPI", message: "one")
        a.recordKey = "P1"
        a.field = "EthnicCategory"
        a.row = 2
        var b = a
        b.row = 900
        b.message = "another wording"
        b.value = "changed"
        #expect(FindingFingerprint(salt: salt, finding: a) == FindingFingerprint(salt: salt, finding: b))
        var c = a
        c.recordKey = "P2"
        var d = a
        d.field = "NHSNumber"
        #expect(FindingFingerprint(salt: salt, finding: a) != FindingFingerprint(salt: salt, finding: c))
        #expect(FindingFingerprint(salt: salt, finding: a) != FindingFingerprint(salt: salt, finding: d))
        // Parts are separated: ("AB", "C") is not ("A", "BC").
        #expect(FindingFingerprint(salt: salt, rule: "R", table: "T", recordKey: "AB", field: "C")
                != FindingFingerprint(salt: salt, rule: "R", table: "T", recordKey: "A", field: "BC"))
        #expect(FindingFingerprint(salt: salt, finding: a) != FindingFingerprint(salt: [1] + salt.dropFirst(), finding: a))
    }

    /// The database at rest holds record keys as the run chose to store them and never values or messages.
    @Test func historyHoldsNoValuesMessagesOrUnredactedKeys() throws {
        let dir = TempDir()
        let db = dir.path + "/history.sqlite"
        let file = dir.write("mpi.csv", "LocalPatientID,EthnicCategory\nPATIENT-ALPHA-0001,QX\nPATIENT-BRAVO-0002,\n")
        let redact: (Finding) -> String = { "k:" + SHA256.hex(SHA256.hash("secret" + $0.recordKey)).prefix(12) }
        let n1 = try H.run(history: db, runID: "r1", started: Self.nights[0], tables: [("MHS001MPI", file)], storedRecordKey: redact)
        #expect(n1.findings.contains { $0.value == "QX" && $0.message.contains("QX") })
        // Statuses follow the unredacted key: the second night finds the same findings persisting.
        let n2 = try H.run(history: db, runID: "r2", started: Self.nights[1], tables: [("MHS001MPI", file)], storedRecordKey: redact)
        #expect(H.keys(n2.findings, status: "new").isEmpty)
        #expect(H.keys(n2.findings, status: "persisting").contains("ETH002 PATIENT-ALPHA-0001"))
        var bytes = Data()
        for suffix in ["", "-wal"] { bytes += (try? Data(contentsOf: URL(fileURLWithPath: db + suffix))) ?? Data() }
        for secret in ["PATIENT-ALPHA", "PATIENT-BRAVO", "QX", "is not a national code"] {
            #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(secret) is in the history file")
        }
        let store = try HistoryStore(path: db, create: false)
        var stored: [String] = []
        try store.openFindings(after: n2.outcome.run) { stored.append($0.recordKey) }
        #expect(stored.contains(redact(n1.findings.first { $0.recordKey == "PATIENT-ALPHA-0001" }!)))
    }
}
