// `mhdq check`: stage the given sources, validate them, and summarise per table.

public struct CheckResult {
    public var stats: [StagingStats]
    public var findings: [Finding]
    /// Rules that could not run, with what they need ("national ODS table").
    public var notRun: [(rule: String, needs: String)] = []
    public var outcomes: [TableOutcome] = []
    public var metrics: [Metric] = []
    public var packs: [(name: String, version: String)] = []

    public var failingCount: Int { findings.filter { $0.severity.isFailing }.count }
    public var exitCode: Int32 { failingCount > 0 ? ExitCode.failingFindings : ExitCode.ok }

    public func countsBySeverity() -> [(Severity, Int)] {
        var counts: [Severity: Int] = [:]
        for f in findings { counts[f.severity, default: 0] += 1 }
        return Severity.allCases.compactMap { s in counts[s].map { (s, $0) } }
    }

    public func countsByRule() -> [(rule: String, title: String, severity: Severity, count: Int)] {
        var counts: [String: (String, Severity, Int)] = [:]
        for f in findings {
            let c = counts[f.ruleID] ?? (f.title, f.severity, 0)
            counts[f.ruleID] = (c.0, min(c.1, f.severity), c.2 + 1)
        }
        return counts.map { (rule: $0.key, title: $0.value.0, severity: $0.value.1, count: $0.value.2) }
            .sorted { ($0.severity, -$0.count, $0.rule) < ($1.severity, -$1.count, $1.rule) }
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
            // Created the day after the period ends: a file made on time.
            set("DateTimeDatSetCreate", .dateTime((period.end.days + 1) * 86_400))
        }
        return values
    }

    public func run() throws -> CheckResult {
        let collector = FindingCollector()
        let pass = StagingPass(catalogue: catalogue, sources: sources)
        let packs = try CheckRun.loadPacks(self.packs, tables: pass.tables, catalogue: catalogue)
        let engine = ValidationEngine(packs: packs, catalogue: catalogue, tables: pass.tables, period: period,
                                      header: syntheticHeader(), reference: reference, findings: collector)
        // Staging alone (no packs) keeps no per-record state: memory stays flat whatever the file size.
        let stats = try pass.run(findings: collector, consumer: packs.isEmpty ? nil : engine)
        let outcomes = engine.finish()
        var result = CheckResult(stats: stats, findings: collector.findings)
        result.notRun = engine.notRun.map { ($0.ruleID, $0.needs.map(ValidationEngine.describeNeed).joined(separator: "; ")) }
        result.outcomes = outcomes
        result.metrics = engine.metrics
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
        default:
            if need.hasPrefix("table:") { return "table \(need.dropFirst(6)) in this run" }
            return "the reference list \(need) ([context] \(need) = FILE)"
        }
    }
}
