// The CSV reader's one-pass path for simple records reads exactly what the field-by-field path reads.

import Testing
@testable import MHDQ

struct CSVFastPathTests {
    /// Records, row numbers, blank lines, re-encoded fields, or the error, from one way of reading.
    func read(_ path: String, bufferSize: Int, encoding: TextEncoding, simple: Bool) -> String {
        var out = ""
        do {
            var reader = try CSVReader(path: path, encoding: encoding, bufferSize: bufferSize, maxFieldBytes: 64)
            reader.readsSimpleRecords = simple
            var row = RawRow()
            while try reader.next(into: &row) {
                out += "\(row.number):" + (0 ..< row.count).map { i in row.withField(i) { Array($0).description } }.joined(separator: "|") + "\n"
            }
            out += "blank \(reader.blankLines) 1252 \(reader.windows1252Fields) delimiter \(reader.delimiter)"
        } catch {
            out += "error: \(error)"
        }
        return out
    }

    @Test func randomFilesReadTheSameBothWays() throws {
        // Pieces a hand-made or exported CSV is built from, including the awkward ones.
        let pieces: [[UInt8]] = ["a", "bc", "12", " ", ",", ",", ";", "\"", "\"\"", "\r", "\n", "\r\n", "\r\n", "é", "€"].map { Array($0.utf8) }
            + [[0xE9], [0xFF, 0xFE], [0]]
        var random = SplitMix(state: 2024)
        for trial in 0 ..< 400 {
            var bytes: [UInt8] = Array("id,name,code\r\n".utf8)
            for _ in 0 ..< 5 + random.below(60) {
                // Mostly well-formed quoted or plain fields, sometimes raw pieces.
                switch random.below(5) {
                case 0: bytes += pieces[random.below(pieces.count - (trial % 7 == 0 ? 0 : 1))]
                case 1: bytes += Array("\"x,\(random.below(100))\"".utf8)
                default: bytes += Array("v\(random.below(1000))".utf8)
                }
                if random.below(3) == 0 { bytes += [0x2C] }
                if random.below(6) == 0 { bytes += random.below(2) == 0 ? [0x0D, 0x0A] : [0x0A] }
                if random.below(40) == 0 { bytes += Array(repeating: 0x61, count: 70) }
            }
            let path = try writeTemporaryFile(bytes, name: "random.csv")
            for encoding in [TextEncoding.auto, .utf8] {
                for size in [4, 7, 16, 64, 1 << 16] {
                    let simple = read(path, bufferSize: size, encoding: encoding, simple: true)
                    let general = read(path, bufferSize: size, encoding: encoding, simple: false)
                    #expect(simple == general, "trial \(trial), \(encoding), buffer \(size): \(bytes)")
                }
            }
        }
    }
}
