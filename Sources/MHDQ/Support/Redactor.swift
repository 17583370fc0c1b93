// Masks patient identifiers with a keyed hash, so that patient-level outputs can travel.

/// The same text always masks the same way under one key: a patient keeps one mask across tables and
/// findings of a run (and across runs when the key comes from `MHDQ_REDACT_KEY`), but a mask cannot be
/// turned back into the identifier, or checked against a guess, without the key.
public struct Redactor: Sendable {
    public static let keyVariable = "MHDQ_REDACT_KEY"
    public static let prefix = "ID-"
    /// Hex digits of the HMAC kept in a mask: 48 bits, short enough to read, long enough not to collide
    /// in practice (about one pair in 550 among a million distinct identifiers).
    static let hexDigits = 12
    /// Identifiers shorter than this are masked only where they stand alone (not inside a longer word),
    /// so that a one-character value does not shred every message it appears in.
    static let minimumInsideWords = 3

    let hmac: HMACSHA256

    public init(key: [UInt8]) {
        hmac = HMACSHA256(key: key)
    }

    /// Keyed by `$MHDQ_REDACT_KEY` when it is set and not empty (masks stable from run to run), otherwise
    /// by 32 random bytes that live only as long as this run.
    public static func fromEnvironment(_ environment: [String: String]) -> Redactor {
        if let key = environment[keyVariable], !key.isEmpty { return Redactor(key: Array(key.utf8)) }
        var generator = SystemRandomNumberGenerator()
        return Redactor(key: (0 ..< 32).map { _ in UInt8.random(in: 0 ... 255, using: &generator) })
    }

    /// `ID-` and 12 hex digits; an empty text stays empty (a blank is not an identifier).
    public func mask(_ text: String) -> String {
        guard !text.isEmpty else { return text }
        if let masked = text.utf8.withContiguousStorageIfAvailable({ mask(UnsafeRawBufferPointer($0)) }) { return masked }
        return mask(bytes: Array(text.utf8))
    }

    func mask(bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { mask($0) }
    }

    /// The 15 bytes fit Swift's small-string storage: no allocation for the mask itself.
    func mask(_ bytes: UnsafeRawBufferPointer) -> String {
        var digest: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &digest) { hmac.authenticate(bytes, into: $0) }
        return withUnsafeBytes(of: digest) { d in
            let start = Redactor.prefix.utf8.count
            return String(unsafeUninitializedCapacity: start + Redactor.hexDigits) { out in
                for (i, b) in Redactor.prefix.utf8.enumerated() { out[i] = b }
                for i in 0 ..< Redactor.hexDigits / 2 {
                    out[start + 2 * i] = Redactor.hex(d[i] >> 4)
                    out[start + 2 * i + 1] = Redactor.hex(d[i] & 0x0F)
                }
                return start + Redactor.hexDigits
            }
        }
    }

    @inline(__always) static func hex(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 0x30 + nibble : 0x57 + nibble }

    /// A staged value masked as its MHSDS text; blanks stay blank.
    public func mask(_ value: Value) -> Value {
        value.isNull ? value : .text(mask(value.text))
    }

    /// Replaces every occurrence of each of `identifiers` in `text` by its mask, in one pass (longest first, so
    /// a mask is never masked again). Short identifiers are replaced only where they are not part of a word.
    public func redact(_ text: String, identifiers: [String]) -> String {
        guard !text.isEmpty else { return text }
        var ids = Array(Set(identifiers.filter { !$0.isEmpty })).map { Array($0.utf8) }
        guard !ids.isEmpty else { return text }
        ids.sort { $0.count != $1.count ? $0.count > $1.count : $0.lexicographicallyPrecedes($1) }
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        scan: while i < bytes.count {
            for id in ids where i + id.count <= bytes.count && bytes[i] == id[0] {
                guard bytes[i ..< i + id.count].elementsEqual(id) else { continue }
                if id.count < Redactor.minimumInsideWords && !(isBoundary(bytes, i - 1) && isBoundary(bytes, i + id.count)) { continue }
                out.append(contentsOf: mask(bytes: id).utf8)
                i += id.count
                continue scan
            }
            out.append(bytes[i])
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// True at either end of the text and next to anything but an ASCII letter or digit.
    func isBoundary(_ bytes: [UInt8], _ i: Int) -> Bool {
        guard i >= 0, i < bytes.count else { return true }
        let b = bytes[i]
        return !((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A))
    }

    /// A finding with its identifiers masked wherever they appear; the identifiers themselves are dropped.
    public func redact(_ finding: Finding) -> Finding {
        guard !finding.identifiers.isEmpty else { return finding }
        var f = finding
        let ids = finding.identifiers
        f.recordKey = redact(f.recordKey, identifiers: ids)
        f.value = redact(f.value, identifiers: ids)
        f.message = redact(f.message, identifiers: ids)
        f.group = redact(f.group, identifiers: ids)
        f.identifiers = []
        return f
    }
}
