// A full-height sheet (1,048,576 rows) generated on the fly and streamed end to end.

import Testing
@testable import MHDQ

@Suite struct LargeSheetTests {
    @Test func millionRowSheet() throws {
        let folder = TemporaryFolder()
        let path = folder.file("big.xlsx")
        let rows = 1_048_576
        var next = 1
        TestZipWriter.workbook(at: path, sharedStrings: ["alpha", "beta"]) { chunk in
            if next > rows + 1 { return false }
            if next == 1 { chunk.append(contentsOf: "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>".utf8) }
            let end = min(next + 4096, rows + 1)
            while next < end {
                let r = String(next)
                chunk.append(contentsOf: "<row r=\"\(r)\"><c r=\"A\(r)\"><v>\(r)</v></c><c r=\"B\(r)\" t=\"s\"><v>\(next & 1)</v></c></row>".utf8)
                next += 1
            }
            if next == rows + 1 {
                chunk.append(contentsOf: "</sheetData><mergeCells count=\"1\"><mergeCell ref=\"A1:B1\"/></mergeCells></worksheet>".utf8)
                next += 1
            }
            return true
        }
        var source = try Readers.open(path: path)
        var row = RawRow()
        var count = 0
        var last = 0
        var checksum = 0
        while try source.next(into: &row) {
            count += 1
            last = row.number
            checksum &+= row.count
        }
        #expect(count == rows)
        #expect(last == rows)
        #expect(checksum == 2 * rows)
        #expect(row.fields == ["1048576", "alpha"])
    }
}
