// One record as a reader delivers it: field bytes (UTF-8) laid end to end, no per-cell allocation.

/// A row of cells as text, stored as UTF-8 bytes in one buffer with an end offset per field.
/// Readers reuse one `RawRow` and overwrite it for every record, so reading allocates
/// only when a row is longer than any before it. Staging asks for a field's bytes and
/// makes a `String` only when a value is needed as text.
public struct RawRow: Sendable {
    /// Where this record starts: 1-based line number (CSV) or row number (sheets).
    public var number: Int = 0
    /// Field bytes end to end. Only the first `byteCount` are the row's; the rest is room to grow into,
    /// which `appendDirectly` lets a reader write without a bounds or capacity check per byte.
    private(set) var storage: [UInt8]
    private(set) var byteCount = 0
    /// End offset of each field; only the first `fieldCount` are the row's.
    private var fieldEnds: [Int]
    private var fieldCount = 0

    public init() {
        storage = [UInt8](repeating: 0, count: 1024)
        fieldEnds = [Int](repeating: 0, count: 64)
    }

    public init(number: Int, fields: [String]) {
        self.init()
        self.number = number
        for field in fields { append(field) }
    }

    /// The row's bytes (a copy: for inspection, not hot loops).
    public var bytes: [UInt8] { Array(storage[0 ..< byteCount]) }
    /// Each field's end offset in `bytes` (a copy).
    public var ends: [Int] { Array(fieldEnds[0 ..< fieldCount]) }

    public var count: Int { fieldCount }

    @inline(__always) public func range(_ index: Int) -> Range<Int> {
        precondition(index < fieldCount, "field index out of range")
        return (index == 0 ? 0 : fieldEnds[index - 1]) ..< fieldEnds[index]
    }

    public mutating func removeAll() {
        byteCount = 0
        fieldCount = 0
    }

    /// Makes room for `bytes` more bytes and `fields` more fields.
    @inline(__always) mutating func reserve(bytes: Int, fields: Int) {
        if byteCount + bytes > storage.count { Self.grow(&storage, to: byteCount + bytes) }
        if fieldCount + fields > fieldEnds.count { Self.grow(&fieldEnds, to: fieldCount + fields) }
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
        if fieldCount == fieldEnds.count { Self.grow(&fieldEnds, to: fieldCount + 1) }
        fieldEnds[fieldCount] = byteCount
        fieldCount += 1
    }

    public mutating func append(_ field: String) {
        appendBytes(field.utf8)
        endField()
    }

    /// Removes the last `n` bytes of the open field (used to trim).
    public mutating func dropLastBytes(_ n: Int) {
        precondition(n >= 0 && n <= byteCount, "cannot drop more bytes than the row has")
        byteCount -= n
    }

    /// Number of bytes in the field being built.
    public var openFieldLength: Int { byteCount - (fieldCount == 0 ? 0 : fieldEnds[fieldCount - 1]) }

    /// Drops trailing empty fields beyond `count` (sheets with stray formatted cells).
    public mutating func truncate(to count: Int) {
        guard count < fieldCount else { return }
        fieldCount = count
        byteCount = count == 0 ? 0 : fieldEnds[count - 1]
    }

    /// Where a reader writes a record straight into the row's storage.
    struct DirectWriter {
        let bytes: UnsafeMutablePointer<UInt8>
        let ends: UnsafeMutablePointer<Int>
        var byteCount: Int
        var fieldCount: Int

        @inline(__always) mutating func append(_ from: UnsafePointer<UInt8>, count: Int) {
            (bytes + byteCount).update(from: from, count: count)
            byteCount += count
        }

        @inline(__always) mutating func endField() {
            ends[fieldCount] = byteCount
            fieldCount += 1
        }
    }

    /// Gives `body` room for `bytes` more bytes and `fields` more fields, written without checks. When `body`
    /// returns nil the row is left as it was; otherwise what it wrote becomes part of the row.
    @inline(__always) mutating func appendDirectly<R>(bytes: Int, fields: Int, _ body: (inout DirectWriter) -> R?) -> R? {
        reserve(bytes: bytes, fields: fields)
        // Move the buffers out so the closure holds the only references (no overlapping access to self).
        var b: [UInt8] = [], e: [Int] = []
        swap(&b, &storage)
        swap(&e, &fieldEnds)
        defer {
            swap(&b, &storage)
            swap(&e, &fieldEnds)
        }
        var written = (byteCount, fieldCount)
        let result = b.withUnsafeMutableBufferPointer { bp in
            e.withUnsafeMutableBufferPointer { ep -> R? in
                var writer = DirectWriter(bytes: bp.baseAddress!, ends: ep.baseAddress!, byteCount: written.0, fieldCount: written.1)
                let r = body(&writer)
                written = (writer.byteCount, writer.fieldCount)
                return r
            }
        }
        if result != nil { (byteCount, fieldCount) = written }
        return result
    }

    public func withField<R>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let r = range(index)
        return try storage.withUnsafeBufferPointer { all in
            try body(UnsafeBufferPointer(rebasing: all[r]))
        }
    }

    /// The row's bytes and each field's end offset, for a loop over every field without a call per field.
    @inline(__always) func withUnsafeFields<R>(_ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<Int>) throws -> R) rethrows -> R {
        let (bytes, fields) = (byteCount, fieldCount)
        return try storage.withUnsafeBufferPointer { all in
            try fieldEnds.withUnsafeBufferPointer { ends in
                try body(UnsafeBufferPointer(rebasing: all[0 ..< bytes]), UnsafeBufferPointer(rebasing: ends[0 ..< fields]))
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
    public var isAllEmpty: Bool { byteCount == 0 }

    /// True when every field holds only spaces and tabs (or nothing): fields are stored end to end, so
    /// one scan over the bytes answers for all of them.
    public var isAllBlank: Bool {
        storage.withUnsafeBufferPointer { all in
            for i in 0 ..< byteCount where all[i] != 0x20 && all[i] != 0x09 { return false }
            return true
        }
    }
}
