// The first pass over exceptions.csv: counts for the worklist's Summary and what each sheet must show.

/// What one read of exceptions.csv learns, in memory bounded by the number of rules, tables,
/// groups and columns (never by the number of findings).
struct ExceptionsTally {
    /// The CSV's columns by name, in file order.
    let columns: [String]
    let index: [String: Int]
    private(set) var total = 0
    private(set) var failing = 0
    private(set) var bySeverity: [String: Int] = [:]
    private(set) var rules: [String: RuleCount] = [:]
    private(set) var tables: [String: Profile] = [:]
    private(set) var groups: [String: GroupCount] = [:]
    private(set) var byStatus: [String: Int] = [:]

    struct RuleCount {
        var id: String
        var title: String
        var findingClass: String
        var bySeverity: [String: Int] = [:]
        var tables: [String] = []
        var profile: Profile
        var count: Int { bySeverity.values.reduce(0, +) }
    }

    struct GroupCount {
        var total = 0
        var failing = 0
        var bySeverity: [String: Int] = [:]
    }

    /// Per column: whether any row has a value there, and whether the value varies between rows.
    struct Profile {
        var rows = 0
        var nonEmpty: [Bool]
        var first: [[UInt8]]
        var varies: [Bool]
        var worstSeverityRank = Int.max

        init(width: Int) {
            nonEmpty = Array(repeating: false, count: width)
            first = Array(repeating: [], count: width)
            varies = Array(repeating: false, count: width)
        }

        mutating func add(_ row: RawRow, severityRank: Int) {
            let width = nonEmpty.count
            if severityRank < worstSeverityRank { worstSeverityRank = severityRank }
            for i in 0 ..< min(width, row.count) where !row.isEmpty(i) { nonEmpty[i] = true }
            if rows == 0 {
                for i in 0 ..< width { first[i] = i < row.count ? Array(row.bytes[row.range(i)]) : [] }
            } else {
                for i in 0 ..< width where !varies[i] {
                    let same = i < row.count ? row.withField(i) { $0.elementsEqual(first[i]) } : first[i].isEmpty
                    if !same { varies[i] = true }
                }
            }
            rows += 1
        }
    }

    init(columns: [String], file: String) throws {
        self.columns = columns
        var index: [String: Int] = [:]
        for (i, name) in columns.enumerated() where index[name] == nil { index[name] = i }
        self.index = index
        for required in ["rule_id", "severity", "message"] where index[required] == nil {
            throw MHDQError.input("not an exceptions file: no \"\(required)\" column (the columns are \(columns.joined(separator: ", ")))",
                                  at: SourceLocation(file: file, row: 1))
        }
    }

    func field(_ name: String, _ row: RawRow) -> String {
        guard let i = index[name], i < row.count else { return "" }
        return row.string(i)
    }

    /// Severity names in report order: the known ones by rank, then any others alphabetically.
    static func rank(_ severity: String) -> Int {
        Severity(rawValue: severity).map { Severity.allCases.firstIndex(of: $0)! } ?? Severity.allCases.count
    }

    static func isFailing(_ severity: String) -> Bool { Severity(rawValue: severity)?.isFailing ?? false }

    mutating func add(_ row: RawRow) {
        total += 1
        let severity = field("severity", row)
        let rank = ExceptionsTally.rank(severity)
        let failingRow = ExceptionsTally.isFailing(severity)
        if failingRow { failing += 1 }
        bySeverity[severity, default: 0] += 1

        let ruleID = field("rule_id", row)
        let table = field("table", row)
        let width = columns.count
        if rules[ruleID] == nil {
            rules[ruleID] = RuleCount(id: ruleID, title: field("title", row), findingClass: field("class", row), profile: Profile(width: width))
        }
        rules[ruleID]!.bySeverity[severity, default: 0] += 1
        if !rules[ruleID]!.tables.contains(table) { rules[ruleID]!.tables.append(table) }
        rules[ruleID]!.profile.add(row, severityRank: rank)
        tables[table, default: Profile(width: width)].add(row, severityRank: rank)

        let group = field("group", row)
        groups[group, default: GroupCount()].total += 1
        if failingRow { groups[group]!.failing += 1 }
        groups[group]!.bySeverity[severity, default: 0] += 1

        if index["status"] != nil {
            let status = field("status", row)
            if !status.isEmpty { byStatus[status, default: 0] += 1 }
        }
    }

    /// Severities that occur, in report order.
    var severities: [String] {
        bySeverity.keys.sorted { (ExceptionsTally.rank($0), $0) < (ExceptionsTally.rank($1), $1) }
    }

    /// Rules, most serious first, then by count and id.
    var rulesInOrder: [RuleCount] {
        rules.values.sorted { ($0.profile.worstSeverityRank, -$0.count, $0.id) < ($1.profile.worstSeverityRank, -$1.count, $1.id) }
    }
}
