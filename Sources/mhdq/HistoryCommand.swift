// `mhdq history list | show RUN | trend METRIC | prune --keep N`: the run history, read (and pruned).

import MHDQ
import Foundation

enum HistoryCommand {
    static let usage = "history takes list, show RUN, trend METRIC [--group G] or prune --keep N (with --history FILE, --out DIR or --manifest FILE)"

    static func run(_ args: inout Arguments) throws -> Int32 {
        let json = args.flag("--json")
        let group = try args.value("--group")
        let keepText = try args.value("--keep")
        let lastText = try args.value("--last")
        let waitText = try args.value("--history-wait")
        let path = try HistoryLocation.resolve(&args)
        let positionals = try args.positionals()
        guard let verb = positionals.first else { throw MHDQError.invocation(usage) }
        let last = try lastText.map { t -> Int in
            guard let n = Int(t), n > 0 else { throw MHDQError.invocation("--last takes a number of runs, not \"\(t)\"") }
            return n
        }
        let out = OutputBuffer.standardOutput()
        defer { try? out.close() }
        switch (verb, positionals.count) {
        case ("list", 1):
            let store = try HistoryStore(path: path, create: false)
            let runs = try store.runs(limit: last)
            if json {
                out.write(JSON.array(runs.map(runJSON)).render() + "\n")
                return ExitCode.ok
            }
            out.write("\(path.visible): \(runs.count) run\(runs.count == 1 ? "" : "s") shown, \(megabytes(store.fileBytes)) MB\n")
            out.write("#     run id               started               period   findings  failing      new  persisting  resolved  exit\n")
            for r in runs {
                out.write("\(("#" + String(r.sequence)).padding(5)) \(r.runID.visible.padding(20)) \(display(r.started).padding(21)) \(r.period.visible.padding(8))")
                if r.completed {
                    out.write(" \(number(r.findings).leftPadding(8)) \(number(r.failing).leftPadding(8)) \(number(r.opened).leftPadding(8)) \(number(r.persisting).leftPadding(11)) \(number(r.resolved).leftPadding(9))  \(r.exitCode)\n")
                } else {
                    out.write("  failed (exit \(r.exitCode)): \(String(r.error.split(separator: "\n").first ?? "").visible)\n")
                }
            }
        case ("show", 2):
            let store = try HistoryStore(path: path, create: false)
            let run = try store.requireRun(positionals[1])
            try show(run, store: store, json: json, out: out)
        case ("trend", 2):
            let store = try HistoryStore(path: path, create: false)
            try trend(positionals[1], group: group, last: last, store: store, json: json, out: out)
        case ("prune", 1):
            guard let keepText, let keep = Int(keepText), keep >= 1 else {
                throw MHDQError.invocation("prune needs --keep N (the number of most recent runs to keep, at least 1)")
            }
            let wait = try waitText.map { t -> Double in
                guard let d = Double(t), d >= 0 else { throw MHDQError.invocation("--history-wait takes seconds, not \"\(t)\"") }
                return d
            } ?? 60
            guard FileManager.default.fileExists(atPath: path) else { _ = try HistoryStore(path: path, create: false); return ExitCode.ok }
            // Pruning rewrites the file: no run may be between reading and recording.
            let lock = try HistoryLock(database: path, wait: wait, owner: "history prune") { holder in
                Console.error("mhdq: \(path): in use by \(holder); waiting up to \(Value.format(wait)) s")
            }
            defer { lock.release() }
            let store = try HistoryStore(path: path, create: false)
            let before = store.fileBytes
            let removed = try store.prune(keep: keep)
            out.write("removed \(removed) runs, kept the last \(keep); \(path): \(megabytes(before)) MB → \(megabytes(store.fileBytes)) MB\n")
        default:
            throw MHDQError.invocation(usage)
        }
        return ExitCode.ok
    }

    // MARK: - show

    static func show(_ run: HistoryRun, store: HistoryStore, json: Bool, out: OutputBuffer) throws {
        let inputs = try store.inputs(of: run)
        let packs = try store.packs(of: run)
        let tables = try store.tables(of: run)
        let changes = try store.changesByRule(in: run)
        let previous = try store.latestCompletedRun(before: run.sequence)
        if json {
            let value = runJSON(run)
                .setting("previous_run", previous.map { .string($0.runID) } ?? .null)
                .setting("packs", .array(packs.map { .object([("name", .string($0.name)), ("version", .string($0.version))]) }))
                .setting("inputs", .array(inputs.map { .object([("table", .string($0.table)), ("file", .string($0.file)),
                                                                ("bytes", .int($0.bytes)), ("sha256", .string($0.sha256))]) }))
                .setting("tables", .array(tables.map { .object([("table", .string($0.table)), ("rows_read", .int($0.read)),
                                                                ("rows_exported", .int($0.exported)), ("rows_rejected", .int($0.rejected))]) }))
                .setting("opened_by_rule", .object(changes.opened.map { ($0.rule, .int($0.count)) }))
                .setting("resolved_by_rule", .object(changes.resolved.map { ($0.rule, .int($0.count)) }))
            out.write(value.render() + "\n")
            return
        }
        out.write("run \(run.runID.visible) (#\(run.sequence)): \(run.pipeline.visible)\n")
        out.write("  started \(display(run.started)), finished \(display(run.finished)); mhdq \(run.toolVersion); exit code \(run.exitCode)\n")
        out.write("  manifest \(run.manifest.visible) (sha256 \(run.manifestSHA256.prefix(16))…)\n")
        if !run.period.isEmpty { out.write("  reporting period \(run.period.visible)\n") }
        if !packs.isEmpty { out.write("  rule packs: " + packs.map { "\($0.name.visible) \($0.version.visible)" }.joined(separator: ", ") + "\n") }
        if !run.completed {
            out.write(TerminalText.visibleLines("  failed: \(run.error)\n"))
            return
        }
        if !inputs.isEmpty {
            out.write("inputs:\n")
            for i in inputs {
                out.write("  \(i.table.visible.padding(23)) \(i.file.visible)  \(number(i.bytes)) bytes  sha256 \(i.sha256.prefix(16))…\n")
            }
        }
        if !tables.isEmpty {
            out.write("tables (rows read = exported + rejected):\n")
            for t in tables {
                out.write("  \(t.table.padding(23)) \(number(t.read).leftPadding(9)) = \(number(t.exported).leftPadding(9)) + \(number(t.rejected).leftPadding(7))\n")
            }
        }
        out.write("findings: \(number(run.findings)) (\(number(run.failing)) at a failing level)\n")
        out.write("  " + (previous.map { "since \($0.runID.visible)" } ?? "first run") + ": \(number(run.opened)) new, \(number(run.persisting)) persisting, \(number(run.resolved)) resolved\n")
        for (label, list) in [("new", changes.opened), ("resolved", changes.resolved)] where !list.isEmpty {
            out.write("\(label) by rule:\n")
            for c in list.prefix(12) { out.write("  \(c.rule.visible.padding(12)) \(number(c.count).leftPadding(8))\n") }
            if list.count > 12 { out.write("  ... and \(list.count - 12) more rules\n") }
        }
    }

    // MARK: - trend

    static func trend(_ metric: String, group: String?, last: Int?, store: HistoryStore, json: Bool, out: OutputBuffer) throws {
        if metric == "findings" {
            let runs = try store.runs(limit: last).filter(\.completed)
            if json {
                out.write(JSON.array(runs.map { r in
                    .object([("run_id", .string(r.runID)), ("started", .string(r.started)), ("period", .string(r.period)),
                             ("findings", .int(r.findings)), ("failing", .int(r.failing)), ("new", .int(r.opened)),
                             ("persisting", .int(r.persisting)), ("resolved", .int(r.resolved))])
                }).render() + "\n")
                return
            }
            out.write("findings run by run\nrun id               started                findings  failing      new  resolved\n")
            for r in runs {
                out.write("\(r.runID.visible.padding(20)) \(display(r.started).padding(21)) \(number(r.findings).leftPadding(9)) \(number(r.failing).leftPadding(8)) \(number(r.opened).leftPadding(8)) \(number(r.resolved).leftPadding(9))\n")
            }
            return
        }
        let points = try store.trend(rule: metric, group: group, limit: last)
        if points.isEmpty {
            let known = try store.metricRules().map(\.rule)
            throw MHDQError.invocation("no values of \(metric)\(group.map { " for group \"\($0)\"" } ?? "") in \(store.path) (metrics: findings\(known.isEmpty ? "" : ", " + known.joined(separator: ", ")))")
        }
        if json {
            var byGroup: [(String, [MetricTrendPoint])] = []
            for p in points {
                if byGroup.last?.0 == p.group { byGroup[byGroup.count - 1].1.append(p) } else { byGroup.append((p.group, [p])) }
            }
            out.write(JSON.object([("metric", .string(metric)), ("groups", .array(byGroup.map { g, ps in
                .object([("group", .string(g)), ("points", .array(ps.map { p in
                    .object([("run_id", .string(p.runID)), ("started", .string(p.started)), ("period", .string(p.period)),
                             ("value", p.value.map { .double($0) } ?? .null), ("numerator", p.numerator.map { .double($0) } ?? .null),
                             ("denominator", p.denominator.map { .double($0) } ?? .null), ("status", .string(p.status))])
                }))])
            }))]).render() + "\n")
            return
        }
        let title = try store.metricRules().first { $0.rule == metric }?.title ?? ""
        out.write("\(metric.visible)\(title.isEmpty ? "" : ": " + title.visible)\n")
        if metric.hasPrefix("series:") { out.write("run by run: each run's latest period (its return may hold earlier ones too)\n") }
        if group != nil {
            out.write("run id               started                period     value  numerator  denominator  status\n")
            for p in points {
                out.write("\(p.runID.visible.padding(20)) \(display(p.started).padding(21)) \(p.period.visible.padding(8)) \(show(p.value).leftPadding(8)) \(show(p.numerator).leftPadding(10)) \(show(p.denominator).leftPadding(12))  \(p.status.visible)\n")
            }
            return
        }
        // Every group: one line each, latest value, change since the run before, range, and a sparkline.
        out.write("group                          runs    latest  previous    change       min       max  trend\n")
        var i = 0
        while i < points.count {
            var j = i
            while j < points.count && points[j].group == points[i].group { j += 1 }
            let values = points[i ..< j].compactMap(\.value)
            let latest = points[j - 1].value
            let previous = j - i >= 2 ? points[j - 2].value : nil
            let change = latest.flatMap { l in previous.map { l - $0 } }
            // Groups (areas, organisations) are the data's values: see TerminalText.
            out.write("\(String(points[i].group.visible.prefix(30)).padding(30)) \(String(j - i).leftPadding(5)) \(show(latest).leftPadding(9)) \(show(previous).leftPadding(9)) \(show(change, signed: true).leftPadding(9)) \(show(values.min()).leftPadding(9)) \(show(values.max()).leftPadding(9))  \(sparkline(values.suffix(20)))\n")
            i = j
        }
    }

    static func sparkline<C: Collection>(_ values: C) -> String where C.Element == Double {
        guard let lo = values.min(), let hi = values.max() else { return "" }
        let bars = Array("▁▂▃▄▅▆▇█")
        return String(values.map { hi > lo ? bars[Int(($0 - lo) / (hi - lo) * 7)] : bars[3] })
    }

    // MARK: - Formatting

    static func runJSON(_ r: HistoryRun) -> JSON {
        .object([("sequence", .int(r.sequence)), ("run_id", .string(r.runID)), ("pipeline", .string(r.pipeline)),
                 ("started", .string(r.started)), ("finished", .string(r.finished)), ("manifest", .string(r.manifest)),
                 ("manifest_sha256", .string(r.manifestSHA256)), ("period", .string(r.period)), ("tool_version", .string(r.toolVersion)),
                 ("exit_code", .int(r.exitCode)), ("findings", .int(r.findings)), ("failing", .int(r.failing)),
                 ("new", .int(r.opened)), ("persisting", .int(r.persisting)), ("resolved", .int(r.resolved)),
                 ("error", r.error.isEmpty ? .null : .string(r.error))])
    }

    static func show(_ v: Double?, signed: Bool = false) -> String {
        guard let v else { return "-" }
        let r = (v * 10_000).rounded() / 10_000
        return (signed && r > 0 ? "+" : "") + Value.format(r)
    }

    static func number(_ n: Int) -> String { CheckReport.number(n) }
    static func megabytes(_ bytes: Int) -> String { String(format: "%.2f", Double(bytes) / 1_048_576) }
    /// "2026-11-22T16:24:50Z" as "2026-11-22 16:24:50".
    static func display(_ iso: String) -> String {
        iso.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: "")
    }
}

/// Which history a command reads: --history FILE, --out DIR (its history.sqlite), or --manifest FILE
/// (its [pipeline] history, or history.sqlite beside its out).
enum HistoryLocation {
    static func resolve(_ args: inout Arguments) throws -> String {
        let file = try args.value("--history")
        let out = try args.value("--out")
        let manifestPath = try args.value("--manifest")
        let rulesDir = try args.value("--rules")
        if let file { return file }
        if let out { return out + "/" + OutputFolder.historyFileName }
        if let manifestPath {
            let catalogue = try Catalogue.load(rulesDirectory: try Catalogue.locateRulesDirectory(explicit: rulesDir))
            let manifest = try Manifest.load(path: manifestPath, catalogue: catalogue)
            if let h = manifest.history { return h }
            if let o = manifest.out { return o + "/" + OutputFolder.historyFileName }
            throw MHDQError.invocation("the manifest names no history or out folder: give --history FILE or --out DIR", at: SourceLocation(file: manifestPath))
        }
        throw MHDQError.invocation("which history? give --history FILE, --out DIR (a run's output folder) or --manifest FILE")
    }
}
