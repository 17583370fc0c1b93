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

    /// A key of up to eight bytes as one word (byte k in bits 8k...). (Two overlapping word loads measured
    /// slower: most codes are one to three bytes.)
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

/// The short spellings (up to eight bytes: nearly every code cell) of every code field of a source, in one
/// open-addressing table keyed by field, length and the bytes packed in a word. Each slot is two words side
/// by side (the key; field, length, a flag and the entry), so finding a code is a hash, one cache line and
/// a compare: staging a code cell through a table per field cost a hundred-odd instructions, mostly moving
/// the table's arrays about.
struct ShortCodeIndex {
    /// Two words a slot: the packed key, then meta << 32 | entry. Meta 0 is an empty slot.
    private var slots: [UInt64] = Array(repeating: 0, count: 2 * 64)
    private var count = 0

    /// field + 1 in bits 5..., the length (1...8) in bits 1...4, the flag in bit 0: never 0.
    @inline(__always) private static func meta(field: Int, length: Int, flag: Bool) -> UInt64 {
        UInt64(field + 1) << 5 | UInt64(length) << 1 | (flag ? 1 : 0)
    }

    @inline(__always) private static func start(_ word: UInt64, _ meta: UInt64, mask: Int) -> Int {
        let h = (word ^ (meta >> 1) &* 0xFF51_AFD7_ED55_8CCD) &* 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: h >> 40) & mask
    }

    /// The entry and flag stored for `key` of `field` (at most eight bytes), or nil.
    @inline(__always) func find(field: Int, key: UnsafeBufferPointer<UInt8>) -> (entry: Int, flag: Bool)? {
        let word = ByteKeyedTable<Bool>.pack(key)
        let meta = Self.meta(field: field, length: key.count, flag: false)
        return slots.withUnsafeBufferPointer { s -> (entry: Int, flag: Bool)? in
            let mask = s.count / 2 - 1
            var i = Self.start(word, meta, mask: mask)
            while true {
                let info = s[2 * i + 1]
                if info == 0 { return nil }
                if s[2 * i] == word && (info >> 32) & ~1 == meta { return (Int(info & 0xFFFF_FFFF), info >> 32 & 1 == 1) }
                i = (i + 1) & mask
            }
        }
    }

    /// Records `entry` (and `flag`) for `key` of `field`; the key must not be there yet.
    mutating func insert(field: Int, key: UnsafeBufferPointer<UInt8>, entry: Int, flag: Bool) {
        if (count + 1) * 2 > slots.count / 2 { grow() }
        place(word: ByteKeyedTable<Bool>.pack(key), info: Self.meta(field: field, length: key.count, flag: flag) << 32 | UInt64(entry))
        count += 1
    }

    private mutating func place(word: UInt64, info: UInt64) {
        let mask = slots.count / 2 - 1
        var i = Self.start(word, (info >> 32) & ~1, mask: mask)
        while slots[2 * i + 1] != 0 { i = (i + 1) & mask }
        slots[2 * i] = word
        slots[2 * i + 1] = info
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: 0, count: old.count * 2)
        for i in stride(from: 0, to: old.count, by: 2) where old[i + 1] != 0 { place(word: old[i], info: old[i + 1]) }
    }
}
