// Shared helpers for the rule tests: the repository's Rules/ folder, temp folders with small CSV
// fixtures, `mhdq check`-style runs, and single-expression evaluation.

import Foundation
import Testing
@testable import MHDQ

enum RuleTestSupport {
    /// The repository's Rules/ folder, found from this file's path (Tests/MHDQTests/Rules/…).
    static let rulesDirectory: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0 ..< 4 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("Rules").path
    }()

    /// Loaded once: the catalogue is immutable and every test reads the same one.
    static let catalogue: Catalogue = try! Catalogue.load(rulesDirectory: rulesDirectory)

    static let period = ReportingPeriod("2026-09")!

    /// A copy of Rules/ with one extra pack "probe"; the catalogue and the copy's folder (kept alive by the caller).
    static func rules(packToml: String, files: [String: String]) throws -> (Catalogue, TempDir) {
        let dir = TempDir()
        try FileManager.default.copyItem(atPath: rulesDirectory, toPath: dir.path + "/Rules")
        dir.write("Rules/packs/probe/pack.toml", packToml)
        for (name, text) in files { dir.write("Rules/packs/probe/" + name, text) }
        return (try Catalogue.load(rulesDirectory: dir.path + "/Rules"), dir)
    }

    /// pack.toml of a pack "probe" for `tables`.
    static func probePack(_ tables: [String]) -> String {
        "name = \"probe\"\ntitle = \"Probe\"\nversion = \"0\"\ntables = [\(tables.map { "\"\($0)\"" }.joined(separator: ", "))]\n"
    }

    /// Runs what `mhdq check --table NAME=FILE ... --period 2026-09 [--pack ...]` runs.
    static func check(_ dir: TempDir, tables: [(String, String)], packs: [String]? = nil,
                      period: ReportingPeriod? = RuleTestSupport.period, catalogue: Catalogue? = nil) throws -> CheckResult {
        let cat = catalogue ?? self.catalogue
        var pairs: [String] = []
        for (i, (table, csv)) in tables.enumerated() {
            let path = dir.write("t\(i)-\(table).csv", csv)
            pairs.append(table + "=" + path)
        }
        let sources = try CheckRun.adHocSources(pairs, catalogue: cat, read: ReadOptions())
        return try CheckRun(catalogue: cat, sources: sources, period: period, packs: packs).run()
    }

    /// Evaluates one expression against one record of `table` (fields not given are blank),
    /// with the reporting period 2026-09 and a header made the way `check` makes it.
    static func eval(_ expression: String, table: String = "MHS001MPI", _ fields: [String: Value] = [:],
                     period: ReportingPeriod? = RuleTestSupport.period) throws -> Value {
        let ds = catalogue.dataset(table)!
        var scope = CompileScope(dataset: ds, header: catalogue.dataset("MHS000Header"), catalogue: catalogue,
                                 lookups: LookupRegistry())
        let compiled = try ExpressionCompiler.compile(expression, origin: SourceLocation(file: "test", row: 1, offset: 1),
                                                      sourceLine: expression, scope: &scope)
        let ctx = EvalContext()
        ctx.record = Array(repeating: .null, count: ds.fields.count)
        for (name, v) in fields { ctx.record[ds.index(of: name)!] = v }
        ctx.periodStart = period?.start.days
        ctx.periodEnd = period?.end.days
        ctx.header = CheckRun(catalogue: catalogue, sources: [], period: period).syntheticHeader() ?? []
        return compiled(ctx)
    }

    static func date(_ iso: String) -> Value { .date(ExpressionCompiler.parseISODate(iso)!) }

    /// The official message of `code` (official-rules.csv, the published list's "Validation Text with
    /// Action"), with its <Field> placeholders filled in.
    static func officialMessage(_ code: String, _ values: [String: String] = [:]) throws -> String {
        guard var message = officialRules[code]?.message else { throw TestFailure("\(code) is not in official-rules.csv") }
        for (k, v) in values { message = message.replacingOccurrences(of: "<\(k)>", with: v) }
        #expect(!message.contains("<") || !message.contains(">"), "unfilled placeholder in \(code): \(message)")
        return message
    }

    static let officialRules: [String: (level: String, type: String, message: String)] = {
        var reader = try! CSVReader(path: rulesDirectory + "/packs/mhsds-v6/official-rules.csv", encoding: .utf8)
        var row = RawRow()
        _ = try! reader.next(into: &row)
        let header = row.fields
        let code = header.firstIndex(of: "code")!, level = header.firstIndex(of: "level")!
        let type = header.firstIndex(of: "type")!, message = header.firstIndex(of: "message")!
        var out: [String: (String, String, String)] = [:]
        while try! reader.next(into: &row) {
            out[row.string(code)] = (row.string(level), row.string(type), row.string(message))
        }
        return out
    }()
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// A temporary folder, removed when the value goes away.
final class TempDir {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "mhdq-rules-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    @discardableResult
    func write(_ name: String, _ text: String) -> String {
        let p = path + "/" + name
        try! FileManager.default.createDirectory(atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try! text.write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }
}

extension CheckResult {
    func findings(_ rule: String) -> [Finding] { findings.filter { $0.ruleID == rule } }
    func outcome(_ table: String) -> TableOutcome? { outcomes.first { $0.table == table } }
    func metric(_ rule: String, group: String = "") -> Metric? { metrics.first { $0.ruleID == rule && $0.group == group } }
}
