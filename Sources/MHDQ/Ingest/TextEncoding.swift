// Text encodings of incoming extracts: UTF-8, with Windows-1252 for files saved from Excel.

public enum TextEncoding: String, Sendable, CaseIterable {
    /// UTF-8; a field that is not valid UTF-8 is read as Windows-1252 (Excel's "CSV" on Windows).
    case auto
    case utf8 = "utf-8"
    case windows1252 = "windows-1252"

    public init?(name: String) {
        switch String(name.lowercased().map { $0 == "_" ? "-" : $0 }) {
        case "auto": self = .auto
        case "utf-8", "utf8": self = .utf8
        case "windows-1252", "cp1252", "1252", "latin-1", "latin1", "iso-8859-1": self = .windows1252
        default: return nil
        }
    }
}

enum Windows1252 {
    /// Unicode scalars for 0x80...0x9F; the rest of 0xA0...0xFF maps to the same code point.
    /// Undefined bytes (0x81, 0x8D, 0x8F, 0x90, 0x9D) map to the C1 control of the same value, as browsers do.
    static let high: [UInt32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
        0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
    ]

    static func scalar(_ byte: UInt8) -> UInt32 {
        if byte < 0x80 { return UInt32(byte) }
        if byte < 0xA0 { return high[Int(byte) - 0x80] }
        return UInt32(byte)
    }

    /// Appends the UTF-8 encoding of Windows-1252 `bytes` to `out`.
    static func transcode<C: Collection>(_ bytes: C, into out: inout [UInt8]) where C.Element == UInt8 {
        for b in bytes {
            let s = scalar(b)
            if s < 0x80 {
                out.append(UInt8(s))
            } else if s < 0x800 {
                out.append(UInt8(0xC0 | (s >> 6)))
                out.append(UInt8(0x80 | (s & 0x3F)))
            } else {
                out.append(UInt8(0xE0 | (s >> 12)))
                out.append(UInt8(0x80 | ((s >> 6) & 0x3F)))
                out.append(UInt8(0x80 | (s & 0x3F)))
            }
        }
    }
}

enum UTF8Validation {
    /// True when `bytes` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
    static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = bytes.count
        while i < n {
            let b0 = bytes[i]
            if b0 < 0x80 { i += 1; continue }
            let need: Int
            var lower: UInt8 = 0x80, upper: UInt8 = 0xBF
            switch b0 {
            case 0xC2 ... 0xDF: need = 1
            case 0xE0: need = 2; lower = 0xA0
            case 0xE1 ... 0xEC, 0xEE ... 0xEF: need = 2
            case 0xED: need = 2; upper = 0x9F
            case 0xF0: need = 3; lower = 0x90
            case 0xF1 ... 0xF3: need = 3
            case 0xF4: need = 3; upper = 0x8F
            default: return false
            }
            guard i + need < n else { return false }
            let b1 = bytes[i + 1]
            guard b1 >= lower && b1 <= upper else { return false }
            var k = 2
            while k <= need {
                guard bytes[i + k] & 0xC0 == 0x80 else { return false }
                k += 1
            }
            i += need + 1
        }
        return true
    }
}

extension RawRow {
    /// Re-encodes the field being built from Windows-1252 to UTF-8.
    mutating func transcodeOpenField(from encoding: TextEncoding) {
        let start = byteCount - openFieldLength
        let original = Array(storage[start ..< byteCount])
        dropLastBytes(original.count)
        var out: [UInt8] = []
        out.reserveCapacity(original.count * 2)
        Windows1252.transcode(original, into: &out)
        appendBytes(out)
    }

    /// True when the field being built is valid UTF-8.
    func openFieldIsValidUTF8() -> Bool {
        let start = byteCount - openFieldLength
        return storage.withUnsafeBufferPointer { UTF8Validation.isValid(UnsafeBufferPointer(rebasing: $0[start ..< byteCount])) }
    }
}
