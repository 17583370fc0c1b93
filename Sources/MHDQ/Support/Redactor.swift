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
        text.isEmpty ? text : mask(bytes: Array(text.utf8))
    }

    func mask(bytes: [UInt8]) -> String {
        let digest = hmac.authenticate(bytes)
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var out = Array(Redactor.prefix.utf8)
        for b in digest.prefix(Redactor.hexDigits / 2) {
            out.append(hex[Int(b >> 4)])
            out.append(hex[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

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
