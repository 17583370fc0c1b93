// Streaming RFC 4180 reader over bytes: quoting, any line ending, BOM, delimiter sniffing, 1252 fallback.

/// Reads delimited text one record at a time with memory bounded by the longest record.
///
/// - Quoted fields may hold delimiters, doubled quotes and line breaks.
/// - Line ends may be LF, CRLF or CR, mixed within a file.
/// - A UTF-8 byte order mark is skipped.
/// - Completely empty lines are skipped and counted (`blankLines`).
/// - A quote inside an unquoted field, or text after a closing quote, is kept literally
///   (as Excel and Python's csv module do) rather than failing a whole extract.
/// - The delimiter is sniffed from the header line (comma, tab, pipe, semicolon) unless given.
public struct CSVReader: RowSource {
    public static let candidateDelimiters: [UInt8] = [0x2C, 0x09, 0x7C, 0x3B]  // , \t | ;
    /// A field longer than this is taken as a runaway quote, not data: it keeps memory bounded.
    public static let defaultMaxFieldBytes = 8 << 20

    public let file: String
    public var sheet: String? { nil }
    public private(set) var delimiter: UInt8
    public let encoding: TextEncoding
    public private(set) var blankLines = 0
    /// Number of fields re-read as Windows-1252 because they were not valid UTF-8.
    public private(set) var windows1252Fields = 0

    private let input: ByteInput
    private var position = 0
    private var line = 1
    private var started = false
    private let delimiterGiven: Bool
    private let headerLine: Int
    private let maxFieldBytes: Int

    /// `headerLine`: the line the delimiter is guessed from (the first with any candidate from there on), so a
    /// title line above the header ("Extract, September") does not decide it.
    public init(path: String, delimiter: UInt8? = nil, encoding: TextEncoding = .auto, headerLine: Int = 1,
                bufferSize: Int = 1 << 16, maxFieldBytes: Int = CSVReader.defaultMaxFieldBytes) throws {
        self.file = path
        self.headerLine = headerLine
        self.input = try ByteInput(path: path, bufferSize: bufferSize)
        self.delimiter = delimiter ?? 0x2C
        self.delimiterGiven = delimiter != nil
        self.encoding = encoding
        self.maxFieldBytes = maxFieldBytes
    }

    public static func delimiter(named name: String) -> UInt8? {
        switch name.lowercased() {
        case ",", "comma": return 0x2C
        case "\t", "\\t", "tab": return 0x09
        case "|", "pipe": return 0x7C
        case ";", "semicolon": return 0x3B
        default:
            let u = Array(name.utf8)
            return u.count == 1 && u[0] != 0x22 && u[0] != 0x0A && u[0] != 0x0D ? u[0] : nil
        }
    }

    // MARK: - Byte access

    @inline(__always) private mutating func peek() throws -> UInt8? {
        if position >= input.count {
            guard try input.refill() > 0 else { return nil }
            position = 0
        }
        return input.base[position]
    }

    private mutating func start() throws {
        started = true
        guard try input.refill() > 0 else { return }
        let b = input.bytes
        let n = input.count
        if n >= 4 && b[0] == 0x50 && b[1] == 0x4B && b[2] == 0x03 && b[3] == 0x04 {
            throw MHDQError.input("this is a zip file (an XLSX workbook?), not delimited text; give format = \"xlsx\"", at: SourceLocation(file: file))
        }
        if n >= 4 && b[0] == 0xD0 && b[1] == 0xCF && b[2] == 0x11 && b[3] == 0xE0 {
            throw MHDQError.input("this is an OLE compound file (a legacy .xls or a password-protected workbook), not delimited text", at: SourceLocation(file: file))
        }
        if n >= 2 && ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF)) {
            throw MHDQError.input("the file is UTF-16; save it as UTF-8 (or CSV) and run again", at: SourceLocation(file: file))
        }
        if n >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF { position = 3 }
        if !delimiterGiven {
            // A buffer shorter than the header line must not decide the delimiter from its first few bytes.
            if n == input.capacity && n < Self.sniffBytes {
                delimiter = Self.sniff(try ByteInput.prefix(path: file, count: Self.sniffBytes).dropFirst(position), line: headerLine)
            } else {
                delimiter = Self.sniff(b[position ..< n], line: headerLine)
            }
        }
    }

    /// How much of the file's start delimiter sniffing looks at.
    static let sniffBytes = 1 << 16

    /// Picks the candidate delimiter seen most often outside quotes on line `line` (or the first line after it
    /// that has any: the header is the first row at or after its line).
    static func sniff<Bytes: Collection<UInt8>>(_ bytes: Bytes, line: Int = 1) -> UInt8 {
        var counts = [Int](repeating: 0, count: candidateDelimiters.count)
        var quoted = false
        var current = 1
        var previous: UInt8 = 0
        for b in bytes {
            defer { previous = b }
            if b == 0x22 { quoted.toggle(); continue }
            if quoted { continue }
            if b == 0x0A || b == 0x0D {
                if current >= line && counts.contains(where: { $0 > 0 }) { break }
                if !(b == 0x0A && previous == 0x0D) { current += 1 }   // CR LF ends one line
                continue
            }
            if current >= line, let k = candidateDelimiters.firstIndex(of: b) { counts[k] += 1 }
        }
        var best = 0
        for k in 1 ..< counts.count where counts[k] > counts[best] { best = k }
        return candidateDelimiters[best]
    }

    // MARK: - Records

    public mutating func next(into row: inout RawRow) throws -> Bool {
        if !started { try start() }
        while true {
            row.removeAll()
            guard try peek() != nil else { return false }
            row.number = line
            let quoted = try readSimpleRecord(into: &row) ?? readRecord(into: &row)
            // A line with nothing on it is not a record.
            if row.count == 1 && row.isAllEmpty && !quoted {
                blankLines += 1
                continue
            }
            return true
        }
    }

    /// Reads a record that lies wholly in the buffer and needs none of `readRecord`'s care, in one pass:
    /// fields plain, or quoted without doubled quotes, line breaks or NUL inside, and valid UTF-8. The
    /// record's bytes are copied once and each field is kept as offsets into them (delimiters and
    /// quotes stay in between). Returns whether a field was quoted, or nil, having changed nothing,
    /// for any other record (which `readRecord` then reads from the same place).
    private mutating func readSimpleRecord(into row: inout RawRow) -> Bool? {
        // Windows-1252 fields are transcoded, and a NUL delimiter is an error, both by `readRecord`.
        guard readsSimpleRecords, encoding != .windows1252, delimiter != 0 else { return nil }
        let base = UnsafePointer(input.base)
        let n = input.count
        let delimiter = self.delimiter
        let maxFieldBytes = self.maxFieldBytes
        let recordStart = position
        let read: (quoted: Bool, next: Int)? = row.appendDirectly { out in
            let firstField = out.fieldCount
            let origin = out.byteCount &- recordStart   // input offset + origin = offset in the row
            var quotedAny = false
            var i = recordStart
            var recordEnd = 0
            // Offsets stay within the buffer, so plain wrapping arithmetic is safe here.
            while true {
                let start: Int, end: Int
                if base[i] == 0x22 {
                    quotedAny = true
                    i &+= 1
                    start = i
                    // The buffer is followed by a line feed, so every scan stops by its end.
                    while true {
                        let b = base[i]
                        if b == 0x22 || (b <= 0x0D && (b == 0x0A || b == 0x0D || b == 0)) { break }
                        i &+= 1
                    }
                    guard base[i] == 0x22, i &+ 1 < n else { return nil }
                    end = i
                    i &+= 1
                    // The closing quote must be followed by the delimiter or a line end.
                    let next = base[i]
                    guard next == delimiter || next == 0x0A || next == 0x0D else { return nil }
                } else {
                    start = i
                    while true {
                        let b = base[i]
                        if b == delimiter || (b <= 0x0D && (b == 0x0A || b == 0x0D || b == 0)) { break }
                        i &+= 1
                    }
                    guard i < n, base[i] != 0 else { return nil }
                    end = i
                }
                guard end &- start <= maxFieldBytes, out.fieldCount < out.fieldLimit else { return nil }
                out.addField(start: start &+ origin, end: end &+ origin)
                let terminator = base[i]
                if terminator == delimiter {
                    i &+= 1
                    guard i < n else { return nil }
                    continue
                }
                recordEnd = i
                if terminator == 0x0D {
                    // A CR at the end of the buffer may be half of a CRLF.
                    guard i &+ 1 < n else { return nil }
                    i &+= base[i &+ 1] == 0x0A ? 2 : 1
                } else {
                    i &+= 1
                }
                break
            }
            let length = recordEnd &- recordStart
            guard out.byteCount &+ length <= out.byteLimit else { return nil }
            if CSVReader.hasHighByte(base + recordStart, count: length) {
                for f in firstField ..< out.fieldCount {
                    let field = UnsafeBufferPointer(start: base + (out.starts[f] - origin), count: out.ends[f] - out.starts[f])
                    guard UTF8Validation.isValid(field) else { return nil }
                }
            }
            _ = out.copy(base + recordStart, count: length)
            return (quotedAny, i)
        }
        guard let read else { return nil }
        position = read.next
        line += 1
        return read.quoted
    }

    /// True when a byte ≥ 0x80 is among `count` bytes (eight at a time).
    @inline(__always) static func hasHighByte(_ p: UnsafePointer<UInt8>, count: Int) -> Bool {
        var seen: UInt64 = 0
        var k = 0
        while k + 8 <= count {
            seen |= UnsafeRawPointer(p + k).loadUnaligned(as: UInt64.self)
            k += 8
        }
        while k < count {
            seen |= UInt64(p[k])
            k += 1
        }
        return seen & 0x8080_8080_8080_8080 != 0
    }

    /// Reads one record; returns whether any field was quoted.
    private mutating func readRecord(into row: inout RawRow) throws -> Bool {
        var anyQuoted = false
        while true {
            let (quoted, terminator) = try readField(into: &row)
            anyQuoted = anyQuoted || quoted
            try closeField(&row)
            if terminator != delimiter { return anyQuoted }
        }
    }

    private mutating func closeField(_ row: inout RawRow) throws {
        // Plain ASCII (most fields) needs no validation or transcoding.
        defer { fieldHasHighBytes = false }
        if !fieldHasHighBytes && encoding != .windows1252 {
            row.endField()
            return
        }
        switch encoding {
        case .utf8:
            if !row.openFieldIsValidUTF8() {
                throw MHDQError.input("not valid UTF-8; set encoding = \"windows-1252\" for files saved from Excel", at: SourceLocation(file: file, row: row.number, field: row.count + 1))
            }
        case .auto:
            if !row.openFieldIsValidUTF8() {
                row.transcodeOpenField(from: .windows1252)
                windows1252Fields += 1
            }
        case .windows1252:
            row.transcodeOpenField(from: .windows1252)
        }
        row.endField()
    }

    /// Consumes a line ending at the current position (LF, CR or CRLF). Returns true if one was there.
    private mutating func consumeLineEnd(_ b: UInt8) throws {
        position += 1
        if b == 0x0D, try peek() == 0x0A { position += 1 }
        line += 1
    }

    /// Reads one field's bytes into the row. Returns (quoted, terminator) where the terminator is
    /// the delimiter, 0x0A for a line end, or 0 for end of input.
    private mutating func readField(into row: inout RawRow) throws -> (Bool, UInt8) {
        guard let first = try peek() else { return (false, 0) }
        if first == 0x22 {
            position += 1
            try readQuoted(into: &row)
            // After the closing quote: delimiter, line end, or stray text kept literally.
            return (true, try readUnquoted(into: &row))
        }
        return (false, try readUnquoted(into: &row))
    }

    private mutating func checkLength(_ row: RawRow, startLine: Int) throws {
        if row.openFieldLength > maxFieldBytes {
            let limit = maxFieldBytes >= 1 << 20 && maxFieldBytes % (1 << 20) == 0 ? "\(maxFieldBytes >> 20) MiB" : "\(maxFieldBytes) bytes"
            throw MHDQError.input("longer than \(limit): a quote opened at line \(startLine) is probably never closed", at: SourceLocation(file: file, row: row.number, field: row.count + 1))
        }
    }

    /// Scans an unquoted run up to the delimiter or a line end; returns the terminator.
    private mutating func readUnquoted(into row: inout RawRow) throws -> UInt8 {
        let delimiter = self.delimiter
        while true {
            guard try peek() != nil else { return 0 }
            let terminator: UInt8? = { (buf: UnsafeBufferPointer<UInt8>) -> UInt8? in
                var i = position
                let n = input.count
                var high: UInt8 = 0
                while i < n {
                    let b = buf[i]
                    if b == delimiter || b == 0x0A || b == 0x0D || b == 0 { break }
                    high |= b
                    i += 1
                }
                if high & 0x80 != 0 { fieldHasHighBytes = true }
                row.appendBytes(UnsafeBufferPointer(rebasing: buf[position ..< i]))
                position = i
                return i < n ? buf[i] : nil
            }(input.bytes)
            guard let t = terminator else {
                try checkLength(row, startLine: row.number)
                continue
            }
            if t == 0 {
                throw MHDQError.input("binary data (a NUL byte): this is not a text file", at: SourceLocation(file: file, row: line, field: row.count + 1))
            }
            if t == delimiter {
                position += 1
                return delimiter
            }
            try consumeLineEnd(t)
            return 0x0A
        }
    }

    /// Reads the inside of a quoted field, leaving the position after its closing quote.
    private mutating func readQuoted(into row: inout RawRow) throws {
        let startLine = line
        while true {
            guard try peek() != nil else {
                throw MHDQError.input("the file ends inside a quoted field opened at line \(startLine) (truncated file or unbalanced quote)", at: SourceLocation(file: file, row: startLine))
            }
            // Copy up to the next quote (or a NUL: binary data), counting line breaks.
            let sawQuote: Bool = { (buf: UnsafeBufferPointer<UInt8>) -> Bool in
                var i = position
                let n = input.count
                var lines = 0
                var previousCR = false
                var high: UInt8 = 0
                while i < n {
                    let b = buf[i]
                    if b == 0x22 || b == 0 { break }
                    high |= b
                    if b == 0x0A { if !previousCR { lines += 1 }; previousCR = false }
                    else if b == 0x0D { lines += 1; previousCR = true }
                    else { previousCR = false }
                    i += 1
                }
                if high & 0x80 != 0 { fieldHasHighBytes = true }
                row.appendBytes(UnsafeBufferPointer(rebasing: buf[position ..< i]))
                // A CRLF split across buffers: the LF at the start of the next buffer must not count twice.
                line += lines
                pendingCR = previousCR && i == n
                position = i
                return i < n
            }(input.bytes)
            if !sawQuote {
                try checkLength(row, startLine: startLine)
                if pendingCR, try peek() == 0x0A {
                    row.appendByte(0x0A)
                    position += 1
                    pendingCR = false
                }
                continue
            }
            if input.base[position] == 0 {
                throw MHDQError.input("binary data (a NUL byte): this is not a text file", at: SourceLocation(file: file, row: line, field: row.count + 1))
            }
            position += 1  // the quote
            if try peek() == 0x22 {
                row.appendByte(0x22)
                position += 1
                continue
            }
            return
        }
    }

    /// Off only in tests, which check that both ways of reading a record agree.
    var readsSimpleRecords = true
    private var pendingCR = false
    /// Whether the field being read has a byte ≥ 0x80 (only then is UTF-8 validated or transcoded).
    private var fieldHasHighBytes = false
}
