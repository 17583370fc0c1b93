// A workbook's shared string table, streamed from sharedStrings.xml into one byte buffer.

/// The strings as UTF-8 in one buffer with an end offset each (a `RawRow` with one field per
/// string): no per-string allocation however many strings the workbook has.
final class SharedStrings: XMLEventHandler {
    private(set) var store = RawRow()
    private var text: [UInt8] = []
    private var inItem = false
    private var inText = false
    private var phoneticDepth = 0
    private var parser: XMLPushParser?

    var count: Int { store.count }

    init() {}

    /// Streams the part from the archive.
    init(archive: ZipArchive, entry: ZipEntry, location: SourceLocation) throws {
        let reader = try ZipEntryReader(archive: archive, entry: entry)
        let parser = XMLPushParser(handler: self, location: location, part: entry.name)
        self.parser = parser
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = try chunk.withUnsafeMutableBytes { try reader.read(into: $0) }
            if n == 0 { break }
            try chunk.withUnsafeBytes { try parser.feed(UnsafeRawBufferPointer(rebasing: $0[0 ..< n])) }
        }
        try parser.finish()
        self.parser = nil
    }

    func startElement(_ name: XMLName, _ attributes: XMLAttributes) {
        if name.is("t") {
            inText = inItem && phoneticDepth == 0
        } else if name.is("si") {
            inItem = true
            text.removeAll(keepingCapacity: true)
        } else if name.is("rPh") {
            phoneticDepth += 1
        }
    }

    func endElement(_ name: XMLName) {
        if name.is("t") {
            inText = false
        } else if name.is("si") {
            inItem = false
            text.withUnsafeBufferPointer { CellText.appendDecodingEscapes($0, to: &store) }
            store.endField()
        } else if name.is("rPh") {
            phoneticDepth -= 1
        }
    }

    func characters(_ chars: UnsafeBufferPointer<UInt8>) {
        if inText { text.append(contentsOf: chars) }
    }

    /// Appends string `index` to the open field of `row`; false when there is no such string.
    @inline(__always) func append(_ index: Int, to row: inout RawRow) -> Bool {
        guard index >= 0, index < store.count else { return false }
        store.withField(index) { row.appendBytes($0) }
        return true
    }
}
