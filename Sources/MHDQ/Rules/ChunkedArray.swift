// Per-record columns of the rule engine kept in fixed-size chunks, so a million-record table grows without copying.

#if canImport(Glibc)
import Glibc
#endif

/// An array that grows a chunk at a time: appending never copies what is stored, and at most one chunk
/// is spare. (A Swift array doubles: up to half its memory spare, and the old and new copies both live
/// while it grows — for a 10M-record column, the peak of the whole run.)
struct ChunkedArray<Element>: RandomAccessCollection, MutableCollection {
    private static var shift: Int { 16 }
    private static var chunkSize: Int { 1 << shift }
    private var chunks: [[Element]] = []
    private(set) var count = 0

    init() {}

    var startIndex: Int { 0 }
    var endIndex: Int { count }

    @inline(__always) subscript(i: Int) -> Element {
        get {
            precondition(i >= 0 && i < count, "index out of range")
            return chunks[i >> Self.shift][i & (Self.chunkSize - 1)]
        }
        set {
            precondition(i >= 0 && i < count, "index out of range")
            chunks[i >> Self.shift][i & (Self.chunkSize - 1)] = newValue
        }
    }

    @inline(__always) mutating func append(_ element: Element) {
        if count & (Self.chunkSize - 1) == 0 {
            var chunk: [Element] = []
            chunk.reserveCapacity(Self.chunkSize)
            chunks.append(chunk)
        }
        chunks[chunks.count - 1].append(element)
        count += 1
    }
}

/// Byte strings (keys) laid end to end in chunks of 64 KB; a string never straddles two chunks, so each
/// is one contiguous slice, and its end within the chunk fits two bytes. With ten million records a key
/// column is mostly its ends: two bytes each rather than four saved a tenth of a big run's memory.
struct ByteArena {
    private static let chunkBytes = Int(UInt16.max)
    private var chunks: [[UInt8]] = []
    /// Index of the first string in each chunk.
    private var chunkFirst: [Int] = []
    /// Each string's end offset within its chunk.
    private var ends = ChunkedArray<UInt16>()
    /// Strings longer than a chunk (never an identifier; a garbage cell can be anything) are kept whole
    /// here, with the one byte 0xFF in the arena in their place: it is not UTF-8, so no stored text is it.
    private var oversized: [Int: [UInt8]] = [:]
    private static let oversizedMark: UInt8 = 0xFF

    var count: Int { ends.count }
    /// Bytes held, spare chunk room included (for reporting).
    var capacity: Int { chunks.reduce(0) { $0 + $1.capacity } }

    /// Appends `bytes` as one string.
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        if bytes.count >= Self.chunkBytes {
            oversized[count] = Array(bytes)
            [Self.oversizedMark].withUnsafeBufferPointer { append($0) }
            return
        }
        let n = bytes.count
        if chunks.isEmpty || chunks[chunks.count - 1].count + n > Self.chunkBytes {
            var chunk: [UInt8] = []
            chunk.reserveCapacity(Self.chunkBytes)
            chunks.append(chunk)
            chunkFirst.append(count)
        }
        chunks[chunks.count - 1].append(contentsOf: bytes)
        ends.append(UInt16(chunks[chunks.count - 1].count))
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

    /// Calls `body` with each string's index and bytes, in order: a scan, with no search for each string's
    /// chunk and no slice to retain (the group rules read every key of ten-million-record columns this way).
    func forEach(_ body: (Int, UnsafeBufferPointer<UInt8>) -> Void) {
        var i = 0
        for c in 0 ..< chunks.count {
            let last = c + 1 < chunkFirst.count ? chunkFirst[c + 1] : count
            chunks[c].withUnsafeBufferPointer { chunk in
                var start = 0
                while i < last {
                    let end = Int(ends[i])
                    let string = UnsafeBufferPointer(rebasing: chunk[start ..< end])
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
    }

    /// Whether string `i` is `key`, compared in place.
    func equals(_ i: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let c = chunk(of: i)
        let start = i == chunkFirst[c] ? 0 : Int(ends[i - 1])
        let end = Int(ends[i])
        if end - start == 1 && chunks[c][start] == Self.oversizedMark, let whole = oversized[i] {
            return whole.withUnsafeBufferPointer { $0.elementsEqual(key) }
        }
        guard end - start == key.count else { return false }
        return chunks[c].withUnsafeBufferPointer { chunk in
            key.count == 0 || memcmp(chunk.baseAddress! + start, key.baseAddress!, key.count) == 0
        }
    }

    func bytes(_ i: Int) -> ArraySlice<UInt8> {
        let c = chunk(of: i)
        let start = i == chunkFirst[c] ? 0 : Int(ends[i - 1])
        let slice = chunks[c][start ..< Int(ends[i])]
        if slice.count == 1 && slice.first == Self.oversizedMark, let whole = oversized[i] { return whole[...] }
        return slice
    }
}
