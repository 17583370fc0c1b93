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
    private var failed = false

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
        guard buffer.count > 0, !failed else { buffer.removeAll(); return }
        let raw = buffer.bytes
        var offset = 0, ok = true
        while offset < raw.count {
            let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                ok = false
                break
            }
            offset += n
        }
        buffer.removeAll()
        if !ok {
            failed = true
            // A closed pipe (`| head`) is not an error worth a stack of messages.
            if errno == EPIPE { return }
            throw MHDQError.input("write failed: \(String(cString: strerror(errno)))", at: SourceLocation(file: path))
        }
    }

    public func close() throws {
        try flush()
    }
}
