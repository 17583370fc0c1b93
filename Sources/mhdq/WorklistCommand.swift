// `mhdq worklist [--new-since RUN|DATE]`: what to fix today, from the history: the last run's open findings,
// new ones first, each with the date it was first seen.

import MHDQ

enum WorklistCommand {
    static func run(_ args: inout Arguments) throws -> Int32 {
        let json = args.flag("--json")
        let csv = args.flag("--csv")
        let since = try args.value("--new-since")
        let rule = try args.value("--rule")
        let group = try args.value("--group")
        let limitText = try args.value("--limit")
        let runName = try args.value("--run")
        let path = try HistoryLocation.resolve(&args)
        guard try args.positionals().isEmpty else {
            throw MHDQError.invocation("worklist takes options only: mhdq worklist [--new-since RUN|DATE] [--rule ID] [--group G] [--limit N] [--csv | --json] --history FILE")
        }
        guard !(json && csv) else { throw MHDQError.invocation("worklist writes --csv or --json, not both") }
        let limit = try limitText.map { t -> Int in
            guard let n = Int(t), n > 0 else { throw MHDQError.invocation("--limit takes a number of findings, not \"\(t)\"") }
            return n
        } ?? Int.max
        let store = try HistoryStore(path: path, create: false)
        guard let run = try runName.map({ try store.requireRun($0) }) ?? store.latestCompletedRun() else {
            throw MHDQError.invocation("no completed run in \(path) yet: run mhdq run first")
        }
        var filter = HistoryStore.WorklistFilter(rule: rule, group: group)
        if let since {
            if let date = try sinceDate(since) {
                filter.sinceDate = date
            } else {
                filter.sinceRun = try store.requireRun(since)
            }
        }
        let out = OutputBuffer.standardOutput()
        defer { try? out.close() }
        var shown = 0, total = 0, new = 0
        // First-seen days are local, as --new-since DATE is (the history stores UTC times).
        let days = LocalDays()
        if csv {
            let writer = CSVWriter(output: out)
            writer.writeRow(["status", "first_seen", "first_run", "severity", "rule_id", "title", "table", "record_key", "field", "group"])
            try store.openFindings(after: run, filter: filter) { f in
                total += 1
                guard shown < limit else { return }
                shown += 1
                writer.writeRow([f.status, days.day(of: f.firstSeen), f.firstRunID, f.severity, f.ruleID, f.title, f.table,
                                 f.recordKey, f.field, f.group])
            }
            return ExitCode.ok
        }
        if json {
            var items: [JSON] = []
            try store.openFindings(after: run, filter: filter) { f in
                total += 1
                if f.status == "new" { new += 1 }
                guard items.count < limit else { return }
                items.append(.object([("status", .string(f.status)), ("first_seen", .string(days.day(of: f.firstSeen))),
                                      ("first_run", .string(f.firstRunID)), ("severity", .string(f.severity)),
                                      ("rule_id", .string(f.ruleID)), ("title", .string(f.title)), ("table", .string(f.table)),
                                      ("record_key", .string(f.recordKey)), ("field", .string(f.field)), ("group", .string(f.group))]))
            }
            out.write(JSON.object([("run_id", .string(run.runID)), ("started", .string(run.started)), ("history", .string(path)),
                                   ("open", .int(total)), ("new", .int(new)), ("findings", .array(items))]).render() + "\n")
            return ExitCode.ok
        }
        var body = ""
        try store.openFindings(after: run, filter: filter) { f in
            total += 1
            if f.status == "new" { new += 1 }
            guard shown < limit else { return }
            shown += 1
            // Record keys and groups are the data's own values: shown with their control characters replaced.
            body += "\(f.status.visible.padding(10)) \(days.day(of: f.firstSeen).padding(10)) \(f.severity.visible.padding(18)) \(f.ruleID.visible.padding(10)) \(f.table.visible.padding(22)) \(f.recordKey.visible.padding(14)) \(f.field.visible.padding(24)) \(f.group.visible.padding(12)) \(f.title.visible)\n"
        }
        var head = "worklist from run \(run.runID.visible) (\(HistoryCommand.display(run.started))): \(CheckReport.number(total)) open findings"
        var scope: [String] = []
        if let date = filter.sinceDate { scope.append("first seen on or after \(date)") }
        if let run = filter.sinceRun { scope.append("first seen after run \(run.runID.visible)") }
        if let rule { scope.append("rule \(rule.visible)") }
        if let group { scope.append("group \(group.visible)") }
        if !scope.isEmpty { head += " (" + scope.joined(separator: ", ") + ")" }
        head += ", \(CheckReport.number(new)) new in this run"
        if shown < total { head += "; showing the first \(CheckReport.number(shown))" }
        out.write(TerminalText.visibleLines(head + "\n"))
        out.write("status     first seen severity           rule       table                  record key     field                    group        title\n")
        out.write(TerminalText.visibleLines(body))
        return ExitCode.ok
    }

    /// The date `--new-since` gives as CCYY-MM-DD, or nil when it names a run. Text in that form that is no calendar
    /// date (2026-23-11, 2026-02-31) is refused: read as a date it would match nothing and answer "0 open findings".
    static func sinceDate(_ s: String) throws -> String? {
        let b = Array(s.utf8)
        guard b.count == 10, b[4] == 0x2D, b[7] == 0x2D,
              b.enumerated().allSatisfy({ i, c in i == 4 || i == 7 || (c >= 0x30 && c <= 0x39) }),
              let year = Int(s.prefix(4)), let month = Int(s.dropFirst(5).prefix(2)), let day = Int(s.suffix(2)) else { return nil }
        guard CivilDate.isValid(year: year, month: month, day: day) else {
            throw MHDQError.invocation("--new-since \(s) is not a date: give CCYY-MM-DD (such as 2026-09-30), or a run (its id, #N or latest)")
        }
        return s
    }
}
