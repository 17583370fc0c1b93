// The first pass over exceptions.csv: counts for the worklist's Summary and what each sheet must show.

/// What one read of exceptions.csv learns, in memory bounded by the number of rules, tables,
/// groups and columns (never by the number of findings). Rules, tables, groups and severities
/// are numbered as they are first seen, so a row costs a few lookups and no counting dictionaries.
struct ExceptionsTally {
    /// The CSV's columns by name, in file order.
    let columns: [String]
    let index: [String: Int]
    /// Columns whose sameness across a sheet decides whether they are shown.
    let watched: [Int]
    private(set) var total = 0
    private(set) var failing = 0
    private(set) var byStatus: [String: Int] = [:]

    private let ruleColumn, severityColumn: Int
    private let titleColumn, classColumn, tableColumn, groupColumn, statusColumn: Int?

    private var severityNames: [String] = []
    private var severityBytes: [[UInt8]] = []
    private var severityCounts: [Int] = []
    private var rules: [RuleCount] = []
    private var ruleIDs: [String: Int] = [:]
    private var tableNames: [String] = []
    private var tableIDs: [String: Int] = [:]
    private var tableProfiles: [Profile] = []
    private var groupNames: [String] = []
    private var groupIDs: [String: Int] = [:]
    private var groupCounts: [GroupCount] = []
    /// Consecutive findings mostly share a table and a group: the last ones are checked first.
    private var lastTable = (bytes: [UInt8](), id: -1)
    private var lastGroup = (bytes: [UInt8](), id: -1)

    struct RuleCount {
        var id: String
        var title: String
        var findingClass: String
        /// Findings by severity number.
        var counts: [Int] = []
        /// Table numbers, in order of first finding.
        var tables: [Int] = []
        var profile: Profile
        var count: Int { counts.reduce(0, +) }
    }

    struct GroupCount {
        var total = 0
        var failing = 0
        var counts: [Int] = []
    }

    /// Per column: whether any row has a value there, and for the `watched` columns whether the
    /// value varies between rows (and its first value).
    struct Profile {
        var rows = 0
        var nonEmpty: [Bool]
        var first: [[UInt8]]
        var varies: [Bool]
        let watched: [Int]
        var worstSeverityRank = Int.max

        init(width: Int, watched: [Int]) {
            nonEmpty = Array(repeating: false, count: width)
            first = Array(repeating: [], count: width)
            varies = Array(repeating: false, count: width)
            self.watched = watched
        }

        mutating func add(_ row: RawRow, severityRank: Int) {
            let width = nonEmpty.count
            if severityRank < worstSeverityRank { worstSeverityRank = severityRank }
            for i in 0 ..< min(width, row.count) where !nonEmpty[i] && !row.isEmpty(i) { nonEmpty[i] = true }
            if rows == 0 {
                for i in watched { first[i] = i < row.count ? row.withField(i) { Array($0) } : [] }
            } else {
                for i in watched where !varies[i] {
                    let same = i < row.count ? row.withField(i) { $0.elementsEqual(first[i]) } : first[i].isEmpty
                    if !same { varies[i] = true }
                }
            }
            rows += 1
        }
    }

    init(columns: [String], watching: Set<String>, file: String) throws {
        self.columns = columns
        var index: [String: Int] = [:]
        for (i, name) in columns.enumerated() where index[name] == nil { index[name] = i }
        self.index = index
        watched = watching.compactMap { index[$0] }.sorted()
        for required in ["rule_id", "severity", "message"] where index[required] == nil {
            throw MHDQError.input("not an exceptions file: no \"\(required)\" column (the columns are \(columns.joined(separator: ", ")))",
                                  at: SourceLocation(file: file, row: 1))
        }
        ruleColumn = index["rule_id"]!
        severityColumn = index["severity"]!
        titleColumn = index["title"]
        classColumn = index["class"]
        tableColumn = index["table"]
        groupColumn = index["group"]
        statusColumn = index["status"]
    }

    /// Severity names in report order: the known ones by rank, then any others alphabetically.
    static func rank(_ severity: String) -> Int {
        Severity(rawValue: severity).map { Severity.allCases.firstIndex(of: $0)! } ?? Severity.allCases.count
    }

    static func isFailing(_ severity: String) -> Bool { Severity(rawValue: severity)?.isFailing ?? false }

    mutating func add(_ row: RawRow) {
        total += 1
        let severity = severityID(row)
        severityCounts[severity] += 1
        let rank = ExceptionsTally.rank(severityNames[severity])
        let failingRow = ExceptionsTally.isFailing(severityNames[severity])
        if failingRow { failing += 1 }

        let ruleID = ExceptionsTally.text(row, ruleColumn)
        let r: Int
        if let k = ruleIDs[ruleID] {
            r = k
        } else {
            r = rules.count
            ruleIDs[ruleID] = r
            rules.append(RuleCount(id: ruleID, title: titleColumn.map { ExceptionsTally.text(row, $0) } ?? "",
                                   findingClass: classColumn.map { ExceptionsTally.text(row, $0) } ?? "",
                                   profile: Profile(width: columns.count, watched: watched)))
        }
        let table = ExceptionsTally.intern(row, tableColumn, &lastTable, &tableIDs, &tableNames)
        if table == tableProfiles.count { tableProfiles.append(Profile(width: columns.count, watched: watched)) }
        tableProfiles[table].add(row, severityRank: rank)
        rules[r].profile.add(row, severityRank: rank)
        ExceptionsTally.bump(&rules[r].counts, severity)
        if !rules[r].tables.contains(table) { rules[r].tables.append(table) }

        let group = ExceptionsTally.intern(row, groupColumn, &lastGroup, &groupIDs, &groupNames)
        if group == groupCounts.count { groupCounts.append(GroupCount()) }
        groupCounts[group].total += 1
        if failingRow { groupCounts[group].failing += 1 }
        ExceptionsTally.bump(&groupCounts[group].counts, severity)

        if let s = statusColumn, !row.isEmpty(s) { byStatus[row.string(s), default: 0] += 1 }
    }

    private static func text(_ row: RawRow, _ column: Int) -> String { column < row.count ? row.string(column) : "" }

    private static func bump(_ counts: inout [Int], _ k: Int) {
        if counts.count <= k { counts.append(contentsOf: repeatElement(0, count: k + 1 - counts.count)) }
        counts[k] += 1
    }

    /// The number of a row's severity (a handful exist: compared as bytes, no string made).
    private mutating func severityID(_ row: RawRow) -> Int {
        let k: Int? = severityColumn < row.count
            ? row.withField(severityColumn) { v in severityBytes.firstIndex { $0.elementsEqual(v) } }
            : severityBytes.firstIndex { $0.isEmpty }
        if let k { return k }
        let name = ExceptionsTally.text(row, severityColumn)
        severityNames.append(name)
        severityBytes.append(Array(name.utf8))
        severityCounts.append(0)
        return severityNames.count - 1
    }

    /// The number of a row's value in `column`, numbering new values as they come.
    private static func intern(_ row: RawRow, _ column: Int?, _ last: inout (bytes: [UInt8], id: Int),
                               _ ids: inout [String: Int], _ names: inout [String]) -> Int {
        if last.id >= 0 {
            let bytes = last.bytes
            let same = column.map { c in c < row.count ? row.withField(c) { bytes.elementsEqual($0) } : bytes.isEmpty } ?? bytes.isEmpty
            if same { return last.id }
        }
        let value = column.map { text(row, $0) } ?? ""
        let id: Int
        if let k = ids[value] {
            id = k
        } else {
            id = names.count
            ids[value] = id
            names.append(value)
        }
        last = (Array(value.utf8), id)
        return id
    }

    // MARK: - Results

    var ruleCount: Int { rules.count }

    /// Severities that occur, in report order.
    var severities: [String] {
        severityNames.sorted { (ExceptionsTally.rank($0), $0) < (ExceptionsTally.rank($1), $1) }
    }

    func count(severity: String) -> Int {
        severityNames.firstIndex(of: severity).map { severityCounts[$0] } ?? 0
    }

    /// Rules, most serious first, then by count and id.
    var rulesInOrder: [RuleCount] {
        rules.sorted { ($0.profile.worstSeverityRank, -$0.count, $0.id) < ($1.profile.worstSeverityRank, -$1.count, $1.id) }
    }

    /// A rule's findings by severity, in report order.
    func bySeverity(_ rule: RuleCount) -> [(severity: String, count: Int)] {
        severities.compactMap { name in
            let k = severityNames.firstIndex(of: name)!
            return k < rule.counts.count && rule.counts[k] > 0 ? (name, rule.counts[k]) : nil
        }
    }

    func tables(of rule: RuleCount) -> [String] { rule.tables.map { tableNames[$0] } }

    /// Tables by name, with what their findings hold.
    var tablesByName: [(name: String, profile: Profile)] {
        tableNames.indices.sorted { tableNames[$0] < tableNames[$1] }.map { (tableNames[$0], tableProfiles[$0]) }
    }

    /// Groups with the most failing findings first, then the most findings, then by name.
    var groupsInOrder: [(name: String, total: Int, failing: Int, bySeverity: [String: Int])] {
        groupNames.indices.map { k in
            let g = groupCounts[k]
            var bySeverity: [String: Int] = [:]
            for (s, n) in g.counts.enumerated() where n > 0 { bySeverity[severityNames[s]] = n }
            return (groupNames[k], g.total, g.failing, bySeverity)
        }.sorted { ($1.failing, $1.total, $0.name) < ($0.failing, $0.total, $1.name) }
    }
}
