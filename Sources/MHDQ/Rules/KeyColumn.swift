// Compact per-record key storage for group rules: one byte arena per key, no String per record.

/// The key text of every record of a table (for one key signature), laid end to end.
/// A record whose key has a blank part stores no key (`isPresent` false).
struct KeyColumn {
    private(set) var arena: [UInt8] = []
    private(set) var ends: [UInt32] = []
    private(set) var present: [Bool] = []
    static let separator: UInt8 = 0x1F

    var count: Int { ends.count }

    /// `allowBlanks`: store blank parts as empty text (display columns) instead of marking the key absent.
    mutating func append(_ parts: [Value], allowBlanks: Bool = false) {
        var ok = true
        for (i, p) in parts.enumerated() {
            if p.isNull && !allowBlanks { ok = false; break }
            if i > 0 { arena.append(KeyColumn.separator) }
            arena.append(contentsOf: p.text.utf8)
        }
        if !ok {
            // Roll back a partial key.
            let start = ends.last.map(Int.init) ?? 0
            arena.removeLast(arena.count - start)
        }
        let start = Int(ends.last ?? 0)
        ends.append(UInt32(arena.count))
        present.append(ok)
    }

    /// `append(_:allowBlanks:)` for the values at `fields` of a record, without gathering them into an array
    /// and, for text, without copying a String.
    mutating func append(fields: [Int], of values: [Value], allowBlanks: Bool = false) {
        let start = arena.count
        var ok = true
        for (i, f) in fields.enumerated() {
            let p = values[f]
            if p.isNull && !allowBlanks { ok = false; break }
            if i > 0 { arena.append(KeyColumn.separator) }
            if case .text(let s) = p {
                arena.append(contentsOf: s.utf8)
            } else if !p.isNull {
                arena.append(contentsOf: p.text.utf8)
            }
        }
        if !ok { arena.removeLast(arena.count - start) }
        ends.append(UInt32(arena.count))
        present.append(ok)
    }

    /// The key's hash, computed when group rules run rather than stored (8 bytes a record saved).
    func hash(_ i: Int) -> UInt64 { KeyColumn.hash(bytes(i)) }

    func bytes(_ i: Int) -> ArraySlice<UInt8> {
        let start = i == 0 ? 0 : Int(ends[i - 1])
        return arena[start ..< Int(ends[i])]
    }

    /// The key's parts as text, in key order.
    func parts(_ i: Int) -> [String] {
        bytes(i).split(separator: KeyColumn.separator, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    }

    func text(_ i: Int) -> String { parts(i).joined(separator: "+") }

    /// FNV-1a, 64-bit: stable across runs (Swift's Hasher is seeded per process).
    static func hash(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        return h
    }

    static func hash(_ parts: [Value]) -> UInt64? {
        var bytes: [UInt8] = []
        for (i, p) in parts.enumerated() {
            if p.isNull { return nil }
            if i > 0 { bytes.append(separator) }
            bytes.append(contentsOf: p.text.utf8)
        }
        return hash(bytes[...])
    }
}
