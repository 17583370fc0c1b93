// Per-record columns of the rule engine kept in fixed-size chunks, so a million-record table grows without copying.

#if canImport(Glibc)
import Glibc
#endif

/// An array that grows a chunk at a time: appending never copies what is stored, and at most one chunk
/// is spare. (A Swift array doubles: up to half its memory spare, and the old and new copies both live
/// while it grows — for a 10M-record column, the peak of the whole run.) The chunks are memory it
/// allocates itself, copied only when a copy of the array is changed: an append is a uniqueness check and
/// a store, where an array of arrays checked both arrays' uniqueness.
struct ChunkedArray<Element>: RandomAccessCollection, MutableCollection {
    private static var shift: Int { 16 }
    private static var chunkSize: Int { 1 << shift }

    private final class Storage {
        var chunks: [UnsafeMutablePointer<Element>] = []
        var count = 0

        init() {}

        init(copying other: Storage) {
            for (c, chunk) in other.chunks.enumerated() {
                let copy = UnsafeMutablePointer<Element>.allocate(capacity: ChunkedArray.chunkSize)
                copy.initialize(from: chunk, count: other.filled(c))
                chunks.append(copy)
            }
            count = other.count
        }

        deinit {
            for (c, chunk) in chunks.enumerated() {
                chunk.deinitialize(count: filled(c))
                chunk.deallocate()
            }
        }

        /// Elements stored in chunk `c`.
        func filled(_ c: Int) -> Int { Swift.min(ChunkedArray.chunkSize, count - c * ChunkedArray.chunkSize) }
    }

    private var storage = Storage()

    init() {}

    var count: Int { storage.count }
    var startIndex: Int { 0 }
    var endIndex: Int { storage.count }

    @inline(__always) subscript(i: Int) -> Element {
        get {
            precondition(i >= 0 && i < storage.count, "index out of range")
            return storage.chunks[i >> Self.shift][i & (Self.chunkSize - 1)]
        }
        set {
            precondition(i >= 0 && i < storage.count, "index out of range")
            if !isKnownUniquelyReferenced(&storage) { storage = Storage(copying: storage) }
            storage.chunks[i >> Self.shift][i & (Self.chunkSize - 1)] = newValue
        }
    }

    @inline(__always) mutating func append(_ element: Element) {
        if !isKnownUniquelyReferenced(&storage) { storage = Storage(copying: storage) }
        let s = storage
        let slot = s.count & (Self.chunkSize - 1)
        if slot == 0 { s.chunks.append(.allocate(capacity: Self.chunkSize)) }
        (s.chunks[s.chunks.count - 1] + slot).initialize(to: element)
        s.count += 1
    }
}

/// Byte strings (keys) laid end to end in chunks of 64 KB; a string never straddles two chunks, so each
/// is one contiguous slice, and its end within the chunk fits two bytes. With ten million records a key
/// column is mostly its ends: two bytes each rather than four saved a tenth of a big run's memory.
/// The chunks are memory the arena allocates itself (and copies only if a copy of the arena is changed):
/// appending a key is a bounds check and a copy of its bytes, where an array of arrays checked both
/// arrays' uniqueness on every append.
struct ByteArena {
    private static let chunkBytes = Int(UInt16.max)
    private static let endsShift = 16
    private static let endsPerChunk = 1 << endsShift

    private final class Storage {
        var chunks: [UnsafeMutablePointer<UInt8>] = []
        /// Bytes used in the last chunk.
        var used = 0
        /// Each string's end offset within its chunk, in chunks of `endsPerChunk`.
        var ends: [UnsafeMutablePointer<UInt16>] = []
        var count = 0

        init() {}

        init(copying other: Storage) {
            for c in other.chunks {
                let copy = UnsafeMutablePointer<UInt8>.allocate(capacity: ByteArena.chunkBytes)
                copy.update(from: c, count: ByteArena.chunkBytes)
                chunks.append(copy)
            }
            for e in other.ends {
                let copy = UnsafeMutablePointer<UInt16>.allocate(capacity: ByteArena.endsPerChunk)
                copy.update(from: e, count: ByteArena.endsPerChunk)
                ends.append(copy)
            }
            used = other.used
            count = other.count
        }

        deinit {
            for c in chunks { c.deallocate() }
            for e in ends { e.deallocate() }
        }

        @inline(__always) func end(_ i: Int) -> Int {
            Int(ends[i >> ByteArena.endsShift][i & (ByteArena.endsPerChunk - 1)])
        }
    }

    private var storage = Storage()
    /// Index of the first string in each chunk.
    private var chunkFirst: [Int] = []
    /// Strings longer than a chunk (never an identifier; a garbage cell can be anything) are kept whole
    /// here, with the one byte 0xFF in the arena in their place: it is not UTF-8, so no stored text is it.
    private var oversized: [Int: [UInt8]] = [:]
    private static let oversizedMark: UInt8 = 0xFF

    var count: Int { storage.count }

    /// Appends `bytes` as one string.
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        if bytes.count >= Self.chunkBytes {
            oversized[count] = Array(bytes)
            [Self.oversizedMark].withUnsafeBufferPointer { append($0) }
            return
        }
        if !isKnownUniquelyReferenced(&storage) { storage = Storage(copying: storage) }
        let s = storage
        let n = bytes.count
        if s.chunks.isEmpty || s.used + n > Self.chunkBytes {
            s.chunks.append(.allocate(capacity: Self.chunkBytes))
            s.used = 0
            chunkFirst.append(s.count)
        }
        if n > 0 { (s.chunks[s.chunks.count - 1] + s.used).update(from: bytes.baseAddress!, count: n) }
        s.used += n
        if s.count & (Self.endsPerChunk - 1) == 0 { s.ends.append(.allocate(capacity: Self.endsPerChunk)) }
        s.ends[s.ends.count - 1][s.count & (Self.endsPerChunk - 1)] = UInt16(s.used)
        s.count += 1
    }

    mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append($0) }
    }

    /// The chunk holding string `i` (the last chunk whose first string is at or before it).
    @inline(__always) private func chunk(of i: Int) -> Int {
        var lo = 0, hi = chunkFirst.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if chunkFirst[mid] <= i { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    /// String `i` where it lies (valid while the arena is not changed), the oversized ones included.
    @inline(__always) private func string(_ i: Int, chunk c: Int) -> UnsafeBufferPointer<UInt8> {
        let start = i == chunkFirst[c] ? 0 : storage.end(i - 1)
        return UnsafeBufferPointer(start: storage.chunks[c] + start, count: storage.end(i) - start)
    }

    /// Calls `body` with each string's index and bytes, in order: a scan, with no search for each string's
    /// chunk (the group rules read every key of ten-million-record columns this way).
    func forEach(_ body: (Int, UnsafeBufferPointer<UInt8>) -> Void) {
        let s = storage
        var i = 0
        for c in 0 ..< s.chunks.count {
            let last = c + 1 < chunkFirst.count ? chunkFirst[c + 1] : s.count
            let chunk = s.chunks[c]
            var start = 0
            while i < last {
                let end = s.end(i)
                let string = UnsafeBufferPointer(start: chunk + start, count: end - start)
                if string.count == 1 && string[0] == Self.oversizedMark, let whole = oversized[i] {
                    whole.withUnsafeBufferPointer { body(i, $0) }
                } else {
                    body(i, string)
                }
                start = end
                i += 1
            }
        }
    }

    /// Whether string `i` is `key`, compared in place.
    func equals(_ i: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let string = string(i, chunk: chunk(of: i))
        if string.count == 1 && string[0] == Self.oversizedMark, let whole = oversized[i] {
            return whole.withUnsafeBufferPointer { $0.elementsEqual(key) }
        }
        guard string.count == key.count else { return false }
        return key.count == 0 || memcmp(string.baseAddress!, key.baseAddress!, key.count) == 0
    }

    /// Calls `body` with string `i`'s bytes.
    func withBytes<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let string = string(i, chunk: chunk(of: i))
        if string.count == 1 && string[0] == Self.oversizedMark, let whole = oversized[i] {
            return whole.withUnsafeBufferPointer(body)
        }
        return body(string)
    }

    func bytes(_ i: Int) -> [UInt8] { withBytes(i) { Array($0) } }
}
