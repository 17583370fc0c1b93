// Gives each finding its status as it streams past: new, or persisting since the date it was first seen.

/// Holds only the previous run's open fingerprints (a dictionary entry and a run number each); this run's
/// findings go to a temporary table of the history connection, so memory does not grow with them.
public final class FindingStatusTracker: FindingSink {
    let db: SQLiteDatabase
    let salt: [UInt8]
    /// first_seen of a finding this run is the first to find: the local day the run started (see LocalDays).
    let today: String
    private var previous: [FindingFingerprint: Int32] = [:]
    private var previousFirstRun: [Int] = []
    /// Run sequence → the local day it started (CCYY-MM-DD): few distinct values, shared by many findings.
    private var dates: [Int: String] = [:]
    /// Where findings go next, status set (the exceptions writer).
    public var forward: FindingSink?
    /// The record key as the history stores it (a redacting run passes its redactor).
    public var storedRecordKey: (Finding) -> String = { $0.recordKey }
    private let insert: SQLiteStatement
    private var pending = 0
    /// The first error writing to the history: the run goes on (its outputs matter more), the history is not recorded.
    public private(set) var error: MHDQError?

    /// `today`: the run's start, and `firstSeen` of each open finding the start of the run that first found it (stored
    /// UTC timestamps); findings get the local day of each.
    init(db: SQLiteDatabase, salt: [UInt8], today: String,
         previous open: [(FindingFingerprint, firstRun: Int, firstSeen: String)]) throws {
        self.db = db
        self.salt = salt
        let localDays = LocalDays()
        self.today = localDays.day(of: today)
        previous.reserveCapacity(open.count)
        previousFirstRun.reserveCapacity(open.count)
        for (fp, run, seen) in open {
            previous[fp] = Int32(previousFirstRun.count)
            previousFirstRun.append(run)
            if dates[run] == nil { dates[run] = localDays.day(of: seen) }
        }
        try db.execute("""
            CREATE TEMP TABLE IF NOT EXISTS current_findings (
                fingerprint BLOB PRIMARY KEY, first_run INTEGER NOT NULL, rule_id TEXT NOT NULL, table_name TEXT NOT NULL,
                record_key TEXT NOT NULL, field TEXT NOT NULL, grp TEXT NOT NULL, severity TEXT NOT NULL
            ) WITHOUT ROWID;
            DELETE FROM temp.current_findings;
            """)
        insert = try db.prepare("INSERT OR IGNORE INTO temp.current_findings VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
    }

    public func add(_ finding: Finding) {
        var f = finding
        let fp = FindingFingerprint(salt: salt, finding: f)
        var firstRun = 0
        if let i = previous[fp] {
            firstRun = previousFirstRun[Int(i)]
            f.status = "persisting"
            f.firstSeen = dates[firstRun] ?? ""
        } else {
            f.status = "new"
            f.firstSeen = today
        }
        if error == nil {
            do {
                // Batches of inserts in one transaction (the temporary table only: no lock on the history).
                if pending == 0 { try db.execute("BEGIN") }
                try insert.run(.blob(fp.bytes), .int(firstRun), .text(f.ruleID), .text(f.table), .text(storedRecordKey(f)),
                               .text(f.field), .text(f.group), .text(f.severity.rawValue))
                pending += 1
                if pending == 50_000 { try commit() }
            } catch {
                self.error = error as? MHDQError ?? MHDQError.input("\(error)", at: SourceLocation(file: db.path))
                try? db.execute("ROLLBACK")
                pending = 0
            }
        }
        forward?.add(f)
    }

    private func commit() throws {
        guard pending > 0 else { return }
        pending = 0
        try db.execute("COMMIT")
    }

    /// Ends the stream: the findings are ready to be recorded (or the first error is thrown).
    func finish() throws {
        if let error { throw error }
        try commit()
    }

    /// Drops this run's findings (the run failed before recording them).
    func abandon() {
        if pending > 0 { try? db.execute("ROLLBACK") }
        pending = 0
        try? db.execute("DELETE FROM temp.current_findings")
    }
}
