// A hash table keyed by byte strings, for hot loops that must find something without making a String.

/// Open addressing with linear probing; keys are copied end to end into one arena, so an entry costs
/// its key bytes plus a few integers, and a lookup allocates nothing. Keys of up to eight bytes (codes)
/// are also kept packed in a word, so finding one is a few integer operations.
struct ByteKeyedTable<Element> {
    /// Entry index + 1 per slot; 0 is empty. The slot count is a power of two, at most half full.
    private var slots: [Int32] = Array(repeating: 0, count: 16)
    private var hashes: [UInt64] = []
    /// Per entry: the key packed little-endian when it has at most eight bytes, else 0.
    private var words: [UInt64] = []
    private var keyEnds: [Int] = []
    private var arena: [UInt8] = []
    private(set) var elements: [Element] = []

    var count: Int { elements.count }

    /// A key of up to eight bytes as one word (byte k in bits 8k...).
    @inline(__always) static func pack(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var w: UInt64 = 0
        for k in 0 ..< key.count { w |= UInt64(key[k]) &<< (8 &* UInt64(k)) }
        return w
    }

    /// A multiplicative hash of the packed word for short keys, FNV-1a for longer ones.
    @inline(__always) static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        if key.count <= 8 { return (pack(key) &+ UInt64(key.count)) &* 0x9E37_79B9_7F4A_7C15 }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in key { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }

    @inline(__always) private static func slot(_ hash: UInt64, mask: Int) -> Int {
        Int(truncatingIfNeeded: hash ^ (hash >> 29)) & mask
    }

    /// The index of the entry whose key is `key`, or nil.
    @inline(__always) func find(_ key: UnsafeBufferPointer<UInt8>, hash: UInt64) -> Int? {
        if key.count <= 8 { return findShort(Self.pack(key), length: key.count, hash: hash) }
        return slots.withUnsafeBufferPointer { slots in
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

    @inline(__always) private func findShort(_ word: UInt64, length: Int, hash: UInt64) -> Int? {
        slots.withUnsafeBufferPointer { slots in
            let mask = slots.count - 1
            var s = Self.slot(hash, mask: mask)
            while true {
                let e = Int(slots[s]) - 1
                if e < 0 { return nil }
                if hashes[e] == hash && words[e] == word && keyLength(e) == length { return e }
                s = (s + 1) & mask
            }
        }
    }

    @inline(__always) private func keyLength(_ e: Int) -> Int { keyEnds[e] - (e == 0 ? 0 : keyEnds[e - 1]) }

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
        words.append(key.count <= 8 ? Self.pack(key) : 0)
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
