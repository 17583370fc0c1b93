// Runs the series and KPI rules once every record is read: they keep their tables' rows (aggregate
// returns: hundreds of rows, not millions), order each series by period, and judge each KPI row.

final class ReturnRuleRunner {
    let context: EvalContext
    let findings: FindingSink
    private var seriesRules: [Rule] = []
    private var kpiRules: [Rule] = []
    private var stores: [String: Store] = [:]
    private(set) var series: [IndicatorSeries] = []
    private(set) var kpis: [KPIResult] = []
    /// Each table's derived-field expressions, in the engine's order: computed for earlier periods from the history.
    var derivedExpressions: [String: [CompiledExpression]] = [:]

    /// One table's rows as the rules saw them: fields, derived fields, and where each came from.
    final class Store {
        let dataset: Dataset
        var records: [[Value]] = []
        var derived: [[Value]] = []
        var fileIndex: [Int] = []
        var rows: [Int] = []
        init(dataset: Dataset) { self.dataset = dataset }
    }

    init(context: EvalContext, findings: FindingSink) {
        self.context = context
        self.findings = findings
    }

    func add(_ rule: Rule, dataset: Dataset) {
        if rule.kind == .series { seriesRules.append(rule) } else { kpiRules.append(rule) }
        if stores[rule.table] == nil { stores[rule.table] = Store(dataset: dataset) }
    }

    func keepsRecords(of table: String) -> Bool { stores[table] != nil }

    /// Called for every record of a table that has series or KPI rules, after its derived fields.
    func collect(table: String, record: [Value], derived: [Value], fileIndex: Int, row: Int) {
        guard let s = stores[table] else { return }
        s.records.append(record)
        s.derived.append(derived)
        s.fileIndex.append(fileIndex)
        s.rows.append(row)
    }

    /// `files`: per table, its source files and sheets (so findings name them).
    func finish(files: [String: (files: [String], sheets: [String?])]) {
        runSeries(files: files)
        runKPIs(files: files)
        context.window = nil
        context.kpi = nil
    }

    private func set(_ s: Store, _ i: Int) {
        context.record = s.records[i]
        context.derived = s.derived[i]
    }

    private func finding(_ rule: Rule, _ s: Store, _ i: Int, files: [String: (files: [String], sheets: [String?])],
                         key: String, group: String, period: String) -> Finding {
        var f = Finding(ruleID: rule.id, title: rule.title, findingClass: rule.findingClass, severity: rule.severity,
                        table: rule.table, message: rule.message.render(context))
        let source = files[rule.table]
        let fi = s.fileIndex[i]
        f.file = source.map { fi < $0.files.count ? $0.files[fi] : "" } ?? ""
        f.sheet = source.flatMap { fi < $0.sheets.count ? $0.sheets[fi] : nil }
        f.row = s.rows[i]
        f.recordKey = key
        f.field = rule.field
        if let fieldIndex = s.dataset.index(of: rule.field) { f.value = s.records[i][fieldIndex].text }
        f.group = group
        f.period = period
        f.observed = rule.observed?.render(context) ?? ""
        f.expected = rule.expected?.render(context) ?? ""
        f.denominator = rule.denominator?.renderNumber(context) ?? ""
        return f
    }

    // MARK: - Series

    private func runSeries(files: [String: (files: [String], sheets: [String?])]) {
        var definitions: [SeriesDefinition] = []
        for r in seriesRules where !definitions.contains(where: { $0 === r.series! }) { definitions.append(r.series!) }
        for def in definitions {
            guard let s = stores[def.table] else { continue }
            let rules = seriesRules.filter { $0.series === def }
            let groupIndices = s.dataset.group.compactMap { s.dataset.index(of: $0) }
            // Rows into series by their `by` values; rows with no period, or a blank `by` value (an area or
            // measure not given, which could be any), cannot be placed (staging or a record rule reports them).
            var members: [[String]: [(index: Int, period: ReturnPeriod)]] = [:]
            var order: [[String]] = []
            for i in 0 ..< s.records.count {
                set(s, i)
                guard case .typed(.period(let p)) = def.period(context) else { continue }
                let values = def.by.map { $0(context) }
                guard !values.contains(where: \.isBlank) else { continue }
                let key = values.map(\.text)
                if members[key] == nil { order.append(key) }
                members[key, default: []].append((i, p))
            }
            for key in order.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                let points = members[key]!.sorted { ($0.period, $0.index) < ($1.period, $1.index) }
                let area = key.first ?? "", measure = key.dropFirst().joined(separator: " / ")
                // Earlier periods from the history come first in the window: context for prev() and
                // trailing_median(), never judged or plotted again.
                let earlier = earlierRecords(def, s, template: points[0].index, area: area, measure: measure, before: points[0].period)
                let window = SeriesWindow(records: earlier.records + points.map { s.records[$0.index] },
                                          derived: earlier.derived + points.map { s.derived[$0.index] })
                let offset = earlier.records.count
                context.window = window
                var plotted: [SeriesPoint] = []
                for (j, point) in points.enumerated() {
                    window.index = offset + j
                    set(s, point.index)
                    let numerator = def.numerator.flatMap { $0(context).numeric }
                    let denominator = def.denominator.flatMap { $0(context).numeric }
                    let stated = def.stated.flatMap { $0(context).numeric }
                    let rate = def.rate.flatMap { $0(context).numeric }
                    plotted.append(SeriesPoint(period: point.period.text, label: point.period.raw, numerator: numerator,
                                               denominator: denominator, stated: stated, rate: rate))
                }
                let seriesKey = key.joined(separator: " / ")
                for rule in rules {
                    for (j, point) in points.enumerated() {
                        window.index = offset + j
                        set(s, point.index)
                        if let filter = rule.filter, filter(context) != .yes { continue }
                        guard rule.condition!(context) == .yes else { continue }
                        plotted[j].flags.append(rule.id)
                        let group = groupIndices.isEmpty ? area : groupIndices.map { s.records[point.index][$0].text }.joined(separator: " / ")
                        var f = finding(rule, s, point.index, files: files, key: seriesKey + " / " + point.period.text,
                                        group: group, period: point.period.text)
                        if rule.denominator == nil, let d = def.denominator { f.denominator = d(context).plainNumberText }
                        findings.add(f)
                    }
                }
                series.append(IndicatorSeries(area: area, measure: measure, unit: def.unit, points: plotted))
            }
        }
    }

    /// The periods earlier runs recorded for a series before `first`, oldest first, as records of its table:
    /// the series' own fields (by, period, numerator, denominator) set from the stored point, every other field
    /// blank (the history keeps no stated value), derived fields computed as for a record of the return.
    private func earlierRecords(_ def: SeriesDefinition, _ s: Store, template: Int, area: String, measure: String,
                                before first: ReturnPeriod) -> (records: [[Value]], derived: [[Value]]) {
        guard let history = context.metricHistory, def.historyPeriods > 0, let periodField = def.periodField,
              let periodIndex = s.dataset.index(of: periodField) else { return ([], []) }
        let stored = history.earlierSeriesPoints(measure: measure, area: area, before: first.text, limit: def.historyPeriods)
        var records: [[Value]] = [], derived: [[Value]] = []
        let blank = [Value](repeating: .null, count: s.records[template].count)
        let byIndices = def.byFields.compactMap { $0.flatMap { s.dataset.index(of: $0) } }
        for point in stored.reversed() {
            // The store compares periods as text: keep only earlier periods of the series' own kind (months for a monthly return).
            guard let period = ReturnPeriod.parse(point.period), let steps = first.steps(since: period), steps > 0 else { continue }
            var record = blank
            for i in byIndices { record[i] = s.records[template][i] }
            record[periodIndex] = .typed(.period(period))
            func put(_ field: String?, _ number: Double?) {
                guard let field, let i = s.dataset.index(of: field), let number else { return }
                record[i] = .typed(.amount(Amount.stored(number)))
            }
            put(def.numeratorField, point.numerator)
            put(def.denominatorField, point.denominator)
            context.record = record
            context.derived.removeAll(keepingCapacity: true)
            for d in derivedExpressions[def.table] ?? [] { context.derived.append(d.evaluate(context)) }
            records.append(record)
            derived.append(context.derived)
        }
        return (records, derived)
    }

    // MARK: - KPIs

    private func runKPIs(files: [String: (files: [String], sheets: [String?])]) {
        var tables: [String] = []
        for r in kpiRules where !tables.contains(r.table) { tables.append(r.table) }
        for table in tables {
            guard let s = stores[table] else { continue }
            let rules = kpiRules.filter { $0.table == table }
            guard let catalogue = rules.first?.kpiCatalogue else { continue }
            let evaluator = KPIEvaluator(catalogue: catalogue)
            let ds = s.dataset
            func index(_ name: String) -> Int? { ds.index(of: name) }
            let indicator = index("Indicator")!, organisation = index("Organisation")!, period = index("Period")!
            let target = index("Target")!, actual = index("Actual")!
            let unit = index("Unit"), direction = index("Direction")
            let keyIndices = ds.key.compactMap { ds.index(of: $0) }
            let groupIndices = ds.group.compactMap { ds.index(of: $0) }
            for i in 0 ..< s.records.count {
                set(s, i)
                let v = s.records[i]
                let (result, catalogued) = evaluator.evaluate(
                    indicator: v[indicator].text, organisation: v[organisation].text, period: v[period], target: v[target],
                    actual: v[actual], unitColumn: unit.map { v[$0].text } ?? "", directionColumn: direction.map { v[$0].text } ?? "")
                kpis.append(result)
                context.kpi = result
                for rule in rules {
                    let selected = rule.verdicts.contains { $0 == KPIEvaluator.notInCatalogue ? !catalogued : $0 == result.rag.rawValue }
                    guard selected else { continue }
                    if let filter = rule.filter, filter(context) != .yes { continue }
                    var f = finding(rule, s, i, files: files, key: keyIndices.map { v[$0].text }.joined(separator: " / "),
                                    group: groupIndices.map { v[$0].text }.joined(separator: " / "), period: v[period].text)
                    if rule.observed == nil { f.observed = result.actual }
                    if rule.expected == nil { f.expected = KPIEvaluator.expected(result) }
                    if rule.field.isEmpty { f.field = "Actual"; f.value = result.actual }
                    findings.add(f)
                }
            }
        }
    }
}
