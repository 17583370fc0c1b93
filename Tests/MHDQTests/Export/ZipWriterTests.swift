// The zip writer against our zip reader (and Python's zipfile when present): classic and forced ZIP64 archives.

import Foundation
import CZlib
import Testing
@testable import MHDQ

@Suite("Zip writer")
struct ZipWriterTests {
    /// Text that deflates but not absurdly (our reader refuses ratios above 200:1 as zip bombs).
    static func sample(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        var out: [UInt8] = []
        out.reserveCapacity(count)
        let words = ["referral", "contact", "MHS001MPI", "ethnicity", "£12 – ", "😀", "\n", "RX4", "0", "1"].map { Array($0.utf8) }
        while out.count < count {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            out.append(contentsOf: words[Int(state >> 60) % words.count])
            out.append(UInt8(0x41 + (state >> 33) % 26))
        }
        return Array(out.prefix(count))
    }

    struct Item {
        var name: String
        var bytes: [UInt8]
        var compress: Bool
    }

    static let items: [Item] = [
        Item(name: "empty.txt", bytes: [], compress: true),
        Item(name: "small.xml", bytes: Array("<a>&amp;</a>".utf8), compress: true),
        Item(name: "stored.bin", bytes: sample(70_000, seed: 1), compress: false),
        Item(name: "folder/big.xml", bytes: sample(2 << 20, seed: 2), compress: true),
        Item(name: "naïve £.txt", bytes: Array("utf-8 name".utf8), compress: true),
    ]

    /// Writes the items, the big one in uneven slices as a streaming producer would.
    static func write(_ path: String, forceZip64: Bool) throws {
        let zip = try ZipWriter(path: path, options: ZipWriter.Options(forceZip64: forceZip64, modified: 1_700_000_000))
        for item in items {
            try zip.beginEntry(item.name, compress: item.compress)
            var start = 0
            var step = 1
            while start < item.bytes.count {
                let end = min(item.bytes.count, start + step)
                try Array(item.bytes[start ..< end]).withUnsafeBytes { try zip.write($0) }
                start = end
                step = step * 3 + 7
            }
            try zip.endEntry()
        }
        try zip.close()
    }

    static func readBack(_ path: String) throws -> [String: [UInt8]] {
        let archive = try ZipArchive(path: path)
        var out: [String: [UInt8]] = [:]
        for entry in archive.entries { out[entry.name] = try archive.readAll(entry) }
        return out
    }

    @Test(arguments: [false, true])
    func roundTripsThroughOurReader(forceZip64: Bool) throws {
        let folder = try makeTemporaryDirectory()
        let path = folder + "/test.zip"
        try ZipWriterTests.write(path, forceZip64: forceZip64)
        let archive = try ZipArchive(path: path)
        #expect(archive.entries.map(\.name) == ZipWriterTests.items.map(\.name))
        let back = try ZipWriterTests.readBack(path)
        for item in ZipWriterTests.items {
            #expect(back[item.name] == item.bytes, "\(item.name)")
        }
        #expect(archive.entry(named: "stored.bin")?.method == 0)
        #expect(archive.entry(named: "folder/big.xml")?.method == 8)
        #expect(archive.entry(named: "folder/big.xml")!.compressedSize < archive.entry(named: "folder/big.xml")!.uncompressedSize / 2)
        // Bit 11: the name is UTF-8.
        #expect(archive.entry(named: "naïve £.txt")!.flags & 0x0800 != 0)
        #expect(archive.entry(named: "small.xml")!.flags & 0x0800 == 0)
    }

    /// Walks the raw structures: in forced mode every local header carries a ZIP64 field with
    /// both sizes, every central entry one with sizes and offset, and the end has ZIP64 records.
    @Test func forcedZip64WritesZip64Structures() throws {
        let folder = try makeTemporaryDirectory()
        let path = folder + "/zip64.zip"
        try ZipWriterTests.write(path, forceZip64: true)
        let bytes = try ByteInput.readAll(path: path)
        var offset = 0
        for item in ZipWriterTests.items {
            #expect(le32(bytes, offset) == 0x0403_4B50)
            #expect(le16(bytes, offset + 4) == 45)
            #expect(le32(bytes, offset + 18) == 0xFFFF_FFFF && le32(bytes, offset + 22) == 0xFFFF_FFFF)
            let nameLength = Int(le16(bytes, offset + 26))
            let extraLength = Int(le16(bytes, offset + 28))
            #expect(extraLength == 20)
            let extra = offset + 30 + nameLength
            #expect(le16(bytes, extra) == 1 && le16(bytes, extra + 2) == 16)
            #expect(le64(bytes, extra + 4) == UInt64(item.bytes.count))
            let compressed = le64(bytes, extra + 12)
            offset = extra + extraLength + Int(compressed)
        }
        // The central directory follows the last entry's data.
        #expect(le32(bytes, offset) == 0x0201_4B50)
        let eocd = bytes.count - 22
        #expect(le32(bytes, eocd) == 0x0605_4B50)
        #expect(le16(bytes, eocd + 10) == 0xFFFF)
        #expect(le32(bytes, eocd + 16) == 0xFFFF_FFFF)
        #expect(le32(bytes, eocd - 20) == 0x0706_4B50)
        let record = Int(le64(bytes, eocd - 20 + 8))
        #expect(le32(bytes, record) == 0x0606_4B50)
        #expect(le64(bytes, record + 32) == UInt64(ZipWriterTests.items.count))
        #expect(le64(bytes, record + 48) == UInt64(offset), "directory offset")
        // First central entry: offset 0 is saturated, so the field holds sizes and the offset.
        #expect(le32(bytes, offset + 42) == 0xFFFF_FFFF)
        #expect(le16(bytes, offset + 30) == 28)
    }

    @Test func classicArchivesCarryNoZip64() throws {
        let folder = try makeTemporaryDirectory()
        let path = folder + "/classic.zip"
        try ZipWriterTests.write(path, forceZip64: false)
        let bytes = try ByteInput.readAll(path: path)
        #expect(le16(bytes, 4) == 20)
        #expect(le16(bytes, 28) == 0, "no extra field")
        let eocd = bytes.count - 22
        #expect(le32(bytes, eocd) == 0x0605_4B50)
        #expect(le16(bytes, eocd + 10) == UInt16(ZipWriterTests.items.count))
        #expect(le32(bytes, eocd - 20) != 0x0706_4B50)
    }

    /// A second implementation agrees: Python's zipfile checks every CRC and the ZIP64 records.
    @Test(.enabled(if: PythonTools.python3 != nil, "python3 is not installed"), arguments: [false, true])
    func pythonZipfileAgrees(forceZip64: Bool) throws {
        let folder = try makeTemporaryDirectory()
        let path = folder + "/py.zip"
        try ZipWriterTests.write(path, forceZip64: forceZip64)
        let script = """
        import sys, zipfile, zlib
        z = zipfile.ZipFile(sys.argv[1])
        bad = z.testzip()
        if bad: sys.exit("bad entry: " + bad)
        for i in z.infolist():
            print(i.filename, i.file_size, zlib.crc32(z.read(i)))
        """
        let result = try PythonTools.run(script: script, arguments: [path])
        #expect(result.status == 0, "\(result.stderr)")
        var expected = ""
        for item in ZipWriterTests.items {
            expected += "\(item.name) \(item.bytes.count) \(item.bytes.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) })\n"
        }
        #expect(result.stdout == expected)
    }

    @Test func dosTimestamps() {
        // 2023-11-14 22:13:20 UTC.
        let (time, date) = ZipWriter.dosDateTime(1_700_000_000)
        #expect(date >> 9 == 2023 - 1980 && (date >> 5) & 0xF == 11 && date & 0x1F == 14)
        #expect(time >> 11 == 22 && (time >> 5) & 0x3F == 13 && time & 0x1F == 10)
    }
}
