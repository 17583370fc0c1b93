// Writes a zip archive front to back, deflating each entry with zlib as its bytes arrive (the mirror of ZipArchive).

internal import CZlib
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A zip archive written sequentially to a regular file: memory stays bounded by a few buffers
/// however large an entry grows.
///
/// Each local header is written with empty sizes and patched in place (pwrite) when its entry
/// ends, so the archive carries exact sizes everywhere and needs no data descriptors, which
/// every reader accepts. ZIP64 is used only where a value needs it: an entry of 4 GiB or more
/// gets a ZIP64 extra field in its local header (its compressed bytes are moved up 20 bytes to
/// make room, which only such an entry pays for), offsets beyond 4 GiB get ZIP64 fields in the
/// central directory, and more than 65,535 entries or a directory beyond 4 GiB get the ZIP64
/// end records.
public final class ZipWriter {
    public struct Options: Sendable {
        /// zlib level 0–9 (1 is fastest; 6 is zlib's default balance).
        public var compressionLevel: Int32 = 6
        /// Uses ZIP64 records for every entry and the end of the archive, whatever the sizes
        /// (tests prove the ZIP64 paths without writing 4 GiB).
        public var forceZip64 = false
        /// Modification time stamped on every entry (seconds since 1970); nil: now.
        public var modified: Int?
        public init(compressionLevel: Int32 = 6, forceZip64: Bool = false, modified: Int? = nil) {
            self.compressionLevel = compressionLevel
            self.forceZip64 = forceZip64
            self.modified = modified
        }
    }

    /// What the central directory needs to know about a finished entry.
    struct Entry {
        var name: [UInt8]
        var method: UInt16
        var crc: UInt32
        var compressedSize: UInt64
        var uncompressedSize: UInt64
        var headerOffset: UInt64
    }

    public let path: String
    let options: Options
    /// Sizes and offsets at or beyond this need ZIP64 fields (lowered by `forceZip64`).
    let zip64Limit: UInt64
    /// Entry counts beyond this need the ZIP64 end records.
    let classicEntryLimit: Int
    private let fd: Int32
    private var closed = false
    private let dosTime: UInt16
    private let dosDate: UInt16

    /// Compressed output waiting to be written, and where the file ends once it is.
    private var output: [UInt8] = []
    private var written: UInt64 = 0
    private var entries: [Entry] = []

    // The entry being written.
    private var current: Entry?
    private var stream: UnsafeMutablePointer<z_stream>?
    private var crc: UInt = 0
    private var deflateChunk: [UInt8]

    /// Bytes in the archive so far (buffered output included).
    public var bytesWritten: UInt64 { written + UInt64(output.count) }

    public init(path: String, options: Options = Options()) throws {
        self.path = path
        self.options = options
        zip64Limit = options.forceZip64 ? 0 : 0xFFFF_FFFF
        classicEntryLimit = options.forceZip64 ? 0 : 0xFFFF
        // Read access too: a ZIP64 entry's bytes are read back to move them.
        let fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else {
            throw MHDQError.input("cannot write: \(String(cString: strerror(errno)))", at: SourceLocation(file: path))
        }
        self.fd = fd
        (dosTime, dosDate) = ZipWriter.dosDateTime(options.modified ?? time(nil))
        output.reserveCapacity(1 << 18)
        deflateChunk = [UInt8](repeating: 0, count: 1 << 16)
    }

    deinit {
        if let s = stream {
            deflateEnd(s)
            s.deallocate()
        }
        Glibc.close(fd)
    }

    private func fail(_ message: String) -> MHDQError { MHDQError.input(message, at: SourceLocation(file: path)) }

    // MARK: - Entries

    /// Starts an entry; its bytes follow with `write`, and `endEntry` finishes it.
    public func beginEntry(_ name: String, compress: Bool = true) throws {
        guard !closed else { throw fail("zip already closed") }
        if current != nil { try endEntry() }
        let nameBytes = Array(name.utf8)
        guard !nameBytes.isEmpty, nameBytes.count <= 0xFFFF else { throw fail("bad zip entry name \"\(name)\"") }
        let entry = Entry(name: nameBytes, method: compress ? 8 : 0, crc: 0, compressedSize: 0, uncompressedSize: 0,
                          headerOffset: bytesWritten)
        appendLocalHeader(entry, zip64: false)
        crc = crc32(0, nil, 0)
        if compress {
            let s = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
            s.initialize(to: z_stream())
            let rc = deflateInit2_(s, options.compressionLevel, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
                                   Int32(MemoryLayout<z_stream>.size))
            guard rc == Z_OK else {
                s.deallocate()
                throw fail("cannot start deflating \(name) (zlib error \(rc))")
            }
            stream = s
        }
        current = entry
    }

    /// Appends bytes to the current entry.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard current != nil else { throw fail("zip write outside an entry") }
        guard bytes.count > 0 else { return }
        current!.uncompressedSize += UInt64(bytes.count)
        // zlib counts in 32 bits: feed very large buffers in slices.
        var start = 0
        while start < bytes.count {
            let n = min(bytes.count - start, 1 << 30)
            let slice = UnsafeRawBufferPointer(rebasing: bytes[start ..< start + n])
            crc = crc32(crc, slice.baseAddress!.assumingMemoryBound(to: Bytef.self), uInt(n))
            if let s = stream {
                s.pointee.next_in = UnsafeMutablePointer(mutating: slice.baseAddress!.assumingMemoryBound(to: Bytef.self))
                s.pointee.avail_in = uInt(n)
                try pumpDeflate(s, flush: Z_NO_FLUSH)
            } else {
                output.append(contentsOf: slice)
                current!.compressedSize += UInt64(n)
                if output.count >= 1 << 18 { try flush() }
            }
            start += n
        }
    }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    public func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
    }

    /// Runs deflate until it has consumed its input (or, finishing, until the stream ends).
    private func pumpDeflate(_ s: UnsafeMutablePointer<z_stream>, flush mode: Int32) throws {
        while true {
            let (rc, produced) = deflateChunk.withUnsafeMutableBufferPointer { out -> (Int32, Int) in
                s.pointee.next_out = out.baseAddress
                s.pointee.avail_out = uInt(out.count)
                let rc = deflate(s, mode)
                return (rc, out.count - Int(s.pointee.avail_out))
            }
            if produced > 0 {
                output.append(contentsOf: deflateChunk[0 ..< produced])
                current!.compressedSize += UInt64(produced)
                if output.count >= 1 << 18 { try flush() }
            }
            guard rc == Z_OK || rc == Z_STREAM_END || rc == Z_BUF_ERROR else {
                throw fail("deflate failed (zlib error \(rc))")
            }
            if mode == Z_FINISH {
                if rc == Z_STREAM_END { return }
            } else if s.pointee.avail_in == 0 && s.pointee.avail_out > 0 {
                return
            }
        }
    }

    /// Finishes the current entry and records its sizes in its local header.
    public func endEntry() throws {
        guard current != nil else { return }
        if let s = stream {
            s.pointee.next_in = nil
            s.pointee.avail_in = 0
            try pumpDeflate(s, flush: Z_FINISH)
            deflateEnd(s)
            s.deallocate()
            stream = nil
        }
        var entry = current!
        entry.crc = UInt32(truncatingIfNeeded: crc)
        current = nil
        try flush()
        if entry.uncompressedSize >= zip64Limit || entry.compressedSize >= zip64Limit {
            try makeRoomForZip64Extra(entry)
        } else {
            var patch: [UInt8] = []
            patch.le32(entry.crc)
            patch.le32(UInt32(entry.compressedSize))
            patch.le32(UInt32(entry.uncompressedSize))
            try pwriteAll(patch, at: entry.headerOffset + 14)
        }
        entries.append(entry)
    }

    /// Adds a whole entry at once (small parts).
    public func addEntry(_ name: String, _ text: String, compress: Bool = true) throws {
        try beginEntry(name, compress: compress)
        try write(text)
        try endEntry()
    }

    // MARK: - Local headers

    private func localHeader(_ e: Entry, zip64: Bool) -> [UInt8] {
        var h: [UInt8] = []
        h.reserveCapacity(50 + e.name.count)
        h.le32(0x0403_4B50)
        h.le16(zip64 ? 45 : 20)
        h.le16(flags(e))
        h.le16(e.method)
        h.le16(dosTime)
        h.le16(dosDate)
        h.le32(e.crc)
        h.le32(zip64 ? 0xFFFF_FFFF : UInt32(truncatingIfNeeded: e.compressedSize))
        h.le32(zip64 ? 0xFFFF_FFFF : UInt32(truncatingIfNeeded: e.uncompressedSize))
        h.le16(UInt16(e.name.count))
        h.le16(zip64 ? 20 : 0)
        h.append(contentsOf: e.name)
        if zip64 {
            // In a local header the ZIP64 field holds both sizes, uncompressed first.
            h.le16(0x0001)
            h.le16(16)
            h.le64(e.uncompressedSize)
            h.le64(e.compressedSize)
        }
        return h
    }

    private func appendLocalHeader(_ e: Entry, zip64: Bool) {
        output.append(contentsOf: localHeader(e, zip64: zip64))
    }

    /// UTF-8 names are flagged (bit 11) so readers do not take them for code page 437.
    private func flags(_ e: Entry) -> UInt16 { e.name.contains { $0 >= 0x80 } ? 0x0800 : 0 }

    /// Rewrites a finished entry's local header with a ZIP64 extra field, moving its compressed
    /// bytes 20 bytes up, from the end backwards so nothing is overwritten before it is copied.
    private func makeRoomForZip64Extra(_ e: Entry) throws {
        let oldStart = e.headerOffset + 30 + UInt64(e.name.count)
        let shift: UInt64 = 20
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var remaining = e.compressedSize
        while remaining > 0 {
            let n = Int(min(UInt64(chunk.count), remaining))
            let from = oldStart + remaining - UInt64(n)
            try chunk.withUnsafeMutableBytes { buf in
                var got = 0
                while got < n {
                    let r = pread(fd, buf.baseAddress! + got, n - got, off_t(from) + off_t(got))
                    if r < 0 && errno == EINTR { continue }
                    guard r > 0 else { throw fail("cannot read back the archive being written: \(String(cString: strerror(errno)))") }
                    got += r
                }
            }
            try chunk.withUnsafeBytes { try pwriteAll(UnsafeRawBufferPointer(rebasing: $0[0 ..< n]), at: from + shift) }
            remaining -= UInt64(n)
        }
        try pwriteAll(localHeader(e, zip64: true), at: e.headerOffset)
        written += shift
    }

    // MARK: - Central directory and end records

    /// Writes the central directory and end records and closes the file.
    public func close() throws {
        guard !closed else { return }
        try endEntry()
        closed = true
        let directoryOffset = bytesWritten
        for e in entries { appendCentralEntry(e) }
        let directorySize = bytesWritten - directoryOffset
        let count = UInt64(entries.count)
        let needsZip64End = entries.count > classicEntryLimit || directoryOffset >= zip64Limit || directorySize >= zip64Limit
        if needsZip64End {
            let recordOffset = bytesWritten
            output.le32(0x0606_4B50)
            output.le64(44)  // size of the record after this field
            output.le16(45)
            output.le16(45)
            output.le32(0)
            output.le32(0)
            output.le64(count)
            output.le64(count)
            output.le64(directorySize)
            output.le64(directoryOffset)
            output.le32(0x0706_4B50)
            output.le32(0)
            output.le64(recordOffset)
            output.le32(1)
        }
        output.le32(0x0605_4B50)
        output.le16(0)
        output.le16(0)
        let classicCount = needsZip64End ? 0xFFFF : UInt16(count)
        output.le16(classicCount)
        output.le16(classicCount)
        output.le32(needsZip64End ? 0xFFFF_FFFF : UInt32(directorySize))
        output.le32(needsZip64End ? 0xFFFF_FFFF : UInt32(directoryOffset))
        output.le16(0)
        try flush()
    }

    private func appendCentralEntry(_ e: Entry) {
        let bigUncompressed = e.uncompressedSize >= zip64Limit
        let bigCompressed = e.compressedSize >= zip64Limit
        let bigOffset = e.headerOffset >= zip64Limit
        var extra: [UInt8] = []
        if bigUncompressed { extra.le64(e.uncompressedSize) }
        if bigCompressed { extra.le64(e.compressedSize) }
        if bigOffset { extra.le64(e.headerOffset) }
        let zip64 = !extra.isEmpty
        output.le32(0x0201_4B50)
        output.le16(zip64 ? 45 : 20)  // made by: MS-DOS attributes, this spec version
        output.le16(zip64 || bigUncompressed || bigCompressed ? 45 : 20)
        output.le16(flags(e))
        output.le16(e.method)
        output.le16(dosTime)
        output.le16(dosDate)
        output.le32(e.crc)
        output.le32(bigCompressed ? 0xFFFF_FFFF : UInt32(e.compressedSize))
        output.le32(bigUncompressed ? 0xFFFF_FFFF : UInt32(e.uncompressedSize))
        output.le16(UInt16(e.name.count))
        output.le16(zip64 ? UInt16(4 + extra.count) : 0)
        output.le16(0)  // comment
        output.le16(0)  // disk
        output.le16(0)  // internal attributes
        output.le32(0)  // external attributes
        output.le32(bigOffset ? 0xFFFF_FFFF : UInt32(e.headerOffset))
        output.append(contentsOf: e.name)
        if zip64 {
            output.le16(0x0001)
            output.le16(UInt16(extra.count))
            output.append(contentsOf: extra)
        }
    }

    // MARK: - File output

    /// Writes the buffered output at the end of the archive (pwrite: a ZIP64 move may have
    /// grown the file behind the descriptor's own offset).
    private func flush() throws {
        guard !output.isEmpty else { return }
        try pwriteAll(output, at: written)
        written += UInt64(output.count)
        output.removeAll(keepingCapacity: true)
    }

    private func pwriteAll(_ bytes: [UInt8], at offset: UInt64) throws {
        try bytes.withUnsafeBytes { try pwriteAll($0, at: offset) }
    }

    private func pwriteAll(_ raw: UnsafeRawBufferPointer, at offset: UInt64) throws {
        let ok: Bool = {
            var done = 0
            while done < raw.count {
                let n = pwrite(fd, raw.baseAddress! + done, raw.count - done, off_t(offset) + off_t(done))
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                done += n
            }
            return true
        }()
        guard ok else { throw fail("write failed: \(String(cString: strerror(errno)))") }
    }

    /// MS-DOS date and time fields (2-second resolution, years 1980–2107).
    static func dosDateTime(_ seconds: Int) -> (time: UInt16, date: UInt16) {
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        let year = min(max(Int(parts.tm_year) + 1900, 1980), 2107)
        let time = UInt16(parts.tm_hour) << 11 | UInt16(parts.tm_min) << 5 | UInt16(parts.tm_sec / 2)
        let date = UInt16(year - 1980) << 9 | UInt16(parts.tm_mon + 1) << 5 | UInt16(parts.tm_mday)
        return (time, date)
    }
}

extension Array where Element == UInt8 {
    @inline(__always) mutating func le16(_ v: UInt16) {
        append(UInt8(truncatingIfNeeded: v))
        append(UInt8(truncatingIfNeeded: v >> 8))
    }

    @inline(__always) mutating func le32(_ v: UInt32) {
        for k in 0 ..< 4 { append(UInt8(truncatingIfNeeded: v >> (8 * k))) }
    }

    @inline(__always) mutating func le64(_ v: UInt64) {
        for k in 0 ..< 8 { append(UInt8(truncatingIfNeeded: v >> (8 * k))) }
    }
}
