// Buffered byte output to a file descriptor or a file: used by every writer on hot paths.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

public final class OutputBuffer {
    /// Appends are a capacity check and a memcpy (an array's generic append copied byte by byte).
    private let buffer = ByteBuffer(capacity: 1 << 17)
    private let fd: Int32
    private let ownsDescriptor: Bool
    public let path: String
    /// The first failed write. `write` cannot throw (writers call it per field), so the failure is kept and thrown
    /// by every later `flush` and by `close`: a full disk must fail the output, never leave it silently truncated.
    private var failure: MHDQError?
    /// The reader of a pipe went away (`| head`): later output is dropped without an error.
    private var closedPipe = false

    public static func standardOutput() -> OutputBuffer { OutputBuffer(fd: 1, path: "standard output") }

    init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
        self.ownsDescriptor = false
    }

    /// Creates (or truncates) `path` for writing.
    public init(creating path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else {
            throw MHDQError.input("cannot write: \(String(cString: strerror(errno)))", at: SourceLocation(file: path))
        }
        self.fd = fd
        self.path = path
        self.ownsDescriptor = true
    }

    deinit {
        try? flush()
        if ownsDescriptor { Glibc.close(fd) }
    }

    @inline(__always) public func write(_ s: String) {
        buffer.append(s)
        if buffer.count >= 1 << 16 { try? flush() }
    }

    @inline(__always) public func write(bytes: UnsafeBufferPointer<UInt8>) {
        buffer.append(bytes)
        if buffer.count >= 1 << 16 { try? flush() }
    }

    @inline(__always) public func write(byte: UInt8) {
        buffer.append(byte)
    }

    public func flush() throws {
        if let failure { buffer.removeAll(); throw failure }
        guard buffer.count > 0, !closedPipe else { buffer.removeAll(); return }
        let raw = buffer.bytes
        var offset = 0
        var error: Int32 = 0
        while offset < raw.count {
            let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                error = errno
                break
            }
            // No progress on a non-empty write is a device that takes no more (not retried for ever).
            if n == 0 { error = ENOSPC; break }
            offset += n
        }
        buffer.removeAll()
        guard error != 0 else { return }
        // A closed pipe (`| head`) is not an error worth a stack of messages.
        if error == EPIPE { closedPipe = true; return }
        let failed = MHDQError.input("write failed: \(String(cString: strerror(error)))", at: SourceLocation(file: path))
        failure = failed
        throw failed
    }

    public func close() throws {
        try flush()
    }
}
