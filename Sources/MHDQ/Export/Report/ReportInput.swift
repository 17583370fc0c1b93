// Everything report.html shows, gathered from a finished run: aggregate numbers and rule-level facts only
// (no finding carries a record key or value into it).

public struct ReportInput: Sendable {
    public struct RuleCount: Sendable {
        public var rule: String
        public var title: String
        public var severity: Severity
        public var count: Int
        /// False for rules on aggregate tables (indicator and KPI returns): their findings count areas and periods.
        public var countsPeople = true
    }

    public var name: String
    public var runID: String
    /// ISO 8601.
    public var started: String
    public var period: String?
    public var provider: String?
    public var toolVersion = MHDQVersion.string
    public var packs: [(name: String, version: String)] = []
    public var tables: [ReconciliationRow] = []
    public var totalFindings = 0
    public var failingFindings = 0
    public var bySeverity: [(severity: Severity, count: Int)] = []
    public var byRule: [RuleCount] = []
    public var notRun: [(rule: String, needs: String)] = []
    public var metrics: [Metric] = []
    public var series: [IndicatorSeries] = []
    public var kpis: [KPIResult] = []
    /// Earlier runs, oldest first (from the history database), with this run last when history has it.
    public var trend: [RunTrendPoint] = []
    /// Rule id → title, for the rules named in series flags.
    public var ruleTitles: [String: String] = [:]
    /// A rule's `by` expression → what a reader calls it ("MHS000Header.OrgIDProvider" → "Provider").
    public var dimensionLabels: [String: String] = [:]

    public init(name: String, runID: String, started: String, period: String? = nil, provider: String? = nil) {
        self.name = name
        self.runID = runID
        self.started = started
        self.period = period
        self.provider = provider
    }

    public var exitCode: Int32 { failingFindings > 0 ? ExitCode.failingFindings : ExitCode.ok }

    public static func make(name: String, runID: String, started: String, period: ReportingPeriod?, provider: String?,
                            result: CheckResult, reconciliation: [ReconciliationRow], trend: [RunTrendPoint] = [],
                            catalogue: Catalogue? = nil) -> ReportInput {
        var input = ReportInput(name: name, runID: runID, started: started, period: period?.description, provider: provider)
        input.packs = result.packs
        input.tables = reconciliation
        input.totalFindings = result.totalFindings
        input.failingFindings = result.failingCount
        input.bySeverity = result.countsBySeverity().map { (severity: $0.0, count: $0.1) }
        input.byRule = result.countsByRule().map { r in
            let table = result.tally.tableOfRule[r.rule].flatMap { catalogue?.dataset($0) }
            return RuleCount(rule: r.rule, title: r.title, severity: r.severity, count: r.count, countsPeople: !(table?.isAggregate ?? false))
        }
        input.notRun = result.notRun
        input.metrics = result.metrics
        input.series = result.series
        input.kpis = result.kpis
        input.trend = trend
        input.ruleTitles = Dictionary(result.tally.byRule.map { ($0.key, $0.value.title) }, uniquingKeysWith: { a, _ in a })
        if let catalogue {
            for m in result.metrics {
                for d in m.dimensions where input.dimensionLabels[d] == nil {
                    input.dimensionLabels[d] = dimensionLabel(d, table: m.table, catalogue: catalogue)
                }
            }
        }
        return input
    }

    /// "month(X)" → "Month"; a field → its Data Dictionary item name in sentence case; anything else as written.
    static func dimensionLabel(_ expression: String, table: String, catalogue: Catalogue) -> String {
        if expression.lowercased().hasPrefix("month(") { return "Month" }
        if expression.lowercased().hasPrefix("year(") { return "Year" }
        let parts = expression.split(separator: ".")
        let (tableName, fieldName) = parts.count == 2 ? (String(parts[0]), String(parts[1])) : (table, expression)
        guard let field = catalogue.dataset(tableName)?.field(fieldName), !field.dataItem.isEmpty else { return expression }
        var item = field.dataItem
        // "ORGANISATION IDENTIFIER (CODE OF PROVIDER)" reads as "Provider" to a board.
        if item.uppercased().contains("CODE OF PROVIDER") { return "Provider" }
        item = item.lowercased()
        return item.prefix(1).uppercased() + item.dropFirst()
    }
}
