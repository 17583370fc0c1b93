// SHA-256 against the FIPS 180-4 examples and a file read in blocks across every length near a block edge.

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
}
