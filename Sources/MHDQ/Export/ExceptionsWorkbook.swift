// exceptions.xlsx: the steward's worklist, built from exceptions.csv once the run has closed it.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Builds the worklist workbook from exceptions.csv in three streaming passes, so memory stays
/// bounded however many findings a run has:
///
/// 1. read the CSV once to count findings (by rule, severity, group, status) and learn which
///    columns each sheet needs;
/// 2. read it again, spooling each finding's shown fields to its sheet's temporary file;
/// 3. write each sheet from its spool file, then the Summary (written last, shown first, so it
///    can name continuation sheets and cut cells).
///
/// Sheets: a Summary, then one sheet per rule, most serious first; when more than
/// `maxRuleSheets` rules have findings, one sheet per table instead (with rule columns), since a
/// workbook of hundreds of tabs cannot be worked through. A column appears on a sheet when any
/// of its findings has a value there; run, rule, title, class, severity, table and period appear
/// only when they vary within the sheet (the Summary states them once).
public enum ExceptionsWorkbook {
    /// More rules with findings than this gives one sheet per table.
    public static let maxRuleSheets = 50
    public static let summarySheet = "Summary"

    /// Column order on a finding sheet, and each column's heading.
    static let layout: [(column: String, label: String)] = [
        ("rule_id", "Rule"), ("title", "Title"), ("severity", "Severity"), ("class", "Class"), ("table", "Table"),
        ("status", "Status"), ("first_seen", "First seen"), ("record_key", "Record key"), ("field", "Field"),
        ("value", "Value"), ("message", "Message"), ("group", "Group"), ("period", "Period"), ("observed", "Observed"),
        ("expected", "Expected"), ("denominator", "Denominator"), ("source_file", "Source file"), ("sheet", "Source sheet"),
        ("row", "Source row"), ("run_id", "Run"),
    ]
    /// Stated once on the Summary unless they vary within a sheet.
    static let statedOnce: Set<String> = ["run_id", "rule_id", "title", "class", "severity", "table", "period"]
    /// Shown on every sheet: what the steward fixes.
    static let alwaysShown: Set<String> = ["record_key", "message"]
    /// Written as numbers when the text is exactly a number.
    static let numeric: Set<String> = ["row", "observed", "expected", "denominator"]

    /// The heading a column has on a finding sheet (columns added to the CSV later keep their names).
    public static func label(_ column: String) -> String {
        layout.first { $0.column == column }?.label ?? column
    }

    public struct Report: Sendable {
        public var findings: Int
        public var sheets: [XLSXWriter.WrittenSheet]
        /// One sheet per table rather than per rule.
        public var sheetPerTable: Bool
        public var truncatedCells: Int
    }

    /// What to write on one finding sheet.
    struct SheetPlan {
        var key: String
        var name: String
        /// CSV column indices shown, in order, and whether each is numeric.
        var columns: [Int]
        var numericColumns: [Bool]
        var spool: String = ""
    }

    /// Writes `path` from `exceptionsCSV`. `period` is the run's reporting period (nil: not given).
    @discardableResult
    public static func write(exceptionsCSV: String, to path: String, runID: String, period: String?,
                             options: XLSXWriter.Options = XLSXWriter.Options(),
                             maxRuleSheets: Int = ExceptionsWorkbook.maxRuleSheets) throws -> Report {
        // Pass 1: counts and column profiles.
        // No field limit: the file is the run's own, and a message quoting two values the reader took (each up
        // to its 8 MiB) can be longer than any one of them. Its cells are cut to what a sheet holds anyway.
        var reader = try CSVReader(path: exceptionsCSV, delimiter: 0x2C, encoding: .auto, maxFieldBytes: .max)
        var row = RawRow()
        guard try reader.next(into: &row) else {
            throw MHDQError.input("empty exceptions file: no header row", at: SourceLocation(file: exceptionsCSV))
        }
        var tally = try ExceptionsTally(columns: row.fields, watching: statedOnce, file: exceptionsCSV)
        while try reader.next(into: &row) { tally.add(row) }

        let writer = try XLSXWriter(path: path, options: options)
        let summaryName = writer.reserveSheetName(summarySheet)
        let perTable = tally.ruleCount > maxRuleSheets
        let stated = ["run_id": runID, "period": period ?? ""]
        var plans = perTable ? tablePlans(tally, stated: stated) : rulePlans(tally, stated: stated)
        for k in plans.indices { plans[k].name = writer.reserveSheetName(plans[k].name) }

        // Pass 2: each finding's shown fields to its sheet's spool file.
        let spoolFolder = try makeSpoolFolder(near: path)
        defer { removeFolder(spoolFolder) }
        var sheetOf: [String: Int] = [:]
        for (k, plan) in plans.enumerated() { sheetOf[plan.key] = k }
        var spools: [RowSpoolWriter] = []
        for k in plans.indices {
            plans[k].spool = spoolFolder + "/sheet\(k + 1).spool"
            spools.append(try RowSpoolWriter(path: plans[k].spool, width: plans[k].columns.count))
        }
        let keyColumn = tally.index[perTable ? "table" : "rule_id"]
        reader = try CSVReader(path: exceptionsCSV, delimiter: 0x2C, encoding: .auto, maxFieldBytes: .max)
        _ = try reader.next(into: &row)
        while try reader.next(into: &row) {
            let key = keyColumn.map { $0 < row.count ? row.string($0) : "" } ?? ""
            guard let k = sheetOf[key] else {
                throw MHDQError.input("the file changed while the workbook was written from it (\"\(key)\" was not there before)",
                                      at: SourceLocation(file: exceptionsCSV, row: row.number))
            }
            spools[k].append(row, columns: plans[k].columns)
        }
        for s in spools { try s.close() }
        spools.removeAll()

        // Pass 3: the sheets, then the Summary in front of them.
        for plan in plans {
            let header = plan.columns.map { label(tally.columns[$0]) }
            try writer.beginSheet(plan.name, options: XLSXSheetOptions(header: header))
            let spool = try RowSpoolReader(path: plan.spool, width: plan.columns.count)
            while try spool.next(into: &row) {
                try writer.beginRow()
                for i in 0 ..< plan.columns.count {
                    row.withField(i) { field in
                        if plan.numericColumns[i] { writer.appendNumber(text: field) } else { writer.appendText(field) }
                    }
                }
                try writer.endRow()
            }
            unlink(plan.spool)
        }
        let findingSheets = writer.writtenSheets
        try writeSummary(writer, name: summaryName, tally: tally, plans: plans, perTable: perTable, runID: runID,
                         period: period, written: findingSheets, truncatedCells: writer.truncatedCells)
        try writer.close()
        return Report(findings: tally.total, sheets: writer.writtenSheets, sheetPerTable: perTable, truncatedCells: writer.truncatedCells)
    }

    // MARK: - Sheet plans

    static func rulePlans(_ tally: ExceptionsTally, stated: [String: String]) -> [SheetPlan] {
        tally.rulesInOrder.map { rule in
            plan(key: rule.id, name: rule.id.isEmpty ? "(no rule)" : rule.id, profile: rule.profile, tally: tally, stated: stated)
        }
    }

    static func tablePlans(_ tally: ExceptionsTally, stated: [String: String]) -> [SheetPlan] {
        tally.tablesByName.map { table in
            plan(key: table.name, name: table.name.isEmpty ? "(no table)" : table.name, profile: table.profile, tally: tally, stated: stated)
        }
    }

    /// The Summary states the run and period once: a sheet whose findings carry another shows it.
    static func plan(key: String, name: String, profile: ExceptionsTally.Profile, tally: ExceptionsTally,
                     stated: [String: String]) -> SheetPlan {
        let known = Set(layout.map(\.column))
        let order = layout.map(\.column) + tally.columns.filter { !known.contains($0) }
        var columns: [Int] = []
        for name in order {
            guard let i = tally.index[name] else { continue }
            let differsFromSummary = stated[name].map { profile.first[i] != Array($0.utf8) } ?? false
            let shown = alwaysShown.contains(name)
                || (profile.nonEmpty[i] && (!statedOnce.contains(name) || profile.varies[i] || differsFromSummary))
            if shown { columns.append(i) }
        }
        return SheetPlan(key: key, name: name, columns: columns, numericColumns: columns.map { numeric.contains(tally.columns[$0]) })
    }

    // MARK: - Summary

    static func writeSummary(_ w: XLSXWriter, name: String, tally: ExceptionsTally, plans: [SheetPlan], perTable: Bool,
                             runID: String, period: String?, written: [XLSXWriter.WrittenSheet], truncatedCells: Int) throws {
        try w.beginSheet(name, options: XLSXSheetOptions(freezeHeader: false, autoFilter: false, firstTab: true))
        try w.appendRow([.text("Exceptions worklist")], style: .title)
        try w.appendRow([])
        try w.appendRow([.text("Run"), .text(runID)])
        try w.appendRow([.text("Period"), .text(period ?? "not given")])
        let verdict = tally.failing > 0
            ? "FAIL: \(tally.failing) finding\(tally.failing == 1 ? "" : "s") at a failing level (record or group rejections, failed thresholds, breaches)"
            : "PASS: nothing at a failing level"
        try w.appendRow([.text("Verdict"), .text(verdict)])
        try w.appendRow([.text("Findings"), .integer(tally.total)])
        try w.appendRow([.text("Every finding"), .text("exceptions.csv, next to this file")])
        if perTable {
            try w.appendRow([.text("Sheets"), .text("one per table: \(tally.ruleCount) rules have findings (more than \(maxRuleSheets) sheets would be unworkable)")])
        }
        if truncatedCells > 0 {
            try w.appendRow([.text("Cut cells"), .text("\(truncatedCells) cell\(truncatedCells == 1 ? " was" : "s were") longer than Excel's 32,767 characters and end in \"…[cut\"; exceptions.csv has the full text")])
        }

        // Which sheets hold each rule's or table's findings (continuations included).
        var sheetsOf: [String: [String]] = [:]
        for s in written { sheetsOf[s.continues ?? s.name, default: []].append(s.name) }
        func link(_ first: String) -> XLSXCell {
            let all = sheetsOf[first] ?? [first]
            return .link(all.count > 1 ? "\(first) (and \(all.count - 1) more)" : first, sheet: first)
        }
        let planOfRule: [String: String] = perTable ? [:] : Dictionary(uniqueKeysWithValues: plans.map { ($0.key, $0.name) })
        let planOfTable: [String: String] = perTable ? Dictionary(uniqueKeysWithValues: plans.map { ($0.key, $0.name) }) : [:]

        try w.appendRow([])
        try w.appendRow([.text("Findings by rule")], style: .bold)
        try w.appendRow(["Rule", "Title", "Severity", "Class", "Table", "Findings", "Sheet"].map { .text($0) }, style: .header)
        for rule in tally.rulesInOrder {
            let tables = tally.tables(of: rule)
            for (severity, count) in tally.bySeverity(rule) {
                var cells: [XLSXCell] = [.text(rule.id), .text(rule.title), .text(severity), .text(rule.findingClass),
                                         .text(tables.joined(separator: ", ")), .integer(count)]
                if let sheet = planOfRule[rule.id] {
                    cells.append(link(sheet))
                } else {
                    let sheets = tables.compactMap { planOfTable[$0] }
                    cells.append(sheets.count == 1 ? link(sheets[0]) : .text(sheets.joined(separator: ", ")))
                }
                try w.appendRow(cells)
            }
        }

        try w.appendRow([])
        try w.appendRow([.text("Findings by severity")], style: .bold)
        try w.appendRow(["Severity", "Findings", "Failing level"].map { .text($0) }, style: .header)
        for severity in tally.severities {
            try w.appendRow([.text(severity), .integer(tally.count(severity: severity)), .text(ExceptionsTally.isFailing(severity) ? "yes" : "no")])
        }

        if !tally.byStatus.isEmpty {
            try w.appendRow([])
            try w.appendRow([.text("Findings by status (against earlier runs)")], style: .bold)
            try w.appendRow(["Status", "Findings"].map { .text($0) }, style: .header)
            for status in tally.byStatus.keys.sorted() {
                try w.appendRow([.text(status), .integer(tally.byStatus[status]!)])
            }
        }

        try w.appendRow([])
        try w.appendRow([.text("Findings by group (provider, team or area)")], style: .bold)
        let severities = tally.severities
        try w.appendRow((["Group", "Findings", "Failing"] + severities).map { .text($0) }, style: .header)
        for group in tally.groupsInOrder {
            try w.appendRow([.text(group.name.isEmpty ? "(no group)" : group.name), .integer(group.total), .integer(group.failing)]
                + severities.map { group.bySeverity[$0].map { .integer($0) } ?? .empty })
        }
    }

    // MARK: - Spool folder

    static func makeSpoolFolder(near path: String) throws -> String {
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        var template = Array((directory + "/.exceptions-xlsx-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw MHDQError.input("cannot make a temporary folder: \(String(cString: strerror(errno)))", at: SourceLocation(file: directory))
        }
        return String(cString: made)
    }

    static func removeFolder(_ folder: String) {
        if let dir = opendir(folder) {
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
                if name != "." && name != ".." { unlink(folder + "/" + name) }
            }
            closedir(dir)
        }
        rmdir(folder)
    }
}
