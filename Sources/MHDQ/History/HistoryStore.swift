// Stage 5, remember: the run history database (SQLite): runs, their inputs and metrics, findings as episodes.
//
// What the file holds, for information governance: fingerprints (salted hashes, FindingFingerprint), rule ids,
// tables, fields, groups (team, provider) and record keys as the run's outputs show them (redacted when the run
// redacts). It never holds values or messages, which can carry NHS numbers, dates of birth or postcodes.

import Foundation

/// One run as the history knows it.
public struct HistoryRun: Sendable, Equatable {
    /// Sequence number in this history (1, 2, ...): order of recording.
    public var sequence: Int
    public var runID: String
    public var pipeline: String
    /// ISO 8601 times.
    public var started: String
    public var finished: String
    public var manifest: String
    public var manifestSHA256: String
    public var period: String
    public var toolVersion: String
    public var exitCode: Int
    public var findings: Int
    public var failing: Int
    public var opened: Int
    public var persisting: Int
    public var resolved: Int
    /// Why the run failed ("" for a run that completed).
    public var error: String

    /// A run that read its inputs and validated them (exit 0 or 1); failed runs are listed but never compared with.
    public var completed: Bool { exitCode == ExitCode.ok || exitCode == ExitCode.failingFindings }
}

/// An input file a run read.
public struct RunInput: Sendable, Equatable {
    public var table: String
    public var file: String
    public var bytes: Int
    public var sha256: String

    public init(table: String, file: String, bytes: Int, sha256: String) {
        self.table = table
        self.file = file
        self.bytes = bytes
        self.sha256 = sha256
    }
}

/// A finding as the history stores it: an episode from the run that first found it to the last run that did.
public struct StoredFinding: Sendable, Equatable {
    public var ruleID: String
    public var title: String
    public var severity: String
    public var table: String
    public var recordKey: String
    public var field: String
    public var group: String
    /// ISO 8601 start (UTC) of the run that first found it, and that run's id ("" once pruned). The day a steward
    /// reads is its local day (`LocalDays`).
    public var firstSeen: String
    public var firstRunID: String
    /// The last run that found it.
    public var lastRunID: String
    /// "new" (first found by the run asked about), "persisting", or "resolved".
    public var status: String
}

/// One run's value of a metric for one group.
public struct MetricTrendPoint: Sendable, Equatable {
    public var runID: String
    public var started: String
    public var period: String
    public var group: String
    public var value: Double?
    public var numerator: Double?
    public var denominator: Double?
    public var status: String
}

public final class HistoryStore: MetricHistory {
    public let path: String
    let db: SQLiteDatabase
    /// Per-history salt of the finding fingerprints.
    public let salt: [UInt8]
    /// The first error met while answering the rule engine (which cannot take a throw mid-run).
    private(set) var readError: MHDQError?

    /// Opens the history at `path`, creating it when `create` is true, and migrates it to the current schema.
    public init(path: String, create: Bool, busyTimeout: Double = 10) throws {
        self.path = path
        if !create && !FileManager.default.fileExists(atPath: path) {
            throw MHDQError.input("no history database here (mhdq run creates one: beside its outputs, or --history FILE)",
                                  at: SourceLocation(file: path))
        }
        let db = try SQLiteDatabase(path: path, mode: .readWrite, busyTimeout: busyTimeout)
        self.db = db
        // A file that is not ours (or is a newer mhdq's) is refused before anything writes to it: switching the
        // journal mode rewrites its header, and such a file must be left untouched.
        try HistorySchema.check(db)
        // WAL: readers (worklist, trend) never wait for a run's write, nor it for them.
        _ = try db.text("PRAGMA journal_mode = WAL")
        try db.execute("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL")
        try HistorySchema.migrate(db)
        if let hex = try db.text("SELECT value FROM meta WHERE key = 'fingerprint_salt'") {
            salt = HistoryStore.bytes(hex: hex)
        } else {
            try db.writeTransaction {
                try db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('fingerprint_salt', lower(hex(randomblob(16))))")
            }
            salt = HistoryStore.bytes(hex: try db.text("SELECT value FROM meta WHERE key = 'fingerprint_salt'") ?? "")
        }
    }

    static func bytes(hex: String) -> [UInt8] {
        let digits = Array(hex.utf8)
        func v(_ c: UInt8) -> UInt8 { c <= 57 ? c - 48 : (c | 0x20) - 87 }
        return stride(from: 0, to: digits.count - 1, by: 2).map { v(digits[$0]) << 4 | v(digits[$0 + 1]) }
    }

    public var schemaVersion: Int { (try? db.integer("PRAGMA user_version")) ?? 0 }

    /// The database file's size plus its write-ahead log.
    public var fileBytes: Int {
        (ByteInput.size(path: path) ?? 0) + (ByteInput.size(path: path + "-wal") ?? 0)
    }

    // MARK: - Runs

    static let runColumns = """
        id, run_id, pipeline, started, finished, manifest, manifest_sha256, period, tool_version, exit_code,
        findings, failing, opened, persisting, resolved, error
        """

    static func run(_ s: SQLiteStatement) -> HistoryRun {
        HistoryRun(sequence: s.int(0), runID: s.text(1), pipeline: s.text(2), started: s.text(3), finished: s.text(4),
                   manifest: s.text(5), manifestSHA256: s.text(6), period: s.text(7), toolVersion: s.text(8),
                   exitCode: s.int(9), findings: s.int(10), failing: s.int(11), opened: s.int(12), persisting: s.int(13),
                   resolved: s.int(14), error: s.text(15))
    }

    // MARK: - Run ids

    /// Refuses `runID` when a completed run of the history has it. That run's folder holds the outputs the history
    /// describes (statuses, first-seen dates, resolved findings), so a run of the same id must not replace it. A run
    /// that failed before it validated (an input it could not read) has no folder and no findings: a retry of its
    /// id, such as a scheduler's once the input is fixed, is let through, and its record replaces the failed one.
    func refuseCompletedRun(_ runID: String) throws {
        if try HistoryStore.completedRuns(db, id: runID) > 0 { throw HistoryStore.runIDTaken(runID, path: path) }
    }

    /// `refuseCompletedRun` for `mhdq run` to ask before it claims its output folder, so that a refused id leaves the
    /// folder, `latest` and the history as they were. The file is only read (no migration, no change of journal mode);
    /// one that cannot be read so (missing, damaged, not a history) is left for the run's session to report, and the
    /// session asks again under the history's lock, in case a run of that id was recorded meanwhile.
    public static func refuseCompletedRun(_ runID: String, inHistoryAt path: String) throws {
        guard FileManager.default.fileExists(atPath: path),
              let db = try? SQLiteDatabase(path: path, mode: .readWrite, busyTimeout: 1),
              (try? HistorySchema.check(db)) != nil,
              let count = try? completedRuns(db, id: runID) else { return }
        if count > 0 { throw runIDTaken(runID, path: path) }
    }

    private static func completedRuns(_ db: SQLiteDatabase, id: String) throws -> Int {
        try db.integer("SELECT count(*) FROM runs WHERE run_id = ? AND exit_code IN (0, 1)", .text(id)) ?? 0
    }

    /// An invocation error (exit 2): the run must not start, and writes nothing.
    static func runIDTaken(_ runID: String, path: String) -> MHDQError {
        MHDQError.invocation("run id \(runID) is already in the history (a completed run's outputs are never replaced): give another --run-id",
                             at: SourceLocation(file: path))
    }

    /// Removes the record of a failed run of `runID`, which a retry of that id replaces (see `refuseCompletedRun`).
    /// Called inside the retry's recording transaction, so the failed record stays if the retry is not recorded.
    func removeFailedRun(_ runID: String) throws {
        try db.prepare("DELETE FROM runs WHERE run_id = ? AND exit_code NOT IN (0, 1)").run(.text(runID))
    }

    /// Runs, oldest first (the last `limit` when given).
    public func runs(limit: Int? = nil) throws -> [HistoryRun] {
        let s = try db.prepare("SELECT \(HistoryStore.runColumns) FROM runs ORDER BY id DESC LIMIT ?")
        try s.bind([.int(limit ?? Int(Int32.max))])
        var out: [HistoryRun] = []
        while try s.step() { out.append(HistoryStore.run(s)) }
        return out.reversed()
    }

    /// The last run that completed (the one a new run is compared with), before `sequence` when given.
    public func latestCompletedRun(before sequence: Int = Int.max) throws -> HistoryRun? {
        let s = try db.prepare("SELECT \(HistoryStore.runColumns) FROM runs WHERE exit_code IN (0, 1) AND id < ? ORDER BY id DESC LIMIT 1")
        try s.bind([.int(sequence)])
        return try s.step() ? HistoryStore.run(s) : nil
    }

    /// A run named by its id, a unique prefix of it, its sequence number (#12), or "latest".
    public func run(named name: String) throws -> HistoryRun? {
        if name == "latest" { return try latestCompletedRun() }
        let s: SQLiteStatement
        if name.hasPrefix("#"), let n = Int(name.dropFirst()) {
            s = try db.prepare("SELECT \(HistoryStore.runColumns) FROM runs WHERE id = ?")
            try s.bind([.int(n)])
        } else {
            s = try db.prepare("SELECT \(HistoryStore.runColumns) FROM runs WHERE run_id = ? OR substr(run_id, 1, length(?)) = ? ORDER BY run_id = ? DESC, id LIMIT 2")
            try s.bind([.text(name), .text(name), .text(name), .text(name)])
        }
        guard try s.step() else { return nil }
        let first = HistoryStore.run(s)
        if first.runID != name, try s.step() {
            throw MHDQError.invocation("\"\(name)\" names more than one run (\(first.runID), \(HistoryStore.run(s).runID), ...): give more of the run id")
        }
        return first
    }

    /// The run a command names, or an error listing how to name one.
    public func requireRun(_ name: String) throws -> HistoryRun {
        guard let r = try run(named: name) else {
            throw MHDQError.invocation("no run \"\(name)\" in \(path) (name a run by its id, a prefix of it, #N, or latest: see mhdq history list)")
        }
        return r
    }

    public func inputs(of run: HistoryRun) throws -> [RunInput] {
        let s = try db.prepare("SELECT table_name, file, bytes, sha256 FROM run_inputs WHERE run = ? ORDER BY rowid")
        try s.bind([.int(run.sequence)])
        var out: [RunInput] = []
        while try s.step() { out.append(RunInput(table: s.text(0), file: s.text(1), bytes: s.int(2), sha256: s.text(3))) }
        return out
    }

    public func packs(of run: HistoryRun) throws -> [(name: String, version: String)] {
        let s = try db.prepare("SELECT pack, version FROM run_packs WHERE run = ? ORDER BY pack")
        try s.bind([.int(run.sequence)])
        var out: [(String, String)] = []
        while try s.step() { out.append((s.text(0), s.text(1))) }
        return out
    }

    public func tables(of run: HistoryRun) throws -> [(table: String, read: Int, exported: Int, rejected: Int)] {
        let s = try db.prepare("SELECT table_name, rows_read, rows_exported, rows_rejected FROM run_tables WHERE run = ? ORDER BY table_name")
        try s.bind([.int(run.sequence)])
        var out: [(String, Int, Int, Int)] = []
        while try s.step() { out.append((s.text(0), s.int(1), s.int(2), s.int(3))) }
        return out
    }

    // MARK: - Findings

    /// Fingerprints open after `run` (found by it), with the run that first found each and that run's start.
    func openFingerprints(after run: HistoryRun) throws -> [(FindingFingerprint, firstRun: Int, firstSeen: String)] {
        let s = try db.prepare("SELECT fingerprint, first_run, first_seen FROM findings WHERE last_run = ?")
        try s.bind([.int(run.sequence)])
        var out: [(FindingFingerprint, Int, String)] = []
        while try s.step() {
            guard let fp = s.fingerprint(0) else { continue }
            out.append((fp, s.int(1), s.text(2)))
        }
        return out
    }

    static let findingSelect = """
        SELECT f.rule_id, coalesce(r.title, ''), f.severity, f.table_name, f.record_key, f.field, f.grp, f.first_seen,
               coalesce(fr.run_id, ''), coalesce(lr.run_id, ''), f.first_run
        FROM findings f
        LEFT JOIN rules r ON r.rule_id = f.rule_id
        LEFT JOIN runs fr ON fr.id = f.first_run
        LEFT JOIN runs lr ON lr.id = f.last_run
        """

    static let severityOrder = "CASE f.severity " + Severity.allCases.enumerated().map { "WHEN '\($1.rawValue)' THEN \($0)" }.joined(separator: " ") + " ELSE 9 END"

    /// Which open findings a worklist shows.
    public struct WorklistFilter: Sendable {
        /// Only findings first found after this run, or on or after this local day (CCYY-MM-DD, see LocalDays).
        public var sinceRun: HistoryRun?
        public var sinceDate: String?
        public var rule: String?
        public var group: String?
        public init(sinceRun: HistoryRun? = nil, sinceDate: String? = nil, rule: String? = nil, group: String? = nil) {
            self.sinceRun = sinceRun
            self.sinceDate = sinceDate
            self.rule = rule
            self.group = group
        }
    }

    /// The findings open after `run` (what to fix): new first, then worst first.
    public func openFindings(after run: HistoryRun, filter: WorklistFilter = WorklistFilter(),
                             body: (StoredFinding) throws -> Void) throws {
        var sql = HistoryStore.findingSelect + " WHERE f.last_run = ?1"
        if filter.sinceRun != nil { sql += " AND f.first_run > ?2" }
        if filter.sinceDate != nil { sql += " AND f.first_seen >= ?3" }
        if filter.rule != nil { sql += " AND f.rule_id = ?4" }
        if filter.group != nil { sql += " AND f.grp = ?5" }
        sql += " ORDER BY f.first_run = ?1 DESC, \(HistoryStore.severityOrder), f.rule_id, f.grp, f.record_key, f.field"
        let s = try db.prepare(sql)
        try s.bind(.int(run.sequence), at: 1)
        if let r = filter.sinceRun { try s.bind(.int(r.sequence), at: 2) }
        // Stored starts are UTC instants: on or after the local day is from its first instant on.
        if let d = filter.sinceDate { try s.bind(.text(LocalDays().start(of: d) ?? d), at: 3) }
        if let r = filter.rule { try s.bind(.text(r), at: 4) }
        if let g = filter.group { try s.bind(.text(g), at: 5) }
        while try s.step() {
            try body(HistoryStore.finding(s, status: s.int(10) == run.sequence ? "new" : "persisting"))
        }
    }

    /// The findings `run` resolved: open after the completed run before it, not found by it.
    public func resolvedFindings(by run: HistoryRun, body: (StoredFinding) throws -> Void) throws {
        guard run.completed, let previous = try latestCompletedRun(before: run.sequence) else { return }
        let s = try db.prepare(HistoryStore.findingSelect + " WHERE f.last_run = ? ORDER BY \(HistoryStore.severityOrder), f.rule_id, f.grp, f.record_key, f.field")
        try s.bind([.int(previous.sequence)])
        while try s.step() { try body(HistoryStore.finding(s, status: "resolved")) }
    }

    /// Findings `run` opened (first found) and resolved, counted by rule, most first.
    public func changesByRule(in run: HistoryRun) throws -> (opened: [(rule: String, count: Int)], resolved: [(rule: String, count: Int)]) {
        func counts(_ sql: String, _ sequence: Int) throws -> [(String, Int)] {
            let s = try db.prepare(sql)
            try s.bind([.int(sequence)])
            var out: [(String, Int)] = []
            while try s.step() { out.append((s.text(0), s.int(1))) }
            return out
        }
        let opened = try counts("SELECT rule_id, count(*) AS n FROM findings WHERE first_run = ? GROUP BY rule_id ORDER BY n DESC, rule_id", run.sequence)
        let previous = run.completed ? try latestCompletedRun(before: run.sequence) : nil
        let resolved = try previous.map { try counts("SELECT rule_id, count(*) AS n FROM findings WHERE last_run = ? GROUP BY rule_id ORDER BY n DESC, rule_id", $0.sequence) } ?? []
        return (opened.map { (rule: $0.0, count: $0.1) }, resolved.map { (rule: $0.0, count: $0.1) })
    }

    static func finding(_ s: SQLiteStatement, status: String) -> StoredFinding {
        StoredFinding(ruleID: s.text(0), title: s.text(1), severity: s.text(2), table: s.text(3), recordKey: s.text(4),
                      field: s.text(5), group: s.text(6), firstSeen: s.text(7), firstRunID: s.text(8), lastRunID: s.text(9),
                      status: status)
    }

    // MARK: - Metrics and trends

    /// One metric's values run by run (oldest first), for one group or every group: one point a run and group. A run
    /// records a rule's metric for its own period, but an indicator series (`series:MEASURE`) for every period its
    /// return holds (a return may carry two years): the run's point is then its latest period, so that a trend
    /// compares run with run, never one month with the next inside a run.
    public func trend(rule: String, group: String? = nil, limit: Int? = nil) throws -> [MetricTrendPoint] {
        // With a single max() aggregate, SQLite takes the other columns from the row holding the maximum.
        var sql = """
            SELECT r.run_id, r.started, max(m.period), m.grp, m.value, m.numerator, m.denominator, m.status
            FROM metrics m JOIN runs r ON r.id = m.run
            WHERE m.rule_id = ?1
            """
        if group != nil { sql += " AND m.grp = ?2" }
        if limit != nil { sql += " AND m.run IN (SELECT id FROM runs ORDER BY id DESC LIMIT ?3)" }
        sql += " GROUP BY m.grp, m.run ORDER BY m.grp, m.run"
        let s = try db.prepare(sql)
        try s.bind(.text(rule), at: 1)
        if let group { try s.bind(.text(group), at: 2) }
        if let limit { try s.bind(.int(limit), at: 3) }
        var out: [MetricTrendPoint] = []
        while try s.step() {
            out.append(MetricTrendPoint(runID: s.text(0), started: s.text(1), period: s.text(2), group: s.text(3),
                                        value: s.optionalDouble(4), numerator: s.optionalDouble(5),
                                        denominator: s.optionalDouble(6), status: s.text(7)))
        }
        return out
    }

    /// Rule ids with metrics in the history, and a title for each when known.
    public func metricRules() throws -> [(rule: String, title: String)] {
        let s = try db.prepare("SELECT DISTINCT m.rule_id, coalesce(r.title, '') FROM metrics m LEFT JOIN rules r ON r.rule_id = m.rule_id ORDER BY m.rule_id")
        var out: [(String, String)] = []
        while try s.step() { out.append((s.text(0), s.text(1))) }
        return out
    }

    /// The completed runs as the report's trend charts see them (oldest first, the last `limit`): counts of
    /// findings opened and resolved, and metric values keyed "RULEID|group" (only `rules` when given).
    public func trendPoints(limit: Int = 30, rules: Set<String>? = nil) throws -> [RunTrendPoint] {
        let runs = try self.runs().filter(\.completed).suffix(limit)
        guard let first = runs.first else { return [] }
        var points = runs.map { r in
            RunTrendPoint(runID: r.runID, started: r.started, period: r.period, findings: r.findings, opened: r.opened,
                          resolved: r.resolved, metrics: [:])
        }
        var index: [Int: Int] = [:]
        for (i, r) in runs.enumerated() { index[r.sequence] = i }
        let s = try db.prepare("SELECT run, rule_id, grp, value FROM metrics WHERE run >= ? AND value IS NOT NULL AND rule_id NOT LIKE 'series:%'")
        try s.bind([.int(first.sequence)])
        while try s.step() {
            guard let i = index[s.int(0)] else { continue }
            let rule = s.text(1)
            if let rules, !rules.contains(rule) { continue }
            points[i].metrics[rule + "|" + s.text(2)] = s.double(3)
        }
        return points
    }

    // MARK: - MetricHistory (the rule engine's questions, asked before the run in progress is recorded)

    public func earlierValues(rule: String, group: String, part: MetricPart, limit: Int, pack: PackVersion? = nil) -> [Double] {
        do {
            let samePack = pack == nil ? "" : "AND run IN (SELECT run FROM run_packs WHERE pack = ? AND version = ?)"
            let s = try db.prepare("""
                SELECT \(part.rawValue) FROM metrics
                WHERE rule_id = ? AND grp = ? AND \(part.rawValue) IS NOT NULL AND status != 'too few records' \(samePack)
                ORDER BY run DESC, period DESC LIMIT ?
                """)
            var values: [SQLiteValue] = [.text(rule), .text(group)]
            if let pack { values += [.text(pack.name), .text(pack.version)] }
            try s.bind(values + [.int(limit)])
            var out: [Double] = []
            while try s.step() { out.append(s.double(0)) }
            return out
        } catch {
            if readError == nil { readError = error as? MHDQError ?? MHDQError.input("\(error)", at: SourceLocation(file: path)) }
            return []
        }
    }

    public func earlierSeriesPoints(measure: String, area: String, before period: String, limit: Int) -> [SeriesPoint] {
        do {
            // The latest run's figure for each period: a resubmitted month replaces the first.
            let s = try db.prepare("""
                SELECT period, value, numerator, denominator FROM metrics
                WHERE rule_id = ? AND grp = ? AND period < ?
                ORDER BY period DESC, run DESC
                """)
            try s.bind([.text(HistoryStore.seriesRuleID(measure)), .text(area), .text(period)])
            var out: [SeriesPoint] = []
            while out.count < limit, try s.step() {
                let p = s.text(0)
                if out.last?.period == p { continue }
                out.append(SeriesPoint(period: p, label: p, numerator: s.optionalDouble(2), denominator: s.optionalDouble(3),
                                       rate: s.optionalDouble(1)))
            }
            return out
        } catch {
            if readError == nil { readError = error as? MHDQError ?? MHDQError.input("\(error)", at: SourceLocation(file: path)) }
            return []
        }
    }

    /// Indicator series points are kept as metrics under this id, grouped by area, one row per period.
    static func seriesRuleID(_ measure: String) -> String { "series:" + measure }

    // MARK: - Pruning

    /// Keeps the last `keep` runs: earlier runs, their metrics and inputs, and findings resolved before the
    /// oldest kept run go; findings still open keep their first-seen date. Returns the runs removed.
    public func prune(keep: Int) throws -> Int {
        guard keep >= 1 else { throw MHDQError.invocation("--keep takes a number of runs, at least 1") }
        let removed = try db.writeTransaction { () -> Int in
            guard let oldestKept = try db.integer("SELECT min(id) FROM (SELECT id FROM runs ORDER BY id DESC LIMIT ?)", .int(keep)) else { return 0 }
            try db.prepare("DELETE FROM runs WHERE id < ?").run(.int(oldestKept))
            let n = db.changes
            // Episodes closed before the oldest kept run can no longer be compared with anything.
            try db.prepare("DELETE FROM findings WHERE last_run < ?").run(.int(oldestKept))
            return n
        }
        if removed > 0 {
            try db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            try db.execute("VACUUM")
        }
        return removed
    }
}
