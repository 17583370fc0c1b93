// exceptions.csv: one row per finding, columns in the stable order of DESIGN.md.

public enum ExceptionsCSV {
    /// Stable column order; later columns may only be added at the end.
    public static let columns = ["run_id", "rule_id", "title", "class", "severity", "table", "source_file", "sheet", "row",
                                 "record_key", "field", "value", "message", "group", "period", "observed", "expected",
                                 "status", "first_seen", "denominator"]

    public static func write(_ findings: [Finding], runID: String, to path: String,
                             status: (Finding) -> (status: String, firstSeen: String) = { _ in ("", "") }) throws {
        let out = try OutputBuffer(creating: path)
        let csv = CSVWriter(output: out)
        csv.writeRow(columns)
        for f in findings {
            let s = status(f)
            csv.writeRow([runID, f.ruleID, f.title, f.findingClass.rawValue, f.severity.rawValue, f.table, f.file, f.sheet ?? "",
                          f.row.map(String.init) ?? "", f.recordKey, f.field, f.value, f.message, f.group, f.period,
                          f.observed, f.expected, s.status, s.firstSeen, f.denominator])
        }
        try out.close()
    }
}
