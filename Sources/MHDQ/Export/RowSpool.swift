// A temporary file of rows, each field length-prefixed: written and read back with a copy, no parsing.

/// Rows of `width` fields as [length: UInt32 LE][bytes] per field. A spool holds one sheet's rows
/// between the pass that sorts findings to their sheets and the pass that writes the sheet.
final class RowSpoolWriter {
    let path: String
    let width: Int
    private let output: OutputBuffer

    init(path: String, width: Int) throws {
        self.path = path
        self.width = width
        output = try OutputBuffer(creating: path)
    }

    /// Appends fields `columns` of `row` (a column past the row's end is empty).
    func append(_ row: RawRow, columns: [Int]) {
        for c in columns {
            if c < row.count {
                row.withField(c) { field in
                    let n = UInt32(field.count)
                    for k in 0 ..< 4 { output.write(byte: UInt8(truncatingIfNeeded: n >> (8 * k))) }
                    output.write(bytes: field)
                }
            } else {
                for _ in 0 ..< 4 { output.write(byte: 0) }
            }
        }
    }

    func close() throws { try output.close() }
}

final class RowSpoolReader {
    let path: String
    let width: Int
    private let input: ByteInput
    private var position = 0

    init(path: String, width: Int) throws {
        self.path = path
        self.width = width
        input = try ByteInput(path: path, bufferSize: 1 << 16)
    }

    /// Reads the next row into `row`; false at the end of the spool.
    func next(into row: inout RawRow) throws -> Bool {
        row.removeAll()
        for k in 0 ..< width {
            var header: UInt32 = 0
            for b in 0 ..< 4 {
                guard let byte = try nextByte() else {
                    if k == 0 && b == 0 { return false }
                    throw MHDQError.input("temporary spool file is truncated", at: SourceLocation(file: path))
                }
                header |= UInt32(byte) << (8 * UInt32(b))
            }
            var remaining = Int(header)
            while remaining > 0 {
                if position >= input.count {
                    guard try input.refill() > 0 else {
                        throw MHDQError.input("temporary spool file is truncated", at: SourceLocation(file: path))
                    }
                    position = 0
                }
                let n = min(remaining, input.count - position)
                row.appendBytes(UnsafeBufferPointer(rebasing: input.bytes[position ..< position + n]))
                position += n
                remaining -= n
            }
            row.endField()
        }
        return true
    }

    @inline(__always) private func nextByte() throws -> UInt8? {
        if position >= input.count {
            guard try input.refill() > 0 else { return nil }
            position = 0
        }
        defer { position += 1 }
        return input.base[position]
    }
}
