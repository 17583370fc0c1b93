// `mhdq check`: stage the given sources, validate them, and summarise per table.

public struct CheckResult {
    public var stats: [StagingStats]
    public var findings: [Finding]
    /// Rules that could not run, with what they need ("national ODS table").
    public var notRun: [(rule: String, needs: String)] = []

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

    public init(catalogue: Catalogue, sources: [SourceSpec], period: ReportingPeriod?) {
        self.catalogue = catalogue
        self.sources = sources
        self.period = period
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

    public func run() throws -> CheckResult {
        let collector = FindingCollector()
        let pass = StagingPass(catalogue: catalogue, sources: sources)
        let stats = try pass.run(findings: collector, consumer: nil)
        return CheckResult(stats: stats, findings: collector.findings)
    }
}
