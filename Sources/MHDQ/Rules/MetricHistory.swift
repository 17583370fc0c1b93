// Rules that compare a measure with its own past: previous() and history_median() in an aggregate rule's
// warn_when / fail_when, answered from earlier runs' metrics (the history database feeds them in).

/// What earlier runs measured. The engine asks; a run with a history database answers (HistoryStore).
public protocol MetricHistory: AnyObject {
    /// One part of a rule's metric for one group in the runs before this one, newest first, at most `limit`. With
    /// `pack` (the rule's pack and its version), only runs of that version of the pack: another version may measure
    /// the rule otherwise (patients, not referrals), and its figures are not this rule's past.
    func earlierValues(rule: String, group: String, part: MetricPart, limit: Int, pack: PackVersion?) -> [Double]
    /// Earlier runs' points of an indicator series (area, measure) for periods before `period`, newest first:
    /// last month's return when this month's file holds one period.
    func earlierSeriesPoints(measure: String, area: String, before period: String, limit: Int) -> [SeriesPoint]
}

/// A rule pack's name and version, as a run records them.
public struct PackVersion: Sendable, Hashable {
    public var name: String
    public var version: String
    public init(name: String, version: String) { self.name = name; self.version = version }
}

/// The parts of a measured group a warn_when / fail_when expression may name.
public enum MetricPart: String, Sendable, CaseIterable {
    case value, numerator, denominator
}

/// The group an aggregate rule is judging, as its warn_when / fail_when see it.
public struct AggregateMeasurement: Sendable {
    public var ruleID: String
    /// The rule's pack and version: its past is what runs of the same version measured.
    public var pack: PackVersion?
    public var group: String
    public var value: Double?
    public var numerator: Double
    public var denominator: Double

    public subscript(part: MetricPart) -> Double? {
        switch part {
        case .value: return value
        case .numerator: return numerator
        case .denominator: return denominator
        }
    }
}

enum MetricHistoryFunctions {
    static let catalogue: [RuleFunction] = [
        RuleFunction(name: "previous", signature: "previous(part)",
                     summary: "warn_when/fail_when: the group's value, numerator or denominator in the last run that measured it",
                     arity: 1 ... 1, needs: "history", gives: .number) { _, _ in .null },
        RuleFunction(name: "history_median", signature: "history_median(part, n)",
                     summary: "warn_when/fail_when: median of the group's value (numerator, denominator) over its last n runs",
                     arity: 2 ... 2, needs: "history", gives: .number) { _, _ in .null },
        RuleFunction(name: "history_mean", signature: "history_mean(part, n)",
                     summary: "warn_when/fail_when: mean of the group's value (numerator, denominator) over its last n runs",
                     arity: 2 ... 2, needs: "history", gives: .number) { _, _ in .null },
        RuleFunction(name: "history_count", signature: "history_count()",
                     summary: "warn_when/fail_when: how many earlier runs measured the group",
                     arity: 0 ... 0, needs: "history", gives: .number) { _, _ in .null },
    ]

    static let names = Set(catalogue.map(\.name))

    static func compile(_ name: String, _ args: [Expr], span: Span, compiler: ExpressionCompiler) throws -> Compiled {
        func part(_ e: Expr) throws -> MetricPart {
            guard case .field(nil, let n, _) = e, let p = MetricPart(rawValue: n.lowercased()) else {
                throw compiler.error("\(name)() takes value, numerator or denominator first", e.span)
            }
            return p
        }
        func runs(_ e: Expr) throws -> Int {
            guard case .literal(.number(let d), _) = e, d >= 1, d == d.rounded(), d <= 1000 else {
                throw compiler.error("\(name)() takes a whole number of runs (1 to 1000) second", e.span)
            }
            return Int(d)
        }
        switch name {
        case "previous":
            let p = try part(args[0])
            return { ctx in
                guard let a = ctx.aggregate else { return .null }
                return ctx.metricHistory?.earlierValues(rule: a.ruleID, group: a.group, part: p, limit: 1, pack: a.pack).first.map { .number($0) } ?? .null
            }
        case "history_median", "history_mean":
            let p = try part(args[0])
            let n = try runs(args[1])
            let median = name == "history_median"
            return { ctx in
                guard let a = ctx.aggregate, let values = ctx.metricHistory?.earlierValues(rule: a.ruleID, group: a.group, part: p, limit: n, pack: a.pack),
                      !values.isEmpty else { return .null }
                return .number(median ? MetricHistoryFunctions.median(values) : values.reduce(0, +) / Double(values.count))
            }
        default:
            return { ctx in
                guard let a = ctx.aggregate, let history = ctx.metricHistory else { return .null }
                return .number(Double(history.earlierValues(rule: a.ruleID, group: a.group, part: .denominator, limit: 100_000, pack: a.pack).count))
            }
        }
    }

    static func median(_ values: [Double]) -> Double {
        let s = values.sorted()
        let m = s.count / 2
        return s.count % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2
    }
}

extension IndicatorSeries {
    /// The series with up to `limit` periods that earlier runs recorded before its first period, oldest first,
    /// each flagged "history": a month-on-month rule then compares this month's single period with last month's.
    public func withEarlierPeriods(from history: MetricHistory, limit: Int) -> IndicatorSeries {
        guard let first = points.map(\.period).min() else { return self }
        let earlier = history.earlierSeriesPoints(measure: measure, area: area, before: first, limit: limit)
        var out = self
        out.points = earlier.reversed().map { p in
            var q = p
            q.flags = ["history"]
            return q
        } + points
        return out
    }
}

extension Amount {
    /// A number the history kept (it keeps numbers, not the text typed), written as returns type counts: "12,000".
    static func stored(_ number: Double) -> Amount {
        var text = Value.format(number)
        if number == number.rounded(), abs(number) >= 1000, abs(number) < 1e15 {
            var digits = String(Int(abs(number)))
            var groups: [Substring] = []
            while digits.count > 3 {
                groups.insert(digits.suffix(3), at: 0)
                digits.removeLast(3)
            }
            groups.insert(Substring(digits), at: 0)
            text = (number < 0 ? "-" : "") + groups.joined(separator: ",")
        }
        let decimals = text.firstIndex(of: ".").map { text.distance(from: $0, to: text.endIndex) - 1 } ?? 0
        return Amount(raw: text, status: Amount.numberStatus, number: number, decimals: decimals)
    }
}
