// The orphan pass's sets: parent keys' hashes, and each rule's orphans, without a Hasher or a Set per rule.

#if canImport(Glibc)
import Glibc
#endif

/// Zero-filled arrays for the big hash tables (a slot per key of a ten-million-record column), on 2 MB pages
/// where the kernel allows it. A probe lands anywhere in a table of tens of megabytes: with 4 KB pages nearly
/// every probe also misses the TLB, and filling the table faults 4 KB at a time. (Transparent huge pages are
/// commonly enabled only where a program asks, as on Debian: `madvise`.)
enum LargeArray {
    /// Tables smaller than this stay on ordinary pages.
    static let hugePageThreshold = 4 << 20

    static func zeroed<T: FixedWidthInteger>(_ count: Int) -> [T] {
        [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            guard let base = buffer.baseAddress else { initialized = 0; return }
            let bytes = count * MemoryLayout<T>.stride
            #if os(Linux)
            if bytes >= hugePageThreshold {
                // Asked before the first write, so the pages are huge from their first fault. Advice only:
                // without it (or refused), the table is the same on small pages.
                let huge: UInt = 2 << 20
                let start = (UInt(bitPattern: base) + huge - 1) & ~(huge - 1)
                let end = (UInt(bitPattern: base) + UInt(bytes)) & ~(huge - 1)
                if end > start { _ = madvise(UnsafeMutableRawPointer(bitPattern: start), Int(end - start), MADV_HUGEPAGE) }
            }
            #endif
            base.initialize(repeating: 0, count: count)
            initialized = count
        }
    }
}

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
        slots = LargeArray.zeroed(old.count * 2)
        for h in old where h != 0 { _ = place(h) }
    }
}

/// The keys of a parent table an orphan rule checks against (by hash), each with how many of the table's
/// records that are not rejected have it, kept up to date as the orphan pass rejects more of them; the keys
/// that so lose their last valid record are listed in order. A rule checked once need then only look again
/// for children of those keys. Counts are a byte a key beside its hash (a key's records are few: a
/// patient's referrals), with the rare key of 255 or more counted on in a dictionary.
final class ParentKeys {
    private var slots: [UInt64] = Array(repeating: 0, count: 16)
    private var counts: [UInt8] = Array(repeating: 0, count: 16)
    private var used = 0
    /// The count of the hash 0, which marks an empty slot.
    private var zeroCount = 0
    private var overflow: [UInt64: Int] = [:]
    /// Keys whose last valid record was rejected, in the order that happened.
    private(set) var invalidated: [UInt64] = []
    /// How much of the parent table's rejection log the counts take in.
    var applied = 0

    /// A valid record with key hash `h` (while the set is built).
    func add(_ h: UInt64) {
        if h == 0 { zeroCount += 1; return }
        if (used + 1) * 4 > slots.count * 3 { grow() }
        let s = slot(h)
        if slots[s] == 0 { slots[s] = h; used += 1 }
        if counts[s] == .max { overflow[h, default: Int(UInt8.max)] += 1 } else { counts[s] += 1 }
    }

    /// Whether some valid record has key hash `h`.
    func contains(_ h: UInt64) -> Bool {
        if h == 0 { return zeroCount > 0 }
        let s = slot(h)
        return slots[s] == h && counts[s] > 0
    }

    /// One record with key hash `h` is rejected; its key is listed when that was its last valid record.
    func reject(_ h: UInt64) {
        var last = false
        if h == 0 {
            guard zeroCount > 0 else { return }
            zeroCount -= 1
            last = zeroCount == 0
        } else {
            let s = slot(h)
            guard slots[s] == h, counts[s] > 0 else { return }
            if counts[s] == .max, let n = overflow[h] {
                overflow[h] = n - 1 > Int(UInt8.max) ? n - 1 : nil
                return
            }
            counts[s] -= 1
            last = counts[s] == 0
        }
        if last { invalidated.append(h) }
    }

    /// The slot holding `h`, or the empty one where it would go (a key, once in, stays: a count of 0 is a key
    /// that has no valid record left).
    @inline(__always) private func slot(_ h: UInt64) -> Int {
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h ^ (h >> 32)) & mask
        while slots[i] != 0 && slots[i] != h { i = (i + 1) & mask }
        return i
    }

    private func grow() {
        let oldSlots = slots, oldCounts = counts
        slots = LargeArray.zeroed(oldSlots.count * 2)
        counts = LargeArray.zeroed(oldSlots.count * 2)
        for k in oldSlots.indices where oldSlots[k] != 0 {
            let s = slot(oldSlots[k])
            slots[s] = oldSlots[k]
            counts[s] = oldCounts[k]
        }
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

/// 64-bit keys to small numbers (an aggregate rule's groups, by the numbers of their parts): open addressing
/// with a multiplicative hash, looked up for every record that changes group, where a Dictionary hashed
/// each key with SipHash.
struct SlotMap64 {
    private var keys: [UInt64] = Array(repeating: 0, count: 16)
    /// The number stored for the key in the same slot; -1 marks an empty slot.
    private var values: [Int32] = Array(repeating: -1, count: 16)
    private var count = 0

    subscript(key: UInt64) -> Int? {
        get {
            let mask = keys.count - 1
            var i = SlotMap64.slot(key, mask)
            while values[i] >= 0 {
                if keys[i] == key { return Int(values[i]) }
                i = (i + 1) & mask
            }
            return nil
        }
        set {
            guard let newValue else { preconditionFailure("SlotMap64 does not remove keys") }
            let mask = keys.count - 1
            var i = SlotMap64.slot(key, mask)
            while values[i] >= 0 {
                if keys[i] == key { values[i] = Int32(newValue); return }
                i = (i + 1) & mask
            }
            if (count + 1) * 4 > keys.count * 3 {
                grow()
                self[key] = newValue
                return
            }
            keys[i] = key
            values[i] = Int32(newValue)
            count += 1
        }
    }

    @inline(__always) private static func slot(_ key: UInt64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values
        keys = Array(repeating: 0, count: oldKeys.count * 2)
        values = Array(repeating: -1, count: oldKeys.count * 2)
        count = 0
        for i in oldKeys.indices where oldValues[i] >= 0 { self[oldKeys[i]] = Int(oldValues[i]) }
    }
}
