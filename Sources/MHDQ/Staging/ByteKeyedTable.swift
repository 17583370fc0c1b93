// A hash table keyed by byte strings, for hot loops that must find something without making a String.

/// Open addressing with linear probing over FNV-1a hashes; keys are copied end to end into one arena,
/// so an entry costs its key bytes plus a few integers, and a lookup allocates nothing.
struct ByteKeyedTable<Element> {
    /// Entry index + 1 per slot; 0 is empty. The slot count is a power of two, at most half full.
    private var slots: [Int32] = Array(repeating: 0, count: 16)
    private var hashes: [UInt64] = []
    private var keyEnds: [Int] = []
    private var arena: [UInt8] = []
    private(set) var elements: [Element] = []

    var count: Int { elements.count }

    /// FNV-1a, 64-bit: stable across runs (Swift's `Hasher` is seeded per process).
    @inline(__always) static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in key { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }

    @inline(__always) private static func slot(_ hash: UInt64, mask: Int) -> Int {
        Int(truncatingIfNeeded: hash ^ (hash >> 29)) & mask
    }

    /// The index of the entry whose key is `key`, or nil.
    @inline(__always) func find(_ key: UnsafeBufferPointer<UInt8>, hash: UInt64) -> Int? {
        slots.withUnsafeBufferPointer { slots in
            let mask = slots.count - 1
            var s = Self.slot(hash, mask: mask)
            while true {
                let e = Int(slots[s]) - 1
                if e < 0 { return nil }
                if hashes[e] == hash && keyEquals(e, key) { return e }
                s = (s + 1) & mask
            }
        }
    }

    @inline(__always) private func keyEquals(_ e: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = e == 0 ? 0 : keyEnds[e - 1]
        let end = keyEnds[e]
        guard end - start == key.count else { return false }
        return arena.withUnsafeBufferPointer { a in
            for i in 0 ..< key.count where a[start + i] != key[i] { return false }
            return true
        }
    }

    /// Adds an entry for a key that `find` did not find; returns its index.
    @discardableResult
    mutating func insert(_ key: UnsafeBufferPointer<UInt8>, hash: UInt64, _ element: Element) -> Int {
        if (elements.count + 1) * 2 > slots.count { grow() }
        let e = elements.count
        arena.append(contentsOf: key)
        keyEnds.append(arena.count)
        hashes.append(hash)
        elements.append(element)
        place(e, hash: hash)
        return e
    }

    private mutating func place(_ e: Int, hash: UInt64) {
        let mask = slots.count - 1
        var s = Self.slot(hash, mask: mask)
        while slots[s] != 0 { s = (s + 1) & mask }
        slots[s] = Int32(e + 1)
    }

    private mutating func grow() {
        slots = Array(repeating: 0, count: slots.count * 2)
        for e in 0 ..< hashes.count { place(e, hash: hashes[e]) }
    }
}
