// Buffered reading of a file's bytes with POSIX read(2): no Foundation on the hot path.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A file opened for sequential reading in fixed-size chunks.
public final class ByteInput {
    public let path: String
    private let fd: Int32
    /// The chunk buffer: allocated once, so readers scan it through a pointer with no array
    /// retain or exclusivity check per access. A line feed always follows the valid bytes
    /// (`base[count]`), so a scan for a line end needs no separate check for the buffer's end.
    let base: UnsafeMutablePointer<UInt8>
    let capacity: Int
    /// Valid bytes in the buffer.
    private(set) var count = 0
    /// Total bytes consumed before the current buffer.
    private(set) var consumedBefore = 0
    private var atEOF = false

    public init(path: String, bufferSize: Int = 1 << 16) throws {
        self.path = path
        let (fd, _) = try ByteInput.openRegularFile(path)
        self.fd = fd
        capacity = max(bufferSize, 4)
        base = .allocate(capacity: capacity + 1)
        base.initialize(repeating: 0x0A, count: capacity + 1)
    }

    deinit {
        close(fd)
        base.deallocate()
    }

    /// The valid bytes of the current chunk.
    var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    /// Opens a regular file read-only: the descriptor and the file's size, or a located error
    /// (missing, unreadable, or a folder). Shared by every reader that opens files.
    static func openRegularFile(_ path: String) throws -> (fd: Int32, size: Int) {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw MHDQError.input("cannot open: \(String(cString: strerror(errno)))", at: SourceLocation(file: path))
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            throw MHDQError.input("is a folder, not a file", at: SourceLocation(file: path))
        }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw MHDQError.input("cannot open: \(String(cString: strerror(errno)))", at: SourceLocation(file: path))
        }
        return (fd, Int(st.st_size))
    }

    /// Refills the buffer with the next chunk. Returns the number of bytes now valid (0 at end).
    func refill() throws -> Int {
        consumedBefore += count
        count = 0
        base[0] = 0x0A
        if atEOF { return 0 }
        let capacity = self.capacity
        let n = { () -> Int in
            var got = 0
            while got < capacity {
                let r = read(fd, base + got, capacity - got)
                if r < 0 {
                    if errno == EINTR { continue }
                    return -1
                }
                if r == 0 { break }
                got += r
            }
            return got
        }()
        if n < 0 {
            throw MHDQError.input("read failed: \(String(cString: strerror(errno)))", at: SourceLocation(file: path))
        }
        if n < capacity { atEOF = true }
        count = n
        base[n] = 0x0A
        return n
    }

    /// Reads the whole file (for small files such as code lists, rule files and zips' central directories).
    public static func readAll(path: String) throws -> [UInt8] {
        let input = try ByteInput(path: path)
        var all: [UInt8] = []
        while try input.refill() > 0 {
            all.append(contentsOf: input.bytes)
        }
        return all
    }

    /// The first `count` bytes of the file (fewer if it is shorter).
    public static func prefix(path: String, count: Int) throws -> [UInt8] {
        let input = try ByteInput(path: path, bufferSize: count)
        _ = try input.refill()
        return Array(input.bytes)
    }

    /// File size in bytes, or nil when it cannot be read.
    public static func size(path: String) -> Int? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Int(st.st_size)
    }
}
