// Writes CSV records field by field straight into a buffered file: no per-row strings.

/// Every non-empty field is quoted (as many patient record system exports do), empty
/// fields are written as nothing, records end in CRLF.
final class CSVRowWriter {
    let name: String
    private let out: BufferedFileWriter
    private var fieldsInRow = 0
    /// Data records written (the header is not counted).
    private(set) var rows = 0

    init(directory: String, name: String, header: [String]) throws {
        self.name = name
        out = try BufferedFileWriter(path: directory + "/" + name)
        for column in header { try text(column) }
        try out.byte(0x0D)
        try out.byte(0x0A)
        fieldsInRow = 0
    }

    @inline(__always) private func separator() throws {
        if fieldsInRow > 0 { try out.byte(0x2C) }
        fieldsInRow += 1
    }

    func blank() throws { try separator() }

    func text(_ value: String) throws {
        try separator()
        if value.isEmpty { return }
        try out.byte(0x22)
        for b in value.utf8 {
            if b == 0x22 { try out.byte(0x22) }
            try out.byte(b)
        }
        try out.byte(0x22)
    }

    /// `prefix` followed by `value` zero-padded to `width` digits, e.g. P00001234.
    func identifier(_ prefix: String, _ value: Int, width: Int) throws {
        try separator()
        try out.byte(0x22)
        try out.write(prefix)
        try out.decimal(value, width: width)
        try out.byte(0x22)
    }

    func number(_ value: Int) throws {
        try separator()
        try out.byte(0x22)
        try out.decimal(value)
        try out.byte(0x22)
    }

    /// dd/mm/yyyy, or yyyy-mm-dd when `iso` (the second system's format).
    func date(_ date: CivilDate, iso: Bool) throws {
        try separator()
        try out.byte(0x22)
        if iso {
            try out.decimal(date.year, width: 4)
            try out.byte(0x2D)
            try out.decimal(date.month, width: 2)
            try out.byte(0x2D)
            try out.decimal(date.day, width: 2)
        } else {
            try out.decimal(date.day, width: 2)
            try out.byte(0x2F)
            try out.decimal(date.month, width: 2)
            try out.byte(0x2F)
            try out.decimal(date.year, width: 4)
        }
        try out.byte(0x22)
    }

    /// hh:mm from minutes after midnight.
    func time(minutes: Int) throws {
        try separator()
        try out.byte(0x22)
        try out.decimal(minutes / 60, width: 2)
        try out.byte(0x3A)
        try out.decimal(minutes % 60, width: 2)
        try out.byte(0x22)
    }

    func endRow() throws {
        try out.byte(0x0D)
        try out.byte(0x0A)
        fieldsInRow = 0
        rows += 1
    }

    func close() throws { try out.close() }
}
