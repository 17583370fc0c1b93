// Holds one KPI return row to the KPI catalogue: finds the KPI by name, reads target and actual as typed,
// and gives the RAG verdict from the catalogue's direction, target, tolerance and bands, or says why
// the two cannot be compared (different units, different measures): never a silent comparison.

struct KPIEvaluator {
    let catalogue: KPICatalogue

    /// What kpi("...") may read in a kpi rule.
    static let parts = ["id", "title", "target", "actual", "expected", "gap", "unit", "direction", "verdict", "note"]

    static func part(_ name: String, of r: KPIResult) -> Value {
        switch name {
        case "id": return .text(r.indicator)
        case "title": return .text(r.title)
        case "target": return r.target.isEmpty ? .null : .text(r.target)
        case "actual": return r.actual.isEmpty ? .null : .text(r.actual)
        case "expected": return .text(expected(r))
        case "gap": return r.gap.map { .text(gapText($0, unit: r.unit)) } ?? .null
        case "unit": return .text(r.unit)
        case "direction": return .text(r.direction)
        case "verdict": return .text(r.rag.rawValue)
        default: return .text(r.note)
        }
    }

    /// The band the actual was held to: "≥ 85% (amber from 80%)".
    static func expected(_ r: KPIResult) -> String {
        guard [.red, .amber, .green].contains(r.rag), let t = r.targetValue else { return r.target.isEmpty ? "no target" : r.target }
        let sign = r.direction == "lower" ? "≤" : "≥"
        var s = "\(sign) \(amount(t, unit: r.unit))"
        if let amber = r.amberLimit, amber != t { s += " (amber \(sign) \(amount(amber, unit: r.unit)))" }
        return s
    }

    static func amount(_ v: Double, unit: String) -> String {
        let n = Value.format((v * 100).rounded() / 100)
        return unit.isEmpty ? n : unit == "%" ? n + "%" : n + " " + unit
    }

    /// Decimal places a number shows (4.5 → 1), for numbers that were not typed.
    static func decimals(_ d: Double) -> Int {
        let s = Value.format(d)
        guard let point = s.firstIndex(of: "."), !s.contains("e") else { return s.contains("e") ? 12 : 0 }
        return s.distance(from: point, to: s.endIndex) - 1
    }

    /// A difference in a unit: "5 points" for percentages, "1 days per FTE" otherwise.
    static func difference(_ v: Double, unit: String) -> String {
        let n = Value.format((v * 100).rounded() / 100)
        if unit == "%" { return n + (v == 1 ? " point" : " points") }
        return unit.isEmpty ? n : n + " " + unit
    }

    /// "10.98 points short", "0.15 days per FTE better".
    static func gapText(_ gap: Double, unit: String) -> String {
        let size = Value.format((Swift.abs(gap) * 100).rounded() / 100)
        let what = unit == "%" ? (Swift.abs(gap) == 1 ? "point" : "points") : unit
        if gap == 0 { return "on target" }
        return "\(size)\(what.isEmpty ? "" : " " + what) \(gap < 0 ? "short" : "better")"
    }

    /// The verdict of one row. `catalogued` is false when the indicator is not in the catalogue.
    func evaluate(indicator: String, organisation: String, period: Value, target: Value, actual: Value,
                  unitColumn: String, directionColumn: String) -> (result: KPIResult, catalogued: Bool) {
        let kpi = catalogue.kpi(named: indicator)
        var r = KPIResult(indicator: kpi?.id ?? indicator, title: kpi?.title ?? indicator, organisation: organisation,
                          period: period.text, target: target.text, actual: actual.text, targetValue: nil, actualValue: nil,
                          unit: kpi?.unit ?? "", direction: kpi?.direction ?? "", gap: nil, rag: .notComparable, note: "")
        func verdict(_ rag: RAG, _ note: String) -> (KPIResult, Bool) {
            r.rag = rag
            r.note = note
            return (r, kpi != nil)
        }
        let name = kpi?.title ?? indicator

        // Which way is better: the catalogue's, unless the return says otherwise.
        var direction = kpi?.direction
        if !directionColumn.trimmingSpaces().isEmpty {
            guard let d = catalogue.direction(directionColumn) else {
                return verdict(.notComparable, "the return's direction \"\(directionColumn)\" is neither higher nor lower is better")
            }
            if let c = direction, c != d {
                return verdict(.notComparable, "the return says \(d) is better, the catalogue says \(c) is better for \(name): not compared")
            }
            direction = d
        }

        // The actual.
        let a: Amount
        switch actual {
        case .null:
            return verdict(.notReported, "no actual reported")
        case .typed(.amount(let x)) where x.number == nil:
            return verdict(.notReported, "actual \"\(x.raw)\" (\(x.status)): not reported")
        case .typed(.amount(let x)):
            a = x
        case .number(let d):
            a = Amount(raw: actual.text, status: Amount.numberStatus, number: d, decimals: KPIEvaluator.decimals(d))
        default:
            return verdict(.notReported, "actual \"\(actual.text)\" is not a number: not reported")
        }
        r.actualValue = a.number
        if !a.subject.isEmpty, let kpi, !catalogue.names(a.subject, kpi) {
            return verdict(.notComparable, "the actual is stated on \(a.subject), not on \(name): not compared")
        }

        // The target: the row's, or the catalogue's default when the row leaves it blank.
        var t: Amount
        var targetNote = ""
        switch target {
        case .null:
            guard let d = kpi?.target else { return verdict(.noTarget, "no target set; actual \(a.raw) reported") }
            t = Amount(raw: "", status: Amount.numberStatus, number: d, decimals: KPIEvaluator.decimals(d), unit: kpi?.unit ?? "")
            targetNote = " (the catalogue's default target)"
        case .typed(.amount(let x)) where x.number == nil:
            return verdict(.noTarget, "target \"\(x.raw)\": no target; actual \(a.raw) reported")
        case .typed(.amount(let x)):
            t = x
        case .number(let d):
            t = Amount(raw: target.text, status: Amount.numberStatus, number: d, decimals: KPIEvaluator.decimals(d))
        default:
            return verdict(.notComparable, "target \"\(target.text)\" cannot be read: not compared")
        }
        r.targetValue = t.number
        if !t.subject.isEmpty, kpi == nil || !catalogue.names(t.subject, kpi!) {
            let other = catalogue.kpi(named: t.subject).map { " (\($0.id))" } ?? ""
            return verdict(.notComparable, "the target \"\(t.raw)\" is on \(t.subject)\(other), the actual on \(name): different measures, not compared")
        }

        // Units: a bare number is in the row's Unit, else the KPI's unit, else the other value's.
        let column = unitColumn.trimmingSpaces().isEmpty ? nil : catalogue.unit(unitColumn)
        let kpiUnit = kpi.map { catalogue.unit($0.unit) }
        let explicitActual = a.unit.isEmpty ? nil : catalogue.unit(a.unit)
        let explicitTarget = t.unit.isEmpty ? nil : catalogue.unit(t.unit)
        let actualUnit = explicitActual ?? column ?? kpiUnit ?? explicitTarget ?? ""
        let targetUnit = explicitTarget ?? column ?? kpiUnit ?? actualUnit
        r.unit = actualUnit
        if let kpiUnit, actualUnit != kpiUnit {
            return verdict(.notComparable, "the actual is in \(actualUnit.isEmpty ? "no unit" : actualUnit), \(name) is measured in \(kpiUnit): not compared")
        }
        if targetUnit != actualUnit {
            return verdict(.notComparable, "the target is in \(targetUnit), the actual in \(actualUnit): different units, not compared")
        }
        // The row's own tolerance must be a band in the same unit ("(+/- 1 day)" of days per FTE), not another
        // measure: "85% (+/- 20 days)" is not 20 points either side of 85%.
        if t.tolerance != nil, !catalogue.tolerance(unit: t.toleranceUnit, isIn: actualUnit, spellings: [t.unit, a.unit, unitColumn]) {
            let other = catalogue.unit(t.toleranceUnit)
            return verdict(.notComparable, "the target's tolerance is in \(other), the target in \(actualUnit.isEmpty ? "no unit" : actualUnit): different units, not compared")
        }

        // A comparator in the target (">75%") says which way is better too.
        let implied: String? = t.comparator.hasPrefix(">") ? "higher" : t.comparator.hasPrefix("<") ? "lower" : nil
        if let implied {
            if let d = direction, d != implied {
                return verdict(.notComparable, "the target \"\(t.raw)\" says \(implied) is better, but \(d) is better for \(name): not compared")
            }
            direction = implied
        }
        guard let direction else {
            return verdict(.notComparable, "\(name) is not in the KPI catalogue and the return does not say whether higher or lower is better: not compared")
        }
        r.direction = direction

        let tolerance = t.tolerance ?? kpi?.tolerance ?? 0
        let greenWithin = t.tolerance == nil ? (kpi?.greenWithin ?? 0) : 0
        let actualValue = a.number!, targetValue = t.number!
        // To the decimals typed (74.02 − 85 is −10.98, not −10.980000000000004).
        var scale = 1.0
        for _ in 0 ..< min(12, max(a.decimals, t.decimals)) { scale *= 10 }
        let shortfall = ((direction == "higher" ? targetValue - actualValue : actualValue - targetValue) * scale).rounded() / scale
        let epsilon = 1e-9 * max(1, Swift.abs(targetValue))
        r.gap = -shortfall
        r.amberLimit = tolerance > 0 ? (direction == "higher" ? targetValue - tolerance : targetValue + tolerance) : nil
        let strict = t.comparator == ">" || t.comparator == "<"
        let met = strict && greenWithin == 0 ? shortfall < -epsilon : shortfall <= greenWithin + epsilon
        let against = "\(a.raw) against \(t.raw.isEmpty ? KPIEvaluator.amount(targetValue, unit: actualUnit) : t.raw)\(targetNote)"
        let basis = a.note.isEmpty ? "" : " (actual \(a.note))"
        if met {
            return verdict(.green, "\(against): \(KPIEvaluator.gapText(-shortfall, unit: actualUnit)) (green)\(basis)")
        }
        if shortfall <= tolerance + epsilon, tolerance > 0 {
            return verdict(.amber, "\(against): \(KPIEvaluator.gapText(-shortfall, unit: actualUnit)), within the tolerance of \(KPIEvaluator.difference(tolerance, unit: actualUnit)) (amber)\(basis)")
        }
        let band = tolerance > 0 ? ", beyond the tolerance of \(KPIEvaluator.difference(tolerance, unit: actualUnit))" : ""
        return verdict(.red, "\(against): \(KPIEvaluator.gapText(-shortfall, unit: actualUnit))\(band) (red)\(basis)")
    }
}

extension KPIEvaluator {
    /// What a kpi rule's verdict = "..." may name: a RAG verdict, or "not in catalogue".
    static let verdicts = RAG.allCases.map(\.rawValue) + [notInCatalogue]
    static let notInCatalogue = "not in catalogue"
    /// The fields a kpi rule reads, by name (the KpiReturn dataset's; Unit and Direction may be absent).
    static let requiredFields = ["Indicator", "Organisation", "Period", "Target", "Actual"]
    static let optionalFields = ["Unit", "Direction"]

    static func checkTable(_ ds: Dataset, at location: SourceLocation) throws {
        let missing = requiredFields.filter { ds.index(of: $0) == nil }
        guard missing.isEmpty else {
            throw MHDQError.invocation("kpi rules read \(requiredFields.joined(separator: ", ")); \(ds.table) has no \(missing.joined(separator: ", "))", at: location)
        }
    }
}
