// The values lookup() finds: an earlier table's field by record key, held compactly (a million patients' worth).

/// Key text → the first record stored for it, with the value of each field looked up in that table (one
/// column per field: the patient's birth date and ethnicity share one index of patients). Keys that are all
/// ASCII (record identifiers) live in a chunked byte arena with an open-addressing index, about 45 bytes an
/// entry where a `[String: Value]` took 80 or more (and twice that while it grew). The first key with other
/// bytes (or a query with one) moves the index into a dictionary, so String equality (canonical
/// equivalence) decides exactly as it always did.
public struct LookupTable {
    private var keys = ByteArena()
    /// Per field looked up, each entry's value.
    private var columns: [ChunkedArray<Value>]
    private var entries = 0
    /// Per slot, its key's 32-bit hash (high half) and entry index + 1 (low half; 0: empty); a power of two, at
    /// most three quarters full (as Swift's Set). One load tells a probe both whether the slot is its key's (key
    /// bytes are compared only when the hashes agree) and where the entry is; growing re-places slots from the
    /// hashes they hold, without reading a key again.
    private var slots: [UInt64] = Array(repeating: 0, count: 16)
    /// Key → entry, once a key is not ASCII.
    private var fallback: [String: Int]?
    /// The last key asked for and its entry: a referral's contacts come together and ask for the same
    /// referral (several rules, several fields each), so most lookups are one string comparison.
    private var lastKey: String?
    private var lastEntry: Int?

    public init(columns: Int = 1) {
        self.columns = Array(repeating: ChunkedArray(), count: columns)
    }

    public var count: Int { entries }

    /// The value of field `column` stored for `key`. (Mutating: a key with non-ASCII bytes moves the index to
    /// a dictionary.)
    public mutating func value(for key: String, column: Int = 0) -> Value? {
        if let lastKey, lastKey == key { return lastEntry.map { columns[column][$0] } }
        let entry: Int?
        if fallback == nil, let found = LookupTable.ascii(key, { find($0) }) {
            entry = found
        } else {
            moveToDictionary()
            entry = fallback![key]
        }
        lastKey = key
        lastEntry = entry
        return entry.map { columns[column][$0] }
    }

    /// Stores the record's values of `fields` (one per column) for `key`, unless the key has an entry already.
    public mutating func insertIfAbsent(_ key: String, from record: [Value], fields: [Int]) {
        lastKey = nil
        if fallback == nil, let done = LookupTable.ascii(key, { bytes -> Bool in
            if find(bytes) == nil {
                if (entries + 1) * 4 > slots.count * 3 { grow() }
                keys.append(bytes)
                place(UInt64(entries + 1) | UInt64(LookupTable.hash(bytes)) << 32)
                append(record, fields)
            }
            return true
        }), done { return }
        moveToDictionary()
        if fallback![key] == nil {
            fallback![key] = entries
            append(record, fields)
        }
    }

    private mutating func append(_ record: [Value], _ fields: [Int]) {
        for c in columns.indices { columns[c].append(record[fields[c]]) }
        entries += 1
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

    @inline(__always) private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return UInt32(truncatingIfNeeded: h ^ (h >> 32))
    }

    private func find(_ key: UnsafeBufferPointer<UInt8>) -> Int? {
        let mask = slots.count - 1
        let h = LookupTable.hash(key)
        return slots.withUnsafeBufferPointer { slots -> Int? in
            var s = Int(h) & mask
            while true {
                let slot = slots[s]
                if slot == 0 { return nil }
                if UInt32(truncatingIfNeeded: slot >> 32) == h {
                    let e = Int(truncatingIfNeeded: slot & 0xFFFF_FFFF) - 1
                    if keys.equals(e, key) { return e }
                }
                s = (s + 1) & mask
            }
        }
    }

    /// Puts `slot` (hash and entry) in the first free slot from its hash's.
    private mutating func place(_ slot: UInt64) {
        let mask = slots.count - 1
        var s = Int(truncatingIfNeeded: slot >> 32) & mask
        while slots[s] != 0 { s = (s + 1) & mask }
        slots[s] = slot
    }

    private mutating func grow() {
        let old = slots
        slots = LargeArray.zeroed(old.count * 2)
        for slot in old where slot != 0 { place(slot) }
    }

    private mutating func moveToDictionary() {
        guard fallback == nil else { return }
        var all: [String: Int] = [:]
        all.reserveCapacity(entries)
        for e in 0 ..< entries {
            let key = keys.withBytes(e) { String(decoding: $0, as: UTF8.self) }
            if all[key] == nil { all[key] = e }
        }
        fallback = all
        keys = ByteArena()
        slots = []
    }
}
