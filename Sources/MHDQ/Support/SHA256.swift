// SHA-256 (FIPS 180-4) and HMAC-SHA-256 (RFC 2104): input checksums and finding fingerprints in the run history,
// and the keyed hash behind identifier masks (no crypto library on Linux). No heap allocation per message:
// a redacted run masks millions of values.

public struct SHA256: Sendable {
    public static let digestCount = 32

    static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
        (0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19)
    /// The block being filled (64 bytes), and how many of its bytes are in use.
    var block: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    var used = 0
    /// Bytes already compressed (whole blocks), for the length in the final block.
    var compressedBytes: UInt64 = 0

    public init() {}

    public static func hash(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        var h = SHA256()
        h.update(bytes)
        return h.finish()
    }

    public mutating func update(_ bytes: some Sequence<UInt8>) {
        if bytes.withContiguousStorageIfAvailable({ update(UnsafeRawBufferPointer($0)) }) != nil { return }
        Array(bytes).withUnsafeBytes { update($0) }
    }

    public mutating func update(_ bytes: UnsafeBufferPointer<UInt8>) {
        update(UnsafeRawBufferPointer(bytes))
    }

    public mutating func update(_ text: String) {
        var t = text
        t.withUTF8 { update(UnsafeRawBufferPointer($0)) }
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var i = 0
        while i < bytes.count {
            let offset = used
            let n = min(64 - offset, bytes.count - i)
            withUnsafeMutableBytes(of: &block) { b in
                b.baseAddress!.advanced(by: offset).copyMemory(from: bytes.baseAddress!.advanced(by: i), byteCount: n)
            }
            used += n
            i += n
            if used == 64 { compress() }
        }
    }

    public mutating func finish() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: SHA256.digestCount)
        out.withUnsafeMutableBytes { finish(into: $0) }
        return out
    }

    /// Pads, compresses the last block(s), and writes the 32-byte digest to `out`.
    public mutating func finish(into out: UnsafeMutableRawBufferPointer) {
        let bits = (compressedBytes + UInt64(used)) &* 8
        let offset = used
        withUnsafeMutableBytes(of: &block) { b in
            b[offset] = 0x80
            for j in offset + 1 ..< 64 { b[j] = 0 }
        }
        if offset >= 56 {
            compress()
            block = (0, 0, 0, 0, 0, 0, 0, 0)
        }
        withUnsafeMutableBytes(of: &block) { b in
            for j in 0 ..< 8 { b[56 + j] = UInt8(truncatingIfNeeded: bits >> UInt64(56 - 8 * j)) }
        }
        compress()
        withUnsafeBytes(of: state) { words in
            for i in 0 ..< 8 {
                out.storeBytes(of: words.load(fromByteOffset: 4 * i, as: UInt32.self).bigEndian, toByteOffset: 4 * i, as: UInt32.self)
            }
        }
    }

    /// Compresses the full block into the state.
    mutating func compress() {
        compressedBytes &+= 64
        used = 0
        let blockCopy = block
        var (a, b, c, d, e, f, g, h) = state
        withUnsafeBytes(of: blockCopy) { raw in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
                for i in 0 ..< 16 { w[i] = UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)) }
                for i in 16 ..< 64 {
                    let s0 = w[i - 15].rotatedRight(7) ^ w[i - 15].rotatedRight(18) ^ (w[i - 15] >> 3)
                    let s1 = w[i - 2].rotatedRight(17) ^ w[i - 2].rotatedRight(19) ^ (w[i - 2] >> 10)
                    w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
                }
                SHA256.k.withUnsafeBufferPointer { k in
                    for i in 0 ..< 64 {
                        let s1 = e.rotatedRight(6) ^ e.rotatedRight(11) ^ e.rotatedRight(25)
                        let ch = (e & f) ^ (~e & g)
                        let t1 = h &+ s1 &+ ch &+ k[i] &+ w[i]
                        let s0 = a.rotatedRight(2) ^ a.rotatedRight(13) ^ a.rotatedRight(22)
                        let maj = (a & b) ^ (a & c) ^ (b & c)
                        let t2 = s0 &+ maj
                        h = g; g = f; f = e; e = d &+ t1
                        d = c; c = b; b = a; a = t1 &+ t2
                    }
                }
            }
        }
        state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d,
                 state.4 &+ e, state.5 &+ f, state.6 &+ g, state.7 &+ h)
    }
}

extension SHA256 {
    public static func hash(_ text: String) -> [UInt8] {
        var h = SHA256()
        h.update(text)
        return h.finish()
    }

    /// The digest of a file and its size in bytes, read in 1 MB blocks.
    public static func hash(file path: String) throws -> (digest: [UInt8], bytes: Int) {
        let input = try ByteInput(path: path, bufferSize: 1 << 20)
        var h = SHA256()
        var total = 0
        while true {
            let n = try input.refill()
            if n == 0 { break }
            total += n
            h.update(UnsafeBufferPointer(rebasing: input.bytes[0 ..< n]))
        }
        return (h.finish(), total)
    }

    public static func hex(_ digest: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(digest.count * 2)
        for b in digest { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }
}

extension UInt32 {
    @inline(__always) func rotatedRight(_ n: UInt32) -> UInt32 { (self >> n) | (self << (32 - n)) }
}

/// HMAC-SHA-256 with the key's inner and outer pads hashed once, so each message costs only its own blocks.
public struct HMACSHA256: Sendable {
    let inner: SHA256
    let outer: SHA256

    public init(key: [UInt8]) {
        var k = key.count > 64 ? SHA256.hash(key) : key
        k += [UInt8](repeating: 0, count: 64 - k.count)
        var i = SHA256(), o = SHA256()
        i.update(k.map { $0 ^ 0x36 })
        o.update(k.map { $0 ^ 0x5c })
        inner = i
        outer = o
    }

    public func authenticate(_ message: some Sequence<UInt8>) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: SHA256.digestCount)
        if message.withContiguousStorageIfAvailable({ m in out.withUnsafeMutableBytes { authenticate(UnsafeRawBufferPointer(m), into: $0) } }) == nil {
            let copy = Array(message)
            copy.withUnsafeBytes { m in out.withUnsafeMutableBytes { authenticate(m, into: $0) } }
        }
        return out
    }

    /// Writes the 32-byte MAC of `message` to `out`.
    public func authenticate(_ message: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) {
        var i = inner
        i.update(message)
        var digest: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &digest) { i.finish(into: $0) }
        var o = outer
        withUnsafeBytes(of: digest) { o.update($0) }
        o.finish(into: out)
    }
}
