// Cell text as sheet XML holds it: XML escapes, OOXML `_xHHHH_` escapes, Excel's 32,767-character limit.

enum XLSXText {
    /// Excel holds at most this many characters (UTF-16 code units) in a cell.
    static let maxCellCharacters = 32_767

    /// Appends `text` as element content. Markup characters become entities; a CR becomes
    /// `&#13;` (a literal one would be read back as LF); characters XML 1.0 forbids (C0 controls
    /// other than tab, LF and CR; U+FFFE, U+FFFF) become `_xHHHH_` as Excel writes them, and an
    /// underscore that would read as such an escape becomes `_x005F_`. Bytes that are not UTF-8
    /// become U+FFFD, so no input can make the XML unreadable.
    static func appendEscaped(_ t: UnsafeBufferPointer<UInt8>, to out: ByteBuffer) {
        let n = t.count
        var i = 0
        var plain = 0  // start of the run not yet copied
        while i < n {
            let b = t[i]
            if b >= 0x20 && b < 0x80 && b != 0x26 && b != 0x3C && b != 0x3E && b != 0x5F {
                i += 1
                continue
            }
            if b >= 0x80 {
                let length = validUTF8Length(t, at: i)
                if length > 0 {
                    // U+FFFE and U+FFFF are valid UTF-8 but not XML characters.
                    if length == 3 && b == 0xEF && t[i + 1] == 0xBF && t[i + 2] >= 0xBE {
                        flush(t, plain, i, out)
                        appendUnicodeEscape(t[i + 2] == 0xBE ? 0xFFFE : 0xFFFF, to: out)
                        i += 3
                        plain = i
                    } else {
                        i += length
                    }
                    continue
                }
                flush(t, plain, i, out)
                out.append(0xEF)
                out.append(0xBF)
                out.append(0xBD)
                i += 1
                plain = i
                continue
            }
            if b == 0x09 || b == 0x0A || (b == 0x5F && !looksLikeEscape(t, at: i)) {
                i += 1
                continue
            }
            flush(t, plain, i, out)
            switch b {
            case 0x26: out.append("&amp;" as StaticString)
            case 0x3C: out.append("&lt;" as StaticString)
            case 0x3E: out.append("&gt;" as StaticString)
            case 0x0D: out.append("&#13;" as StaticString)
            case 0x5F: appendUnicodeEscape(0x5F, to: out)
            default: appendUnicodeEscape(UInt16(b), to: out)
            }
            i += 1
            plain = i
        }
        flush(t, plain, n, out)
    }

    @inline(__always) private static func flush(_ t: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int, _ out: ByteBuffer) {
        if to > from { out.append(UnsafeBufferPointer(rebasing: t[from ..< to])) }
    }

    /// Escapes text for an attribute value (names, references): quotes too, and whitespace kept.
    static func appendAttribute(_ s: String, to out: ByteBuffer) {
        for b in s.utf8 {
            switch b {
            case 0x26: out.append("&amp;" as StaticString)
            case 0x3C: out.append("&lt;" as StaticString)
            case 0x3E: out.append("&gt;" as StaticString)
            case 0x22: out.append("&quot;" as StaticString)
            case 0x09: out.append("&#9;" as StaticString)
            case 0x0A: out.append("&#10;" as StaticString)
            case 0x0D: out.append("&#13;" as StaticString)
            case 0x00 ..< 0x20: out.append("_" as StaticString)  // not representable in an attribute
            default: out.append(b)
            }
        }
    }

    static func attribute(_ s: String) -> String {
        let out = ByteBuffer(capacity: s.utf8.count + 16)
        appendAttribute(s, to: out)
        return String(decoding: out.bytes, as: UTF8.self)
    }

    /// `_xHHHH_` with upper-case hex digits.
    static func appendUnicodeEscape(_ unit: UInt16, to out: ByteBuffer) {
        out.append(0x5F)
        out.append(0x78)
        for shift in stride(from: 12, through: 0, by: -4) {
            let digit = UInt8(truncatingIfNeeded: unit >> UInt16(shift)) & 0xF
            out.append(digit < 10 ? 0x30 + digit : 0x37 + digit)
        }
        out.append(0x5F)
    }

    /// True when `_xHHHH_` starts at `i` (a reader would decode it).
    @inline(__always) static func looksLikeEscape(_ t: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        guard i + 7 <= t.count, t[i + 1] == 0x78, t[i + 6] == 0x5F else { return false }
        for k in i + 2 ..< i + 6 {
            let b = t[k] | 0x20
            guard (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66) else { return false }
        }
        return true
    }

    /// Length of the well-formed UTF-8 sequence at `i` (no overlongs, no surrogates), 0 if there is none.
    @inline(__always) static func validUTF8Length(_ t: UnsafeBufferPointer<UInt8>, at i: Int) -> Int {
        let b = t[i]
        let n = t.count
        @inline(__always) func cont(_ k: Int) -> Bool { k < n && t[k] & 0xC0 == 0x80 }
        switch b {
        case 0xC2 ... 0xDF:
            return cont(i + 1) ? 2 : 0
        case 0xE0 ... 0xEF:
            guard cont(i + 1), cont(i + 2) else { return 0 }
            let second = t[i + 1]
            if b == 0xE0 && second < 0xA0 { return 0 }  // overlong
            if b == 0xED && second >= 0xA0 { return 0 }  // surrogate
            return 3
        case 0xF0 ... 0xF4:
            guard cont(i + 1), cont(i + 2), cont(i + 3) else { return 0 }
            let second = t[i + 1]
            if b == 0xF0 && second < 0x90 { return 0 }
            if b == 0xF4 && second >= 0x90 { return 0 }
            return 4
        default:
            return 0
        }
    }

    // MARK: - Length

    /// UTF-16 code units of UTF-8 text (as Excel counts a cell's characters); invalid bytes count one each.
    static func utf16Length(_ t: UnsafeBufferPointer<UInt8>) -> Int {
        var units = 0
        for b in t where b & 0xC0 != 0x80 { units += b >= 0xF0 ? 2 : 1 }
        return units
    }

    /// Characters a column must show (for widths): code points, counted from their lead bytes.
    @inline(__always) static func displayLength(_ t: UnsafeBufferPointer<UInt8>, cap: Int) -> Int {
        if t.count <= cap {
            var count = 0
            for b in t where b & 0xC0 != 0x80 { count += 1 }
            return count
        }
        return cap
    }

    /// Where to cut UTF-8 text so that it and a marker of `reserve` units fit Excel's limit:
    /// the byte length of the longest whole-character prefix of at most `maxCellCharacters - reserve` units.
    static func cutLength(_ t: UnsafeBufferPointer<UInt8>, reserve: Int) -> Int {
        let budget = maxCellCharacters - reserve
        var units = 0
        var i = 0
        while i < t.count {
            let b = t[i]
            let length = b < 0x80 ? 1 : max(1, validUTF8Length(t, at: i))
            let u = length == 4 ? 2 : 1
            if units + u > budget { break }
            units += u
            i += length
        }
        return i
    }

    /// The text that replaces the cut-off part, naming the full length.
    static func truncationMarker(fullLength: Int) -> String {
        " …[cut: Excel holds 32,767 characters in a cell; the full text has \(fullLength)]"
    }
}
