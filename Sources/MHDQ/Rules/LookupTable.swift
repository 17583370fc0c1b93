// The values lookup() finds: an earlier table's field by record key, held compactly (a million patients' worth).

/// Key text → the first value stored for it. Keys that are all ASCII (record identifiers) live in
/// a chunked byte arena with an open-addressing index, about 45 bytes an entry where a
/// `[String: Value]` took 80 or more (and twice that while it grew). The first key with other bytes (or a query with one) moves everything into a
/// dictionary, so String equality (canonical equivalence) decides exactly as it always did.
public struct LookupTable {
    private var keys = ByteArena()
    private var values = ChunkedArray<Value>()
    /// Entry index + 1 per slot (0 empty); a power of two, at most two thirds full.
    private var slots: [UInt32] = Array(repeating: 0, count: 16)
    /// Per slot, the top byte of its key's hash: a probe compares key bytes only when the tags agree.
    private var tags: [UInt8] = Array(repeating: 0, count: 16)
    private var fallback: [String: Value]?
    /// The last key asked for and its answer: a referral's contacts come together and ask for the same
    /// referral (several rules each), so most lookups are one string comparison.
    private var lastKey: String?
    private var lastValue: Value?

    public init() {}

    public var count: Int { fallback?.count ?? values.count }

    /// The value stored for `key`. (Mutating: a key with non-ASCII bytes moves the table to a dictionary.)
    public mutating func value(for key: String) -> Value? {
        if let lastKey, lastKey == key { return lastValue }
        let value: Value?
        if fallback == nil, let found = LookupTable.ascii(key, { find($0) }) {
            value = found.map { values[$0] }
        } else {
            moveToDictionary()
            value = fallback![key]
        }
        lastKey = key
        lastValue = value
        return value
    }

    /// Stores `value` for `key` unless the key has one already.
    public mutating func insertIfAbsent(_ key: String, _ value: Value) {
        lastKey = nil
        if fallback == nil, let done = LookupTable.ascii(key, { bytes -> Bool in
            if find(bytes) == nil { insert(bytes, value) }
            return true
        }), done { return }
        moveToDictionary()
        if fallback![key] == nil { fallback![key] = value }
    }

    /// Runs `body` on the key's bytes when they are all ASCII; nil otherwise.
    @inline(__always) private static func ascii<R>(_ key: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R? {
        var key = key
        return key.withUTF8 { bytes -> R? in
            var high: UInt8 = 0
            for b in bytes { high |= b }
            return high < 0x80 ? body(bytes) : nil
        }
    }

    @inline(__always) private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return Int(truncatingIfNeeded: h ^ (h >> 32))
    }

    @inline(__always) private static func tag(_ hash: Int) -> UInt8 { UInt8(truncatingIfNeeded: hash >> 24) | 1 }

    private func find(_ key: UnsafeBufferPointer<UInt8>) -> Int? {
        let mask = slots.count - 1
        let h = LookupTable.hash(key)
        let tag = LookupTable.tag(h)
        var s = h & mask
        while true {
            let e = Int(slots[s]) - 1
            if e < 0 { return nil }
            if tags[s] == tag && keys.equals(e, key) { return e }
            s = (s + 1) & mask
        }
    }

    private mutating func insert(_ key: UnsafeBufferPointer<UInt8>, _ value: Value) {
        if (values.count + 1) * 3 > slots.count * 2 { grow() }
        keys.append(key)
        values.append(value)
        place(values.count - 1, hash: LookupTable.hash(key))
    }

    private mutating func place(_ e: Int, hash: Int) {
        let mask = slots.count - 1
        var s = hash & mask
        while slots[s] != 0 { s = (s + 1) & mask }
        slots[s] = UInt32(e + 1)
        tags[s] = LookupTable.tag(hash)
    }

    private mutating func grow() {
        slots = Array(repeating: 0, count: slots.count * 2)
        tags = Array(repeating: 0, count: slots.count)
        for e in 0 ..< values.count {
            let h = keys.withBytes(e) { LookupTable.hash($0) }
            place(e, hash: h)
        }
    }

    private mutating func moveToDictionary() {
        guard fallback == nil else { return }
        var all: [String: Value] = [:]
        all.reserveCapacity(values.count)
        for e in 0 ..< values.count {
            let key = keys.withBytes(e) { String(decoding: $0, as: UTF8.self) }
            if all[key] == nil { all[key] = values[e] }
        }
        fallback = all
        keys = ByteArena()
        values = ChunkedArray()
        slots = []
        tags = []
    }
}

