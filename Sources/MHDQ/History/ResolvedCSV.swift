// resolved.csv: the findings the last run had that this run no longer finds (fixed at source, or gone).

public enum ResolvedCSV {
    public static let columns = ["run_id", "rule_id", "title", "severity", "table", "record_key", "field", "group",
                                 "first_seen", "last_seen_run", "status"]

    /// Writes the findings `run` resolved; returns how many.
    @discardableResult
    public static func write(store: HistoryStore, run: HistoryRun, to path: String) throws -> Int {
        let out = try OutputBuffer(creating: path)
        let csv = CSVWriter(output: out)
        csv.writeRow(columns)
        var n = 0
        let days = LocalDays()
        try store.resolvedFindings(by: run) { f in
            csv.writeRow([run.runID, f.ruleID, f.title, f.severity, f.table, f.recordKey, f.field, f.group,
                          days.day(of: f.firstSeen), f.lastRunID, f.status])
            n += 1
        }
        try out.close()
        return n
    }
}
