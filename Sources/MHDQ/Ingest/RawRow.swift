// One record as a reader delivers it: field bytes (UTF-8) in one buffer, no per-cell allocation.

/// A row of cells as text, stored as UTF-8 bytes in one buffer with a start and end offset per field.
/// Readers reuse one `RawRow` and overwrite it for every record, so reading allocates
/// only when a row is longer than any before it. Staging asks for a field's bytes and
/// makes a `String` only when a value is needed as text.
///
/// Fields appended one by one lie end to end; a reader that copies a whole record at once
/// (`appendDirectly`) may leave its delimiters and quotes between them.
public struct RawRow: Sendable {
    /// Where this record starts: 1-based line number (CSV) or row number (sheets).
    public var number: Int = 0
    /// Only the first `byteCount` bytes are the row's; the rest is room to grow into, which
    /// `appendDirectly` lets a reader write without a capacity check per byte.
    private(set) var storage: [UInt8]
    private(set) var byteCount = 0
    /// Start and end offset of each field; only the first `fieldCount` are the row's.
    private var fieldStarts: [Int]
    private var fieldEnds: [Int]
    private var fieldCount = 0
    /// Where the field being built by `appendByte`/`appendBytes` starts.
    private(set) var openFieldStart = 0
    /// The fields a workbook stored as a date, time or date-time (in order; none for text files). Their text is
    /// ISO 8601 whatever the sheet showed, so staging must not read it with the formats of dates typed as text.
    public private(set) var dateCells: [Int] = []

    public init() { self.init(bytes: 1024, fields: 64) }

    /// A row with room for `bytes` bytes and `fields` fields before it grows (small for rows kept in a pool).
    init(bytes: Int, fields: Int) {
        storage = [UInt8](repeating: 0, count: max(bytes, 16))
        fieldStarts = [Int](repeating: 0, count: max(fields, 4))
        fieldEnds = [Int](repeating: 0, count: max(fields, 4))
    }

    public init(number: Int, fields: [String]) {
        self.init()
        self.number = number
        for field in fields { append(field) }
    }

    /// The fields' bytes end to end (a copy: for inspection, not hot loops).
    public var bytes: [UInt8] { (0 ..< fieldCount).flatMap { storage[range($0)] } }
    /// Each field's end offset in `bytes` (a copy).
    public var ends: [Int] {
        var total = 0
        return (0 ..< fieldCount).map { total += range($0).count; return total }
    }

    public var count: Int { fieldCount }

    @inline(__always) public func range(_ index: Int) -> Range<Int> {
        precondition(index < fieldCount, "field index out of range")
        return fieldStarts[index] ..< fieldEnds[index]
    }

    public mutating func removeAll() {
        byteCount = 0
        fieldCount = 0
        openFieldStart = 0
        if !dateCells.isEmpty { dateCells.removeAll(keepingCapacity: true) }
    }

    /// Marks the field being built as a date, time or date-time cell (its text written as ISO 8601).
    mutating func markDateCell() { dateCells.append(fieldCount) }

    /// Makes room for `bytes` more bytes and `fields` more fields.
    @inline(__always) mutating func reserve(bytes: Int, fields: Int) {
        if byteCount + bytes > storage.count { Self.grow(&storage, to: byteCount + bytes) }
        if fieldCount + fields > fieldEnds.count {
            Self.grow(&fieldStarts, to: fieldCount + fields)
            Self.grow(&fieldEnds, to: fieldCount + fields)
        }
    }

    private static func grow<T: FixedWidthInteger>(_ array: inout [T], to minimum: Int) {
        array.append(contentsOf: repeatElement(0, count: max(minimum, array.count * 2) - array.count))
    }

    /// Appends a byte to the field being built (close it with `endField`).
    @inline(__always) public mutating func appendByte(_ byte: UInt8) {
        if byteCount == storage.count { Self.grow(&storage, to: byteCount + 1) }
        storage[byteCount] = byte
        byteCount += 1
    }

    public mutating func appendBytes<C: Collection>(_ more: C) where C.Element == UInt8 {
        let n = more.count
        reserve(bytes: n, fields: 0)
        let at = byteCount
        storage.withUnsafeMutableBufferPointer { all in
            _ = UnsafeMutableBufferPointer(rebasing: all[at ..< at + n]).initialize(from: more)
        }
        byteCount += n
    }

    /// Appends bytes with one copy (the readers' hot path).
    @inline(__always) public mutating func appendBytes(_ more: UnsafeBufferPointer<UInt8>) {
        let n = more.count
        guard n > 0 else { return }
        reserve(bytes: n, fields: 0)
        let at = byteCount
        storage.withUnsafeMutableBufferPointer { all in
            (all.baseAddress! + at).update(from: more.baseAddress!, count: n)
        }
        byteCount += n
    }

    /// Closes the field being built.
    @inline(__always) public mutating func endField() {
        reserve(bytes: 0, fields: 1)
        fieldStarts[fieldCount] = openFieldStart
        fieldEnds[fieldCount] = byteCount
        fieldCount += 1
        openFieldStart = byteCount
    }

    /// Closes empty fields until the row has `count` (a sheet's empty cells before the next one), all at once:
    /// one at a time, a row whose only value is in column XFD took 16,383 calls.
    mutating func padEmptyFields(to count: Int) {
        guard count > fieldCount else { return }
        reserve(bytes: 0, fields: count - fieldCount)
        let (from, at) = (fieldCount, byteCount)
        fieldStarts.withUnsafeMutableBufferPointer { UnsafeMutableBufferPointer(rebasing: $0[from ..< count]).update(repeating: at) }
        fieldEnds.withUnsafeMutableBufferPointer { UnsafeMutableBufferPointer(rebasing: $0[from ..< count]).update(repeating: at) }
        fieldCount = count
        openFieldStart = byteCount
    }

    public mutating func append(_ field: String) {
        appendBytes(field.utf8)
        endField()
    }

    /// Removes the last `n` bytes of the open field (used to trim).
    public mutating func dropLastBytes(_ n: Int) {
        precondition(n >= 0 && n <= openFieldLength, "cannot drop more bytes than the open field has")
        byteCount -= n
    }

    /// Number of bytes in the field being built.
    public var openFieldLength: Int { byteCount - openFieldStart }

    /// Drops trailing fields beyond `count` (sheets with stray formatted cells).
    public mutating func truncate(to count: Int) {
        guard count < fieldCount else { return }
        while let last = dateCells.last, last >= count { dateCells.removeLast() }
        fieldCount = count
        byteCount = count == 0 ? 0 : fieldEnds[count - 1]
        openFieldStart = byteCount
    }

    /// Where a reader writes a record straight into the row's storage: the record's bytes in one
    /// copy, then each field as offsets into them.
    struct DirectWriter {
        let bytes: UnsafeMutablePointer<UInt8>
        let starts: UnsafeMutablePointer<Int>
        let ends: UnsafeMutablePointer<Int>
        var byteCount: Int
        var fieldCount: Int
        /// How far the row's storage goes: a writer that needs more gives up (the caller then appends).
        let byteLimit: Int
        let fieldLimit: Int

        /// Copies `count` bytes; returns the offset they start at.
        @inline(__always) mutating func copy(_ from: UnsafePointer<UInt8>, count: Int) -> Int {
            let at = byteCount
            (bytes + at).update(from: from, count: count)
            byteCount += count
            return at
        }

        @inline(__always) mutating func addField(start: Int, end: Int) {
            starts[fieldCount] = start
            ends[fieldCount] = end
            fieldCount &+= 1
        }
    }

    /// Gives `body` the row's storage to write into without checks, up to the writer's limits (the
    /// storage as it is: a reader that needs more returns nil and appends instead, which grows it).
    /// When `body` returns nil the row is left as it was; otherwise what it wrote becomes part of the row.
    @inline(__always) mutating func appendDirectly<R>(_ body: (inout DirectWriter) -> R?) -> R? {
        // Move the buffers out so the closure holds the only references (no overlapping access to self).
        var b: [UInt8] = [], s: [Int] = [], e: [Int] = []
        swap(&b, &storage)
        swap(&s, &fieldStarts)
        swap(&e, &fieldEnds)
        defer {
            swap(&b, &storage)
            swap(&s, &fieldStarts)
            swap(&e, &fieldEnds)
        }
        var written = (byteCount, fieldCount)
        let result = b.withUnsafeMutableBufferPointer { bp in
            s.withUnsafeMutableBufferPointer { sp in
                e.withUnsafeMutableBufferPointer { ep -> R? in
                    var writer = DirectWriter(bytes: bp.baseAddress!, starts: sp.baseAddress!, ends: ep.baseAddress!,
                                              byteCount: written.0, fieldCount: written.1,
                                              byteLimit: bp.count, fieldLimit: min(sp.count, ep.count))
                    let r = body(&writer)
                    written = (writer.byteCount, writer.fieldCount)
                    return r
                }
            }
        }
        if result != nil {
            (byteCount, fieldCount) = written
            openFieldStart = byteCount
        }
        return result
    }

    public func withField<R>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let r = range(index)
        return try storage.withUnsafeBufferPointer { all in
            try body(UnsafeBufferPointer(rebasing: all[r]))
        }
    }

    /// The row's storage and each field's start and end offset in it, for a loop over every field
    /// without a call per field.
    @inline(__always) func withUnsafeFields<R>(_ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<Int>, UnsafeBufferPointer<Int>) throws -> R) rethrows -> R {
        let (bytes, fields) = (byteCount, fieldCount)
        return try storage.withUnsafeBufferPointer { all in
            try fieldStarts.withUnsafeBufferPointer { starts in
                try fieldEnds.withUnsafeBufferPointer { ends in
                    try body(UnsafeBufferPointer(rebasing: all[0 ..< bytes]), UnsafeBufferPointer(rebasing: starts[0 ..< fields]),
                             UnsafeBufferPointer(rebasing: ends[0 ..< fields]))
                }
            }
        }
    }

    public func string(_ index: Int) -> String {
        guard index < fieldCount else { return "" }
        return withField(index) { String(decoding: $0, as: UTF8.self) }
    }

    public func isEmpty(_ index: Int) -> Bool { index >= fieldCount || range(index).isEmpty }

    /// True when the field holds only spaces and tabs (or nothing).
    public func isBlank(_ index: Int) -> Bool {
        guard index < fieldCount else { return true }
        for i in range(index) where storage[i] != 0x20 && storage[i] != 0x09 { return false }
        return true
    }

    public var fields: [String] { (0 ..< count).map(string) }

    /// True when every field is empty (a blank line, or a sheet row of empty cells).
    public var isAllEmpty: Bool {
        for i in 0 ..< fieldCount where fieldEnds[i] > fieldStarts[i] { return false }
        return openFieldLength == 0
    }

    /// True when every field holds only spaces and tabs (or nothing).
    public var isAllBlank: Bool {
        withUnsafeFields { all, starts, ends in
            // From the end: a sheet row ends at its last non-empty cell, however many empty ones come before it.
            for f in (0 ..< starts.count).reversed() {
                for i in starts[f] ..< ends[f] where all[i] != 0x20 && all[i] != 0x09 { return false }
            }
            return true
        }
    }
}
