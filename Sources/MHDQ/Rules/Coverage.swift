// How much of an official rule list a pack implements: implemented, needs context, or not implemented (with why).

import Foundation

public struct CoverageEntry: Sendable {
    public enum Status: String, Sendable { case implemented, needsContext = "needs-context", notImplemented = "not-implemented" }
    public var code: String
    public var table: String
    public var type: String
    public var level: String
    public var status: Status
    public var reason: String
}

public enum Coverage {
    /// Needs that only a manifest's reference data can satisfy (a period and the tables come with every run).
    static func isContext(_ need: String) -> Bool { need != "period" && !need.hasPrefix("table:") }

    /// Compares `pack` with its `official-rules.csv` (code, table, element, type, level, message).
    public static func report(pack: RulePack) throws -> [CoverageEntry] {
        let path = pack.directory + "/official-rules.csv"
        guard FileManager.default.fileExists(atPath: path) else {
            throw MHDQError.invocation("pack \(pack.name) has no official rule list (official-rules.csv): coverage compares a pack with a published list; mhdq rules list --pack \(pack.name) lists its rules")
        }
        var reader = try CSVReader(path: path, encoding: .utf8)
        var row = RawRow()
        guard try reader.next(into: &row) else { return [] }
        let header = row.fields
        guard let codeIndex = header.firstIndex(of: "code"), let tableIndex = header.firstIndex(of: "table"),
              let typeIndex = header.firstIndex(of: "type"), let levelIndex = header.firstIndex(of: "level") else {
            throw MHDQError.invocation("official-rules.csv needs columns code, table, type, level", at: SourceLocation(file: path, row: 1))
        }
        let rules = Dictionary(pack.rules.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let unimplemented = Dictionary(pack.unimplemented.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var out: [CoverageEntry] = []
        while try reader.next(into: &row) {
            let code = row.string(codeIndex)
            var e = CoverageEntry(code: code, table: row.string(tableIndex), type: row.string(typeIndex),
                                  level: row.string(levelIndex), status: .notImplemented, reason: "")
            if let rule = rules[code] {
                let needs = rule.needs.filter(isContext)
                if needs.isEmpty {
                    e.status = .implemented
                } else {
                    e.status = .needsContext
                    e.reason = "needs " + needs.sorted().map(ValidationEngine.describeNeed).joined(separator: "; ")
                }
            } else if let u = unimplemented[code] {
                e.reason = u.reason
            } else {
                e.reason = "not in the pack"
            }
            out.append(e)
        }
        return out
    }
}
