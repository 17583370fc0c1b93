// Writes zip archives for tests: deflated with zlib, each entry streamed in chunks.

#if canImport(Glibc)
import Glibc
#endif
import CZlib

/// A minimal zip writer (deflate, data descriptors, no ZIP64) so tests can build workbooks of any
/// size, or damaged ones, without fixtures on disk.
final class TestZipWriter {
    private let file: UnsafeMutablePointer<FILE>
    private var offset = 0
    private var central: [UInt8] = []
    private var count = 0

    init(path: String) {
        file = fopen(path, "wb")!
    }

    private func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { _ = fwrite($0.baseAddress, 1, $0.count, file) }
        offset += bytes.count
    }

    private static func le(_ v: Int, _ n: Int) -> [UInt8] { (0 ..< n).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }

    func add(_ name: String, _ text: String) {
        var done = false
        add(name) { chunk in
            if done { return false }
            chunk.append(contentsOf: text.utf8)
            done = true
            return true
        }
    }

    /// Adds an entry whose bytes `produce` appends chunk by chunk (returning false when done).
    func add(_ name: String, produce: (inout [UInt8]) -> Bool) {
        let nameBytes = Array(name.utf8)
        let headerOffset = offset
        write([0x50, 0x4B, 0x03, 0x04] + TestZipWriter.le(20, 2) + TestZipWriter.le(8, 2) + TestZipWriter.le(8, 2)
              + TestZipWriter.le(0, 4) + TestZipWriter.le(0, 12) + TestZipWriter.le(nameBytes.count, 2) + TestZipWriter.le(0, 2) + nameBytes)
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        deflateInit2_(stream, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        var crc = crc32(0, nil, 0)
        var size = 0
        var compressed = 0
        var input: [UInt8] = []
        var output = [UInt8](repeating: 0, count: 1 << 16)
        var more = true
        while true {
            input.removeAll(keepingCapacity: true)
            if more { more = produce(&input) }
            size += input.count
            crc = input.withUnsafeBufferPointer { crc32(crc, $0.baseAddress, uInt($0.count)) }
            input.withUnsafeMutableBufferPointer { inBuf in
                stream.pointee.next_in = inBuf.baseAddress
                stream.pointee.avail_in = uInt(inBuf.count)
                repeat {
                    let produced: Int = output.withUnsafeMutableBufferPointer { outBuf in
                        stream.pointee.next_out = outBuf.baseAddress
                        stream.pointee.avail_out = uInt(outBuf.count)
                        deflate(stream, more ? Z_NO_FLUSH : Z_FINISH)
                        return outBuf.count - Int(stream.pointee.avail_out)
                    }
                    write(Array(output[0 ..< produced]))
                    compressed += produced
                } while stream.pointee.avail_out == 0
            }
            if !more { break }
        }
        deflateEnd(stream)
        stream.deallocate()
        write([0x50, 0x4B, 0x07, 0x08] + TestZipWriter.le(Int(crc), 4) + TestZipWriter.le(compressed, 4) + TestZipWriter.le(size, 4))
        central += [0x50, 0x4B, 0x01, 0x02] + TestZipWriter.le(20, 2) + TestZipWriter.le(20, 2) + TestZipWriter.le(8, 2)
            + TestZipWriter.le(8, 2) + TestZipWriter.le(0, 4) + TestZipWriter.le(Int(crc), 4) + TestZipWriter.le(compressed, 4)
            + TestZipWriter.le(size, 4) + TestZipWriter.le(nameBytes.count, 2) + TestZipWriter.le(0, 2) + TestZipWriter.le(0, 2)
            + TestZipWriter.le(0, 2) + TestZipWriter.le(0, 2) + TestZipWriter.le(0, 4) + TestZipWriter.le(headerOffset, 4) + nameBytes
        count += 1
    }

    func close() {
        let start = offset
        write(central)
        write([0x50, 0x4B, 0x05, 0x06] + TestZipWriter.le(0, 4) + TestZipWriter.le(count, 2) + TestZipWriter.le(count, 2)
              + TestZipWriter.le(central.count, 4) + TestZipWriter.le(start, 4) + TestZipWriter.le(0, 2))
        fclose(file)
    }

    /// Writes a one-sheet workbook whose sheet XML is produced by `sheetData` (the rows only); `cellFormats`
    /// are the number formats of cell styles 1, 2, ... (built-in ids: 14 is a date, 20 a time).
    static func workbook(at path: String, sharedStrings: [String]? = nil, cellFormats: [Int] = [], date1904: Bool = false,
                         sheetXML: (inout [UInt8]) -> Bool) {
        let zip = TestZipWriter(path: path)
        let ns = "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\""
        let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        zip.add("_rels/.rels", "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"\(rel)/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>")
        zip.add("xl/workbook.xml", "<workbook \(ns)>\(date1904 ? "<workbookPr date1904=\"1\"/>" : "")<sheets><sheet name=\"Big\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>")
        var rels = "<Relationship Id=\"rId1\" Type=\"\(rel)/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
        if let sharedStrings {
            rels += "<Relationship Id=\"rId2\" Type=\"\(rel)/sharedStrings\" Target=\"sharedStrings.xml\"/>"
            zip.add("xl/sharedStrings.xml", "<sst \(ns)>" + sharedStrings.map { "<si><t>\($0)</t></si>" }.joined() + "</sst>")
        }
        if !cellFormats.isEmpty {
            rels += "<Relationship Id=\"rId3\" Type=\"\(rel)/styles\" Target=\"styles.xml\"/>"
            let xfs = ([0] + cellFormats).map { "<xf numFmtId=\"\($0)\"/>" }.joined()
            zip.add("xl/styles.xml", "<styleSheet \(ns)><cellXfs count=\"\(cellFormats.count + 1)\">\(xfs)</cellXfs></styleSheet>")
        }
        zip.add("xl/_rels/workbook.xml.rels", "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\(rels)</Relationships>")
        zip.add("xl/worksheets/sheet1.xml", produce: sheetXML)
        zip.close()
    }

    /// A workbook of sheets named in order, each holding one column of text, a cell per row.
    static func workbook(at path: String, sheets: [(name: String, cells: [String])]) {
        let zip = TestZipWriter(path: path)
        let ns = "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\""
        let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        let packageRels = "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\""
        zip.add("_rels/.rels", "<Relationships \(packageRels)><Relationship Id=\"rId1\" Type=\"\(rel)/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>")
        let entries = sheets.indices.map { "<sheet name=\"\(sheets[$0].name)\" sheetId=\"\($0 + 1)\" r:id=\"rId\($0 + 1)\"/>" }
        zip.add("xl/workbook.xml", "<workbook \(ns)><sheets>\(entries.joined())</sheets></workbook>")
        let rels = sheets.indices.map { "<Relationship Id=\"rId\($0 + 1)\" Type=\"\(rel)/worksheet\" Target=\"worksheets/sheet\($0 + 1).xml\"/>" }
        zip.add("xl/_rels/workbook.xml.rels", "<Relationships \(packageRels)>\(rels.joined())</Relationships>")
        for (k, sheet) in sheets.enumerated() {
            let rows = sheet.cells.enumerated().map { "<row r=\"\($0.offset + 1)\"><c t=\"inlineStr\"><is><t>\($0.element)</t></is></c></row>" }
            zip.add("xl/worksheets/sheet\(k + 1).xml", "<worksheet \(ns)><sheetData>\(rows.joined())</sheetData></worksheet>")
        }
        zip.close()
    }

    /// A one-sheet workbook from a complete sheet XML string.
    static func workbook(at path: String, sharedStrings: [String]? = nil, cellFormats: [Int] = [], date1904: Bool = false,
                         sheet: String) {
        var done = false
        workbook(at: path, sharedStrings: sharedStrings, cellFormats: cellFormats, date1904: date1904) { chunk in
            if done { return false }
            chunk.append(contentsOf: sheet.utf8)
            done = true
            return true
        }
    }
}

/// A temporary folder removed when the test ends.
final class TemporaryFolder {
    let path: String
    init() {
        var template = Array("/tmp/mhdq-test-XXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }
    deinit {
        if let dir = opendir(path) {
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
                if name != "." && name != ".." { unlink(path + "/" + name) }
            }
            closedir(dir)
        }
        rmdir(path)
    }
    func file(_ name: String) -> String { path + "/" + name }
}
