// Axis ranges and ticks at round numbers (1, 2, 2.5 or 5 times a power of ten).

import Foundation

public struct NiceScale: Sendable, Equatable {
    public var lower: Double
    public var upper: Double
    public var step: Double

    /// A scale from `lower` (usually 0: bars and rates start at zero) covering `upper`, with at most `maxTicks` ticks.
    public init(lower: Double = 0, upper: Double, maxTicks: Int = 6) {
        let lo = min(lower, upper)
        var hi = max(lower, upper)
        if hi == lo { hi = lo == 0 ? 1 : lo + abs(lo) }
        let step = NiceScale.niceStep((hi - lo) / Double(max(1, maxTicks - 1)))
        self.step = step
        self.lower = (lo / step).rounded(.down) * step
        self.upper = (hi / step - 1e-9).rounded(.up) * step
    }

    public var ticks: [Double] {
        let n = Int(((upper - lower) / step).rounded())
        // Rounded to 10 decimal places: 3 × 0.2 is 0.6, not 0.6000000000000001.
        return (0 ... n).map { ((lower + Double($0) * step) * 1e10).rounded() / 1e10 }
    }

    /// The round number at or just above `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let power = pow(10, floor(log10(raw)))
        let fraction = raw / power
        let nice: Double = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10
        return nice * power
    }

    /// Where `value` falls between `from` and `to` (pixels).
    public func position(_ value: Double, from: Double, to: Double) -> Double {
        from + (value - lower) / (upper - lower) * (to - from)
    }
}
