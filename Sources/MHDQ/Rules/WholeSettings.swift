// Settings a rule reads where a whole number is needed (trailing_median()'s count of periods, round()'s
// places, substr(), add_days(), add_months()): a value that is not one (2.5, -1, 1e300) would make every
// answer blank, or none that means anything. A pack's default is refused when the pack loads, a manifest's
// [settings] or --setting when the run starts, before any data is read.

/// What a setting used as a whole number may hold, and where it is used.
public struct WholeSetting: Sendable {
    public var range: ClosedRange<Double>
    /// "the number of periods of trailing_median()"
    public var use: String

    func accepts(_ d: Double) -> Bool { d == d.rounded() && range.contains(d) }

    var requirement: String {
        "\(use) must be a whole number from \(Value.format(range.lowerBound)) to \(Value.format(range.upperBound))"
    }
}

extension ExpressionCompiler {
    /// Arguments of functions that take a whole number: function → argument → what it may hold.
    static let wholeArguments: [String: [Int: WholeSetting]] = [
        "trailing_median": [1: WholeSetting(range: 1 ... 1000, use: "the number of periods of trailing_median()")],
        "round": [1: WholeSetting(range: 0 ... 12, use: "the decimal places of round()")],
        "substr": [1: WholeSetting(range: 1 ... 1_000_000, use: "the start of substr()"),
                   2: WholeSetting(range: 0 ... 1_000_000, use: "the count of substr()")],
        "add_days": [1: WholeSetting(range: -3_652_059 ... 3_652_059, use: "the days of add_days()")],
        "add_months": [1: WholeSetting(range: -119_988 ... 119_988, use: "the months of add_months()")],
    ]

    /// Notes each setting("name") given where `name()` takes a whole number (the run checks overrides
    /// against it), and refuses a pack default that is not one.
    func noteWholeSettings(_ name: String, _ args: [Expr], _ scope: inout CompileScope) throws {
        guard let positions = ExpressionCompiler.wholeArguments[name] else { return }
        for (i, need) in positions.sorted(by: { $0.key < $1.key }) where i < args.count {
            guard case .call("setting", let inner, _) = args[i], inner.count == 1,
                  case .literal(.text(let key), _) = inner[0] else { continue }
            if case .number(let d)? = scope.settings[key], !need.accepts(d) {
                throw error("setting(\"\(key)\") is \(Value.format(d)) in pack.toml [settings], but \(need.requirement)", args[i].span)
            }
            scope.lookups.wholeSettings[key, default: []].append(need)
        }
    }
}

extension RulePackLoader {
    /// Refuses a run whose manifest [settings] or --setting gives a setting used as a whole number a value
    /// that is not one, naming the setting and, for a manifest, where it is set.
    public static func checkWholeSettings(_ packs: [RulePack], _ reference: ReferenceData) throws {
        var seen = Set<ObjectIdentifier>()
        var needs: [String: [WholeSetting]] = [:]
        for pack in packs where seen.insert(ObjectIdentifier(pack.lookups)).inserted {
            needs.merge(pack.lookups.wholeSettings) { $0 + $1 }
        }
        for (key, uses) in needs.sorted(by: { $0.key < $1.key }) {
            guard let given = reference.settings[key] else { continue }
            let number = NumberParsing.parse(given.trimmingSpaces())
            for need in uses where !(number.map(need.accepts) ?? false) {
                let location = reference.settingLocations[key]
                // A manifest's 1e300 comes as all its digits: shown as a number.
                let given = given.count > 24 ? number.map { "\($0)" } ?? given : given
                throw MHDQError.invocation("\(location == nil ? "--setting \(key)=\(given)" : "setting \(key) = \(given)"): \(need.requirement)",
                                           at: location)
            }
        }
    }
}
