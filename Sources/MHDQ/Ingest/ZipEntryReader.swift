// Streams one zip entry's bytes, inflating deflated entries with zlib in fixed-size chunks.

internal import CZlib

/// Produces an entry's uncompressed bytes chunk by chunk: memory stays bounded by the
/// chunk size however large the entry. Checks, while inflating, the archive's total
/// size limit, the compression ratio limit, and finally the entry's CRC-32.
public final class ZipEntryReader {
    public let entry: ZipEntry
    private let archive: ZipArchive
    private var position: UInt64
    private var remainingInput: UInt64
    private var input: [UInt8]
    private var inputStart = 0
    private var inputEnd = 0
    private var stream: UnsafeMutablePointer<z_stream>?
    private var produced: UInt64 = 0
    private var consumed: UInt64 = 0
    private var crc: UInt = 0
    private var finished = false

    public init(archive: ZipArchive, entry: ZipEntry, inputChunk: Int = 1 << 16) throws {
        self.archive = archive
        self.entry = entry
        if entry.isEncrypted {
            throw archive.fail("\(entry.name) is encrypted: save the workbook without a password")
        }
        guard entry.method == 0 || entry.method == 8 else {
            throw archive.fail("\(entry.name) uses zip compression method \(entry.method); only stored and deflated entries are supported")
        }
        if entry.uncompressedSize > archive.limits.maxTotalUncompressed {
            throw archive.fail("\(entry.name) claims \(entry.uncompressedSize) bytes uncompressed, over the \(archive.limits.maxTotalUncompressed >> 20) MiB limit (a zip bomb?)")
        }
        self.position = try archive.dataOffset(of: entry)
        self.remainingInput = entry.compressedSize
        self.input = [UInt8](repeating: 0, count: inputChunk)
        crc = crc32(0, nil, 0)
        if entry.method == 8 {
            let s = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
            s.initialize(to: z_stream())
            let rc = inflateInit2_(s, -15, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
            guard rc == Z_OK else {
                s.deallocate()
                throw archive.fail("cannot start inflating \(entry.name) (zlib error \(rc))")
            }
            stream = s
        }
    }

    deinit {
        if let s = stream {
            inflateEnd(s)
            s.deallocate()
        }
    }

    private func fail(_ what: String) -> MHDQError { archive.fail("\(entry.name): \(what)") }

    /// Refills the compressed input buffer. Returns false when the entry's bytes are exhausted.
    private func refillInput() throws -> Bool {
        guard remainingInput > 0 else { return false }
        let want = Int(min(UInt64(input.count), remainingInput))
        let got = try input.withUnsafeMutableBytes {
            try archive.readFully(UnsafeMutableRawBufferPointer(rebasing: $0[0 ..< want]), at: position)
        }
        guard got == want else { throw fail("truncated zip: the entry's data runs past the end of the file") }
        position += UInt64(got)
        remainingInput -= UInt64(got)
        inputStart = 0
        inputEnd = got
        return true
    }

    /// Fills `out` with the next uncompressed bytes. Returns the count, 0 at the end of the entry.
    public func read(into out: UnsafeMutableRawBufferPointer) throws -> Int {
        if finished || out.count == 0 { return 0 }
        var n = 0
        if let s = stream {
            n = endOfStream ? 0 : try inflate(s, into: out)
        } else {
            if inputStart == inputEnd, try !refillInput() { n = 0 } else {
                n = min(out.count, inputEnd - inputStart)
                input.withUnsafeBytes { out.baseAddress!.copyMemory(from: $0.baseAddress! + inputStart, byteCount: n) }
                inputStart += n
                consumed += UInt64(n)
            }
        }
        if n == 0 {
            finished = true
            if produced != entry.uncompressedSize {
                throw fail("corrupt zip: the entry holds \(produced) bytes but its header says \(entry.uncompressedSize)")
            }
            if UInt32(truncatingIfNeeded: crc) != entry.crc32 { throw fail("corrupt zip: CRC-32 mismatch (damaged file)") }
            return 0
        }
        produced += UInt64(n)
        archive.totalInflated += UInt64(n)
        crc = crc32(crc, out.baseAddress!.assumingMemoryBound(to: Bytef.self), uInt(n))
        if archive.totalInflated > archive.limits.maxTotalUncompressed {
            throw fail("the workbook inflates to more than \(archive.limits.maxTotalUncompressed >> 20) MiB (a zip bomb?)")
        }
        if produced > archive.limits.ratioGrace, produced > archive.limits.maxRatio * max(consumed, 1) {
            throw fail("compression ratio above \(archive.limits.maxRatio):1 (a zip bomb?)")
        }
        return n
    }

    private func inflate(_ s: UnsafeMutablePointer<z_stream>, into out: UnsafeMutableRawBufferPointer) throws -> Int {
        let outBase = out.baseAddress!.assumingMemoryBound(to: Bytef.self)
        s.pointee.next_out = outBase
        s.pointee.avail_out = uInt(min(out.count, Int(UInt32.max)))
        while s.pointee.avail_out > 0 {
            if inputStart == inputEnd {
                if try !refillInput() {
                    if s.pointee.avail_out == uInt(out.count) { throw fail("corrupt zip: the deflate stream ends early (truncated or damaged file)") }
                    break
                }
            }
            let before = inputEnd - inputStart
            let rc: Int32 = input.withUnsafeMutableBytes { buf in
                s.pointee.next_in = buf.baseAddress!.assumingMemoryBound(to: Bytef.self) + inputStart
                s.pointee.avail_in = uInt(before)
                return CZlib.inflate(s, Z_NO_FLUSH)
            }
            let used = before - Int(s.pointee.avail_in)
            inputStart += used
            consumed += UInt64(used)
            if rc == Z_STREAM_END {
                endOfStream = true
                break
            }
            if rc == Z_BUF_ERROR && used == 0 && s.pointee.avail_out > 0 && inputStart < inputEnd {
                throw fail("corrupt deflate data")
            }
            if rc != Z_OK && rc != Z_BUF_ERROR {
                throw fail("corrupt deflate data (zlib error \(rc))")
            }
        }
        // After the stream's end the last bytes are delivered now; the end-of-entry checks run on the next call.
        return out.count - Int(s.pointee.avail_out)
    }

    private var endOfStream = false
}
