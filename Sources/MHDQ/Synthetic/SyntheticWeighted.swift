// A fixed list of values with integer weights, picked in proportion to their weights.

struct SyntheticWeighted<Value: Sendable>: Sendable {
    private let values: [Value]
    private let cumulative: [Int]

    init(_ pairs: [(Value, Int)]) {
        precondition(!pairs.isEmpty && pairs.allSatisfy { $0.1 >= 0 })
        values = pairs.map(\.0)
        var running = 0
        cumulative = pairs.map { running += $0.1; return running }
        precondition(running > 0)
    }

    var all: [Value] { values }

    func pick(_ random: inout SyntheticRandom) -> Value {
        let r = random.below(cumulative[cumulative.count - 1])
        var lo = 0, hi = cumulative.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cumulative[mid] > r { hi = mid } else { lo = mid + 1 }
        }
        return values[lo]
    }
}
