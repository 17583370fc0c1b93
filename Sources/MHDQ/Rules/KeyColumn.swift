// Compact per-record key storage for group rules: one byte arena per key, no String per record.

/// The key text of every record of a table (for one key signature), laid end to end.
/// A record whose key has a blank part stores an empty key: it has no key. A key that is there is never
/// empty (a blank value stages as null), so no flag per record is needed to tell them apart.
struct KeyColumn {
    /// Each record's key bytes (parts joined by `separator`), in chunks that grow without copying.
    private var keys = ByteArena()
    /// The key being built (reused, so appending allocates nothing once it has grown).
    private var scratch: [UInt8] = []
    static let separator: UInt8 = 0x1F
    /// In a key of several parts, a separator or escape byte inside a part is written as this byte and the
    /// byte with bit 6 flipped (0x1F as 0x1E 0x5F), so a part holding 0x1F is not read as two parts and two
    /// different keys never join to the same bytes.
    static let escape: UInt8 = 0x1E
    @inline(__always) static func needsEscape(_ b: UInt8) -> Bool { b == separator || b == escape }
    /// How many parts each key has (fields of the signature).
    private var partCount = 1

    var count: Int { keys.count }

    /// Appends the key made of the values at `fields` of a record, without gathering them into an array and,
    /// for text, without copying a String. `allowBlanks`: store blank parts as empty text (display columns)
    /// instead of leaving the record without a key.
    mutating func append(fields: [Int], of values: [Value], allowBlanks: Bool = false) {
        // A one-field text key (most keys: an identifier) goes straight from the String's bytes.
        if fields.count == 1, case .text(var s) = values[fields[0]] {
            s.withUTF8 { keys.append($0) }
            return
        }
        partCount = fields.count
        scratch.removeAll(keepingCapacity: true)
        var ok = true
        for (i, f) in fields.enumerated() {
            let p = values[f]
            if p.isNull && !allowBlanks { ok = false; break }
            if i > 0 { scratch.append(KeyColumn.separator) }
            if case .text(var s) = p {
                s.withUTF8 { bytes in
                    if fields.count == 1 || !bytes.contains(where: KeyColumn.needsEscape) {
                        scratch.append(contentsOf: bytes)
                        return
                    }
                    for b in bytes {
                        if KeyColumn.needsEscape(b) {
                            scratch.append(KeyColumn.escape)
                            scratch.append(b ^ 0x40)
                        } else {
                            scratch.append(b)
                        }
                    }
                }
            } else if !p.isNull {
                scratch.append(contentsOf: p.text.utf8)
            }
        }
        if !ok { scratch.removeAll(keepingCapacity: true) }
        keys.append(scratch)
    }

    /// Each record's index and key bytes (empty: no key), in record order.
    func forEachKey(_ body: (Int, UnsafeBufferPointer<UInt8>) -> Void) { keys.forEach(body) }

    /// The hash of each record's key that is there and that `keep` keeps, in record order, handed over a batch
    /// at a time (record indices, hashes). A caller probes a big table with a whole batch in a tight loop, so
    /// the probes' cache misses overlap instead of each waiting behind the hashing of the next key.
    func forEachHashBatch(where keep: (Int) -> Bool,
                          _ body: (UnsafeBufferPointer<Int>, UnsafeBufferPointer<UInt64>) -> Void) {
        let size = KeyColumn.hashBatch
        let indices = UnsafeMutablePointer<Int>.allocate(capacity: size)
        let hashes = UnsafeMutablePointer<UInt64>.allocate(capacity: size)
        defer { indices.deallocate(); hashes.deallocate() }
        var n = 0
        keys.forEach { i, key in
            guard !key.isEmpty, keep(i) else { return }
            indices[n] = i
            hashes[n] = KeyColumn.hash(key)
            n += 1
            if n == size {
                body(UnsafeBufferPointer(start: indices, count: n), UnsafeBufferPointer(start: hashes, count: n))
                n = 0
            }
        }
        if n > 0 { body(UnsafeBufferPointer(start: indices, count: n), UnsafeBufferPointer(start: hashes, count: n)) }
    }
    static let hashBatch = 64

    /// Calls `body` with record `i`'s key bytes.
    func withKey<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R { keys.withBytes(i, body) }

    /// Whether record `i`'s key is `key` (compared in place).
    func equals(_ i: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool { keys.equals(i, key) }

    /// The key's parts as text, in key order, as the record holds them.
    func parts(_ i: Int) -> [String] {
        keys.withBytes(i) { bytes in
            if partCount == 1 { return [String(decoding: bytes, as: UTF8.self)] }
            return bytes.split(separator: KeyColumn.separator, omittingEmptySubsequences: false).map { part in
                guard part.contains(KeyColumn.escape) else { return String(decoding: part, as: UTF8.self) }
                var plain: [UInt8] = []
                var escaped = false
                for b in part {
                    if escaped {
                        plain.append(b ^ 0x40)
                        escaped = false
                    } else if b == KeyColumn.escape {
                        escaped = true
                    } else {
                        plain.append(b)
                    }
                }
                return String(decoding: plain, as: UTF8.self)
            }
        }
    }

    /// FNV-1a, 64-bit: stable across runs (Swift's Hasher is seeded per process). Computed when the group
    /// rules run rather than stored (8 bytes a record saved).
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        return h
    }
}
