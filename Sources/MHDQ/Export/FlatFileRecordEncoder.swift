// One staged record as a line of an MHSDS flat file, written straight to bytes (no String per cell).

/// Dates CCYY-MM-DD, times hh:mm:ss, date-times CCYY-MM-DDThh:mm:ss, numbers without a needless ".0",
/// codes and text as staged. Quoting is RFC 4180 (only where a value holds the delimiter, a quote, a line
/// break, or spaces at either end). Values are never prefixed against formula injection: these are machine
/// files for the submission portal, and an apostrophe would change a legitimate value ("-1", "=" in a free
/// text field). exceptions.csv, the file people open in Excel, is the one neutralised.
public struct FlatFileRecordEncoder: Sendable {
    public let delimiter: UInt8
    /// Per field: masked by the redactor when there is one.
    let masked: [Bool]
    let redactor: Redactor?

    public init(dataset: Dataset, delimiter: UInt8, redactor: Redactor?) {
        self.delimiter = delimiter
        self.redactor = redactor
        var masked = Array(repeating: false, count: dataset.fields.count)
        if redactor != nil { for i in dataset.identifierIndices { masked[i] = true } }
        self.masked = masked
    }

    /// The header line: the dataset's field names in v6 order.
    func header(_ dataset: Dataset, into out: ByteBuffer) {
        for (i, f) in dataset.fields.enumerated() {
            if i > 0 { out.append(delimiter) }
            appendText(f.name, into: out)
        }
        out.append(0x0A)
    }

    /// Appends the record's line, LF included.
    func encode(_ values: [Value], into out: ByteBuffer) {
        for (i, v) in values.enumerated() {
            if i > 0 { out.append(delimiter) }
            if masked[i], let redactor, !v.isNull {
                appendText(redactor.mask(v.text), into: out)
                continue
            }
            switch v {
            case .null: break
            case .text(let s): appendText(s, into: out)
            case .date(let days): appendDate(days, into: out)
            case .time(let seconds): appendTime(seconds, into: out)
            case .dateTime(let seconds):
                let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
                appendDate(days, into: out)
                out.append(UInt8(ascii: "T"))
                appendTime(seconds - days * 86_400, into: out)
            case .number, .bool, .typed: appendText(v.text, into: out)
            }
        }
        out.append(0x0A)
    }

    /// Appends a text value, quoted (quotes doubled) when it holds the delimiter, a quote or a line break, or
    /// starts or ends with a space or tab. One pass over its UTF-8 bytes where they lie.
    func appendText(_ s: String, into out: ByteBuffer) {
        var s = s
        let hasNUL: Bool = s.withUTF8 { bytes in
            var needsQuotes = false
            for b in bytes {
                if b == delimiter || b == 0x22 || b == 0x0A || b == 0x0D {
                    needsQuotes = true
                } else if b == 0 {
                    return true
                }
            }
            if !needsQuotes, let first = bytes.first, let last = bytes.last {
                needsQuotes = first == 0x20 || first == 0x09 || last == 0x20 || last == 0x09
            }
            guard needsQuotes else {
                out.append(bytes)
                return false
            }
            out.append(0x22)
            for b in bytes {
                if b == 0x22 { out.append(0x22) }
                out.append(b)
            }
            out.append(0x22)
            return false
        }
        // No reader of text files (ours included) accepts a NUL byte, so one decoded from a workbook's `_x0000_`
        // escape is written as U+FFFD, as exceptions.csv writes it: the submission file stays a text file.
        if hasNUL { appendText(CSVWriter.replacingNUL(s), into: out) }
    }

    func appendDate(_ days: Int, into out: ByteBuffer) {
        let d = CivilDate(days: days)
        guard d.year >= 0, d.year <= 9999 else {
            out.append(d.iso)
            return
        }
        appendDigits(d.year, 4, into: out)
        out.append(0x2D)
        appendDigits(d.month, 2, into: out)
        out.append(0x2D)
        appendDigits(d.day, 2, into: out)
    }

    func appendTime(_ seconds: Int, into out: ByteBuffer) {
        guard seconds >= 0, seconds < 100 * 3600 else {
            out.append(Value.time(seconds).text)
            return
        }
        appendDigits(seconds / 3600, 2, into: out)
        out.append(0x3A)
        appendDigits(seconds / 60 % 60, 2, into: out)
        out.append(0x3A)
        appendDigits(seconds % 60, 2, into: out)
    }

    @inline(__always) func appendDigits(_ n: Int, _ width: Int, into out: ByteBuffer) {
        var divisor = 1
        for _ in 1 ..< width { divisor *= 10 }
        var rest = n
        while divisor > 0 {
            out.append(0x30 + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }
}
