// Staging's byte-level fast paths give exactly what the general code gives, on edge cases and random input.

import Testing
@testable import MHDQ

/// A deterministic stream of small random numbers (SplitMix64), so a failure can be replayed.
struct SplitMix {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

func withBytes<R>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
    Array(text.utf8).withUnsafeBufferPointer(body)
}

struct FastPathEquivalenceTests {
    /// Numbers read from bytes equal `Double(text)` bit for bit, and what the fast path declines the general path decides.
    @Test func numbersFromBytesEqualTheGeneralParser() {
        let edge = ["0", "-0", "007", "1.5", "1.50", "-12.345", "999999999999999", "9999999999999999", "0.1", "0.3",
                    "123456789.123456", "1.", ".5", "-", "-.5", "1e5", "1E-3", "+5", "1,234", "1,234.5", "12,34",
                    " 1", "1 ", "", ".", "1..2", "1.2.3", "--1", "0x10", "nan", "inf", "١٢", "12a", "4.9406564584124654e-324"]
        var random = SplitMix(state: 42)
        var samples = edge
        let alphabet = Array("0123456789.-,e+ ")
        for _ in 0 ..< 20_000 {
            let length = 1 + random.below(18)
            // Mostly digits with a point, sometimes anything from the alphabet.
            let digitsOnly = random.below(4) != 0
            var s = ""
            for _ in 0 ..< length {
                s.append(digitsOnly ? alphabet[random.below(random.below(8) == 0 ? 11 : 10)] : alphabet[random.below(alphabet.count)])
            }
            samples.append(s)
        }
        for s in samples {
            let general = NumberParsing.parseGeneral(s)
            let fromBytes = withBytes(s) { NumberParsing.parse($0) }
            let fromString = NumberParsing.parse(s)
            #expect(fromBytes?.bitPattern == general?.bitPattern, "\"\(s)\": bytes \(String(describing: fromBytes)), general \(String(describing: general))")
            #expect(fromString?.bitPattern == general?.bitPattern, "\"\(s)\"")
        }
    }
}
