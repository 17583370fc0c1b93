// Reads a zip archive's directory (classic and ZIP64) with every offset and length bounds-checked.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One file inside a zip archive, as its central directory describes it.
public struct ZipEntry: Sendable {
    public var name: String
    public var method: UInt16
    public var flags: UInt16
    public var crc32: UInt32
    public var compressedSize: UInt64
    public var uncompressedSize: UInt64
    public var localHeaderOffset: UInt64
    public var isEncrypted: Bool { flags & 1 != 0 }
}

/// Limits that keep a hostile archive from exhausting memory or time. Sizes are counted while
/// inflating; headers are not trusted.
public struct ZipLimits: Sendable {
    /// Total bytes that may be inflated from one archive.
    public var maxTotalUncompressed: UInt64 = 4 << 30
    /// Output/input ratio allowed once an entry has produced `ratioGrace` bytes.
    public var maxRatio: UInt64 = 200
    public var ratioGrace: UInt64 = 1 << 20
    /// A central directory larger than this is not a workbook's.
    public var maxDirectoryBytes: UInt64 = 64 << 20
    public init() {}
}

/// A zip archive opened for random access with pread(2). Entries are read with `ZipEntryReader`.
public final class ZipArchive {
    public let path: String
    public let fileSize: UInt64
    public let limits: ZipLimits
    public private(set) var entries: [ZipEntry] = []
    /// Bytes inflated so far from all entries (for `limits.maxTotalUncompressed`).
    var totalInflated: UInt64 = 0
    let fd: Int32
    private var byName: [String: Int] = [:]

    public init(path: String, limits: ZipLimits = ZipLimits()) throws {
        self.path = path
        self.limits = limits
        let (fd, size) = try ByteInput.openRegularFile(path)
        self.fd = fd
        self.fileSize = UInt64(max(0, size))
        try readDirectory()
    }

    deinit { close(fd) }

    func fail(_ message: String) -> MHDQError {
        MHDQError.input(message, at: SourceLocation(file: path))
    }

    /// Reads `count` bytes at `offset`, failing if they are not all inside the file.
    func read(at offset: UInt64, count: Int) throws -> [UInt8] {
        guard count >= 0, offset <= fileSize, UInt64(count) <= fileSize - offset else {
            throw fail("truncated or corrupt zip: a structure at offset \(offset) runs past the end of the file")
        }
        var out = [UInt8](repeating: 0, count: count)
        let got = try out.withUnsafeMutableBytes { try readFully($0, at: offset) }
        guard got == count else { throw fail("truncated zip: the file is shorter than its directory says") }
        return out
    }

    /// pread until `buffer` is full or the file ends; returns bytes read.
    func readFully(_ buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws -> Int {
        var got = 0
        while got < buffer.count {
            let r = pread(fd, buffer.baseAddress! + got, buffer.count - got, off_t(offset) + off_t(got))
            if r < 0 {
                if errno == EINTR { continue }
                throw fail("read failed: \(String(cString: strerror(errno)))")
            }
            if r == 0 { break }
            got += r
        }
        return got
    }

    public func entry(named name: String) -> ZipEntry? {
        byName[ZipArchive.key(name)].map { entries[$0] }
    }

    /// Part names in OPC packages are case-insensitive; some writers use backslashes.
    static func key(_ name: String) -> String {
        var n = name.lowercased().replacingAll("\\", with: "/")
        while n.hasPrefix("/") { n.removeFirst() }
        return n
    }

    // MARK: - Directory

    private func readDirectory() throws {
        let head = try read(at: 0, count: Int(min(fileSize, 8)))
        if head.count >= 4 && head[0] == 0xD0 && head[1] == 0xCF && head[2] == 0x11 && head[3] == 0xE0 {
            throw fail("password-protected or legacy .xls workbook: save as .xlsx without a password")
        }
        guard fileSize >= 22 else { throw fail("not a zip archive (too short to be an .xlsx workbook)") }
        // The end-of-central-directory record is in the last 22 + 65,535 bytes.
        let tailLength = Int(min(fileSize, 22 + 65_535))
        let tailStart = fileSize - UInt64(tailLength)
        let tail = try read(at: tailStart, count: tailLength)
        var eocd = -1
        var i = tail.count - 22
        while i >= 0 {
            if tail[i] == 0x50 && tail[i + 1] == 0x4B && tail[i + 2] == 0x05 && tail[i + 3] == 0x06 { eocd = i; break }
            i -= 1
        }
        guard eocd >= 0 else {
            if head.count >= 4 && head[0] == 0x50 && head[1] == 0x4B {
                throw fail("truncated or corrupt zip: no end of central directory (was the file cut short while copying?)")
            }
            throw fail("not an .xlsx workbook (not a zip archive)")
        }
        var count = UInt64(le16(tail, eocd + 10))
        var cdSize = UInt64(le32(tail, eocd + 12))
        var cdOffset = UInt64(le32(tail, eocd + 16))
        // ZIP64: a locator immediately before the EOCD points at the ZIP64 record.
        if eocd >= 20, le32(tail, eocd - 20) == 0x07064B50 {
            let recordOffset = le64(tail, eocd - 20 + 8)
            let record = try read(at: recordOffset, count: 56)
            guard le32(record, 0) == 0x06064B50 else { throw fail("corrupt zip: bad ZIP64 end of central directory") }
            count = le64(record, 32)
            cdSize = le64(record, 40)
            cdOffset = le64(record, 48)
        }
        guard cdSize <= limits.maxDirectoryBytes else { throw fail("zip central directory is implausibly large (\(cdSize) bytes)") }
        guard cdOffset <= fileSize, cdSize <= fileSize - cdOffset else {
            throw fail("truncated or corrupt zip: the central directory lies outside the file")
        }
        // Each entry takes at least 46 bytes: a count beyond that is a lie.
        guard count <= cdSize / 46 else { throw fail("corrupt zip: the entry count does not fit the central directory") }
        let cd = try read(at: cdOffset, count: Int(cdSize))
        var p = 0
        entries.reserveCapacity(Int(count))
        for _ in 0 ..< count {
            guard p + 46 <= cd.count, le32(cd, p) == 0x02014B50 else {
                throw fail("corrupt zip: bad central directory entry at offset \(cdOffset + UInt64(p))")
            }
            let flags = le16(cd, p + 8)
            let method = le16(cd, p + 10)
            let crc = le32(cd, p + 16)
            var compressed = UInt64(le32(cd, p + 20))
            var uncompressed = UInt64(le32(cd, p + 24))
            let nameLength = Int(le16(cd, p + 28))
            let extraLength = Int(le16(cd, p + 30))
            let commentLength = Int(le16(cd, p + 32))
            var localOffset = UInt64(le32(cd, p + 42))
            let nameStart = p + 46
            let extraStart = nameStart + nameLength
            let next = extraStart + extraLength + commentLength
            guard next <= cd.count else { throw fail("corrupt zip: a central directory entry runs past the directory") }
            let name = String(decoding: cd[nameStart ..< extraStart], as: UTF8.self)
            // ZIP64 extended information: only the fields saturated in the fixed header are present, in order.
            var e = extraStart
            let extraEnd = extraStart + extraLength
            while e + 4 <= extraEnd {
                let id = le16(cd, e)
                let size = Int(le16(cd, e + 2))
                let dataEnd = e + 4 + size
                guard dataEnd <= extraEnd else { break }
                if id == 0x0001 {
                    var q = e + 4
                    if uncompressed == 0xFFFF_FFFF, q + 8 <= dataEnd { uncompressed = le64(cd, q); q += 8 }
                    if compressed == 0xFFFF_FFFF, q + 8 <= dataEnd { compressed = le64(cd, q); q += 8 }
                    if localOffset == 0xFFFF_FFFF, q + 8 <= dataEnd { localOffset = le64(cd, q); q += 8 }
                }
                e = dataEnd
            }
            let entry = ZipEntry(name: name, method: method, flags: flags, crc32: crc, compressedSize: compressed,
                                 uncompressedSize: uncompressed, localHeaderOffset: localOffset)
            byName[ZipArchive.key(name)] = entries.count
            entries.append(entry)
            p = next
        }
    }

    /// Where an entry's compressed bytes start, from its local header.
    func dataOffset(of entry: ZipEntry) throws -> UInt64 {
        let header = try read(at: entry.localHeaderOffset, count: 30)
        guard le32(header, 0) == 0x04034B50 else { throw fail("corrupt zip: bad local header for \(entry.name)") }
        let start = entry.localHeaderOffset + 30 + UInt64(le16(header, 26)) + UInt64(le16(header, 28))
        guard start <= fileSize, entry.compressedSize <= fileSize - start else {
            throw fail("truncated zip: entry \(entry.name) runs past the end of the file")
        }
        return start
    }

    /// Reads a whole (small) entry, refusing anything larger than `maxBytes`.
    public func readAll(_ entry: ZipEntry, maxBytes: Int = 256 << 20) throws -> [UInt8] {
        let reader = try ZipEntryReader(archive: self, entry: entry)
        var out: [UInt8] = []
        out.reserveCapacity(Int(min(entry.uncompressedSize, 16 << 20)))
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = try chunk.withUnsafeMutableBytes { try reader.read(into: $0) }
            if n == 0 { break }
            out.append(contentsOf: chunk[0 ..< n])
            if out.count > maxBytes { throw fail("\(entry.name) is larger than \(maxBytes >> 20) MiB") }
        }
        return out
    }
}

@inline(__always) func le16(_ b: [UInt8], _ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }
@inline(__always) func le32(_ b: [UInt8], _ i: Int) -> UInt32 {
    UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
}
@inline(__always) func le64(_ b: [UInt8], _ i: Int) -> UInt64 { UInt64(le32(b, i)) | UInt64(le32(b, i + 4)) << 32 }

extension String {
    func replacingAll(_ target: Character, with replacement: Character) -> String {
        String(map { $0 == target ? replacement : $0 })
    }
}
