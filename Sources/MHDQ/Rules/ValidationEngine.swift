// Stage 3: runs the rule packs over staged records as they stream, then the group and aggregate rules.

/// A measured value for a group, kept for the report, summary.json and history.
public struct Metric: Sendable {
    public var ruleID: String
    public var title: String
    public var table: String
    public var measure: String
    /// Group values joined with " / " ("" for the whole table).
    public var group: String
    public var value: Double?
    public var numerator: Double
    public var denominator: Double
    public var status: String
    /// The rule's band, grouping and display, so a report can draw the thresholds a value was held to.
    public var warnBelow: Double? = nil
    public var failBelow: Double? = nil
    public var warnAbove: Double? = nil
    public var failAbove: Double? = nil
    /// The rule's warn_when / fail_when as written, when it judges groups by conditions (ETH030: a fall
    /// against the group's own recent runs) rather than, or as well as, a band.
    public var warnWhen: String? = nil
    public var failWhen: String? = nil
    public var percent = false
    public var minDenominator = 1
    /// The rule's `by` expressions, one per part of `group`.
    public var dimensions: [String] = []

    /// The name of a group part whose value is blank: "(no CareProfTeamLocalID)".
    public static func missingPart(_ expression: String) -> String { "(no \(expression))" }
    /// Whether a part of `group` names a blank value (a referral with no date is in no month).
    public static func isMissingPart(_ part: String) -> Bool { part.hasPrefix("(no ") && part.hasSuffix(")") }
}

/// What the engine knows of each table once the run ends.
public struct TableOutcome: Sendable {
    public var table: String
    public var records: Int
    public var rejectedByRecordRules: Int
    public var rejectedByGroupRules: Int
    /// Per record: true when it is rejected (record or group level) and so left out of the MHSDS files.
    public var rejected: [Bool]
    public var rejectedCount: Int { rejected.filter { $0 }.count }
}

public struct NotRunRule: Sendable {
    public var ruleID: String
    public var table: String
    public var needs: [String]
}

public final class ValidationEngine: StagedRecordConsumer {
    public let packs: [RulePack]
    let catalogue: Catalogue
    let findings: FindingSink
    /// The sink reads only counts (`FindingSink.readsFindings`): record findings are counted per rule and
    /// handed on when their table ends, group findings one by one, and none is built.
    private let countsOnly: Bool
    let context: EvalContext
    let periodText: String
    public private(set) var notRun: [NotRunRule] = []
    public private(set) var metrics: [Metric] = []
    /// Indicator series (ordered, flagged periods marked) and KPI verdicts, once `finish` has run.
    public var series: [IndicatorSeries] { returnRules.series }
    public var kpis: [KPIResult] { returnRules.kpis }
    private let returnRules: ReturnRuleRunner

    /// Rules that run, by table.
    private var recordRules: [String: [Rule]] = [:]
    private var groupRules: [Rule] = []
    private var aggregateRules: [String: [Rule]] = [:]
    private var derived: [String: [CompiledExpression]] = [:]
    /// The current record's values of its table's group-by expressions (aggregate rules).
    private var groupValues: [Value] = []
    /// The current record's inputs to each of its table's aggregate evaluations.
    private var aggregateInputs: [AggregateInputs] = []
    /// Key signatures each table must remember: table → [fields or derived fields].
    private var keySignatures: [String: [[KeyPart]]] = [:]
    /// A key's values gathered from the record and its derived fields (reused: a key that reads a derived field).
    private var keyValues: [Value] = []
    /// The tables lookups read, with the fields each is asked for (the context's lookups, in order).
    private var lookupTables: [(table: String, keyField: String, fields: [String])] = []
    /// Fields group-rule messages show, stored per record (blanks kept): table → [fields].
    private var displaySignatures: [String: [[String]]] = [:]

    private var states: [String: TableState] = [:]
    private var programs: [String: TableProgram] = [:]
    private var current: TableState?
    private var currentTable: Dataset?
    private var fileOffset = 0

    final class TableState {
        let dataset: Dataset
        var count = 0
        /// Each record's row in its file; the file is found from `fileRuns` (records of a file arrive together),
        /// so a record costs 4 bytes here, not 8.
        var rows = ChunkedArray<UInt32>()
        /// (first record, file index) each time the file changes, in record order.
        var fileRuns: [(start: Int, file: Int)] = []

        /// The file index of record `index`.
        func fileIndex(of index: Int) -> Int {
            var lo = 0, hi = fileRuns.count - 1
            guard hi >= 0 else { return 0 }
            while lo < hi {
                let mid = (lo + hi + 1) / 2
                if fileRuns[mid].start <= index { lo = mid } else { hi = mid - 1 }
            }
            return fileRuns[lo].file
        }
        var files: [String] = []
        var sheets: [String?] = []
        var flags = ChunkedArray<UInt8>()
        var program: TableProgram?
        /// Aligned with the program's key and display signatures, filtered group rules and aggregates.
        var keyColumns: [KeyColumn] = []
        var displayColumns: [KeyColumn] = []
        var passColumns: [ChunkedArray<Bool>] = []
        var tallies: [GroupTally] = []
        var groupParts = GroupParts()

        func keys(_ signature: [KeyPart]) -> KeyColumn? {
            program?.keySignatures.firstIndex(of: signature).flatMap { $0 < keyColumns.count ? keyColumns[$0] : nil }
        }
        func displays(_ signature: [String]) -> KeyColumn? {
            program?.displaySignatures.firstIndex(of: signature).flatMap { $0 < displayColumns.count ? displayColumns[$0] : nil }
        }
        func passes(_ rule: Rule) -> ChunkedArray<Bool>? {
            program?.filteredGroupRules.firstIndex { $0 === rule }.flatMap { $0 < passColumns.count ? passColumns[$0] : nil }
        }
        func aggregates(_ rule: Rule) -> [String: Accumulator] {
            guard let program, let k = program.aggregates.firstIndex(where: { $0 === rule }) else { return [:] }
            let t = program.tallyOf[k]
            return t < tallies.count ? tallies[t].byGroup : [:]
        }
        let groupIndices: [Int]
        let identifierIndices: [Int]
        let keyIndices: [Int]

        init(dataset: Dataset) {
            self.dataset = dataset
            groupIndices = dataset.group.compactMap { dataset.index(of: $0) }
            identifierIndices = dataset.identifierIndices
            keyIndices = dataset.key.compactMap { dataset.index(of: $0) }
        }
    }

    /// The current record's values of its table's group-by expressions (made once for all the aggregate
    /// rules), each interned by its text to a number per expression: a rule then finds its group from
    /// numbers, with no group name built or hashed per record.
    struct GroupParts {
        /// Each expression's text ("CareProfTeamLocalID", "month(ReferralRequestReceivedDate)"), to name a blank part
        /// (nil for a part the same for every record, such as the header's provider: blank, it names nothing).
        var names: [String?] = []
        var values: [Value] = []
        var ids: [UInt32] = []
        private var known: [ByteKeyedTable<Bool>] = []
        private var started = false

        /// Sets the record's values (one per expression, the same expressions for every record) and their numbers.
        mutating func update(_ new: [Value]) {
            let first = !started
            if first {
                started = true
                known = Array(repeating: ByteKeyedTable(), count: new.count)
                values = new
                ids = Array(repeating: 0, count: new.count)
            }
            for (p, v) in new.enumerated() {
                // Records come in runs of one group (a team's, a month's): the last value's number is kept.
                if !first && v == values[p] { continue }
                values[p] = v
                var text: String
                if case .text(let s) = v { text = s } else { text = v.text }
                ids[p] = text.withUTF8 { bytes in
                    let hash = ByteKeyedTable<Bool>.hash(bytes)
                    if let id = known[p].find(bytes, hash: hash) { return UInt32(truncatingIfNeeded: id) }
                    return UInt32(truncatingIfNeeded: known[p].insert(bytes, hash: hash, true))
                }
            }
        }
    }

    /// An aggregate rule's accumulators by group. A group is found by the numbers of its parts; its name
    /// (the parts' text joined with " / ") is made once, when the group is first seen.
    struct GroupTally {
        var slots: [String: Int] = [:]
        var accumulators: [Accumulator] = []
        /// Groups of one or two parts by their numbers packed in 64 bits; of three or more, by the numbers.
        private var byNumber = SlotMap64()
        private var byNumbers: [[UInt32]: Int] = [:]
        private var lastKey: UInt64 = 0
        private var last = -1

        var byGroup: [String: Accumulator] { slots.mapValues { accumulators[$0] } }

        /// Each (group, distinct value) counted so far, by a hash of both (rules with `distinct` only).
        private var counted = HashSet64()

        /// Lets go of what only counting needed, once the table's records are all in (the distinct values seen:
        /// a hash for each patient in each group, 100 MB on a 3M-referral extract).
        mutating func recordsEnded() { counted = HashSet64() }

        /// `parts`: which of the record's group values this rule groups by (none: one group for the whole
        /// table, named ""). `distinct`: the hash of the record's `distinct` value, which its group counts once
        /// (nil: the record counts whatever it is).
        mutating func add(group parts: [Int], of record: GroupParts, distinct: UInt64? = nil, numerator: Bool, value: Double?,
                          isDefault: Bool) {
            if parts.count <= 2 {
                var key: UInt64 = 0
                for part in parts { key = key << 32 | UInt64(record.ids[part]) }
                if key != lastKey || last < 0 {
                    lastKey = key
                    if let found = byNumber[key] {
                        last = found
                    } else {
                        last = slot(named: parts, of: record)
                        byNumber[key] = last
                    }
                }
            } else {
                let key = parts.map { record.ids[$0] }
                if let found = byNumbers[key] {
                    last = found
                } else {
                    last = slot(named: parts, of: record)
                    byNumbers[key] = last
                }
            }
            if let distinct {
                // The group's number mixed into the value's hash: one set for all the rule's groups.
                let key = distinct ^ (UInt64(last) &+ 1) &* 0x9E37_79B9_7F4A_7C15
                guard counted.insert(key) else { return }
            }
            accumulators[last].add(numerator: numerator, value: value, isDefault: isDefault)
        }

        private mutating func slot(named parts: [Int], of record: GroupParts) -> Int {
            // A blank part is named for what is missing: "(no CareProfTeamLocalID)", never "" (which would read as
            // the whole table's figure).
            let name = parts.map { p in
                if record.values[p].isBlank, p < record.names.count, let missing = record.names[p] { return Metric.missingPart(missing) }
                return record.values[p].text
            }.joined(separator: " / ")
            if let found = slots[name] { return found }
            slots[name] = accumulators.count
            accumulators.append(Accumulator())
            return accumulators.count - 1
        }
    }

    struct Accumulator {
        var records = 0.0
        var numerator = 0.0
        var sum = 0.0
        var defaults = 0.0

        mutating func add(numerator n: Bool, value: Double?, isDefault: Bool) {
            records += 1
            if n { numerator += 1 }
            if let value { sum += value; numerator += 1 }
            if isDefault { defaults += 1 }
        }
    }

    static let recordRejected: UInt8 = 1
    static let groupRejected: UInt8 = 2

    /// `tables`: the tables this run stages (rules whose needs are missing are listed in `notRun`).
    /// `metricHistory`: earlier runs' metrics (a run with a history database); rules using the history
    /// functions need it and are listed in `notRun` without it.
    public init(packs: [RulePack], catalogue: Catalogue, tables: [String], period: ReportingPeriod?,
                header: [Value]?, reference: ReferenceData, findings: FindingSink, metricHistory: MetricHistory? = nil) {
        self.packs = packs
        self.catalogue = catalogue
        self.findings = findings
        self.countsOnly = !findings.readsFindings
        self.context = EvalContext(reference: reference)
        self.returnRules = ReturnRuleRunner(context: context, findings: findings)
        self.periodText = period?.description ?? ""
        context.periodStart = period?.start.days
        context.periodEnd = period?.end.days
        context.header = header ?? []
        let present = Set(tables)
        var available = reference.available
        if period != nil { available.insert("period") }
        if metricHistory != nil { available.insert("history") }
        context.metricHistory = metricHistory
        for t in tables { available.insert("table:" + t) }
        let order = catalogue.tableNames

        for pack in packs {
            for rule in pack.rules where present.contains(rule.table) {
                var missing = rule.needs.subtracting(available)
                // A lookup must read a table staged before the rule's own.
                for need in rule.needs where need.hasPrefix("table:") && rule.kind != .orphan {
                    let t = String(need.dropFirst(6))
                    if let a = order.firstIndex(of: t), let b = order.firstIndex(of: rule.table), a >= b { missing.insert(need) }
                }
                if !missing.isEmpty {
                    notRun.append(NotRunRule(ruleID: rule.id, table: rule.table, needs: missing.sorted()))
                    continue
                }
                switch rule.kind {
                case .record: recordRules[rule.table, default: []].append(rule)
                case .aggregate: aggregateRules[rule.table, default: []].append(rule)
                case .series, .kpi: returnRules.add(rule, dataset: catalogue.dataset(rule.table)!)
                case .duplicate, .orphan:
                    groupRules.append(rule)
                    keySignatures[rule.table, default: []].append(rule.keyParts)
                    if !rule.messageFields.isEmpty && rule.messageFields != rule.key { displaySignatures[rule.table, default: []].append(rule.messageFields) }
                    if let ref = rule.references { keySignatures[ref, default: []].append(rule.referencesKey.map(KeyPart.field)) }
                }
            }
            // Each derived field at its slot: packs loaded together number their fields apart, and a slot
            // whose pack is not run here stays null (nothing that runs reads it).
            for (table, list) in pack.derived {
                for field in list {
                    var slots = derived[table, default: []]
                    while slots.count <= field.slot { slots.append(CompiledExpression(evaluate: { _ in .null })) }
                    slots[field.slot] = field.expr
                    derived[table] = slots
                }
            }
        }
        returnRules.derivedExpressions = derived
        // Every pack shares one registry when loaded together, so ids line up: one table for each looked into.
        lookupTables = packs.first?.lookups.tables ?? []
        context.lookups = lookupTables.map { LookupTable(columns: $0.fields.count) }
    }

    public func begin(table: Dataset, source: SourceSpec) {
        if currentTable?.table != table.table {
            currentTable = table
            let state = states[table.table] ?? TableState(dataset: table)
            states[table.table] = state
            current = state
        }
    }

    /// Everything the engine does with one table's records, resolved once per table.
    final class TableProgram {
        var recordRules: [Rule] = []
        var derived: [CompiledExpression] = []
        var keySignatures: [[KeyPart]] = []
        /// Per key signature, where its values are: field positions in the record, or, when it reads a derived
        /// field, positions in the values gathered by `keyGathers`.
        var keyIndices: [[Int]] = []
        /// Per key signature that reads a derived field, each part: a field position (record) or a derived slot.
        var keyGathers: [[(derived: Bool, index: Int)]?] = []
        var displaySignatures: [[String]] = []
        var displayIndices: [[Int]] = []
        var filteredGroupRules: [Rule] = []
        var lookups: [(id: Int, key: Int, fields: [Int])] = []
        var aggregates: [Rule] = []
        /// One rule for each different thing the aggregate rules evaluate per record (`Rule.recordEvaluation`),
        /// and, per aggregate rule, which of them is its own: three team and month shares of one numerator
        /// evaluate it once.
        var evaluations: [Rule] = []
        var evaluationOf: [Int] = []
        /// Per aggregate rule, the first rule with the same evaluation and the same groups, whose tally it
        /// shares (ETH020 and ETH030 count the same patients by team: one set of them, not two).
        var tallyOf: [Int] = []
        /// The distinct expressions the aggregate rules group by, and each rule's parts among them.
        var groupParts: [CompiledExpression] = []
        /// Each part's expression, to name a group whose value is blank; nil for a part the same for every record.
        var groupPartNames: [String?] = []
        var aggregateParts: [[Int]] = []
        /// The record rules as one chain of closures, each holding the next: running them retains nothing
        /// per rule (walking an array of rules retained each rule and its closures). A run of consecutive
        /// field checks ("F is blank", "F is not blank and not format_ok(F)") is one link, a loop over plain
        /// data. Reports hits by index, in rule order.
        var checkRecord: (EvalContext, (Int) -> Void) -> Void = { _, _ in }
        /// Per record rule, its findings not yet handed on (when the sink reads only counts).
        var hits: [Int] = []
        var isHeader = false
        /// Series and KPI rules read the table's records once all are in.
        var keepsRecords = false
        var hasWork: Bool {
            !recordRules.isEmpty || !derived.isEmpty || !keySignatures.isEmpty || !displaySignatures.isEmpty
                || !lookups.isEmpty || !aggregates.isEmpty || isHeader || keepsRecords
        }
    }

    private func program(for table: Dataset) -> TableProgram {
        if let p = programs[table.table] { return p }
        let p = TableProgram()
        p.recordRules = recordRules[table.table] ?? []
        // Each run of consecutive rules that are field checks is one link of the chain: a loop over them.
        var k = p.recordRules.count - 1
        while k >= 0 {
            var first = k + 1
            while first > 0, p.recordRules[first - 1].filter == nil, p.recordRules[first - 1].fieldCheck != nil { first -= 1 }
            if first <= k {
                let checks = p.recordRules[first ... k].map { $0.fieldCheck! }
                let next = p.checkRecord, first = first
                p.checkRecord = { ctx, hit in
                    let fields = ctx.fields
                    checks.withUnsafeBufferPointer { checks in
                        for c in checks.indices where checks[c].fails(fields) { hit(first + c) }
                    }
                    next(ctx, hit)
                }
                k = first - 1
                continue
            }
            let index = k, rule = p.recordRules[k]
            let next = p.checkRecord
            let condition = rule.condition!
            if let filter = rule.filter {
                p.checkRecord = { ctx, hit in
                    if filter(ctx) == .yes, condition(ctx) == .yes { hit(index) }
                    next(ctx, hit)
                }
            } else {
                p.checkRecord = { ctx, hit in
                    if condition(ctx) == .yes { hit(index) }
                    next(ctx, hit)
                }
            }
            k -= 1
        }
        p.hits = Array(repeating: 0, count: p.recordRules.count)
        p.derived = derived[table.table] ?? []
        var seenKeys = Set<[KeyPart]>()
        for sig in keySignatures[table.table] ?? [] where seenKeys.insert(sig).inserted {
            p.keySignatures.append(sig)
            let parts = sig.map { part -> (derived: Bool, index: Int) in
                switch part {
                case .field(let name): return (false, table.index(of: name)!)
                case .derived(_, let slot): return (true, slot)
                }
            }
            let readsDerived = parts.contains { $0.derived }
            p.keyIndices.append(readsDerived ? Array(parts.indices) : parts.map(\.index))
            p.keyGathers.append(readsDerived ? parts : nil)
        }
        var seen = Set<[String]>()
        for sig in displaySignatures[table.table] ?? [] where seen.insert(sig).inserted {
            p.displaySignatures.append(sig)
            p.displayIndices.append(sig.map { table.index(of: $0)! })
        }
        p.filteredGroupRules = groupRules.filter { $0.table == table.table && $0.filter != nil }
        for (i, looked) in lookupTables.enumerated() where looked.table == table.table {
            p.lookups.append((i, table.index(of: looked.keyField)!, looked.fields.map { table.index(of: $0)! }))
        }
        p.aggregates = aggregateRules[table.table] ?? []
        for rule in p.aggregates {
            if let e = p.evaluations.firstIndex(where: { $0.recordEvaluation == rule.recordEvaluation }) {
                p.evaluationOf.append(e)
            } else {
                p.evaluationOf.append(p.evaluations.count)
                p.evaluations.append(rule)
            }
        }
        var partNames: [String] = []
        for rule in p.aggregates {
            p.aggregateParts.append(rule.groupByNames.indices.map { k in
                let name = rule.groupByNames[k]
                if let i = partNames.firstIndex(of: name) { return i }
                partNames.append(name)
                p.groupParts.append(rule.groupBy[k])
                p.groupPartNames.append(k < rule.groupByConstant.count && rule.groupByConstant[k] ? nil : name)
                return partNames.count - 1
            })
        }
        for k in p.aggregates.indices {
            p.tallyOf.append(p.aggregates.indices.first {
                p.evaluationOf[$0] == p.evaluationOf[k] && p.aggregateParts[$0] == p.aggregateParts[k]
            }!)
        }
        p.isHeader = table.table == "MHS000Header"
        p.keepsRecords = returnRules.keepsRecords(of: table.table)
        programs[table.table] = p
        return p
    }

    public func consume(_ record: StagedRecord, table: Dataset) {
        guard let state = current else { return }
        let index = state.count
        state.count += 1
        // Record rules report as rows stream, before `end` brings the table's file list: learn files as they come.
        while state.files.count <= record.fileIndex {
            state.files.append(record.file)
            state.sheets.append(record.sheet)
        }
        if state.fileRuns.last?.file != record.fileIndex { state.fileRuns.append((index, record.fileIndex)) }
        state.rows.append(UInt32(truncatingIfNeeded: record.row))
        state.flags.append(0)
        if state.program == nil {
            let p = self.program(for: table)
            state.program = p
            state.keyColumns = Array(repeating: KeyColumn(), count: p.keySignatures.count)
            state.displayColumns = Array(repeating: KeyColumn(), count: p.displaySignatures.count)
            state.passColumns = Array(repeating: ChunkedArray(), count: p.filteredGroupRules.count)
            state.tallies = Array(repeating: GroupTally(), count: p.aggregates.count)
            state.groupParts.names = p.groupPartNames
        }
        let program = state.program!
        guard program.hasWork else { return }

        // The record and its derived fields. The context shares the staged array only while this record is
        // checked (one retain, no copy of any value), and lets go of it at the end, so the stager finds it
        // unshared and writes the next record in place.
        context.record = record.values
        defer { context.record = [] }
        // Written in place, in order (a derived field reads only those before it).
        if context.derived.count != program.derived.count { context.derived = Array(repeating: .null, count: program.derived.count) }
        for k in program.derived.indices { context.derived[k] = program.derived[k].evaluate(context) }
        if program.isHeader && index == 0 { context.header = context.record }

        program.checkRecord(context) { k in
            let rule = program.recordRules[k]
            if rule.severity.rejectsRecord { state.flags[index] |= ValidationEngine.recordRejected }
            if countsOnly { program.hits[k] += 1; return }
            var identifiers: [String] = []
            let message = rule.message.render(context, identifiers: &identifiers)
            findings.add(makeFinding(rule, state: state, index: index, message: message, identifiers: identifiers))
        }
        for k in 0 ..< program.keySignatures.count {
            if let gather = program.keyGathers[k] {
                keyValues.removeAll(keepingCapacity: true)
                for part in gather {
                    keyValues.append(part.derived ? (part.index < context.derived.count ? context.derived[part.index] : .null) : record.values[part.index])
                }
                state.keyColumns[k].append(fields: program.keyIndices[k], of: keyValues)
            } else {
                state.keyColumns[k].append(fields: program.keyIndices[k], of: record.values)
            }
        }
        for k in 0 ..< program.displaySignatures.count {
            state.displayColumns[k].append(fields: program.displayIndices[k], of: record.values, allowBlanks: true)
        }
        for (k, rule) in program.filteredGroupRules.enumerated() {
            var pass = false
            if rule.filter!(context) == .yes { pass = true }
            state.passColumns[k].append(pass)
        }
        for l in program.lookups {
            let key = record.values[l.key]
            if !key.isNull { context.lookups[l.id].insertIfAbsent(key.text, from: record.values, fields: l.fields) }
        }
        if !program.aggregates.isEmpty {
            // Each expression the table's aggregate rules group by, once for them all.
            if groupValues.count != program.groupParts.count { groupValues = Array(repeating: .null, count: program.groupParts.count) }
            for k in program.groupParts.indices { groupValues[k] = program.groupParts[k].evaluate(context) }
            state.groupParts.update(groupValues)
            let parts = state.groupParts
            if aggregateInputs.count != program.evaluations.count {
                aggregateInputs = Array(repeating: AggregateInputs(), count: program.evaluations.count)
            }
            for e in program.evaluations.indices { aggregateInputs[e] = evaluate(program.evaluations[e]) }
            for k in program.aggregates.indices where program.tallyOf[k] == k {
                let input = aggregateInputs[program.evaluationOf[k]]
                guard input.counts else { continue }
                // One access to the tally for the whole update (each access to an element of a class's array
                // checks exclusivity and uniqueness).
                state.tallies[k].add(group: program.aggregateParts[k], of: parts, distinct: input.distinct,
                                     numerator: input.numerator, value: input.value, isDefault: input.isDefault)
            }
        }
        if program.keepsRecords {
            returnRules.collect(table: table.table, record: context.record, derived: context.derived,
                                fileIndex: record.fileIndex, row: record.row)
        }
    }

    public func end(table: Dataset, stats: StagingStats) {
        guard let state = states[table.table] else { return }
        state.files = stats.files
        state.sheets = stats.sheets
        for k in state.tallies.indices { state.tallies[k].recordsEnded() }
        if let program = state.program {
            for (k, n) in program.hits.enumerated() where n > 0 {
                let rule = program.recordRules[k]
                findings.count(n, ruleID: rule.id, title: rule.title, severity: rule.severity, table: rule.table)
                program.hits[k] = 0
            }
        }

    }

    /// Current record context is reused; the group key text of a record for findings.
    /// `identifiers`: identifier texts the message shows; a record finding adds its record's identifier fields.
    func makeFinding(_ rule: Rule, state: TableState, index: Int, message: String, key: String? = nil,
                     identifiers: [String] = []) -> Finding {
        var f = Finding(ruleID: rule.id, title: rule.title, findingClass: rule.findingClass, severity: rule.severity,
                        table: rule.table, message: message)
        let fileIndex = state.fileIndex(of: index)
        f.file = fileIndex < state.files.count ? state.files[fileIndex] : ""
        f.sheet = fileIndex < state.sheets.count ? state.sheets[fileIndex] : nil
        f.row = Int(state.rows[index])
        f.field = rule.field
        f.period = periodText
        f.identifiers = identifiers
        if let key {
            f.recordKey = key
        } else {
            // Field positions were found once (per table, per rule), not by name for every finding.
            let record = context.fields
            for i in state.identifierIndices where !record[i].isNull { f.identifiers.append(record[i].text) }
            f.recordKey = state.keyIndices.count == 1 ? record[state.keyIndices[0]].text
                : state.keyIndices.map { record[$0].text }.joined(separator: "+")
            if let i = rule.fieldIndex { f.value = record[i].text }
            f.group = state.groupIndices.count == 1 ? record[state.groupIndices[0]].text
                : state.groupIndices.map { record[$0].text }.joined(separator: " / ")
        }
        return f
    }

    // MARK: - Aggregates

    /// What an aggregate rule takes from the current record.
    struct AggregateInputs {
        /// Whether its `where` keeps the record.
        var counts = false
        /// The hash of its `distinct` value, which a group counts once (nil: the record counts whatever it is).
        var distinct: UInt64?
        var numerator = false
        var value: Double?
        var isDefault = false
    }

    func evaluate(_ rule: Rule) -> AggregateInputs {
        var input = AggregateInputs()
        if let filter = rule.filter, filter(context) != .yes { return input }
        input.counts = true
        // A blank distinct value cannot be told from another: such a record counts on its own.
        if let d = rule.distinct, case let v = d(context), !v.isBlank {
            var text = v.text
            input.distinct = text.withUTF8 { KeyColumn.hash($0) }
        }
        input.numerator = rule.numerator?(context) == .yes
        if let v = rule.valueExpr, case .number(let d) = v(context) { input.value = d }
        input.isDefault = rule.defaults?(context) == .yes
        return input
    }

    func finishAggregates() {
        for (table, rules) in aggregateRules.sorted(by: { $0.key < $1.key }) {
            guard let state = states[table] else { continue }
            for rule in rules {
                for (group, acc) in state.aggregates(rule).sorted(by: { $0.key < $1.key }) {
                    let value: Double?
                    switch rule.measure! {
                    case .share: value = acc.records > 0 ? acc.numerator / acc.records : nil
                    case .count: value = acc.numerator
                    case .mean: value = acc.numerator > 0 ? acc.sum / acc.numerator : nil
                    case .dqmi:
                        let excess = max(0, acc.defaults - rule.defaultAllowance * acc.records)
                        value = acc.records > 0 ? (acc.numerator - excess) / acc.records : nil
                    }
                    // What the measure is over: the values averaged for a mean, the records otherwise. Too few
                    // of them and the group is not judged.
                    let denominator = rule.measure == .mean ? acc.numerator : acc.records
                    var status = "pass"
                    var severity: Severity?
                    if Int(denominator) < rule.minDenominator {
                        status = "too few records"
                    } else if let v = value {
                        // As the rule language compares numbers: a share of 0.95 computed with binary noise is 0.95.
                        func below(_ limit: Double?) -> Bool { limit.map { ExpressionCompiler.compareNumbers(v, $0) < 0 } ?? false }
                        func above(_ limit: Double?) -> Bool { limit.map { ExpressionCompiler.compareNumbers(v, $0) > 0 } ?? false }
                        if below(rule.failBelow) || above(rule.failAbove) { severity = .fail }
                        else if below(rule.warnBelow) || above(rule.warnAbove) { severity = .warning }
                        if let s = severity { status = s == .fail ? "fail" : "warn" }
                    }
                    if Int(denominator) >= rule.minDenominator, let s = judgeByConditions(rule, group: group, value: value, accumulator: acc) {
                        severity = min(severity ?? s, s)
                        status = severity == .fail ? "fail" : "warn"
                    }
                    var metric = Metric(ruleID: rule.id, title: rule.title, table: table, measure: rule.measure!.rawValue,
                                        group: group, value: value, numerator: rule.measure == .mean ? acc.sum : acc.numerator,
                                        denominator: denominator, status: status)
                    metric.warnBelow = rule.warnBelow
                    metric.failBelow = rule.failBelow
                    metric.warnAbove = rule.warnAbove
                    metric.failAbove = rule.failAbove
                    metric.warnWhen = rule.warnWhenText
                    metric.failWhen = rule.failWhenText
                    metric.percent = rule.percent
                    metric.minDenominator = rule.minDenominator
                    metric.dimensions = rule.groupByNames
                    metrics.append(metric)
                    guard let severity, let v = value else { continue }
                    var f = Finding(ruleID: rule.id, title: rule.title, findingClass: rule.findingClass, severity: severity,
                                    table: table, message: "")
                    f.group = group
                    f.period = periodText
                    f.observed = rule.percent ? percent(v) : Value.format((v * 100).rounded() / 100)
                    f.expected = band(rule)
                    f.denominator = Value.format(denominator)
                    f.recordKey = group
                    let scope = group.isEmpty ? table : group
                    f.message = "\(rule.title): \(f.observed) for \(scope) (\(Value.format(acc.numerator)) of \(f.denominator)); expected \(f.expected)"
                    if rule.hasConditions { f.message = rule.message.render(context) }
                    findings.add(f)
                }
            }
        }
    }

    func percent(_ v: Double) -> String {
        let p = (v * 1000).rounded() / 10
        return Value.format(p) + "%"
    }

    func band(_ rule: Rule) -> String {
        func show(_ v: Double) -> String { rule.percent ? percent(v) : Value.format(v) }
        var parts: [String] = []
        if let w = rule.warnBelow { parts.append("≥ \(show(w)) (warn below)") }
        if let f = rule.failBelow { parts.append("≥ \(show(f)) (fail below)") }
        if let w = rule.warnAbove { parts.append("≤ \(show(w)) (warn above)") }
        if let f = rule.failAbove { parts.append("≤ \(show(f)) (fail above)") }
        if let w = rule.warnWhenText { parts.append("warn if \(w)") }
        if let f = rule.failWhenText { parts.append("fail if \(f)") }
        return parts.joined(separator: ", ")
    }

    // MARK: - Group rules

    /// Runs duplicate and orphan rules, cascading group rejections the way the portal does:
    /// a rejected parent leaves its children with no valid parent, until nothing changes.
    func finishGroups() {
        for rule in groupRules where rule.kind == .duplicate {
            guard let state = states[rule.table], let column = state.keys(rule.keyParts) else { continue }
            let passes = state.passes(rule)
            let groups: [Int: [Int]]
            if rule.key.isEmpty {
                // A key of no fields (MHS00025: one header a file): every record the rule keeps has the same one.
                let members = (0 ..< state.count).filter { passes?[$0] ?? true }
                groups = members.count > 1 ? [members[0]: members] : [:]
            } else {
                groups = ValidationEngine.sameKeyGroups(column, passes: passes)
            }
            let shape = GroupFindingShape(rule, state: state)
            for (_, members) in groups.sorted(by: { $0.key < $1.key }) {
                for i in members {
                    if rule.severity.rejectsRecord { state.flags[i] |= ValidationEngine.groupRejected }
                    emitGroupFinding(rule, state: state, column: column, index: i, shape: shape)
                }
            }
        }
        // Orphans, to a fixed point: a record rejected for having no valid parent can leave its own children
        // without one (the portal's cascade). Each table logs the records the pass rejects; a parent key set
        // takes them in, and a rule checked before looks again only for children of the keys that so lost
        // their last valid record (a small set), not at every key against the whole parent table.
        let orphanRules = groupRules.filter { $0.kind == .orphan }
        var flagged: [String: BitSet] = [:]           // rule id → its orphans
        var rejections: [String: [Int]] = [:]         // table → records this pass rejected, in order
        var parentKeys: [String: ParentKeys] = [:]    // parent table and key → its valid keys
        var lastRun: [String: Int] = [:]              // rule id → its parent's rejections when it last ran
        var checked: [String: Int] = [:]              // rule id → how many of its parent keys' invalidated it saw
        var changed = true
        var rounds = 0
        while changed && rounds < 16 {
            changed = false
            rounds += 1
            for rule in orphanRules {
                guard let state = states[rule.table], let column = state.keys(rule.keyParts),
                      let parent = states[rule.references!], let parentColumn = parent.keys(rule.referencesKey.map(KeyPart.field)) else { continue }
                let parentLog = rejections[parent.dataset.table] ?? []
                if lastRun[rule.id] == parentLog.count { continue }
                lastRun[rule.id] = parentLog.count
                let signature = ([parent.dataset.table] + rule.referencesKey).joined(separator: "\u{1F}")
                let keys: ParentKeys
                if let known = parentKeys[signature] {
                    keys = known
                } else {
                    keys = ParentKeys()
                    let flags = parent.flags   // read once, not through the class for every key
                    parentColumn.forEachHashBatch(where: { flags[$0] == 0 }) { _, hashes in
                        for h in hashes { keys.add(h) }
                    }
                    keys.applied = parentLog.count
                    parentKeys[signature] = keys
                }
                while keys.applied < parentLog.count {
                    parentColumn.withKey(parentLog[keys.applied]) { key in
                        if !key.isEmpty { keys.reject(KeyColumn.hash(key)) }
                    }
                    keys.applied += 1
                }
                // The first time, every child against the valid keys; after, only children of keys newly invalid.
                var newlyInvalid: HashSet64?
                if let seen = checked[rule.id] {
                    guard seen < keys.invalidated.count else { continue }
                    var set = HashSet64()
                    for h in keys.invalidated[seen...] { set.insert(h) }
                    newlyInvalid = set
                }
                checked[rule.id] = keys.invalidated.count
                var orphans = flagged[rule.id] ?? BitSet(count: state.count)
                flagged[rule.id] = nil
                defer { flagged[rule.id] = orphans }
                let passes = state.passes(rule)   // the rule's `where`: only the records it keeps are checked
                column.forEachHashBatch(where: { passes?[$0] ?? true }) { indices, hashes in
                    for k in hashes.indices {
                        if let newlyInvalid { guard newlyInvalid.contains(hashes[k]) else { continue } }
                        else { guard !keys.contains(hashes[k]) else { continue } }
                        let i = indices[k]
                        guard orphans.insert(i) else { continue }
                        guard rule.severity.rejectsRecord && state.flags[i] & ValidationEngine.groupRejected == 0 else { continue }
                        // Only a record that was valid changes what its own children find.
                        if state.flags[i] == 0 {
                            rejections[rule.table, default: []].append(i)
                            changed = true
                        }
                        state.flags[i] |= ValidationEngine.groupRejected
                    }
                }
            }
        }
        for rule in orphanRules {
            guard let state = states[rule.table], let column = state.keys(rule.keyParts) else { continue }
            let shape = GroupFindingShape(rule, state: state)
            flagged[rule.id]?.forEach { i in emitGroupFinding(rule, state: state, column: column, index: i, shape: shape) }
        }
    }

    /// Records with equal non-blank keys, among those `passes` keeps: first index → every index with that key.
    static func sameKeyGroups(_ column: KeyColumn, passes: ChunkedArray<Bool>?) -> [Int: [Int]] {
        // Records with equal keys, found by hash and confirmed byte for byte, in an open-addressing
        // index of first occurrences: 5 bytes a slot at most two thirds full, about half what a
        // [UInt64: Int32] dictionary took, and no second pass for 64-bit hash collisions.
        var eligible = 0
        column.forEachKey { i, key in if !key.isEmpty && (passes?[i] ?? true) { eligible += 1 } }
        var capacity = 16
        while capacity * 2 < eligible * 3 { capacity *= 2 }
        let mask = capacity - 1
        var slots: [UInt32] = LargeArray.zeroed(capacity)   // first index + 1; 0 is empty
        var tags: [UInt8] = LargeArray.zeroed(capacity)
        var groups: [Int: [Int]] = [:]   // first index → every index with that key (duplicates only)
        column.forEachHashBatch(where: { passes?[$0] ?? true }) { indices, hashes in
            for k in hashes.indices {
                let i = indices[k], h = hashes[k]
                let tag = UInt8(truncatingIfNeeded: h >> 56)
                var s = Int(truncatingIfNeeded: h ^ (h >> 29)) & mask
                while true {
                    let f = Int(slots[s]) - 1
                    if f < 0 {
                        slots[s] = UInt32(i + 1)
                        tags[s] = tag
                        break
                    }
                    if tags[s] == tag && column.withKey(i, { column.equals(f, $0) }) {
                        groups[f, default: [f]].append(i)
                        break
                    }
                    s = (s + 1) & mask
                }
            }
        }
        return groups
    }

    /// What a group rule's findings show, found once per rule: its display column, which key parts are
    /// identifiers, and which part is the rule's field.
    struct GroupFindingShape {
        let display: KeyColumn?
        let displayIsKey: Bool
        let identifying: [Bool]
        let valuePart: Int?
        /// The rule's field among the displayed fields, when the key does not hold it as typed (a key on a
        /// derived field: the KPI, where the row typed one of its names).
        let displayValuePart: Int?

        init(_ rule: Rule, state: TableState) {
            displayIsKey = rule.messageFields == rule.key
            display = rule.messageFields.isEmpty || displayIsKey ? nil : state.displays(rule.messageFields)
            identifying = rule.keyParts.map { part in
                if case .field(let name) = part { return state.dataset.field(name)?.identifier == true }
                return false
            }
            valuePart = rule.keyParts.firstIndex(of: .field(rule.field))
            displayValuePart = valuePart == nil ? rule.messageFields.firstIndex(of: rule.field) : nil
        }
    }

    func emitGroupFinding(_ rule: Rule, state: TableState, column: KeyColumn, index: Int, shape: GroupFindingShape) {
        if countsOnly { return findings.count(1, ruleID: rule.id, title: rule.title, severity: rule.severity, table: rule.table) }
        let parts = column.parts(index)
        let display = rule.messageFields.isEmpty ? [] : shape.displayIsKey ? parts : (shape.display?.parts(index) ?? [])
        var identifiers: [String] = []
        let message = rule.message.render(context, fields: display, identifiers: &identifiers)
        for (k, part) in parts.enumerated() where k < shape.identifying.count && shape.identifying[k] { identifiers.append(part) }
        var f = makeFinding(rule, state: state, index: index, message: message,
                            key: parts.count == 1 ? parts[0] : parts.joined(separator: "+"), identifiers: identifiers)
        if let k = shape.valuePart, k < parts.count {
            f.value = parts[k]
        } else if let k = shape.displayValuePart, k < display.count {
            f.value = display[k]
        }
        findings.add(f)
    }

    /// Runs what needs every table (group and aggregate rules) and reports each table's rejections.
    public func finish() -> [TableOutcome] {
        // Messages of group and aggregate findings read no record: a field one names anyway reads blank.
        context.record = Array(repeating: .null, count: catalogue.tableNames.compactMap { catalogue.dataset($0)?.fields.count }.max() ?? 0)
        finishGroups()
        finishAggregates()
        returnRules.finish(files: states.mapValues { (files: $0.files, sheets: $0.sheets) })
        return states.values.sorted { $0.dataset.code < $1.dataset.code }.map { s in
            TableOutcome(table: s.dataset.table, records: s.count,
                         rejectedByRecordRules: s.flags.filter { $0 & ValidationEngine.recordRejected != 0 }.count,
                         rejectedByGroupRules: s.flags.filter { $0 == ValidationEngine.groupRejected }.count,
                         rejected: s.flags.map { $0 != 0 })
        }
    }
}
