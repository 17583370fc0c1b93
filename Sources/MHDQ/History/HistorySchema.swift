// The history database's tables, versioned: each migration takes a file one version forward, in one transaction.
//
// The version is SQLite's `user_version`. A file from an older mhdq is migrated when it is next opened;
// a file from a newer mhdq is refused (this one would not know what its tables mean).

public enum HistorySchema {
    /// Migration n takes a database from version n to n + 1 (index 0 creates version 1 from an empty file).
    static let migrations: [String] = [
        // 1: runs, what they read, their metrics, and findings as episodes: a fingerprint is open from
        // `first_run` to `last_run` and closed (resolved) when a run no longer finds it.
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            run_id TEXT NOT NULL UNIQUE,
            pipeline TEXT NOT NULL,
            started TEXT NOT NULL,
            finished TEXT NOT NULL,
            manifest TEXT NOT NULL,
            manifest_sha256 TEXT NOT NULL,
            period TEXT NOT NULL,
            tool_version TEXT NOT NULL,
            exit_code INTEGER NOT NULL,
            findings INTEGER NOT NULL,
            failing INTEGER NOT NULL
        );
        CREATE TABLE run_inputs (
            run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            table_name TEXT NOT NULL,
            file TEXT NOT NULL,
            bytes INTEGER NOT NULL,
            sha256 TEXT NOT NULL
        );
        CREATE INDEX run_inputs_run ON run_inputs(run);
        CREATE TABLE run_tables (
            run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            table_name TEXT NOT NULL,
            rows_read INTEGER NOT NULL,
            rows_exported INTEGER NOT NULL,
            rows_rejected INTEGER NOT NULL,
            PRIMARY KEY (run, table_name)
        ) WITHOUT ROWID;
        CREATE TABLE run_packs (
            run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            pack TEXT NOT NULL,
            version TEXT NOT NULL,
            PRIMARY KEY (run, pack)
        ) WITHOUT ROWID;
        CREATE TABLE metrics (
            run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            rule_id TEXT NOT NULL,
            grp TEXT NOT NULL,
            period TEXT NOT NULL,
            value REAL,
            numerator REAL,
            denominator REAL,
            status TEXT NOT NULL,
            PRIMARY KEY (rule_id, grp, period, run)
        ) WITHOUT ROWID;
        CREATE INDEX metrics_run ON metrics(run);
        CREATE TABLE findings (
            fingerprint BLOB NOT NULL,
            first_run INTEGER NOT NULL,
            last_run INTEGER NOT NULL,
            first_seen TEXT NOT NULL,
            rule_id TEXT NOT NULL,
            table_name TEXT NOT NULL,
            record_key TEXT NOT NULL,
            field TEXT NOT NULL,
            grp TEXT NOT NULL,
            severity TEXT NOT NULL,
            PRIMARY KEY (fingerprint, first_run)
        ) WITHOUT ROWID;
        CREATE INDEX findings_last_run ON findings(last_run);
        """,
        // 2: per-run status counts (opened, persisting, resolved) so trends need no scan of the findings,
        // backfilled from the episodes; runs that failed keep their error; rule titles for worklists;
        // first_run indexed for --new-since.
        """
        ALTER TABLE runs ADD COLUMN opened INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE runs ADD COLUMN persisting INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE runs ADD COLUMN resolved INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE runs ADD COLUMN error TEXT NOT NULL DEFAULT '';
        CREATE TABLE rules (
            rule_id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            severity TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX findings_first_run ON findings(first_run);
        UPDATE runs SET
            opened = (SELECT count(*) FROM findings f WHERE f.first_run = runs.id),
            persisting = (SELECT count(*) FROM findings f WHERE f.first_run < runs.id AND f.last_run >= runs.id),
            resolved = (SELECT count(*) FROM findings f
                        WHERE f.last_run = (SELECT max(p.id) FROM runs p WHERE p.id < runs.id));
        """,
    ]

    public static var currentVersion: Int { migrations.count }

    /// Refuses a file this mhdq must not touch: one of a newer mhdq, or one that is not an mhdq history.
    /// Only reads, so that a refused file is left exactly as it was (call it before anything that writes,
    /// such as switching the journal mode). Returns the file's version.
    @discardableResult
    static func check(_ db: SQLiteDatabase) throws -> Int {
        let version = try db.integer("PRAGMA user_version") ?? 0
        if version > currentVersion {
            throw MHDQError.input("history database is schema version \(version), written by a newer mhdq (this one knows up to \(currentVersion)); use that version or another --history file",
                                  at: SourceLocation(file: db.path))
        }
        if version == 0 {
            // An empty file is a new history; anything else without a version is not ours.
            let tables = try db.integer("SELECT count(*) FROM sqlite_master") ?? 0
            if tables > 0 {
                throw MHDQError.input("not an mhdq history database (it has tables but no mhdq schema version); give another --history file",
                                      at: SourceLocation(file: db.path))
            }
        }
        return version
    }

    /// Brings the database to the current version (creating it when empty). Each step commits on its own,
    /// so an interrupted migration leaves a consistent earlier version.
    static func migrate(_ db: SQLiteDatabase) throws {
        let version = try check(db)
        for next in version ..< currentVersion {
            try db.writeTransaction {
                // Re-read inside the write lock: another process may have migrated meanwhile.
                let now = try db.integer("PRAGMA user_version") ?? 0
                guard now == next else { return }
                try db.execute(migrations[next])
                try db.execute("PRAGMA user_version = \(next + 1)")
            }
        }
    }
}
