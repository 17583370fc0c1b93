// Sequential writing through a fixed buffer with POSIX write(2): constant memory for any output size.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// The class's own `close()` and `write(_:)` hide the C functions inside it.
private func systemClose(_ fd: Int32) -> Int32 { close(fd) }
private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int { write(fd, bytes, count) }

/// A file written front to back. Call `close()` to flush; a writer dropped without
/// `close()` closes its descriptor but loses whatever was still buffered.
final class BufferedFileWriter {
    let path: String
    private var fd: Int32
    private let buffer: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    private var count = 0

    init(path: String, capacity: Int = 1 << 16) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else {
            throw MHDQError.invocation("cannot create: \(String(cString: strerror(errno)))", at: SourceLocation(file: path))
        }
        self.path = path
        self.fd = fd
        self.capacity = max(capacity, 64)
        buffer = .allocate(capacity: self.capacity)
    }

    deinit {
        if fd >= 0 { _ = systemClose(fd) }
        buffer.deallocate()
    }

    @inline(__always) func byte(_ b: UInt8) throws {
        if count == capacity { try flush() }
        buffer[count] = b
        count += 1
    }

    func write(_ text: String) throws {
        for b in text.utf8 { try byte(b) }
    }

    /// Writes `value` in decimal, zero-padded to at least `width` digits. `value` ≥ 0.
    func decimal(_ value: Int, width: Int = 1) throws {
        var divisor = 1, digits = 1
        while divisor <= value / 10 { divisor *= 10; digits += 1 }
        for _ in digits ..< max(width, digits) { try byte(0x30) }
        while divisor > 0 {
            try byte(UInt8(truncatingIfNeeded: 0x30 + value / divisor % 10))
            divisor /= 10
        }
    }

    func flush() throws {
        var done = 0
        while done < count {
            let r = systemWrite(fd, buffer + done, count - done)
            if r < 0 {
                if errno == EINTR { continue }
                throw MHDQError.invocation("write failed: \(String(cString: strerror(errno)))", at: SourceLocation(file: path))
            }
            done += r
        }
        count = 0
    }

    func close() throws {
        try flush()
        let r = systemClose(fd)
        fd = -1
        if r != 0 {
            throw MHDQError.invocation("close failed: \(String(cString: strerror(errno)))", at: SourceLocation(file: path))
        }
    }
}
