// SHA-256 against the FIPS 180-4 examples and a file read in blocks across every length near a block edge;
// HMAC-SHA-256 against RFC 4231 test cases 1-7.

import Foundation
import Testing
@testable import MHDQ

@Suite struct SHA256Tests {
    @Test func knownDigests() {
        #expect(SHA256.hex(SHA256.hash("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(SHA256.hash("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(SHA256.hash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        var h = SHA256()
        let a = [UInt8](repeating: 0x61, count: 1000)
        for _ in 0 ..< 1000 { h.update(a) }
        #expect(SHA256.hex(h.finish()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Lengths around the 55/56/64-byte padding edges, fed in one piece and in uneven pieces, agree with each
    /// other and with the file reader.
    @Test func piecesAndFilesAgree() throws {
        let dir = TempDir()
        for n in [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 1_048_575, 1_048_577] {
            let bytes = (0 ..< n).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            var whole = SHA256()
            whole.update(bytes)
            let expected = whole.finish()
            var pieces = SHA256()
            var i = 0, step = 1
            while i < n { let j = min(n, i + step); pieces.update(bytes[i ..< j]); i = j; step = step * 3 % 97 + 1 }
            #expect(pieces.finish() == expected, "\(n) bytes")
            let path = dir.path + "/f\(n)"
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let file = try SHA256.hash(file: path)
            #expect(file.digest == expected && file.bytes == n, "\(n) bytes from a file")
        }
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    static func bytes(_ hex: String) -> [UInt8] {
        let chars = Array(hex.utf8)
        return stride(from: 0, to: chars.count, by: 2).map { UInt8(String(decoding: chars[$0 ..< $0 + 2], as: UTF8.self), radix: 16)! }
    }

    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
    ])
    func nistExamples(message: String, digest: String) {
        #expect(Self.hex(SHA256.hash(Array(message.utf8))) == digest)
    }

    /// Lengths either side of the padding boundaries (55/56 bytes: the length no longer fits the block;
    /// 64: a whole block), from Python's hashlib.
    @Test(arguments: [
        (55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"),
        (56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"),
        (57, "f13b2d724659eb3bf47f2dd6af1accc87b81f09f59f2b75e5c0bed6589dfe8c6"),
        (63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"),
        (64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"),
        (65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"),
        (119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"),
        (120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"),
        (128, "6836cf13bac400e9105071cd6af47084dfacad4e5e302c94bfed24e013afb73e"),
    ])
    func paddingBoundaries(length: Int, digest: String) {
        let message = [UInt8](repeating: 0x61, count: length)
        #expect(Self.hex(SHA256.hash(message)) == digest)
        // Fed in uneven pieces, the digest is the same.
        var h = SHA256()
        var i = 0, step = 1
        while i < length {
            h.update(message[i ..< min(length, i + step)])
            i += step
            step += 6
        }
        #expect(Self.hex(h.finish()) == digest)
    }

    @Test(arguments: [
        ("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", Array("Hi There".utf8),
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        ("4a656665", Array("what do ya want for nothing?".utf8),
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        (String(repeating: "aa", count: 20), [UInt8](repeating: 0xdd, count: 50),
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        ("0102030405060708090a0b0c0d0e0f10111213141516171819", [UInt8](repeating: 0xcd, count: 50),
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        (String(repeating: "aa", count: 131), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        (String(repeating: "aa", count: 131),
         Array("This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.".utf8),
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ])
    func rfc4231(key: String, data: [UInt8], mac: String) {
        #expect(Self.hex(HMACSHA256(key: Self.bytes(key)).authenticate(data)) == mac)
    }

    /// RFC 4231 test case 5 gives the output truncated to 128 bits.
    @Test func rfc4231Truncated() {
        let mac = HMACSHA256(key: [UInt8](repeating: 0x0c, count: 20)).authenticate(Array("Test With Truncation".utf8))
        #expect(Self.hex(Array(mac.prefix(16))) == "a3b6167473100ee06e0c796c2955552b")
    }

    /// One key object authenticates many messages: the pads it keeps must not carry state between them.
    @Test func hmacIsReusable() {
        let h = HMACSHA256(key: Array("Jefe".utf8))
        let first = h.authenticate(Array("what do ya want for nothing?".utf8))
        _ = h.authenticate(Array("something else entirely".utf8))
        #expect(h.authenticate(Array("what do ya want for nothing?".utf8)) == first)
    }
}
