// One run's use of the history: lock it, compare findings with the last run as they stream, record the run.

/// What a run tells the history about itself.
public struct RunInfo: Sendable {
    public var runID: String
    public var pipeline: String
    /// ISO 8601 times.
    public var started: String
    public var finished: String = ""
    public var manifest: String = ""
    public var manifestSHA256: String = ""
    public var period: String = ""
    public var toolVersion: String = MHDQVersion.string

    public init(runID: String, pipeline: String, started: String) {
        self.runID = runID
        self.pipeline = pipeline
        self.started = started
    }
}

/// What recording a run found: the counts by status against the last completed run.
public struct HistoryOutcome: Sendable {
    public var file: String
    public var run: HistoryRun
    /// The run compared with (nil for the first run of a history).
    public var previous: HistoryRun?
    public var runsInHistory: Int
    public var fileBytes: Int
}

/// Usage: `begin` before validation (takes the lock, loads the last run's open findings), put `statusSink`
/// in the findings stream and `store` as the engine's metric history, `record` when the run is done,
/// `end` in every case. Any error here leaves the run's outputs to be written without statuses, except the
/// refusal of a run id a completed run has (an invocation error: that run must not go on, see `refuseCompletedRun`).
public final class HistorySession {
    public let store: HistoryStore
    public let info: RunInfo
    /// The last completed run: what this one is compared with.
    public let previous: HistoryRun?
    public let tracker: FindingStatusTracker
    private let lock: HistoryLock

    /// `wait`: seconds to wait for another run holding the history before giving up (`waiting` is told once).
    public init(path: String, info: RunInfo, wait: Double, waiting: ((String) -> Void)? = nil) throws {
        lock = try HistoryLock(database: path, wait: wait, owner: "run \(info.runID) started \(info.started)", waiting: waiting)
        do {
            let store = try HistoryStore(path: path, create: true)
            self.store = store
            // Asked under the lock: no run of this id can be recorded between this and this run's own record.
            try store.refuseCompletedRun(info.runID)
            self.info = info
            let previous = try store.latestCompletedRun()
            self.previous = previous
            let open = try previous.map { try store.openFingerprints(after: $0) } ?? []
            tracker = try FindingStatusTracker(db: store.db, salt: store.salt, today: info.started, previous: open)
        } catch {
            lock.release()
            throw error
        }
    }

    public var path: String { store.path }

    /// Sets each finding's status and passes it on to `next`.
    public func statusSink(forwardingTo next: FindingSink?) -> FindingSink {
        tracker.forward = next
        return tracker
    }

    /// Records the run, its inputs, metrics, series points and findings, in one transaction.
    @discardableResult
    public func record(_ result: CheckResult, info: RunInfo, inputs: [RunInput]) throws -> HistoryOutcome {
        let outcome = try recordUncommitted(result, info: info, inputs: inputs)
        try commitRecord()
        return outcome
    }

    /// A run recorded by `recordUncommitted` and neither committed nor rolled back yet.
    private var pending = false

    /// Makes the run recorded by `recordUncommitted` permanent (nothing happens when none is pending).
    public func commitRecord() throws {
        guard pending else { return }
        pending = false
        // SQLite rolls a transaction back by itself after some errors (a full disk, an I/O error).
        guard store.db.inTransaction else {
            throw MHDQError.input("history database: the run's record was rolled back by an earlier error", at: SourceLocation(file: store.path))
        }
        do {
            try store.db.commit()
        } catch {
            store.db.rollback()
            throw error
        }
    }

    /// Forgets the run recorded by `recordUncommitted` (nothing happens when none is pending).
    public func rollbackRecord() {
        guard pending else { return }
        pending = false
        store.db.rollback()
    }

    /// Records the run as `record` does, in a transaction left open: this session's reads (resolved findings, trends)
    /// already see the run, but the history holds it only once `commitRecord()` succeeds. `mhdq run` commits once the
    /// run's folder is in place, so that a run whose outputs could not be written is never in the history: a failure
    /// meanwhile (`rollbackRecord()`, `end()`, or the process dying, even by SIGKILL) leaves no trace of it.
    @discardableResult
    public func recordUncommitted(_ result: CheckResult, info: RunInfo, inputs: [RunInput]) throws -> HistoryOutcome {
        try tracker.finish()
        if let e = store.readError { throw e }
        let db = store.db
        let sequence = try db.openWriteTransaction { () -> Int in
            try store.removeFailedRun(info.runID)
            try db.prepare("""
                INSERT INTO runs (run_id, pipeline, started, finished, manifest, manifest_sha256, period, tool_version, exit_code, findings, failing)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).run(.text(info.runID), .text(info.pipeline), .text(info.started), .text(info.finished), .text(info.manifest),
                         .text(info.manifestSHA256), .text(info.period), .text(info.toolVersion), .int(Int(result.exitCode)),
                         .int(result.totalFindings), .int(result.failingCount))
            let run = try db.integer("SELECT last_insert_rowid()") ?? 0
            let input = try db.prepare("INSERT INTO run_inputs (run, table_name, file, bytes, sha256) VALUES (?, ?, ?, ?, ?)")
            for i in inputs { try input.run(.int(run), .text(i.table), .text(i.file), .int(i.bytes), .text(i.sha256)) }
            let table = try db.prepare("INSERT INTO run_tables VALUES (?, ?, ?, ?, ?)")
            for r in ReconciliationRow.make(result) {
                try table.run(.int(run), .text(r.table), .int(r.read), .int(r.exported), .int(r.rejected))
            }
            let pack = try db.prepare("INSERT OR REPLACE INTO run_packs VALUES (?, ?, ?)")
            for p in result.packs { try pack.run(.int(run), .text(p.name), .text(p.version)) }
            // Titles for worklists and trends: metric rules first, then rules with findings (which have a severity).
            let metricRule = try db.prepare("INSERT INTO rules VALUES (?, ?, '') ON CONFLICT (rule_id) DO UPDATE SET title = excluded.title")
            var titled = Set<String>()
            for m in result.metrics where titled.insert(m.ruleID).inserted { try metricRule.run(.text(m.ruleID), .text(m.title)) }
            let rule = try db.prepare("""
                INSERT INTO rules VALUES (?, ?, ?) ON CONFLICT (rule_id) DO UPDATE SET title = excluded.title, severity = excluded.severity
                """)
            for (id, r) in result.tally.byRule { try rule.run(.text(id), .text(r.title), .text(r.severity.rawValue)) }
            let metric = try db.prepare("INSERT OR REPLACE INTO metrics VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
            for m in result.metrics {
                try metric.run(.int(run), .text(m.ruleID), .text(m.group), .text(info.period), m.value.map { .double($0) } ?? .null,
                               .double(m.numerator), .double(m.denominator), .text(m.status))
            }
            for series in result.series {
                for p in series.points {
                    try metric.run(.int(run), .text(HistoryStore.seriesRuleID(series.measure)), .text(series.area), .text(p.period),
                                   p.rate.map { .double($0) } ?? .null, p.numerator.map { .double($0) } ?? .null,
                                   p.denominator.map { .double($0) } ?? .null, .text(p.flags.joined(separator: " ")))
                }
            }
            // Findings: new ones open an episode; persisting ones extend theirs (taking the latest key text,
            // group and severity); the previous run's episodes left untouched are the resolved ones.
            try db.prepare("""
                INSERT INTO findings (fingerprint, first_run, last_run, first_seen, rule_id, table_name, record_key, field, grp, severity)
                SELECT fingerprint, ?1, ?1, ?2, rule_id, table_name, record_key, field, grp, severity
                FROM temp.current_findings WHERE first_run = 0
                """).run(.int(run), .text(info.started))
            let opened = db.changes
            try db.prepare("""
                UPDATE findings SET last_run = ?1, record_key = c.record_key, grp = c.grp, severity = c.severity
                FROM temp.current_findings c
                WHERE c.first_run != 0 AND findings.fingerprint = c.fingerprint AND findings.first_run = c.first_run
                """).run(.int(run))
            let persisting = db.changes
            let resolved = try previous.map { p in try db.integer("SELECT count(*) FROM findings WHERE last_run = ?", .int(p.sequence)) ?? 0 } ?? 0
            try db.prepare("UPDATE runs SET opened = ?, persisting = ?, resolved = ? WHERE id = ?")
                .run(.int(opened), .int(persisting), .int(resolved), .int(run))
            try db.execute("DELETE FROM temp.current_findings")
            return run
        }
        pending = true
        do {
            let run = try store.requireRun("#\(sequence)")
            return HistoryOutcome(file: store.path, run: run, previous: previous, runsInHistory: try store.db.integer("SELECT count(*) FROM runs") ?? 0,
                                  fileBytes: store.fileBytes)
        } catch {
            rollbackRecord()
            throw error
        }
    }

    /// Records a run that failed before it could validate (an unreadable input): listed, never compared with. A failed
    /// run of the same id before it (an earlier try) is replaced.
    public func recordFailure(info: RunInfo, exitCode: Int32, error: String) throws {
        tracker.abandon()
        try store.db.writeTransaction {
            try store.removeFailedRun(info.runID)
            try store.db.prepare("""
                INSERT INTO runs (run_id, pipeline, started, finished, manifest, manifest_sha256, period, tool_version, exit_code,
                                  findings, failing, error)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?)
                """).run(.text(info.runID), .text(info.pipeline), .text(info.started), .text(info.finished), .text(info.manifest),
                         .text(info.manifestSHA256), .text(info.period), .text(info.toolVersion), .int(Int(exitCode)), .text(error))
        }
    }

    /// Forgets a run recorded and not committed, then releases the lock. Safe to call more than once.
    public func end() {
        rollbackRecord()
        lock.release()
    }
}
