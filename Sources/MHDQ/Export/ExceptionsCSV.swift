// exceptions.csv: one row per finding, columns in the stable order of DESIGN.md.

public enum ExceptionsCSV {
    /// Stable column order; later columns may only be added at the end.
    public static let columns = ["run_id", "rule_id", "title", "class", "severity", "table", "source_file", "sheet", "row",
                                 "record_key", "field", "value", "message", "group", "period", "observed", "expected",
                                 "status", "first_seen", "denominator"]

    static func row(_ f: Finding, runID: String, status: String = "", firstSeen: String = "") -> [String] {
        [runID, f.ruleID, f.title, f.findingClass.rawValue, f.severity.rawValue, f.table, f.file, f.sheet ?? "",
         f.row.map(String.init) ?? "", f.recordKey, f.field, f.value, f.message, f.group, f.period,
         f.observed, f.expected, status, firstSeen, f.denominator]
    }

    public static func write(_ findings: [Finding], runID: String, to path: String,
                             status: (Finding) -> (status: String, firstSeen: String) = { ($0.status, $0.firstSeen) }) throws {
        let out = try OutputBuffer(creating: path)
        let csv = CSVWriter(output: out)
        csv.writeRow(columns)
        for f in findings {
            let s = status(f)
            csv.writeRow(row(f, runID: runID, status: s.status, firstSeen: s.firstSeen))
        }
        try out.close()
    }
}

/// Writes each finding to exceptions.csv as the engine produces it (constant memory for big runs).
public final class ExceptionsCSVWriter: FindingSink {
    let output: OutputBuffer
    let csv: CSVWriter
    let runID: String

    public init(path: String, runID: String) throws {
        output = try OutputBuffer(creating: path)
        csv = CSVWriter(output: output)
        self.runID = runID
        csv.writeRow(ExceptionsCSV.columns)
    }

    public func add(_ finding: Finding) {
        csv.writeRow(ExceptionsCSV.row(finding, runID: runID, status: finding.status, firstSeen: finding.firstSeen))
    }

    public func close() throws { try output.close() }
}
