// `mhdq check`: stage the given sources, validate them, and summarise per table.

public struct CheckResult {
    public var stats: [StagingStats]
    /// Every finding, when the run keeps them (tests, small checks); empty when they were streamed out.
    public var findings: [Finding]
    /// Counts over every finding, kept or not.
    public var tally: FindingTally
    /// Rules that could not run, with what they need ("national ODS table").
    public var notRun: [(rule: String, needs: String)] = []
    public var outcomes: [TableOutcome] = []
    public var metrics: [Metric] = []
    public var packs: [(name: String, version: String)] = []
    /// Indicator series (ordered periods, flagged periods marked) and KPI verdicts, for the report.
    public var series: [IndicatorSeries] = []
    public var kpis: [KPIResult] = []

    public var totalFindings: Int { tally.total }
    public var failingCount: Int { tally.failing }
    public var exitCode: Int32 { failingCount > 0 ? ExitCode.failingFindings : ExitCode.ok }

    public func countsBySeverity() -> [(Severity, Int)] {
        Severity.allCases.compactMap { s in tally.bySeverity[s].map { (s, $0) } }
    }

    public func countsByRule() -> [(rule: String, title: String, severity: Severity, count: Int)] {
        tally.byRule.map { (rule: $0.key, title: $0.value.title, severity: $0.value.severity, count: $0.value.count) }
            .sorted { ($0.severity, -$0.count, $0.rule) < ($1.severity, -$1.count, $1.rule) }
    }
}

/// Counts findings by rule and severity as they pass, keeps them if asked, and hands each one on
/// (to a streaming exceptions writer), so a large run need not hold every finding in memory.
public final class FindingTally: FindingSink {
    public private(set) var total = 0
    public private(set) var failing = 0
    public private(set) var bySeverity: [Severity: Int] = [:]
    public private(set) var byRule: [String: (title: String, severity: Severity, count: Int)] = [:]
    /// The table each rule's findings are on.
    public private(set) var tableOfRule: [String: String] = [:]
    public private(set) var kept: [Finding] = []
    let keep: Bool
    let forward: FindingSink?

    public init(keep: Bool, forward: FindingSink? = nil) {
        self.keep = keep
        self.forward = forward
    }

    public func add(_ finding: Finding) {
        tally(1, ruleID: finding.ruleID, title: finding.title, severity: finding.severity, table: finding.table)
        if keep { kept.append(finding) }
        forward?.add(finding)
    }

    /// Counts are all it reads unless it keeps findings or hands them on.
    public var readsFindings: Bool { keep || forward != nil }

    public func count(_ n: Int, ruleID: String, title: String, severity: Severity, table: String) {
        tally(n, ruleID: ruleID, title: title, severity: severity, table: table)
    }

    private func tally(_ n: Int, ruleID: String, title: String, severity: Severity, table: String) {
        total += n
        if severity.isFailing { failing += n }
        bySeverity[severity, default: 0] += n
        let c = byRule[ruleID] ?? (title, severity, 0)
        byRule[ruleID] = (c.title, min(c.severity, severity), c.count + n)
        if c.count == 0 { tableOfRule[ruleID] = table }
    }
}

public struct CheckRun {
    public var catalogue: Catalogue
    public var sources: [SourceSpec]
    public var period: ReportingPeriod?
    /// Pack names; nil runs every pack that applies to the tables given.
    public var packs: [String]?
    public var provider: String?
    public var submitter: String?
    public var reference = ReferenceData()
    /// Keep every finding in the result (false for big runs that stream them to `findingSink`).
    public var keepFindings = true
    /// Where findings also go as they are found (the exceptions CSV writer of a run).
    public var findingSink: FindingSink?
    /// Earlier runs' metrics, for rules that compare a measure with its past (`mhdq run` with a history).
    public var metricHistory: MetricHistory?
    /// Sees every source begin, every staged record and every table end (the run's progress line).
    public var observer: StagedRecordConsumer?
    /// Also sees every staged record, in the engine's order (the flat-file spooler of a run).
    public var recordConsumer: StagedRecordConsumer?
    /// Masks identifiers in the staging examples and in the findings the result keeps (`--redact`). Findings
    /// streamed to `findingSink` are masked by that sink (a `RedactingFindingSink`): a run's history must see
    /// them unmasked first, so that statuses follow the record, not the mask.
    public var redactor: Redactor?
    /// When the data set is created (seconds since 1970 on the local clock): the synthetic header's
    /// DateTimeDatSetCreate. Nil (a check, not a submission) dates it the day after the period ends.
    public var created: Int?

    public init(catalogue: Catalogue, sources: [SourceSpec], period: ReportingPeriod?, packs: [String]? = nil) {
        self.catalogue = catalogue
        self.sources = sources
        self.period = period
        self.packs = packs
    }

    /// Builds ad hoc sources from `NAME=FILE` pairs: headers are field names, case-insensitive.
    public static func adHocSources(_ pairs: [String], catalogue: Catalogue, read: ReadOptions) throws -> [SourceSpec] {
        try pairs.map { pair in
            guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex, pair.index(after: eq) != pair.endIndex else {
                throw MHDQError.invocation("--table takes NAME=FILE, not \"\(pair)\"")
            }
            let name = String(pair[..<eq])
            let file = String(pair[pair.index(after: eq)...])
            guard let ds = catalogue.dataset(name) else {
                throw MHDQError.invocation("unknown table \"\(name)\" (known: \(catalogue.tableNames.joined(separator: ", ")))")
            }
            var spec = SourceSpec(table: ds.table, file: file, read: read)
            spec.strictHeaders = true
            spec.dateFormats = DateFormat.defaults
            return spec
        }
    }

    /// Loads the named packs (or every pack that applies to `tables`) with one shared lookup registry.
    public static func loadPacks(_ names: [String]?, tables: [String], catalogue: Catalogue) throws -> [RulePack] {
        let registry = LookupRegistry()
        let all = names ?? RulePackLoader.packNames(rulesDirectory: catalogue.rulesDirectory)
        // A pack named twice (--pack X --pack X) would run twice and report every finding twice.
        if let names, let twice = names.enumerated().first(where: { names[..<$0.offset].contains($0.element) })?.element {
            throw MHDQError.invocation("pack \(twice) is listed twice: list each pack once")
        }
        var packs: [RulePack] = []
        for name in all {
            let pack = try RulePackLoader.load(name: name, catalogue: catalogue, lookups: registry)
            if names == nil && !pack.tables.isEmpty && Set(pack.tables).isDisjoint(with: tables) { continue }
            packs.append(pack)
        }
        try RulePackLoader.checkUniqueIDs(packs)
        return packs
    }

    /// The MHS000Header a run without a header file submits: made from the manifest and period.
    public func syntheticHeader() -> [Value]? {
        guard let ds = catalogue.dataset("MHS000Header") else { return nil }
        var values = Array(repeating: Value.null, count: ds.fields.count)
        func set(_ name: String, _ v: Value) { if let i = ds.index(of: name) { values[i] = v } }
        set("DatSetVer", .text("6.0"))
        if let provider { set("OrgIDProvider", .text(provider)) }
        if let s = submitter ?? provider { set("OrgIDSubmit", .text(s)) }
        set("PrimSystemInUse", .text("mhdq"))
        if let period {
            set("ReportingPeriodStartDate", .date(period.start.days))
            set("ReportingPeriodEndDate", .date(period.end.days))
        }
        if let created {
            set("DateTimeDatSetCreate", .dateTime(created))
        } else if let period {
            // No real file is made: date it the day after the period ends, as a file made on time would be.
            set("DateTimeDatSetCreate", .dateTime((period.end.days + 1) * 86_400))
        }
        return values
    }

    public func run() throws -> CheckResult {
        let collector = FindingTally(keep: keepFindings, forward: findingSink)
        let pass = StagingPass(catalogue: catalogue, sources: sources)
        let packs = try CheckRun.loadPacks(self.packs, tables: pass.tables, catalogue: catalogue)
        try RulePackLoader.checkSettingNames(reference, rulesDirectory: catalogue.rulesDirectory)
        try RulePackLoader.checkSettings(packs, reference)
        try RulePackLoader.checkWholeSettings(packs, reference)
        let engine = ValidationEngine(packs: packs, catalogue: catalogue, tables: pass.tables, period: period,
                                      header: syntheticHeader(), reference: reference, findings: collector,
                                      metricHistory: metricHistory)
        // Staging alone (no packs) keeps no per-record state: memory stays flat whatever the file size.
        let consumers: [StagedRecordConsumer] = [observer, packs.isEmpty ? nil : engine, recordConsumer].compactMap { $0 }
        let consumer: StagedRecordConsumer? = consumers.count > 1 ? StagedRecordFanOut(consumers) : consumers.first
        var stats = try pass.run(findings: collector, consumer: consumer)
        let outcomes = engine.finish()
        if let redactor {
            for i in stats.indices {
                let ids = stats[i].exampleIdentifiers
                stats[i].examples = stats[i].examples.mapValues { $0.map { redactor.redact($0, identifiers: ids) } }
                stats[i].exampleIdentifiers = []
            }
        }
        var result = CheckResult(stats: stats, findings: redactor.map { r in collector.kept.map(r.redact) } ?? collector.kept,
                                 tally: collector)
        result.notRun = engine.notRun.map { ($0.ruleID, $0.needs.map(ValidationEngine.describeNeed).joined(separator: "; ")) }
        result.outcomes = outcomes
        result.metrics = engine.metrics
        result.series = engine.series
        result.kpis = engine.kpis
        result.packs = packs.map { ($0.name, $0.version) }
        return result
    }
}

extension ValidationEngine {
    /// What a missing need means to a user, and how to supply it.
    public static func describeNeed(_ need: String) -> String {
        switch need {
        case "ods": return "the national ODS organisation table ([context] ods = FILE)"
        case "postcodes": return "the active postcode directory ([context] postcodes = FILE)"
        case "portal_org": return "the Submission Portal organisation code ([context] portal_org = CODE)"
        case "upload_date": return "the Submission Portal upload date ([context] upload_date = CCYY-MM-DD)"
        case "period": return "the reporting period (--period YYYY-MM or [pipeline] period)"
        case "history": return "earlier runs (mhdq run keeps them in its history database)"
        default:
            if need.hasPrefix("table:") { return "table \(need.dropFirst(6)) in this run" }
            return "the reference list \(need) ([context] \(need) = FILE)"
        }
    }
}
