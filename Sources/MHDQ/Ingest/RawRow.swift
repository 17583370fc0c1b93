// One record as a reader delivers it: field bytes (UTF-8) laid end to end, no per-cell allocation.

/// A row of cells as text, stored as UTF-8 bytes in one buffer with an end offset per field.
/// Readers reuse one `RawRow` and overwrite it for every record, so reading allocates
/// only when a row is longer than any before it. Staging asks for a field's bytes and
/// makes a `String` only when a value is needed as text.
public struct RawRow: Sendable {
    /// Where this record starts: 1-based line number (CSV) or row number (sheets).
    public var number: Int = 0
    public private(set) var bytes: [UInt8] = []
    public private(set) var ends: [Int] = []

    public init() {
        bytes.reserveCapacity(1024)
        ends.reserveCapacity(64)
    }

    public init(number: Int, fields: [String]) {
        self.init()
        self.number = number
        for field in fields { append(field) }
    }

    public var count: Int { ends.count }

    @inlinable public func range(_ index: Int) -> Range<Int> {
        (index == 0 ? 0 : ends[index - 1]) ..< ends[index]
    }

    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
    }

    /// Appends a byte to the field being built (close it with `endField`).
    @inline(__always) public mutating func appendByte(_ byte: UInt8) { bytes.append(byte) }

    public mutating func appendBytes<C: Collection>(_ more: C) where C.Element == UInt8 { bytes.append(contentsOf: more) }

    /// Closes the field being built.
    @inline(__always) public mutating func endField() { ends.append(bytes.count) }

    public mutating func append(_ field: String) {
        bytes.append(contentsOf: field.utf8)
        ends.append(bytes.count)
    }

    /// Removes the last `n` bytes of the open field (used to trim).
    public mutating func dropLastBytes(_ n: Int) { bytes.removeLast(n) }

    /// Number of bytes in the field being built.
    public var openFieldLength: Int { bytes.count - (ends.last ?? 0) }

    /// Drops trailing empty fields beyond `count` (sheets with stray formatted cells).
    public mutating func truncate(to count: Int) {
        guard count < ends.count else { return }
        ends.removeLast(ends.count - count)
        bytes.removeLast(bytes.count - (ends.last ?? 0))
    }

    public func withField<R>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let r = range(index)
        return try bytes.withUnsafeBufferPointer { all in
            try body(UnsafeBufferPointer(rebasing: all[r]))
        }
    }

    public func string(_ index: Int) -> String {
        guard index < ends.count else { return "" }
        return withField(index) { String(decoding: $0, as: UTF8.self) }
    }

    public func isEmpty(_ index: Int) -> Bool { index >= ends.count || range(index).isEmpty }

    /// True when the field holds only spaces and tabs (or nothing).
    public func isBlank(_ index: Int) -> Bool {
        guard index < ends.count else { return true }
        for i in range(index) where bytes[i] != 0x20 && bytes[i] != 0x09 { return false }
        return true
    }

    public var fields: [String] { (0 ..< count).map(string) }

    /// True when every field is empty (a blank line, or a sheet row of empty cells).
    public var isAllEmpty: Bool { bytes.isEmpty }
}
