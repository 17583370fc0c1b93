// SplitMix64 with integer-only derivations: the same seed gives the same stream on every platform.

/// A seeded pseudo-random stream for synthetic data.
///
/// Deliberately not a `RandomNumberGenerator`: the standard library's `random(in:using:)`
/// algorithms may change between Swift releases, and synthetic extracts must stay
/// byte-identical for a seed. Every derived value here uses integer arithmetic or exact
/// IEEE operations (no `exp`/`log`, whose last bits differ between C libraries).
struct SyntheticRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in 0 ..< bound (Lemire's multiply-and-reject, unbiased).
    mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0)
        let b = UInt64(bound)
        var m = next().multipliedFullWidth(by: b)
        if m.low < b {
            let threshold = (0 &- b) % b
            while m.low < threshold { m = next().multipliedFullWidth(by: b) }
        }
        return Int(m.high)
    }

    mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.count)
    }

    /// Uniform in [0, 1) with 53 bits: exact, so comparisons are the same everywhere.
    mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    mutating func chance(_ probability: Double) -> Bool { unit() < probability }

    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    /// A count with the given mean: uniform on [0, 2·mean], rounded at random so the
    /// expectation is exactly `mean`.
    mutating func count(mean: Double) -> Int {
        guard mean > 0 else { return 0 }
        let x = unit() * 2 * mean
        let whole = Int(x)
        return whole + (chance(x - Double(whole)) ? 1 : 0)
    }
}
