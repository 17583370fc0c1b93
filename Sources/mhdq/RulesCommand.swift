// `mhdq rules list | lint | coverage`: the rule catalogue, checked and measured.

import MHDQ

enum RulesCommand {
    static func run(_ args: inout Arguments) throws -> Int32 {
        let json = args.flag("--json")
        let packNames = try args.values("--pack")
        let rulesDir = try args.value("--rules")
        let positionals = try args.positionals()
        guard let verb = positionals.first, positionals.count == 1 else {
            throw MHDQError.invocation("rules takes list, lint or coverage (mhdq rules coverage --pack mhsds-v6)")
        }
        let catalogue = try Catalogue.load(rulesDirectory: try Catalogue.locateRulesDirectory(explicit: rulesDir))
        let names = packNames.isEmpty ? RulePackLoader.packNames(rulesDirectory: catalogue.rulesDirectory) : packNames
        let registry = LookupRegistry()
        let packs = try names.map { try RulePackLoader.load(name: $0, catalogue: catalogue, lookups: registry) }
        let out = OutputBuffer.standardOutput()
        defer { try? out.close() }
        switch verb {
        case "list":
            if json {
                out.write(JSON.array(packs.flatMap { p in p.rules.map { r in
                    JSON.object([("pack", .string(p.name)), ("id", .string(r.id)), ("kind", .string(r.kind.rawValue)),
                                 ("table", .string(r.table)), ("severity", .string(r.severity.rawValue)),
                                 ("class", .string(r.findingClass.rawValue)), ("title", .string(r.title)),
                                 ("needs", .array(r.needs.sorted().map { .string($0) }))])
                } }).render() + "\n")
                return ExitCode.ok
            }
            for p in packs {
                out.write("\(p.name) \(p.version): \(p.title) (\(p.rules.count) rules)\n")
                for r in p.rules {
                    out.write("  \(r.id.padding(10)) \(r.kind.rawValue.padding(9)) \(r.severity.rawValue.padding(19)) \(r.table.padding(23)) \(r.title)\n")
                }
                out.write("\n")
            }
        case "lint":
            // Loading compiles every rule: syntax, fields, tables, code lists, functions, placeholders.
            try RulePackLoader.checkUniqueIDs(packs)
            let total = packs.reduce(0) { $0 + $1.rules.count }
            out.write("\(packs.count) packs, \(total) rules, \(catalogue.datasets.count) datasets, \(catalogue.codeLists.count) code lists: all load, ids unique, placeholders resolve\n")
        case "coverage":
            guard packNames.count == 1, let pack = packs.first else { throw MHDQError.invocation("coverage takes one --pack NAME") }
            let entries = try Coverage.report(pack: pack)
            if json {
                out.write(JSON.array(entries.map { e in
                    JSON.object([("code", .string(e.code)), ("table", .string(e.table)), ("type", .string(e.type)),
                                 ("level", .string(e.level)), ("status", .string(e.status.rawValue)), ("reason", .string(e.reason))])
                }).render() + "\n")
                return ExitCode.ok
            }
            var counts: [CoverageEntry.Status: Int] = [:]
            for e in entries { counts[e.status, default: 0] += 1 }
            for e in entries {
                out.write("\(e.code.padding(10)) \(e.table.padding(23)) \(e.type.padding(14)) \(e.status.rawValue.padding(16)) \(e.reason)\n")
            }
            out.write("\n\(pack.name): \(entries.count) official rules: \(counts[.implemented] ?? 0) implemented, \(counts[.needsContext] ?? 0) need context, \(counts[.notImplemented] ?? 0) not implemented\n")
        default:
            throw MHDQError.invocation("rules takes list, lint or coverage, not \"\(verb)\"")
        }
        return ExitCode.ok
    }
}
