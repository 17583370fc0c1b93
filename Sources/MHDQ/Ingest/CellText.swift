// Renders spreadsheet cell values as the text a reader delivers: numbers, dates, booleans, escapes.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

enum CellText {
    // MARK: - Numbers

    /// Appends a number in shortest round-trip form ("5" not "5.0", "0.00004" not "4e-05"), from its stored text.
    /// Text that is not a number is appended as it is.
    static func appendNumber(_ text: UnsafeBufferPointer<UInt8>, to row: inout RawRow) {
        if isCanonical(text) {
            row.appendBytes(text)
            return
        }
        guard let value = parseDouble(text) else {
            row.appendBytes(text)
            return
        }
        appendDouble(value, to: &row)
    }

    /// A number in a percentage format, as the sheet shows it ("0.7402" → "74.02%"): the decimal point moves
    /// two places in the stored digits, so no binary rounding creeps in (0.7402 × 100 is 74.02000000000001).
    static func appendPercent(_ text: UnsafeBufferPointer<UInt8>, to row: inout RawRow) {
        var stored: String
        if isCanonical(text) {
            stored = String(decoding: text, as: UTF8.self)
        } else if let value = parseDouble(text) {
            stored = DecimalText.plain(value)
        } else {
            row.appendBytes(text)
            return
        }
        let negative = stored.hasPrefix("-")
        if negative { stored.removeFirst() }
        let parts = stored.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        var whole = String(parts[0]) + String(fraction.prefix(2)) + String(repeating: "0", count: max(0, 2 - fraction.count))
        while whole.count > 1, whole.hasPrefix("0") { whole.removeFirst() }
        let rest = fraction.dropFirst(2)
        let out = (negative && (whole != "0" || !rest.isEmpty) ? "-" : "") + whole + (rest.isEmpty ? "" : "." + rest) + "%"
        row.appendBytes(out.utf8)
    }

    static func appendDouble(_ value: Double, to row: inout RawRow) {
        row.appendBytes(DecimalText.plain(value).utf8)
    }

    /// True when the stored text is already what `DecimalText.plain` would print:
    /// at most 15 significant digits (so it round-trips), no exponent, no redundant zeros,
    /// and in the range Swift prints without an exponent. Most cells take this path.
    @inline(__always) static func isCanonical(_ t: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = t.count
        if n == 0 { return false }
        if t[0] == 0x2D { i = 1 }
        let intStart = i
        while i < n, t[i] &- 0x30 < 10 { i += 1 }
        let intDigits = i - intStart
        if intDigits == 0 || intDigits > 15 { return false }
        let zeroInt = intDigits == 1 && t[intStart] == 0x30
        if t[intStart] == 0x30 && !zeroInt { return false }
        if i == n { return true }
        guard t[i] == 0x2E else { return false }
        i += 1
        let fracStart = i
        while i < n, t[i] &- 0x30 < 10 { i += 1 }
        let fracDigits = i - fracStart
        if i != n || fracDigits == 0 || t[n - 1] == 0x30 { return false }
        if zeroInt {
            var z = fracStart
            while z < n, t[z] == 0x30 { z += 1 }
            let leadingZeros = z - fracStart
            return leadingZeros <= 3 && fracDigits - leadingZeros <= 15
        }
        return intDigits + fracDigits <= 15
    }

    /// Parses a decimal number (with optional exponent); nil for anything else, NaN and infinity.
    static func parseDouble(_ text: UnsafeBufferPointer<UInt8>) -> Double? {
        guard text.count > 0, text.count < 64 else {
            return text.count == 0 ? nil : Double(String(decoding: text, as: UTF8.self)).flatMap { $0.isFinite ? $0 : nil }
        }
        for b in text where !(b &- 0x30 < 10 || b == 0x2E || b == 0x2D || b == 0x2B || b == 0x45 || b == 0x65) { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buf -> Double? in
            for k in 0 ..< text.count { buf[k] = CChar(bitPattern: text[k]) }
            buf[text.count] = 0
            var end: UnsafeMutablePointer<CChar>?
            let v = strtod(buf.baseAddress!, &end)
            guard let end, end - buf.baseAddress! == text.count, v.isFinite else { return nil }
            return v
        }
    }

    // MARK: - Dates

    /// Days from 1970-01-01 to the day numbering origin of each date system.
    static let epoch1900 = -25_569  // 1899-12-30: serial 61 and later
    static let epoch1904 = -24_107  // 1904-01-01

    /// Appends a date-formatted serial as ISO 8601. Returns false (appending nothing) when the
    /// serial is outside Excel's date range, so the caller can show it as a number.
    static func appendSerialDate(_ serial: Double, date1904: Bool, to row: inout RawRow) -> Bool {
        guard serial.isFinite, serial < 2_958_466 else { return false }
        if serial < 0 {
            // Dates before 1900: Excel cannot hold them, but LibreOffice and openpyxl write them as
            // negative serials counted back from 1899-12-30 (birth dates of the very old, historic records).
            guard !date1904, serial >= -693_593 else { return false }
            let total = Int((serial * 86_400).rounded())
            let days = total >= 0 ? total / 86_400 : (total - 86_399) / 86_400
            let seconds = total - days * 86_400
            appendCivil(days + epoch1900, to: &row)
            if seconds != 0 {
                row.appendByte(0x54)  // T
                appendTime(seconds, to: &row)
            }
            return true
        }
        let total = Int((serial * 86_400).rounded())
        let days = total / 86_400
        let seconds = total % 86_400
        if days == 0 && (!date1904 || seconds != 0) {
            // A time of day with no date: day 0 is Excel's "1900-01-00", and in the 1904 system a time alone
            // is stored on 1904-01-01 (serial 0 in a date format stays that date; a cell in a time format is read
            // by appendSerialTime, so midnight is 00:00:00 in either system).
            appendTime(seconds, to: &row)
            return true
        }
        if !date1904 && days == 60 {
            // Excel's phantom 1900-02-29 (the Lotus leap-year bug): show what Excel shows.
            row.appendBytes("1900-02-29".utf8)
        } else {
            let origin = date1904 ? epoch1904 : (days < 60 ? epoch1900 + 1 : epoch1900)
            appendCivil(days + origin, to: &row)
        }
        if seconds != 0 {
            row.appendByte(0x54)  // T
            appendTime(seconds, to: &row)
        }
        return true
    }

    /// Appends a serial in a time format as the time it shows: `hh:mm:ss` of the time of day (its whole days are not
    /// shown, in either date system), or for an elapsed format ([h]:mm) every hour ("36:00:00" for 1.5). Returns
    /// false (appending nothing) for a serial no time format shows (negative: Excel shows #####).
    static func appendSerialTime(_ serial: Double, elapsed: Bool, to row: inout RawRow) -> Bool {
        guard serial.isFinite, serial >= 0, serial < 2_958_466 else { return false }
        let total = Int((serial * 86_400).rounded())
        appendTime(elapsed ? total : total % 86_400, to: &row)
        return true
    }

    static func appendTime(_ seconds: Int, to row: inout RawRow) {
        appendDigits(seconds / 3600, width: 2, to: &row)
        row.appendByte(0x3A)
        appendDigits(seconds / 60 % 60, width: 2, to: &row)
        row.appendByte(0x3A)
        appendDigits(seconds % 60, width: 2, to: &row)
    }

    /// Appends YYYY-MM-DD for a count of days since 1970-01-01 (proleptic Gregorian).
    static func appendCivil(_ daysSinceUnixEpoch: Int, to row: inout RawRow) {
        let c = CivilDate(days: daysSinceUnixEpoch)
        appendDigits(c.year, width: 4, to: &row)
        row.appendByte(0x2D)
        appendDigits(c.month, width: 2, to: &row)
        row.appendByte(0x2D)
        appendDigits(c.day, width: 2, to: &row)
    }

    static func days(year: Int, month: Int, day: Int) -> Int {
        CivilDate(year: year, month: month, day: day).days
    }

    @inline(__always) static func appendDigits(_ value: Int, width: Int, to row: inout RawRow) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0)
        var v = max(0, value)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buf in
            repeat {
                buf[count] = UInt8(0x30 + v % 10)
                v /= 10
                count += 1
            } while (v > 0 || count < width) && count < 8
            var k = count - 1
            while k >= 0 { row.appendByte(buf[k]); k -= 1 }
        }
    }

    /// The date Excel gives a time of day with no date when it writes one as a date-time
    /// ("1899-12-31T09:30:00.000" in SpreadsheetML 2003: day 0 of the 1900 system), a date Excel cannot hold.
    static let timeOnlyDay = -25_568  // 1899-12-31

    /// Appends an ISO 8601 date-time ("2023-04-01T13:05:00.000") as "2023-04-01" at midnight,
    /// else "2023-04-01T13:05:00" (to the nearest second), and a time with no date ("1899-12-31T09:30:00") as
    /// "09:30:00". Other text is appended as it is, and the result is false: so is a date or time that does not exist
    /// (2023-02-31, 25:61:00), which used to roll over into another (2023-03-03), and one that rounds past 9999-12-31.
    /// Staging then reports it as it reports the same text in a text file.
    @discardableResult
    static func appendISODateTime(_ t: UnsafeBufferPointer<UInt8>, to row: inout RawRow) -> Bool {
        func num(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= t.count else { return nil }
            var v = 0
            for k in from ..< from + count {
                let d = t[k] &- 0x30
                guard d < 10 else { return nil }
                v = v * 10 + Int(d)
            }
            return v
        }
        guard t.count >= 10, let y = num(0, 4), t[4] == 0x2D, let mo = num(5, 2), t[7] == 0x2D, let d = num(8, 2),
              (1 ... 12).contains(mo), d >= 1, d <= daysInMonth(year: y, month: mo) else {
            row.appendBytes(t)
            return false
        }
        var seconds = 0.0
        var i = 10
        if i < t.count && (t[i] == 0x54 || t[i] == 0x20) {
            guard let h = num(11, 2), t.count > 13, t[13] == 0x3A, let mi = num(14, 2), h <= 23, mi <= 59 else { row.appendBytes(t); return false }
            seconds = Double(h * 3600 + mi * 60)
            i = 16
            if i < t.count && t[i] == 0x3A {
                guard let s = num(17, 2), s <= 59 else { row.appendBytes(t); return false }
                seconds += Double(s)
                i = 19
                if i < t.count && t[i] == 0x2E {
                    i += 1
                    var scale = 0.1
                    while i < t.count, t[i] &- 0x30 < 10 {
                        seconds += Double(t[i] &- 0x30) * scale
                        scale /= 10
                        i += 1
                    }
                }
            }
        }
        if i < t.count && t[i] == 0x5A { i += 1 }  // Z
        guard i == t.count else { row.appendBytes(t); return false }
        var dayNumber = days(year: y, month: mo, day: d)
        var whole = Int(seconds.rounded())
        // Only a fraction of a second rounds into the next day, and none past 9999-12-31 (a five-digit year).
        if whole >= 86_400 { dayNumber += whole / 86_400; whole %= 86_400 }
        if dayNumber > lastDay { row.appendBytes(t); return false }
        if dayNumber == timeOnlyDay {
            appendTime(whole, to: &row)
            return true
        }
        appendCivil(dayNumber, to: &row)
        if whole != 0 {
            row.appendByte(0x54)
            appendTime(whole, to: &row)
        }
        return true
    }

    /// 9999-12-31, the last date a workbook holds.
    static let lastDay = 2_932_896

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // MARK: - Escapes

    /// Appends text, decoding OOXML's `_xHHHH_` escapes (how Excel stores control characters;
    /// `_x005F_` escapes an underscore).
    static func appendDecodingEscapes(_ t: UnsafeBufferPointer<UInt8>, to row: inout RawRow) {
        guard let first = t.firstIndex(of: 0x5F) else {
            row.appendBytes(t)
            return
        }
        row.appendBytes(UnsafeBufferPointer(rebasing: t[0 ..< first]))
        var i = first
        let n = t.count
        while i < n {
            if t[i] == 0x5F, let u = escape(t, at: i) {
                i += 7
                var scalar = UInt32(u)
                if (0xD800 ... 0xDBFF).contains(u), let low = escape(t, at: i), (0xDC00 ... 0xDFFF).contains(low) {
                    scalar = 0x10000 + ((UInt32(u) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                    i += 7
                } else if (0xD800 ... 0xDFFF).contains(u) {
                    scalar = 0xFFFD
                }
                appendUTF8(scalar, to: &row)
            } else {
                row.appendByte(t[i])
                i += 1
            }
        }
    }

    /// The code unit of an `_xHHHH_` escape starting at `i`, if there is one.
    @inline(__always) static func escape(_ t: UnsafeBufferPointer<UInt8>, at i: Int) -> UInt16? {
        guard i + 7 <= t.count, t[i] == 0x5F, t[i + 1] == 0x78, t[i + 6] == 0x5F else { return nil }
        var v: UInt16 = 0
        for k in i + 2 ..< i + 6 {
            let b = t[k]
            let h: UInt8
            switch b {
            case 0x30 ... 0x39: h = b - 0x30
            case 0x41 ... 0x46: h = b - 0x41 + 10
            case 0x61 ... 0x66: h = b - 0x61 + 10
            default: return nil
            }
            v = v << 4 | UInt16(h)
        }
        return v
    }

    static func appendUTF8(_ s: UInt32, to row: inout RawRow) {
        if s < 0x80 {
            row.appendByte(UInt8(s))
        } else if s < 0x800 {
            row.appendByte(UInt8(0xC0 | (s >> 6)))
            row.appendByte(UInt8(0x80 | (s & 0x3F)))
        } else if s < 0x10000 {
            row.appendByte(UInt8(0xE0 | (s >> 12)))
            row.appendByte(UInt8(0x80 | ((s >> 6) & 0x3F)))
            row.appendByte(UInt8(0x80 | (s & 0x3F)))
        } else {
            row.appendByte(UInt8(0xF0 | (s >> 18)))
            row.appendByte(UInt8(0x80 | ((s >> 12) & 0x3F)))
            row.appendByte(UInt8(0x80 | ((s >> 6) & 0x3F)))
            row.appendByte(UInt8(0x80 | (s & 0x3F)))
        }
    }
}
