// The identity of a finding across runs: rule, table, record key and field (never row number or message).

/// 128 bits of a salted SHA-256 over the finding's identity. The same record failing the same rule on the
/// same field gets the same fingerprint every night, whatever row it moved to or how the message reads.
///
/// The salt is a random value each history database makes once: fingerprints cannot be matched against
/// another history or a precomputed table. It lives in the database, so it does not stop a search over a
/// small identifier space by someone who holds the file: the database belongs where the exceptions are kept.
public struct FindingFingerprint: Hashable, Sendable, Comparable {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// `recordKey` is the key as the data has it (before any redaction), so redacting outputs does not
    /// change which findings are new.
    public init(salt: [UInt8], rule: String, table: String, recordKey: String, field: String) {
        var h = SHA256()
        h.update(salt)
        for (i, part) in [rule, table, recordKey, field].enumerated() {
            if i > 0 { h.update([0x1F]) }
            h.update(part)
        }
        let d = h.finish()
        var hi: UInt64 = 0, lo: UInt64 = 0
        for i in 0 ..< 8 { hi = hi << 8 | UInt64(d[i]); lo = lo << 8 | UInt64(d[i + 8]) }
        self.init(high: hi, low: lo)
    }

    public init(salt: [UInt8], finding f: Finding) {
        self.init(salt: salt, rule: f.ruleID, table: f.table, recordKey: f.recordKey, field: f.field)
    }

    /// Big-endian bytes, as stored.
    public var bytes: [UInt8] {
        (0 ..< 16).map { i in UInt8(truncatingIfNeeded: (i < 8 ? high : low) >> UInt64(56 - 8 * (i % 8))) }
    }

    public var hex: String { SHA256.hex(bytes) }

    public static func < (a: FindingFingerprint, b: FindingFingerprint) -> Bool { (a.high, a.low) < (b.high, b.low) }
}
