// RFC 4180 output: quotes where needed, CRLF-free (LF) lines, and formula-injection neutralising.

public struct CSVWriter {
    public let output: OutputBuffer
    public let delimiter: UInt8
    /// Prefix cells that a spreadsheet would run as a formula with an apostrophe.
    public let neutraliseFormulas: Bool

    public init(output: OutputBuffer, delimiter: UInt8 = 0x2C, neutraliseFormulas: Bool = true) {
        self.output = output
        self.delimiter = delimiter
        self.neutraliseFormulas = neutraliseFormulas
    }

    /// A text cell starting with = + - @ tab or CR would run as a formula in Excel: neutralise it
    /// (the rule lives in `FormulaNeutralising`, shared with the XLSX writer).
    public static func needsNeutralising(_ s: String) -> Bool { FormulaNeutralising.needsNeutralising(s) }

    public func writeRow(_ fields: [String]) {
        for (i, f) in fields.enumerated() {
            if i > 0 { output.write(byte: delimiter) }
            writeField(f)
        }
        output.write(byte: 0x0A)
    }

    public func writeField(_ raw: String) { writeField(raw, neutralise: neutraliseFormulas) }

    func writeField(_ raw: String, neutralise: Bool) {
        var f = neutralise && CSVWriter.needsNeutralising(raw) ? "'" + raw : raw
        var needsQuotes = false
        var hasNUL = false
        f.withUTF8 { bytes in
            for b in bytes {
                if b == delimiter || b == 0x22 || b == 0x0A || b == 0x0D { needsQuotes = true } else if b == 0 { hasNUL = true }
            }
            if let first = bytes.first, first == 0x20 || first == 0x09 { needsQuotes = true }
        }
        // No reader of text files (ours included) accepts a NUL byte: one decoded from a workbook's
        // `_x0000_` escape is written as U+FFFD so the file stays readable.
        if hasNUL { f = CSVWriter.replacingNUL(f) }
        f.withUTF8 { bytes in
            guard needsQuotes else {
                output.write(bytes: bytes)
                return
            }
            // Quoted, each quote doubled: the runs between quotes are written whole.
            output.write(byte: 0x22)
            var start = 0
            for i in 0 ..< bytes.count where bytes[i] == 0x22 {
                output.write(bytes: UnsafeBufferPointer(rebasing: bytes[start ... i]))
                output.write(byte: 0x22)
                start = i + 1
            }
            output.write(bytes: UnsafeBufferPointer(rebasing: bytes[start...]))
            output.write(byte: 0x22)
        }
    }
}

extension CSVWriter {
    static func replacingNUL(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.map { $0 == "\0" ? "\u{FFFD}" : $0 }))
    }

    /// Writes a raw row's fields as they are (no neutralising: a faithful dump), straight from its bytes.
    public func writeRaw(_ row: RawRow, width: Int? = nil) {
        let n = width ?? row.count
        for i in 0 ..< n {
            if i > 0 { output.write(byte: delimiter) }
            guard i < row.count else { continue }
            row.withField(i) { bytes in
                var needsQuotes = false
                var hasNUL = false
                for b in bytes {
                    if b == delimiter || b == 0x22 || b == 0x0A || b == 0x0D { needsQuotes = true } else if b == 0 { hasNUL = true }
                }
                if hasNUL {
                    writeField(CSVWriter.replacingNUL(String(decoding: bytes, as: UTF8.self)), neutralise: false)
                    return
                }
                if !needsQuotes {
                    output.write(bytes: bytes)
                    return
                }
                output.write(byte: 0x22)
                for b in bytes {
                    if b == 0x22 { output.write(byte: 0x22) }
                    output.write(byte: b)
                }
                output.write(byte: 0x22)
            }
        }
        output.write(byte: 0x0A)
    }
}
