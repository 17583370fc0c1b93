// Schema versions: a version 1 history (made by Fixtures/history/make_fixtures.py) is migrated in place and
// carries on; a newer or foreign database is refused with a message naming the file.

import Foundation
import Testing
@testable import MHDQ

@Suite struct HistoryMigrationTests {
    typealias H = HistoryTestSupport

    @Test func versionOneIsMigratedAndTheNextRunComparesWithIt() throws {
        let dir = TempDir()
        let db = try H.copyFixture("history-v1.sqlite", to: dir)
        let raw = try SQLiteDatabase(path: db, mode: .readOnly)
        #expect(try raw.integer("PRAGMA user_version") == 1)

        let store = try HistoryStore(path: db, create: false)
        #expect(store.schemaVersion == HistorySchema.currentVersion)
        // The per-run counts version 2 added are backfilled from the episodes version 1 kept.
        let runs = try store.runs()
        #expect(runs.map(\.runID) == ["night1", "night2"])
        #expect(runs.map(\.opened) == [6, 2])
        #expect(runs.map(\.persisting) == [0, 5])
        #expect(runs.map(\.resolved) == [0, 1])
        #expect(try H.resolved(store, by: runs[1]) == ["ETH001 P2"])
        #expect(store.salt == HistoryStore.bytes(hex: "00112233445566778899aabbccddeeff"))

        // Night 3 against the migrated history: the same sets as if mhdq had recorded nights 1 and 2 itself.
        let n3 = try H.run(history: db, runID: "night3", started: "2026-01-07T02:00:00Z", tables: [("MHS001MPI", H.fixtures + "/mpi-run3.csv")])
        #expect(n3.outcome.previous?.runID == "night2")
        #expect(H.keys(n3.findings, status: "new") == ["ETH001 P2", "ETH001 P7"])
        #expect(H.keys(n3.findings, status: "persisting") == ["ETH001 P1", "ETH002 P6", "ETH003 P4", "ETH010 RX1", "ETH013 RX1"])
        #expect(try H.resolved(store, by: n3.outcome.run) == ["ETH002 P3", "ETH004 P5"])
        #expect(n3.findings.first { $0.recordKey == "P4" }?.firstSeen == "2026-01-05")
        // Metrics recorded by version 1 answer the rule engine's history questions, newest first after night 3's.
        #expect(store.earlierValues(rule: "ETH010", group: "RX1", part: .denominator, limit: 5) == [7, 6, 5])
    }

    /// A refused file is left byte for byte as it was: not even switched to WAL (which rewrites the header).
    static func expectUntouched(_ db: String, _ before: Data) throws {
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before, "the refused file's bytes changed")
        #expect(before[18] == 1 && before[19] == 1, "made in rollback-journal mode")
        #expect(!FileManager.default.fileExists(atPath: db + "-wal"))
    }

    @Test func aNewerSchemaIsRefusedAndLeftAlone() throws {
        let dir = TempDir()
        let db = dir.path + "/newer.sqlite"
        _ = try HistoryStore(path: db, create: true)
        // A newer mhdq might keep its file in another journal mode: this one must not change it.
        try SQLiteDatabase(path: db, mode: .readWrite).execute("PRAGMA journal_mode = DELETE; PRAGMA user_version = 99")
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        let e = captureError { _ = try HistoryStore(path: db, create: true) }
        #expect(e?.kind == .input)
        #expect(e?.location?.file == db)
        #expect(e?.message.contains("schema version 99, written by a newer mhdq") == true)
        try Self.expectUntouched(db, before)
        #expect(try SQLiteDatabase(path: db, mode: .readOnly).integer("PRAGMA user_version") == 99)
    }

    @Test func anotherApplicationsDatabaseIsRefused() throws {
        let dir = TempDir()
        let db = dir.path + "/other.sqlite"
        try SQLiteDatabase(path: db, mode: .readWrite).execute("CREATE TABLE customers (id INTEGER, name TEXT)")
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        let e = captureError { _ = try HistoryStore(path: db, create: true) }
        #expect(e?.message.contains("not an mhdq history database") == true)
        try Self.expectUntouched(db, before)
        #expect(try SQLiteDatabase(path: db, mode: .readOnly).integer("SELECT count(*) FROM sqlite_master WHERE name = 'runs'") == 0)
    }
}
