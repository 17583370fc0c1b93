// An aggregate rule's warn_when / fail_when: conditions on the measured group, its own past included.

extension Rule {
    var hasConditions: Bool { warnWhen != nil || failWhen != nil }
}

extension ValidationEngine {
    /// Judges one group by the rule's conditions: Fail, Warning, or nil when neither holds (or either is
    /// unknown, as when there is no earlier run to compare with). Leaves the group in the context so the
    /// rule's message can describe it.
    func judgeByConditions(_ rule: Rule, group: String, value: Double?, accumulator acc: Accumulator) -> Severity? {
        guard rule.hasConditions else { return nil }
        let mean = rule.measure == .mean
        context.aggregate = AggregateMeasurement(ruleID: rule.id, pack: rule.pack, group: group, value: value,
                                                 numerator: mean ? acc.sum : acc.numerator,
                                                 denominator: mean ? acc.numerator : acc.records)
        if let f = rule.failWhen, case .bool(true) = f(context) { return .fail }
        if let w = rule.warnWhen, case .bool(true) = w(context) { return .warning }
        return nil
    }
}
