// summary.json: run metadata, per-table reconciliation, counts by rule and severity, metrics, exit status.
// Schema (stable; fields may be added): see README.md, "summary.json".

public enum SummaryJSON {
    public static let schemaVersion = 1

    public static func make(runID: String, manifest: String?, period: ReportingPeriod?, result: CheckResult,
                            reconciliation: [ReconciliationRow], started: String,
                            flatFiles: [FlatFileSpooler.FlatFile] = [], redacted: Bool = false) -> JSON {
        .object([
            ("schema_version", .int(schemaVersion)),
            ("run_id", .string(runID)),
            ("tool_version", .string(MHDQVersion.string)),
            ("started", .string(started)),
            ("manifest", manifest.map { .string($0) } ?? .null),
            ("period", period.map { .string($0.description) } ?? .null),
            ("packs", .array(result.packs.map { .object([("name", .string($0.name)), ("version", .string($0.version))]) })),
            ("tables", .array(reconciliation.map { r in
                .object([("table", .string(r.table)), ("rows_read", .int(r.read)), ("rows_exported", .int(r.exported)),
                         ("rows_rejected", .int(r.rejected)), ("rejected_in_staging", .int(r.rejectedInStaging)),
                         ("rejected_by_record_rules", .int(r.rejectedByRecordRules)),
                         ("rejected_by_group_rules", .int(r.rejectedByGroupRules)), ("balanced", .bool(r.balanced))])
            })),
            ("findings", result.findingCountsJSON),
            ("metrics", .array(result.metrics.map { m in
                .object([("rule_id", .string(m.ruleID)), ("title", .string(m.title)), ("table", .string(m.table)),
                         ("measure", .string(m.measure)), ("group", .string(m.group)),
                         ("value", m.value.map { .double($0) } ?? .null), ("numerator", .double(m.numerator)),
                         ("denominator", .double(m.denominator)), ("status", .string(m.status))])
            })),
            ("not_run", result.notRunJSON),
            ("flat_files", flatFilesJSON(flatFiles)),
            ("redacted", .bool(redacted)),
            ("exit_code", .int(Int(result.exitCode))),
        ])
    }
}

extension SummaryJSON {
    static func flatFilesJSON(_ files: [FlatFileSpooler.FlatFile]) -> JSON {
        .array(files.map { f in
            let name = String(f.path.split(separator: "/").last ?? "")
            return .object([("table", .string(f.table)), ("file", .string(name)),
                             ("records", .int(f.written)), ("left_out_rejected", .int(f.leftOut))])
        })
    }
}

/// Nothing lost: for every table, rows read = rows exported + rows rejected.
public struct ReconciliationRow: Sendable {
    public var table: String
    public var read: Int
    public var exported: Int
    public var rejectedInStaging: Int
    public var rejectedByRecordRules: Int
    public var rejectedByGroupRules: Int
    public var rejected: Int { rejectedInStaging + rejectedByRecordRules + rejectedByGroupRules }
    public var balanced: Bool { read == exported + rejected }

    /// Reconciliation with rows exported taken from the flat files as written; it must agree with what
    /// staging and the rules left (staged − rejected), or the run fails rather than report a false balance.
    public static func make(_ result: CheckResult, written: [String: Int]) throws -> [ReconciliationRow] {
        var rows = make(result)
        for i in rows.indices {
            let table = rows[i].table
            guard let n = written[table] else {
                throw MHDQError.input("reconciliation: no flat file was written for \(table)")
            }
            guard n == rows[i].exported else {
                throw MHDQError.input("reconciliation failed for \(table): \(n) records written to its flat file, but rows staged − rejected = \(rows[i].exported)")
            }
            rows[i].exported = n
        }
        return rows
    }

    public static func make(_ result: CheckResult) -> [ReconciliationRow] {
        result.stats.map { s in
            let o = result.outcomes.first { $0.table == s.table }
            let byRecord = o?.rejectedByRecordRules ?? 0
            let byGroup = o?.rejectedByGroupRules ?? 0
            return ReconciliationRow(table: s.table, read: s.rowsRead, exported: s.rowsStaged - byRecord - byGroup,
                                     rejectedInStaging: s.rowsRejected, rejectedByRecordRules: byRecord, rejectedByGroupRules: byGroup)
        }
    }

    public static func writeCSV(_ rows: [ReconciliationRow], to path: String) throws {
        let out = try OutputBuffer(creating: path)
        let csv = CSVWriter(output: out)
        csv.writeRow(["table", "rows_read", "rows_exported", "rows_rejected", "rejected_in_staging",
                      "rejected_by_record_rules", "rejected_by_group_rules", "balanced"])
        for r in rows {
            csv.writeRow([r.table, String(r.read), String(r.exported), String(r.rejected), String(r.rejectedInStaging),
                          String(r.rejectedByRecordRules), String(r.rejectedByGroupRules), r.balanced ? "yes" : "NO"])
        }
        try out.close()
    }
}

extension CheckResult {
    /// Finding counts as `check --json` and summary.json both give them.
    public var findingCountsJSON: JSON {
        .object([
            ("total", .int(totalFindings)),
            ("failing", .int(failingCount)),
            ("by_severity", .object(countsBySeverity().map { ($0.0.rawValue, .int($0.1)) })),
            ("by_rule", .array(countsByRule().map { r in
                .object([("rule_id", .string(r.rule)), ("title", .string(r.title)),
                         ("severity", .string(r.severity.rawValue)), ("count", .int(r.count))])
            })),
        ])
    }

    public var notRunJSON: JSON {
        .array(notRun.map { .object([("rule_id", .string($0.rule)), ("needs", .string($0.needs))]) })
    }
}
