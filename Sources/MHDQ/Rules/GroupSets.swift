// The orphan pass's sets: parent keys' hashes, and each rule's orphans, without a Hasher or a Set per rule.

/// A set of 64-bit hashes (well mixed already, so their low bits pick the slot): open addressing, no
/// Hasher per insert or lookup. Zero, which marks an empty slot, is kept as a flag of its own. It grows with
/// the distinct hashes it holds, at most three quarters full (as Swift's Set): a parent table's keys repeat
/// (a patient's referrals), so sizing it by the table would waste most of it.
struct HashSet64 {
    private var slots: [UInt64] = Array(repeating: 0, count: 16)
    private var count = 0
    private var hasZero = false

    /// Adds `h`; false when it was there already.
    @discardableResult mutating func insert(_ h: UInt64) -> Bool {
        if h == 0 {
            defer { hasZero = true }
            return !hasZero
        }
        if (count + 1) * 4 > slots.count * 3 { grow() }
        guard place(h) else { return false }
        count += 1
        return true
    }

    func contains(_ h: UInt64) -> Bool {
        if h == 0 { return hasZero }
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h ^ (h >> 32)) & mask
        while true {
            let s = slots[i]
            if s == h { return true }
            if s == 0 { return false }
            i = (i + 1) & mask
        }
    }

    /// Puts `h` in its slot; false when it was there already.
    private mutating func place(_ h: UInt64) -> Bool {
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h ^ (h >> 32)) & mask
        while slots[i] != 0 {
            if slots[i] == h { return false }
            i = (i + 1) & mask
        }
        slots[i] = h
        return true
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: 0, count: old.count * 2)
        for h in old where h != 0 { _ = place(h) }
    }
}

/// A fixed number of flags, a bit each, visited in order.
struct BitSet {
    private var words: [UInt64]

    init(count: Int) { words = Array(repeating: 0, count: (count + 63) / 64) }

    /// Sets flag `i`; false when it was set already.
    mutating func insert(_ i: Int) -> Bool {
        let bit: UInt64 = 1 << UInt64(i & 63)
        if words[i >> 6] & bit != 0 { return false }
        words[i >> 6] |= bit
        return true
    }

    func forEach(_ body: (Int) -> Void) {
        for (w, word) in words.enumerated() where word != 0 {
            var rest = word
            while rest != 0 {
                body(w << 6 | rest.trailingZeroBitCount)
                rest &= rest - 1
            }
        }
    }
}
