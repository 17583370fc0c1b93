// Rule packs: folders under Rules/packs/ of TOML rule files, loaded and checked before any data is read.

import Foundation

public enum RuleKind: String, Sendable, CaseIterable {
    /// A condition on one row.
    case record
    /// More than one record with the same key (within the records that pass `where`).
    case duplicate
    /// A record whose key has no valid record in another table.
    case orphan
    /// A measure over a group of records, held to warn/fail thresholds.
    case aggregate
    /// A condition on one period of a series ([[series]]), which may read other periods (prev, trailing_median).
    case series
    /// A KPI return row held to the KPI catalogue (Rules/kpi): reports the rows with a given verdict.
    case kpi
}

/// How an aggregate rule measures a group.
public enum AggregateMeasure: String, Sendable, CaseIterable {
    /// Share of records (passing `where`) for which `numerator` is true.
    case share
    /// Number of records (passing `where`) for which `numerator` is true.
    case count
    /// Mean of `value` over the records passing `where`.
    case mean
    /// NHS England DQMI item score: (valid − defaults in excess of the allowance) ÷ records × 100.
    case dqmi
}

/// A loaded rule. A class: the engine runs every rule for every record, and a reference costs one retain.
public final class Rule {
    public var id: String
    public var title: String
    public var description: String
    public var findingClass: FindingClass
    public var severity: Severity
    public var kind: RuleKind
    public var table: String
    public var field: String
    /// Where `field` is in a record of `table` (nil when it is not one of the table's fields).
    var fieldIndex: Int?
    public var location: SourceLocation
    /// Context the rule needs to run: "ods", "postcodes", "portal_org", "upload_date", "period", "table:NAME".
    public var needs: Set<String>
    /// Official rule metadata (MHSDS error code level and type), when the rule is an official one.
    public var officialType: String?

    // Record rules: the failing condition. Duplicate/aggregate rules: `filter` limits the records considered.
    var condition: Test?
    /// A record rule's condition as a FieldCheck, when it has one of the shapes the engine runs in a loop.
    var fieldCheck: FieldCheck?
    var filter: Test?
    var message: MessageTemplate

    // Group rules.
    public var key: [String] = []
    /// Where each part of `key` is read: a field of the record, or (duplicate rules) a derived field.
    var keyParts: [KeyPart] = []
    public var references: String?
    public var referencesKey: [String] = []
    /// Group rules: the record fields their message shows.
    public var messageFields: [String] = []

    // Aggregate rules.
    public var measure: AggregateMeasure?
    var numerator: Test?
    var valueExpr: Compiled?
    /// Aggregate rules: what a group counts once (a patient, however many of its referrals the group has).
    var distinct: Compiled?
    /// What an aggregate rule evaluates for each record (its pack, `where`, `numerator`, `value`, `defaults` and
    /// `distinct` as written): rules of a table with the same one are evaluated once per record for them all.
    var recordEvaluation = ""
    var defaults: Test?
    public var defaultAllowance: Double = 0
    var groupBy: [CompiledExpression] = []
    public var groupByNames: [String] = []
    /// Per `by` expression: whether it reads nothing of the record (the header's provider), so its value is
    /// the same for every record and a blank one means the whole table, not records missing it.
    var groupByConstant: [Bool] = []
    public var warnBelow: Double?
    public var failBelow: Double?
    public var warnAbove: Double?
    public var failAbove: Double?
    public var minDenominator: Int = 1
    /// Conditions on the measured group (value, numerator, denominator, history functions), besides or
    /// instead of the bands: a finding at Warning / Fail when true. The text is shown as the expectation.
    var warnWhen: Compiled?
    var failWhen: Compiled?
    public var warnWhenText: String?
    public var failWhenText: String?
    /// Share/DQMI results are shown as percentages.
    public var percent: Bool { measure == .share || measure == .dqmi }

    // Series and KPI rules: the observed value, the band and the denominator a finding shows.
    var observed: MessageTemplate?
    var expected: MessageTemplate?
    var denominator: MessageTemplate?
    /// Series rules: the series they run over.
    public var series: SeriesDefinition?
    /// The pack the rule is in, and its version (a rule's past in the history is its own version's).
    public var pack: PackVersion?
    /// KPI rules: the verdicts they report ("red", "amber", "not reported", ... or "not in catalogue").
    public var verdicts: [String] = []
    public var kpiCatalogue: KPICatalogue?

    init(id: String, title: String, description: String, findingClass: FindingClass, severity: Severity, kind: RuleKind,
         table: String, field: String, location: SourceLocation, needs: Set<String>, officialType: String?,
         condition: Test?, filter: Test?, message: MessageTemplate) {
        self.id = id
        self.title = title
        self.description = description
        self.findingClass = findingClass
        self.severity = severity
        self.kind = kind
        self.table = table
        self.field = field
        self.location = location
        self.needs = needs
        self.officialType = officialType
        self.condition = condition
        self.filter = filter
        self.message = message
    }
}

/// One part of a group rule's key. A derived field is named by its slot as well as its name: packs loaded
/// together may each derive a field of the same name for a table, and their keys must not be taken for one.
enum KeyPart: Hashable {
    case field(String)
    case derived(String, slot: Int)
}

/// A rule the pack knows of but does not implement, with the reason (for coverage).
public struct UnimplementedRule: Sendable {
    public var id: String
    public var table: String
    public var reason: String
    public var location: SourceLocation? = nil
}

public struct RulePack {
    public var name: String
    public var title: String
    public var version: String
    public var description: String
    public var directory: String
    public var tables: [String]
    public var rules: [Rule]
    public var derived: [String: [(name: String, expr: CompiledExpression, slot: Int)]]
    /// table → derived field → what computing it needs (passed on to every rule that reads it).
    public var derivedNeeds: [String: [String: Set<String>]] = [:]
    public var unimplemented: [UnimplementedRule]
    public var lookups: LookupRegistry
    /// Thresholds the pack's rules read with setting("name") (pack.toml [settings]); a manifest's [settings] overrides them.
    public var settings: [String: Value] = [:]
    /// Series the pack declares ([[series]]), for its series rules.
    public var series: [SeriesDefinition] = []
    /// The KPI catalogue, loaded when the pack has kpi rules.
    public var kpiCatalogue: KPICatalogue?
}

public enum RulePackLoader {
    /// Tables are read in order, each once: lookup() finds only records of a table read before the rule's own,
    /// so one into this table or a later one could never answer. Refused when the pack loads.
    static func requireEarlierTables(_ needs: Set<String>, of table: String, catalogue: Catalogue, at location: SourceLocation) throws {
        let tables = needs.filter { $0.hasPrefix("table:") }
        guard !tables.isEmpty else { return }
        let order = catalogue.tableNames
        guard let own = order.firstIndex(of: table) else { return }
        for need in tables.sorted() {
            let other = String(need.dropFirst(6))
            guard let t = order.firstIndex(of: other), t >= own else { continue }
            throw MHDQError.invocation("lookup() reads a table read before \(table): \(other) is read \(t == own ? "as this one" : "after it")", at: location)
        }
    }

    /// Every pack folder under Rules/packs, sorted by name.
    public static func packNames(rulesDirectory: String) -> [String] {
        let dir = rulesDirectory + "/packs"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.filter { FileManager.default.fileExists(atPath: dir + "/" + $0 + "/pack.toml") }.sorted()
    }

    /// A rule id names one rule across every pack of a run (findings, history and worklists key on it), and a
    /// pack's name one pack (the history keeps a rule's past by pack name and version): two folders whose
    /// pack.toml give one name, or one pack listed twice, are refused rather than run together or twice.
    public static func checkUniqueIDs(_ packs: [RulePack]) throws {
        var folders: [String: String] = [:]
        for p in packs {
            if let other = folders[p.name] {
                let packToml = SourceLocation(file: p.directory + "/pack.toml")
                guard other != p.directory else {
                    throw MHDQError.invocation("pack \(p.name) is listed twice: list each pack once", at: packToml)
                }
                throw MHDQError.invocation("pack folders \(other) and \(p.directory) both have name = \"\(p.name)\" in pack.toml: give each pack a name of its own",
                                           at: packToml)
            }
            folders[p.name] = p.directory
        }
        var seen: [String: (pack: String, location: SourceLocation?)] = [:]
        for p in packs {
            for (id, location) in p.rules.map({ ($0.id, Optional($0.location)) }) + p.unimplemented.map({ ($0.id, $0.location) }) {
                if let other = seen[id], other.pack != p.name {
                    throw MHDQError.invocation("rule id \(id) is in both packs \(other.pack) and \(p.name)\(other.location.map { " (first at \($0))" } ?? "")",
                                               at: location)
                }
                seen[id] = (p.name, location)
            }
        }
    }

    public static func load(name: String, catalogue: Catalogue, lookups: LookupRegistry = LookupRegistry()) throws -> RulePack {
        let dir = catalogue.rulesDirectory + "/packs/" + name
        let packFile = dir + "/pack.toml"
        guard FileManager.default.fileExists(atPath: packFile) else {
            let known = packNames(rulesDirectory: catalogue.rulesDirectory).joined(separator: ", ")
            throw MHDQError.invocation("unknown rule pack \"\(name)\" (known: \(known))")
        }
        let meta = try TOML.parse(file: packFile)
        try meta.rejectUnknownKeys(["name", "title", "version", "description", "tables", "files", "settings"], context: "pack.toml")
        var pack = RulePack(name: try meta.string("name") ?? name, title: try meta.string("title") ?? name,
                            version: try meta.string("version") ?? "", description: try meta.string("description") ?? "",
                            directory: dir, tables: try meta.strings("tables") ?? [], rules: [], derived: [:],
                            unimplemented: [], lookups: lookups)
        pack.settings = try packSettings(meta)
        for t in pack.tables where catalogue.dataset(t) == nil {
            throw MHDQError.invocation("pack \(name) applies to unknown table \"\(t)\"", at: meta["tables"]?.location)
        }
        // Files load in the order pack.toml lists them (derived fields and series before the rules that read
        // them), else by name.
        var files = try Catalogue.files(in: dir, ext: "toml").filter { !$0.hasSuffix("/pack.toml") }
        if let listed = try meta.strings("files") {
            for f in listed where !files.contains(dir + "/" + f) {
                throw MHDQError.invocation("pack \(name) lists \"\(f)\", which is not a rule file in \(dir)", at: meta["files"]?.location)
            }
            let unlisted = files.filter { f in !listed.contains { dir + "/" + $0 == f } }
            guard unlisted.isEmpty else {
                throw MHDQError.invocation("pack \(name) lists its files but not \(unlisted.map { ($0 as NSString).lastPathComponent }.joined(separator: ", ")): list every rule file, or none",
                                           at: meta["files"]?.location)
            }
            files = listed.map { dir + "/" + $0 }
        }
        var ids: [String: SourceLocation] = [:]
        for file in files {
            try loadFile(file, catalogue: catalogue, into: &pack, ids: &ids)
        }
        return pack
    }

    static func loadFile(_ file: String, catalogue: Catalogue, into pack: inout RulePack, ids: inout [String: SourceLocation]) throws {
        let doc = try TOML.parse(file: file)
        try doc.rejectUnknownKeys(["table", "derive", "series", "rule", "not_implemented"], context: "a rule file")
        // The file's lines, for carets under errors inside expressions: split on bytes (splitting the String
        // by Character was a fifth of loading every pack, and never split a CRLF file at all).
        let lines = ((try? ByteInput.readAll(path: file)) ?? []).split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
            String(decoding: line.last == 0x0D ? line.dropLast() : line, as: UTF8.self)
        }
        let defaultTable = try doc.string("table")
        let header = catalogue.dataset("MHS000Header")

        func dataset(for t: TOMLTable) throws -> Dataset {
            guard let name = try t.string("table") ?? defaultTable else {
                throw MHDQError.invocation("no table: set table = \"...\" in the rule or at the top of the file", at: t.location)
            }
            guard let ds = catalogue.dataset(name) else {
                throw MHDQError.invocation("unknown table \"\(name)\" (known: \(catalogue.tableNames.joined(separator: ", ")))", at: t["table"]?.location ?? t.location)
            }
            return ds
        }

        /// Compiles the expression string at `key` of `t`, pointing errors inside the string. `perRecord`:
        /// a derived field, computed for every record (remembered by its inputs when it can be).
        func compile(_ t: TOMLTable, _ key: String, _ scope: inout CompileScope, perRecord: Bool = false,
                     expecting: ExpressionCompiler.Expecting = .value) throws -> Compiled? {
            guard let e = try expressionString(t, key) else { return nil }
            do {
                return try ExpressionCompiler.compile(e.text, origin: e.origin, sourceLine: e.line, scope: &scope, perRecord: perRecord,
                                                      expecting: expecting)
            } catch let error as MHDQError {
                throw pointingPastEscapes(error, stringStart: e.origin.offset, row: e.origin.row, line: e.line)
            }
        }

        /// The same for a condition, compiled to a three-valued test (no Value made for its truth), and to a
        /// FieldCheck when it has one of the shapes the engine runs in a loop. Not generic over the two: a
        /// closure returned through a generic result is called through a thunk.
        func condition(_ t: TOMLTable, _ key: String, _ scope: inout CompileScope) throws -> (test: Test, check: FieldCheck?)? {
            guard let e = try expressionString(t, key) else { return nil }
            do {
                return try ExpressionCompiler.compileCondition(e.text, origin: e.origin, sourceLine: e.line, scope: &scope)
            } catch let error as MHDQError {
                throw pointingPastEscapes(error, stringStart: e.origin.offset, row: e.origin.row, line: e.line)
            }
        }

        /// The expression string at `key`, where it starts in the file, and its line (for carets).
        func expressionString(_ t: TOMLTable, _ key: String) throws -> (text: String, origin: SourceLocation, line: String?)? {
            guard let node = t[key] else { return nil }
            guard case .string(let text) = node.value else { throw t.wrongType(key, node, "an expression in quotes") }
            var origin = node.location
            // The expression starts after the opening quote (or quotes).
            let row = (origin.row ?? 1) - 1
            let line = row < lines.count ? lines[row] : nil
            if let line, let col = origin.offset {
                let rest = Array(line.unicodeScalars.dropFirst(col - 1))
                let quoteLength = rest.starts(with: ["\"", "\"", "\""]) || rest.starts(with: ["'", "'", "'"]) ? 3 : 1
                origin.offset = col + quoteLength
                if quoteLength == 3 {
                    // A multi-line string starts on the next line when the quotes end the line.
                    if rest.count == 3 { origin.row = row + 2; origin.offset = 1 }
                }
            }
            let sourceLine = origin.row.flatMap { $0 - 1 < lines.count ? lines[$0 - 1] : nil }
            return (text, origin, sourceLine)
        }

        /// Errors count columns in the decoded string; in a "basic" string each escape (\" \\ \uXXXX) is
        /// longer in the file, so move the column (and caret) to the character as written. Columns count
        /// Unicode scalars (as the TOML reader does), so the line is read as scalars too.
        func pointingPastEscapes(_ e: MHDQError, stringStart: Int?, row: Int?, line: String?) -> MHDQError {
            guard let start = stringStart, start >= 2, let row, let line, var loc = e.location, loc.row == row,
                  let column = loc.offset, column > start else { return e }
            let chars = Array(line.unicodeScalars)
            guard start - 2 < chars.count, chars[start - 2] == "\"" else { return e }       // literal '...' strings have no escapes
            var i = start - 1, decoded = 0
            while decoded < column - start, i < chars.count {
                if chars[i] == "\\", i + 1 < chars.count {
                    i += chars[i + 1] == "u" ? 6 : chars[i + 1] == "U" ? 10 : 2
                } else {
                    i += 1
                }
                decoded += 1
            }
            loc.offset = i + 1
            var out = e
            out.location = loc
            let shown = line.replacingTabs()
            out.detail = "    \(shown)\n    \(shown.caretIndent(column: i + 1))^"
            return out
        }

        for d in try doc.tables("derive") {
            try d.rejectUnknownKeys(["table", "name", "expr", "description"], context: "a [[derive]]")
            let ds = try dataset(for: d)
            let name = try d.requiredString("name")
            if ds.index(of: name) != nil {
                throw MHDQError.invocation("derived field \"\(name)\" hides a field of \(ds.table)", at: d.location)
            }
            var scope = CompileScope(dataset: ds, header: header, catalogue: catalogue, lookups: pack.lookups)
            scope.derived = pack.derived[ds.table, default: []].map { ($0.name, $0.slot) }
            scope.derivedNeeds = pack.derivedNeeds[ds.table, default: [:]]
            scope.settings = pack.settings
            scope.kpiCatalogue = pack.kpiCatalogue
            guard let expr = try compile(d, "expr", &scope, perRecord: true) else { throw MHDQError.invocation("[[derive]] needs expr", at: d.location) }
            pack.derived[ds.table, default: []].append((name, CompiledExpression(evaluate: expr), pack.lookups.derivedSlot(table: ds.table)))
            pack.derivedNeeds[ds.table, default: [:]][name] = scope.needs
            pack.kpiCatalogue = scope.kpiCatalogue
            try requireEarlierTables(scope.needs, of: ds.table, catalogue: catalogue, at: d["expr"]?.location ?? d.location)
        }

        for t in try doc.tables("series") {
            let ds = try dataset(for: t)
            var scope = CompileScope(dataset: ds, header: header, catalogue: catalogue, lookups: pack.lookups)
            scope.derived = pack.derived[ds.table, default: []].map { ($0.name, $0.slot) }
            scope.derivedNeeds = pack.derivedNeeds[ds.table, default: [:]]
            scope.settings = pack.settings
            scope.kpiCatalogue = pack.kpiCatalogue
            let series = try SeriesDefinition.load(t, dataset: ds, compileText: { text, table, key in
                var origin = table[key]?.location ?? table.location
                origin.offset = nil
                let line = origin.row.flatMap { $0 - 1 < lines.count ? lines[$0 - 1] : nil }
                return try ExpressionCompiler.compile(text, origin: origin, sourceLine: line, scope: &scope, expecting: .value)
            }, compile: { table, key in try compile(table, key, &scope) })
            if let other = pack.series.first(where: { $0.name == series.name }) {
                throw MHDQError.invocation("series \"\(series.name)\" is declared twice (first at \(other.location))", at: t.location)
            }
            pack.series.append(series)
            pack.kpiCatalogue = scope.kpiCatalogue
        }

        for r in try doc.tables("rule") {
            try r.rejectUnknownKeys(["id", "title", "description", "class", "severity", "kind", "table", "field", "when",
                                     "where", "message", "needs", "official_type", "key", "references", "references_key",
                                     "measure", "numerator", "value", "defaults", "default_allowance", "by", "distinct",
                                     "warn_below", "fail_below", "warn_above", "fail_above", "min_denominator",
                                     "warn_when", "fail_when", "series", "observed", "expected", "denominator", "verdict"],
                                    context: "a [[rule]]")
            let id = try r.requiredString("id")
            guard !id.trimmingSpaces().isEmpty else { throw MHDQError.invocation("a rule needs an id that is not blank", at: r["id"]?.location ?? r.location) }
            if let other = ids[id] {
                throw MHDQError.invocation("rule id \(id) is used twice (first at \(other))", at: r["id"]?.location ?? r.location)
            }
            ids[id] = r["id"]?.location ?? r.location
            let ds = try dataset(for: r)
            let kindName = try r.string("kind") ?? "record"
            guard let kind = RuleKind(rawValue: kindName) else {
                throw MHDQError.invocation("unknown kind \"\(kindName)\" (\(RuleKind.allCases.map(\.rawValue).joined(separator: ", ")))", at: r["kind"]?.location)
            }
            let className = try r.string("class") ?? "invalid"
            guard let cls = FindingClass(rawValue: className) else {
                throw MHDQError.invocation("unknown class \"\(className)\" (\(FindingClass.allCases.map(\.rawValue).joined(separator: ", ")))", at: r["class"]?.location)
            }
            let sevName = try r.string("severity") ?? "Warning"
            guard let severity = Severity(name: sevName) else {
                throw MHDQError.invocation("unknown severity \"\(sevName)\" (\(Severity.allCases.map(\.rawValue).joined(separator: ", ")))", at: r["severity"]?.location)
            }
            var scope = CompileScope(dataset: ds, header: header, catalogue: catalogue, lookups: pack.lookups)
            scope.derived = pack.derived[ds.table, default: []].map { ($0.name, $0.slot) }
            scope.derivedNeeds = pack.derivedNeeds[ds.table, default: [:]]
            scope.settings = pack.settings
            scope.kpiCatalogue = pack.kpiCatalogue
            scope.window = kind == .series
            scope.kpi = kind == .kpi
            let field = try r.string("field") ?? ""
            if !field.isEmpty, ds.index(of: field) == nil, !scope.derived.contains(where: { $0.name == field }) {
                throw MHDQError.invocation("\"\(field)\" is not a field of \(ds.table)\(Manifest.suggestion(field, ds))", at: r["field"]?.location)
            }
            let messageText = try r.requiredString("message")
            let rule = Rule(id: id, title: try r.string("title") ?? id, description: try r.string("description") ?? "",
                            findingClass: cls, severity: severity, kind: kind, table: ds.table, field: field,
                            location: r.location, needs: Set(try r.strings("needs") ?? []), officialType: try r.string("official_type"),
                            condition: nil, filter: nil, message: MessageTemplate(parts: []))
            rule.fieldIndex = ds.index(of: field)
            rule.pack = PackVersion(name: pack.name, version: pack.version)
            rule.filter = try condition(r, "where", &scope)?.test
            switch kind {
            case .record:
                guard let c = try condition(r, "when", &scope) else {
                    throw MHDQError.invocation("a record rule needs when = \"condition that is a finding\"", at: r.location)
                }
                rule.condition = c.test
                rule.fieldCheck = c.check
            case .duplicate, .orphan:
                rule.key = try r.strings("key") ?? ds.key
                // A duplicate rule's key = [] is deliberate (MHS00025: more than one header in a file); an orphan
                // rule with no key matches nothing with the other table.
                guard !rule.key.isEmpty || kind == .duplicate else {
                    throw MHDQError.invocation("an orphan rule needs key = [fields] naming at least one field (\(ds.table) has no key of its own)",
                                               at: r["key"]?.location ?? r.location)
                }
                // A duplicate rule may key on derived fields ("the same KPI" whatever name a row gives it); an
                // orphan rule's key is matched with fields of the other table, so it names fields.
                rule.keyParts = try rule.key.map { k in
                    if let f = ds.field(k) { return .field(f.name) }
                    if kind == .duplicate, let d = scope.derived.first(where: { $0.name.lowercased() == k.lowercased() }) {
                        scope.needs.formUnion(scope.derivedNeeds[d.name] ?? [])
                        return .derived(d.name, slot: d.slot)
                    }
                    throw MHDQError.invocation("key field \"\(k)\" is not a field of \(ds.table)\(kind == .duplicate ? " or a derived field" : "")",
                                               at: r["key"]?.location ?? r.location)
                }
                rule.key = rule.keyParts.map { part in
                    switch part {
                    case .field(let name), .derived(let name, _): return name
                    }
                }
                if kind == .orphan {
                    let refName = try r.requiredString("references")
                    guard let ref = catalogue.dataset(refName) else {
                        throw MHDQError.invocation("unknown table \"\(refName)\"", at: r["references"]?.location)
                    }
                    rule.references = ref.table
                    rule.referencesKey = try r.strings("references_key") ?? rule.key
                    guard rule.referencesKey.count == rule.key.count else {
                        throw MHDQError.invocation("references_key must have as many fields as key", at: r["references_key"]?.location ?? r.location)
                    }
                    for k in rule.referencesKey where ref.index(of: k) == nil {
                        throw MHDQError.invocation("\"\(k)\" is not a field of \(ref.table)", at: r["references_key"]?.location ?? r.location)
                    }
                    rule.referencesKey = rule.referencesKey.map { ref.field($0)!.name }
                    rule.needs.insert("table:" + ref.table)
                }
            case .aggregate:
                func finite(_ key: String) throws -> Double? {
                    guard let d = try r.number(key) else { return nil }
                    guard d.isFinite else { throw MHDQError.invocation("\(key) must be a finite number, not \(d)", at: r[key]?.location) }
                    return d
                }
                let m = try r.string("measure") ?? "share"
                guard let measure = AggregateMeasure(rawValue: m) else {
                    throw MHDQError.invocation("unknown measure \"\(m)\" (\(AggregateMeasure.allCases.map(\.rawValue).joined(separator: ", ")))", at: r["measure"]?.location)
                }
                rule.measure = measure
                rule.numerator = try condition(r, "numerator", &scope)?.test
                rule.valueExpr = try compile(r, "value", &scope, expecting: measure == .mean ? .number : .value)
                rule.defaults = try condition(r, "defaults", &scope)?.test
                rule.distinct = try compile(r, "distinct", &scope)
                // Settings are the pack's own, so the same text in another pack may mean something else.
                rule.recordEvaluation = try ([pack.name] + ["where", "numerator", "value", "defaults", "distinct"].map {
                    try expressionString(r, $0)?.text ?? "\u{0}"
                }).joined(separator: "\u{1F}")
                rule.defaultAllowance = try finite("default_allowance") ?? 0
                if (measure == .share || measure == .count || measure == .dqmi) && rule.numerator == nil {
                    throw MHDQError.invocation("a \(m) rule needs numerator = \"condition\"", at: r.location)
                }
                if measure == .mean && rule.valueExpr == nil {
                    throw MHDQError.invocation("a mean rule needs value = \"expression\"", at: r.location)
                }
                if measure == .dqmi && rule.defaults == nil {
                    throw MHDQError.invocation("a dqmi rule needs defaults = \"condition for a default value\"", at: r.location)
                }
                var byNodes: [TOMLNode] = []
                if case .array(let items)? = r["by"]?.value { byNodes = items }
                for (k, by) in (try r.strings("by") ?? []).enumerated() {
                    // Each expression is located where its text starts, just past its opening quote.
                    var byOrigin = k < byNodes.count ? byNodes[k].location : r["by"]?.location ?? r.location
                    let line = byOrigin.row.flatMap { $0 - 1 < lines.count ? lines[$0 - 1] : nil }
                    if let line, let col = byOrigin.offset, let quote = line.unicodeScalars.dropFirst(col - 1).first, quote == "\"" || quote == "'" {
                        byOrigin.offset = col + 1
                    } else {
                        byOrigin.offset = nil
                    }
                    rule.groupBy.append(CompiledExpression(evaluate: try ExpressionCompiler.compile(by, origin: byOrigin, sourceLine: line,
                                                                                                   scope: &scope, perRecord: true, expecting: .value)))
                    rule.groupByNames.append(by)
                    rule.groupByConstant.append(RunConstant.isRunConstant(try ExpressionParser.parse(by, origin: byOrigin, sourceLine: line)))
                }
                rule.warnBelow = try finite("warn_below")
                rule.failBelow = try finite("fail_below")
                rule.warnAbove = try finite("warn_above")
                rule.failAbove = try finite("fail_above")
                // A fail band inside the warn band would fail every group the warning should have caught first.
                if let w = rule.warnBelow, let f = rule.failBelow, f > w {
                    throw MHDQError.invocation("fail_below (\(Value.format(f))) is above warn_below (\(Value.format(w))): failing is the worse band, so fail_below is the lower",
                                               at: r["fail_below"]?.location)
                }
                if let w = rule.warnAbove, let f = rule.failAbove, f < w {
                    throw MHDQError.invocation("fail_above (\(Value.format(f))) is below warn_above (\(Value.format(w))): failing is the worse band, so fail_above is the higher",
                                               at: r["fail_above"]?.location)
                }
                rule.minDenominator = try r.int("min_denominator") ?? 1
                guard rule.minDenominator >= 1 else {
                    throw MHDQError.invocation("min_denominator counts records, from 1, not \(rule.minDenominator)", at: r["min_denominator"]?.location)
                }
                // Conditions judge the measured group (its own past included), so they compile at group level;
                // the message of such a rule describes the group too.
                var measureScope = scope
                measureScope.aggregateLevel = true
                rule.warnWhen = try compile(r, "warn_when", &measureScope, expecting: .condition)
                rule.failWhen = try compile(r, "fail_when", &measureScope, expecting: .condition)
                rule.warnWhenText = try r.string("warn_when")
                rule.failWhenText = try r.string("fail_when")
                scope.needs.formUnion(measureScope.needs)
                if rule.warnWhen != nil || rule.failWhen != nil { scope.aggregateLevel = true }
            case .series:
                rule.series = try seriesOf(r, table: ds.table, pack: pack)
                guard let c = try condition(r, "when", &scope) else {
                    throw MHDQError.invocation("a series rule needs when = \"condition on a period that is a finding\"", at: r.location)
                }
                rule.condition = c.test
            case .kpi:
                try KPIEvaluator.checkTable(ds, at: r.location)
                // One verdict ("red") or several (["red", "amber"]: a typed RAG better than either).
                guard let verdicts = try r.strings("verdict"), !verdicts.isEmpty else {
                    throw MHDQError.invocation("a kpi rule needs verdict = \"...\" (or a list of verdicts)", at: r.location)
                }
                for verdict in verdicts where !KPIEvaluator.verdicts.contains(verdict) {
                    throw MHDQError.invocation("verdict must be one of \(KPIEvaluator.verdicts.map { "\"\($0)\"" }.joined(separator: ", ")), not \"\(verdict)\"",
                                               at: r["verdict"]?.location)
                }
                rule.verdicts = verdicts
                if scope.kpiCatalogue == nil { scope.kpiCatalogue = try KPICatalogue.load(directory: catalogue.rulesDirectory + "/kpi") }
                rule.kpiCatalogue = scope.kpiCatalogue
            }
            if kind != .aggregate, let node = r["warn_when"] ?? r["fail_when"] {
                throw MHDQError.invocation("warn_when and fail_when judge an aggregate rule's measure; this is a \(kind.rawValue) rule", at: node.location)
            }
            if kind != .aggregate && kind != .record && kind != .series && r["when"] != nil {
                throw MHDQError.invocation("\(kind.rawValue) rules take where = \"...\" to limit records, not when", at: r["when"]?.location)
            }
            let messageNode = r["message"]!
            let messageLine = messageNode.location.row.flatMap { $0 - 1 < lines.count ? lines[$0 - 1] : nil }
            var groupFields: [String]? = kind == .duplicate || kind == .orphan ? [] : nil
            do {
                rule.message = try MessageTemplate.compile(messageText, origin: messageNode.location, sourceLine: messageLine,
                                                           scope: &scope, groupFields: &groupFields)
            } catch let e as MHDQError {
                throw pointingPastEscapes(e, stringStart: messageNode.location.offset.map { $0 + 1 }, row: messageNode.location.row,
                                          line: messageLine)
            }
            rule.messageFields = groupFields ?? []
            for key in ["observed", "expected", "denominator"] {
                guard let node = r[key] else { continue }
                guard kind == .series || kind == .kpi else {
                    throw MHDQError.invocation("\(key) = \"...\" is for series and kpi rules (aggregate rules report their own)", at: node.location)
                }
                guard case .string(let text) = node.value else { throw r.wrongType(key, node, "a text with {placeholders}") }
                let line = node.location.row.flatMap { $0 - 1 < lines.count ? lines[$0 - 1] : nil }
                var none: [String]? = nil
                let template = try MessageTemplate.compile(text, origin: node.location, sourceLine: line, scope: &scope, groupFields: &none)
                switch key {
                case "observed": rule.observed = template
                case "expected": rule.expected = template
                default: rule.denominator = template
                }
            }
            rule.needs.formUnion(scope.needs)
            pack.kpiCatalogue = scope.kpiCatalogue
            if kind != .orphan { try requireEarlierTables(scope.needs, of: rule.table, catalogue: catalogue, at: r.location) }
            pack.rules.append(rule)
        }

        for n in try doc.tables("not_implemented") {
            try n.rejectUnknownKeys(["id", "table", "reason"], context: "a [[not_implemented]]")
            let id = try n.requiredString("id")
            guard !id.trimmingSpaces().isEmpty else { throw MHDQError.invocation("a [[not_implemented]] needs an id that is not blank", at: n["id"]?.location ?? n.location) }
            if let other = ids[id] {
                throw MHDQError.invocation("rule id \(id) is used twice (first at \(other))", at: n.location)
            }
            ids[id] = n.location
            pack.unimplemented.append(UnimplementedRule(id: id, table: try n.string("table") ?? defaultTable ?? "",
                                                        reason: try n.requiredString("reason"), location: n.location))
        }
    }
}

/// A message with {placeholders}: fields, header fields (MHS000Header.Field) or any expression.
public struct MessageTemplate {
    enum Part {
        case text(String)
        case value(Compiled)
        /// Group rules: the n-th stored message field of the record.
        case keyPart(Int)
    }

    var parts: [Part]
    /// Per part: true when it shows an identifier field (a `--redact` mask must cover what it renders).
    var identifying: [Bool] = []
    /// Room for a rendered message (its literal text and a few bytes per placeholder), so rendering one
    /// allocates its String once rather than each time it outgrows it.
    private let capacity: Int

    init(parts: [Part], identifying: [Bool] = []) {
        self.parts = parts
        self.identifying = identifying.count == parts.count ? identifying : Array(repeating: false, count: parts.count)
        capacity = parts.reduce(0) { n, part in
            if case .text(let t) = part { return n + t.utf8.count }
            return n + 16
        }
    }

    /// `groupFields`: for group rules, collects the record fields the message shows (the engine stores them per record).
    static func compile(_ text: String, origin: SourceLocation, sourceLine: String?, scope: inout CompileScope,
                        groupFields: inout [String]?) throws -> MessageTemplate {
        var parts: [Part] = []
        var identifying: [Bool] = []
        // Scanned as UTF-8 (braces are ASCII, so no other character's bytes are one): a String or Character
        // per character cost more than compiling the placeholders. Columns in errors count Unicode scalars, as the file's do.
        let bytes = Array(text.utf8)
        var literal: [UInt8] = []
        func flush() {
            if !literal.isEmpty { parts.append(.text(String(decoding: literal, as: UTF8.self))); identifying.append(false); literal = [] }
        }
        func characters(before b: Int) -> Int { String(decoding: bytes[..<b], as: UTF8.self).unicodeScalars.count }
        let open = UInt8(ascii: "{"), shut = UInt8(ascii: "}")
        var i = 0
        var startOffset = origin.offset.map { $0 + 1 }
        if let line = sourceLine, let col = origin.offset, line.unicodeScalars.dropFirst(col - 1).first == "'" { startOffset = col + 1 }
        var exprOrigin = origin
        while i < bytes.count {
            if bytes[i] == open {
                guard let close = bytes[i...].firstIndex(of: shut) else {
                    var loc = origin
                    loc.offset = (startOffset ?? 1) + characters(before: i)
                    throw MHDQError.invocation("a { in the message is never closed (write {{ for a literal brace)", at: loc)
                }
                if i + 1 < bytes.count, bytes[i + 1] == open { literal.append(open); i += 2; continue }
                flush()
                let inner = String(decoding: bytes[(i + 1) ..< close], as: UTF8.self)
                identifying.append(MessageTemplate.namesIdentifier(inner, catalogue: scope.catalogue))
                exprOrigin.offset = (startOffset ?? 1) + characters(before: i) + 1
                if var fields = groupFields {
                    // Group findings know their record's stored display fields (and header fields).
                    if let f = scope.dataset.field(inner) {
                        if !fields.contains(f.name) { fields.append(f.name) }
                        parts.append(.keyPart(fields.firstIndex(of: f.name)!))
                        groupFields = fields
                    } else {
                        // Anything else is rendered once the table is read, with no record at hand: it may read
                        // the header and the run's context, not a record (a derived field, a function of fields).
                        let expr = try ExpressionParser.parse(inner, origin: exprOrigin, sourceLine: sourceLine)
                        guard RunConstant.isRunConstant(expr) else {
                            throw ExpressionParser.locatedError(
                                "a group rule's message shows fields of its records by name ({Field}); {\(inner)} reads a record another way",
                                origin: exprOrigin, text: inner, offset: expr.span.offset, sourceLine: sourceLine)
                        }
                        parts.append(.value(try ExpressionCompiler.compile(inner, origin: exprOrigin, sourceLine: sourceLine, scope: &scope,
                                                                  expecting: .value)))
                    }
                } else {
                    parts.append(.value(try ExpressionCompiler.compile(inner, origin: exprOrigin, sourceLine: sourceLine, scope: &scope,
                                                                  expecting: .value)))
                }
                i = close + 1
            } else {
                if bytes[i] == shut, i + 1 < bytes.count, bytes[i + 1] == shut { i += 1 }
                literal.append(bytes[i])
                i += 1
            }
        }
        flush()
        return MessageTemplate(parts: parts, identifying: identifying)
    }

    /// Whether a placeholder's expression reads an identifier field of any table (`{NHSNumber}`,
    /// `{lookup(MHS001MPI.PersonBirthDate, LocalPatientID)}`): its rendered text is then an identifier.
    static func namesIdentifier(_ expression: String, catalogue: Catalogue) -> Bool {
        let names = catalogue.identifierFieldNames
        guard !names.isEmpty else { return false }
        var word = ""
        for c in expression + " " {
            if ExpressionParser.isLetter(c) || ExpressionParser.isDigit(c) || c == "_" {
                word.append(c)
            } else {
                if names.contains(word.lowercased()) { return true }
                word = ""
            }
        }
        return false
    }

    /// For a column that holds a number (a finding's denominator): a template that is one placeholder gives its
    /// value as a plain number, so that `{Denominator}` typed "8,330" is 8330 (a number cell in exceptions.xlsx).
    func renderNumber(_ ctx: EvalContext) -> String {
        if parts.count == 1, case .value(let f) = parts[0] { return f(ctx).plainNumberText }
        return render(ctx)
    }

    func render(_ ctx: EvalContext, fields key: [String] = []) -> String {
        var unused: [String] = []
        return render(ctx, fields: key, identifiers: &unused)
    }

    /// Renders the message and collects the text of every identifying placeholder into `identifiers`.
    func render(_ ctx: EvalContext, fields key: [String] = [], identifiers: inout [String]) -> String {
        var s = ""
        s.reserveCapacity(capacity)
        for (i, p) in parts.enumerated() {
            let t: String
            switch p {
            case .text(let text): t = text
            case .value(let f): t = f(ctx).text
            case .keyPart(let k): t = k < key.count ? key[k] : ""
            }
            if identifying[i] && !t.isEmpty { identifiers.append(t) }
            s += t
        }
        return s
    }
}

extension RulePackLoader {
    /// pack.toml [settings]: name = number | text | true/false, the defaults setting("name") reads.
    static func packSettings(_ meta: TOMLTable) throws -> [String: Value] {
        guard let t = try meta.table("settings") else { return [:] }
        var out: [String: Value] = [:]
        for (key, node) in t.entries {
            switch node.value {
            case .integer(let n): out[key] = .number(Double(n))
            case .float(let d): out[key] = .number(d)
            case .bool(let b): out[key] = .bool(b)
            case .string(let s): out[key] = .text(s)
            default: throw t.wrongType(key, node, "a number, text or true/false")
            }
        }
        return out
    }

    /// The series a series rule runs over: the one it names, or the only one the pack declares for its table.
    static func seriesOf(_ r: TOMLTable, table: String, pack: RulePack) throws -> SeriesDefinition {
        let candidates = pack.series.filter { $0.table == table }
        if let name = try r.string("series") {
            guard let s = candidates.first(where: { $0.name == name }) else {
                let known = candidates.map(\.name).joined(separator: ", ")
                throw MHDQError.invocation("no [[series]] named \"\(name)\" for \(table) (declared: \(known.isEmpty ? "none" : known)); declare it before the rules that use it",
                                           at: r["series"]?.location)
            }
            return s
        }
        guard candidates.count == 1 else {
            throw MHDQError.invocation(candidates.isEmpty
                ? "a series rule needs a [[series]] for \(table), declared before it (by, period, numerator, denominator)"
                : "\(table) has several [[series]]: say which with series = \"NAME\"", at: r.location)
        }
        return candidates[0]
    }
}

extension RulePackLoader {
    /// Every setting a pack under Rules/packs gives a default for (its pack.toml [settings]), by name.
    public static func knownSettings(rulesDirectory: String) throws -> Set<String> {
        var names = Set<String>()
        for pack in packNames(rulesDirectory: rulesDirectory) {
            names.formUnion(try packSettings(try TOML.parse(file: rulesDirectory + "/packs/" + pack + "/pack.toml")).keys)
        }
        return names
    }

    /// A setting no pack knows (a misspelt name: denominator_change_limt) was ignored, its rules run with the
    /// default; an upload_date that is no date left MHS00027 unknown. Both are refused.
    public static func checkSettingNames(_ reference: ReferenceData, rulesDirectory: String) throws {
        let given = reference.settings.keys.sorted()
        guard !given.isEmpty else { return }
        let known = try knownSettings(rulesDirectory: rulesDirectory).union(ReferenceLoader.settingKeys)
        for key in given {
            let location = reference.settingLocations[key]
            let source = location == nil ? "--setting \(key)=..." : "[settings] \(key)"
            if key == "upload_date", let v = reference.settings[key], ExpressionCompiler.parseISODate(v) == nil {
                throw MHDQError.invocation("\(source): upload_date must be a date, CCYY-MM-DD, not \"\(v)\"", at: location)
            }
            guard !known.contains(key) else { continue }
            let close = known.filter { editDistance($0, key) <= 3 }.sorted()
            throw MHDQError.invocation("\(source): no rule pack has a setting \"\(key)\"\(close.isEmpty ? "" : " (did you mean \(close.joined(separator: ", "))?)")"
                                       + "; known settings: \(known.sorted().joined(separator: ", "))", at: location)
        }
    }

    /// A threshold overridden with a value of the wrong kind would leave its rules silently unknown: refuse it.
    public static func checkSettings(_ packs: [RulePack], _ reference: ReferenceData) throws {
        for pack in packs {
            for (key, fallback) in pack.settings.sorted(by: { $0.key < $1.key }) {
                guard let given = reference.settings[key], Value.setting(given, like: fallback).isNull else { continue }
                let kind: String
                switch fallback {
                case .number: kind = "a number"
                case .bool: kind = "true or false"
                default: kind = "text"
                }
                throw MHDQError.invocation("setting \(key) = \"\(given)\": pack \(pack.name) needs \(kind) (its default is \(fallback.text))",
                                           at: reference.settingLocations[key])
            }
        }
    }
}
