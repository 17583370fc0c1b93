// A thin layer over the system SQLite library: open, prepared statements, transactions, located errors.

import CSQLite

/// One connection. Every error names the database file and says what SQLite said.
public final class SQLiteDatabase {
    public let path: String
    let handle: OpaquePointer

    public enum Mode { case readOnly, readWrite }

    /// Opens (and with `.readWrite`, creates) the database at `path`; waits up to `busyTimeout` seconds
    /// for another connection's lock before failing.
    public init(path: String, mode: Mode, busyTimeout: Double = 5) throws {
        self.path = path
        var db: OpaquePointer?
        let flags = mode == .readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        let rc = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            if let db { sqlite3_close_v2(db) }
            throw MHDQError.input("cannot open the history database: \(message)", at: SourceLocation(file: path))
        }
        handle = db
        sqlite3_busy_timeout(db, Int32(max(0, busyTimeout) * 1000))
        sqlite3_extended_result_codes(db, 1)
    }

    deinit { sqlite3_close_v2(handle) }

    func error(_ what: String, _ rc: Int32) -> MHDQError {
        let message = String(cString: sqlite3_errmsg(handle))
        let primary = rc & 0xFF
        var hint = ""
        if primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT {
            hint = " (the file is damaged or not an mhdq history: move it aside and the next run starts a new history)"
        } else if primary == SQLITE_BUSY || primary == SQLITE_LOCKED {
            hint = " (another process holds it)"
        } else if primary == SQLITE_READONLY || primary == SQLITE_CANTOPEN || primary == SQLITE_PERM {
            hint = " (check the file's and its folder's permissions)"
        }
        return MHDQError.input("history database: \(what): \(message)\(hint)", at: SourceLocation(file: path))
    }

    /// Runs one or more statements that return no rows.
    public func execute(_ sql: String) throws {
        var errmsg: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errmsg)
        if let errmsg { sqlite3_free(errmsg) }
        guard rc == SQLITE_OK else { throw error("cannot run \(sql.split(separator: "\n").first ?? "")", rc) }
    }

    public func prepare(_ sql: String) throws -> SQLiteStatement {
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v2(handle, sql, -1, &stmt, nil)
        guard rc == SQLITE_OK, let stmt else { throw error("cannot prepare \(sql.split(separator: "\n").first ?? "")", rc) }
        return SQLiteStatement(stmt, database: self)
    }

    /// The first column of the first row, as an integer (nil when there is no row or it is NULL).
    public func integer(_ sql: String, _ bindings: SQLiteValue...) throws -> Int? {
        let s = try prepare(sql)
        try s.bind(bindings)
        guard try s.step() else { return nil }
        return s.isNull(0) ? nil : s.int(0)
    }

    public func text(_ sql: String, _ bindings: SQLiteValue...) throws -> String? {
        let s = try prepare(sql)
        try s.bind(bindings)
        guard try s.step() else { return nil }
        return s.isNull(0) ? nil : s.text(0)
    }

    /// Runs `body` inside BEGIN IMMEDIATE ... COMMIT (the write lock is taken at once, so two writers
    /// cannot both read then write); rolls back if it throws.
    public func writeTransaction<T>(_ body: () throws -> T) throws -> T {
        let value = try openWriteTransaction(body)
        do {
            try commit()
        } catch {
            rollback()
            throw error
        }
        return value
    }

    /// Runs `body` inside BEGIN IMMEDIATE, as `writeTransaction` does, and leaves the transaction open when it returns
    /// (rolled back when it throws): the caller ends it with `commit()` or `rollback()`. Until then only this
    /// connection sees its writes, and a process that dies meanwhile leaves none of them.
    public func openWriteTransaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            return try body()
        } catch {
            rollback()
            throw error
        }
    }

    public func commit() throws { try execute("COMMIT") }

    /// Undoes the open transaction (nothing happens when none is open).
    public func rollback() {
        if inTransaction { try? execute("ROLLBACK") }
    }

    public var inTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    public var changes: Int { Int(sqlite3_changes(handle)) }
}

public enum SQLiteValue {
    case null
    case int(Int)
    case double(Double)
    case text(String)
    case blob([UInt8])
}

/// A prepared statement: bind, step through rows, reset and reuse.
public final class SQLiteStatement {
    let stmt: OpaquePointer
    unowned let database: SQLiteDatabase
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(_ stmt: OpaquePointer, database: SQLiteDatabase) {
        self.stmt = stmt
        self.database = database
    }

    deinit { sqlite3_finalize(stmt) }

    public func bind(_ values: [SQLiteValue]) throws {
        for (i, v) in values.enumerated() { try bind(v, at: i + 1) }
    }

    public func bind(_ value: SQLiteValue, at index: Int) throws {
        let i = Int32(index)
        let rc: Int32
        switch value {
        case .null: rc = sqlite3_bind_null(stmt, i)
        case .int(let n): rc = sqlite3_bind_int64(stmt, i, Int64(n))
        case .double(let d): rc = sqlite3_bind_double(stmt, i, d)
        case .text(let s): rc = sqlite3_bind_text(stmt, i, s, -1, SQLiteStatement.transient)
        case .blob(let b):
            rc = b.withUnsafeBytes { sqlite3_bind_blob(stmt, i, $0.baseAddress, Int32(b.count), SQLiteStatement.transient) }
        }
        guard rc == SQLITE_OK else { throw database.error("cannot bind a value", rc) }
    }

    /// Advances to the next row: true when there is one, false when done.
    @discardableResult
    public func step() throws -> Bool {
        let rc = sqlite3_step(stmt)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        throw database.error("cannot run \(String(cString: sqlite3_sql(stmt)).split(separator: "\n").first ?? "")", rc)
    }

    /// Binds, runs to completion and resets (for statements run once per row written).
    public func run(_ values: SQLiteValue...) throws {
        try bind(values)
        while try step() {}
        reset()
    }

    public func reset() {
        sqlite3_reset(stmt)
        sqlite3_clear_bindings(stmt)
    }

    public func isNull(_ column: Int) -> Bool { sqlite3_column_type(stmt, Int32(column)) == SQLITE_NULL }
    public func int(_ column: Int) -> Int { Int(sqlite3_column_int64(stmt, Int32(column))) }
    public func double(_ column: Int) -> Double { sqlite3_column_double(stmt, Int32(column)) }
    public func optionalDouble(_ column: Int) -> Double? { isNull(column) ? nil : double(column) }

    public func text(_ column: Int) -> String {
        guard let p = sqlite3_column_text(stmt, Int32(column)) else { return "" }
        let n = Int(sqlite3_column_bytes(stmt, Int32(column)))
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }

    public func blob(_ column: Int) -> [UInt8] {
        let n = Int(sqlite3_column_bytes(stmt, Int32(column)))
        guard n > 0, let p = sqlite3_column_blob(stmt, Int32(column)) else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: n).bindMemory(to: UInt8.self))
    }

    /// Reads a 16-byte blob column straight into a fingerprint.
    func fingerprint(_ column: Int) -> FindingFingerprint? {
        let n = Int(sqlite3_column_bytes(stmt, Int32(column)))
        guard n == 16, let p = sqlite3_column_blob(stmt, Int32(column)) else { return nil }
        let raw = UnsafeRawPointer(p)
        return FindingFingerprint(high: UInt64(bigEndian: raw.loadUnaligned(as: UInt64.self)),
                                  low: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
    }
}
