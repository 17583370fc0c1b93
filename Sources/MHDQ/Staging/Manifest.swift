// The pipeline manifest: which files feed which tables, and how their columns and values map.

import Foundation

/// One source: a file (or glob) staged into one dataset table.
public struct SourceSpec: Sendable {
    public var table: String
    /// Files matched, in name order (a glob may match several: monthly extracts).
    public var files: [String]
    public var pattern: String
    public var read: ReadOptions
    /// 1-based row holding the column headers (after `skip_rows` are counted in).
    public var headerRow: Int = 1
    /// Rows after the header to ignore (notes under the header in hand-kept workbooks).
    public var skipRows: Int = 0
    /// Local header → dataset field; headers not named here map by field name or alias.
    public var columns: [(local: String, field: String)] = []
    /// Dataset field → (local value → code).
    public var values: [String: [String: String]] = [:]
    public var dateFormats: [DateFormat] = DateFormat.defaults
    public var trim = true
    /// Ad hoc sources take headers as dataset field names only (no aliases): `mhdq check --table`.
    public var strictHeaders = false
    public var location: SourceLocation?

    public init(table: String, file: String, read: ReadOptions = ReadOptions()) {
        self.table = table
        self.files = [file]
        self.pattern = file
        self.read = read
    }
}

public struct Manifest: Sendable {
    public var path: String
    public var name: String
    /// Reporting period "YYYY-MM".
    public var period: String?
    public var provider: String?
    public var submitter: String?
    public var packs: [String]?
    public var out: String?
    public var history: String?
    /// Reference data that unlocks rules needing it: name → file (ods, postcodes) or value (portal_org).
    public var context: [String: String] = [:]
    /// Thresholds that override the rule packs' [settings] defaults (denominator_change_limit = 0.3).
    public var settings: [String: String] = [:]
    /// Where each of `settings` is written, for an error about it (a name no pack knows).
    public var settingLocations: [String: SourceLocation] = [:]
    public var sources: [SourceSpec] = []
    /// `[export] delimiter`: the flat files' delimiter (default comma).
    public var exportDelimiter: UInt8?

    public init(path: String, name: String) {
        self.path = path
        self.name = name
    }

    public static func load(path: String, catalogue: Catalogue) throws -> Manifest {
        guard FileManager.default.fileExists(atPath: path) else {
            throw MHDQError.invocation("manifest not found", at: SourceLocation(file: path))
        }
        let doc = try TOML.parse(file: path)
        try doc.rejectUnknownKeys(["pipeline", "context", "settings", "source", "export"], context: "the manifest")
        let base = (path as NSString).deletingLastPathComponent
        func resolve(_ p: String) -> String {
            p.hasPrefix("/") || base.isEmpty ? p : base + "/" + p
        }
        let pipeline = try doc.table("pipeline") ?? TOMLTable(location: doc.location)
        try pipeline.rejectUnknownKeys(["name", "period", "provider", "submitter", "packs", "out", "history"], context: "[pipeline]")
        var m = Manifest(path: path, name: try pipeline.string("name") ?? (path as NSString).lastPathComponent)
        m.period = try pipeline.string("period")
        if let p = m.period, ReportingPeriod(p) == nil {
            throw MHDQError.invocation("period must be YYYY-MM, not \"\(p)\"", at: pipeline["period"]?.location)
        }
        m.provider = try pipeline.string("provider")
        m.submitter = try pipeline.string("submitter")
        m.packs = try pipeline.strings("packs")
        if let packs = m.packs {
            // A pack listed twice ran twice (every finding reported twice).
            if let twice = packs.enumerated().first(where: { packs[..<$0.offset].contains($0.element) })?.element {
                throw MHDQError.invocation("packs lists \"\(twice)\" twice: list each pack once", at: pipeline["packs"]?.location)
            }
            // An empty list ran no rule at all, and the run passed.
            if packs.isEmpty {
                throw MHDQError.invocation("packs = [] runs no rules: list the packs to run, or leave packs out to run every pack for the tables read",
                                           at: pipeline["packs"]?.location)
            }
        }
        m.out = try pipeline.string("out").map(resolve)
        m.history = try pipeline.string("history").map(resolve)
        if let ctx = try doc.table("context") {
            for (key, node) in ctx.entries {
                guard case .string(let v) = node.value else { throw ctx.wrongType(key, node, "a string") }
                if key == "upload_date", ExpressionCompiler.parseISODate(v) == nil {
                    // Read by to_date(), an upload date that is no date left MHS00027 unknown, never firing.
                    throw MHDQError.invocation("upload_date must be a date, CCYY-MM-DD, not \"\(v)\"", at: node.location)
                }
                guard ReferenceLoader.settingKeys.contains(key) else {
                    // Any other key names a file, which must be there (as a [[source]]'s file must).
                    let path = resolve(v)
                    guard FileManager.default.fileExists(atPath: path) else {
                        throw MHDQError.input("[context] \(key): file not found: \(path)", at: node.location)
                    }
                    m.context[key] = path
                    continue
                }
                m.context[key] = v
            }
        }
        if let settings = try doc.table("settings") {
            for (key, node) in settings.entries {
                m.settingLocations[key] = node.location
                switch node.value {
                case .string(let v): m.settings[key] = v
                case .integer(let n): m.settings[key] = String(n)
                case .float(let d): m.settings[key] = Value.format(d)
                case .bool(let b): m.settings[key] = b ? "true" : "false"
                default: throw settings.wrongType(key, node, "a number, text or true/false")
                }
            }
        }
        if let export = try doc.table("export") {
            try export.rejectUnknownKeys(["delimiter"], context: "[export]")
            if let d = try export.string("delimiter") {
                guard let byte = CSVReader.delimiter(named: d) else {
                    throw MHDQError.invocation("unusable delimiter \"\(d)\" (, | tab ;)", at: export["delimiter"]?.location)
                }
                m.exportDelimiter = byte
            }
        }
        let sources = try doc.tables("source")
        guard !sources.isEmpty else { throw MHDQError.invocation("the manifest names no [[source]]", at: doc.location) }
        for s in sources {
            m.sources.append(try parseSource(s, resolve: resolve, catalogue: catalogue))
        }
        return m
    }

    static func parseSource(_ s: TOMLTable, resolve: (String) -> String, catalogue: Catalogue) throws -> SourceSpec {
        try s.rejectUnknownKeys(["table", "file", "format", "delimiter", "encoding", "sheet", "header_row", "skip_rows",
                                 "range", "columns", "values", "date_formats", "trim"], context: "a [[source]]")
        let tableName = try s.requiredString("table")
        guard let dataset = catalogue.dataset(tableName) else {
            throw MHDQError.invocation("unknown table \"\(tableName)\" (known: \(catalogue.tableNames.joined(separator: ", ")))", at: s["table"]?.location)
        }
        let pattern = resolve(try s.requiredString("file"))
        var spec = SourceSpec(table: dataset.table, file: pattern)
        spec.location = s.location
        spec.files = try expandGlob(pattern, at: s["file"]?.location ?? s.location)
        if let f = try s.string("format") {
            guard let format = SourceFormat(name: f) else {
                throw MHDQError.invocation("unknown format \"\(f)\" (csv, xlsx, spreadsheetml)", at: s["format"]?.location)
            }
            spec.read.format = format
        }
        if let d = try s.string("delimiter") {
            guard let byte = CSVReader.delimiter(named: d) else {
                throw MHDQError.invocation("unusable delimiter \"\(d)\"", at: s["delimiter"]?.location)
            }
            spec.read.delimiter = byte
        }
        if let e = try s.string("encoding") {
            guard let enc = TextEncoding(name: e) else {
                throw MHDQError.invocation("unknown encoding \"\(e)\" (auto, utf-8, windows-1252)", at: s["encoding"]?.location)
            }
            spec.read.encoding = enc
        }
        if let node = s["sheet"] {
            switch node.value {
            case .string(let name): spec.read.sheet = .name(name)
            case .integer(let n) where n >= 1: spec.read.sheet = .position(n)
            default: throw s.wrongType("sheet", node, "a sheet name or a position from 1")
            }
        }
        if let r = try s.string("range") {
            guard let range = CellRange(r) else {
                throw MHDQError.invocation("range must look like \"B3:K5000\", not \"\(r)\"", at: s["range"]?.location)
            }
            spec.read.range = range
        }
        spec.headerRow = try s.int("header_row") ?? 1
        guard spec.headerRow >= 1 else { throw MHDQError.invocation("header_row counts from 1", at: s["header_row"]?.location) }
        spec.read.headerRow = spec.headerRow
        spec.skipRows = try s.int("skip_rows") ?? 0
        spec.trim = try s.bool("trim") ?? true
        if let formats = try s.strings("date_formats") {
            spec.dateFormats = try formats.map { f in
                guard let df = DateFormat(pattern: f) else {
                    throw MHDQError.invocation("unknown date format \"\(f)\" (e.g. dd/mm/yyyy, yyyy-mm-dd, d mmm yyyy, excel-serial)", at: s["date_formats"]?.location)
                }
                return df
            }
        }
        if let columns = try s.table("columns") {
            for (local, node) in columns.entries {
                guard case .string(let field) = node.value else { throw columns.wrongType(local, node, "a dataset field name") }
                guard let def = dataset.field(field) else {
                    throw MHDQError.invocation("\"\(field)\" is not a field of \(dataset.table)\(suggestion(field, dataset))", at: node.location)
                }
                spec.columns.append((local, def.name))
            }
        }
        if let values = try s.table("values") {
            for (field, node) in values.entries {
                guard let def = dataset.field(field) else {
                    throw MHDQError.invocation("\"\(field)\" is not a field of \(dataset.table)\(suggestion(field, dataset))", at: node.location)
                }
                guard case .table(let map) = node.value else { throw values.wrongType(field, node, "a table of local value = code") }
                var out: [String: String] = [:]
                for (local, codeNode) in map.entries {
                    guard case .string(let code) = codeNode.value else { throw map.wrongType(local, codeNode, "a code") }
                    out[CodeList.normalise(local)] = code
                }
                spec.values[def.name] = out
            }
        }
        return spec
    }

    static func suggestion(_ name: String, _ dataset: Dataset) -> String {
        let lower = name.lowercased()
        let close = dataset.fields.map(\.name).filter { f in
            let l = f.lowercased()
            return l.contains(lower) || lower.contains(l) || editDistance(l, lower) <= 2
        }
        return close.isEmpty ? "" : " (did you mean \(close.prefix(3).joined(separator: ", "))?)"
    }

    /// Matches `*` and `?` in the last path component; a plain path must exist.
    static func expandGlob(_ pattern: String, at location: SourceLocation) throws -> [String] {
        let dir = (pattern as NSString).deletingLastPathComponent
        let name = (pattern as NSString).lastPathComponent
        guard name.contains("*") || name.contains("?") else {
            guard FileManager.default.fileExists(atPath: pattern) else {
                throw MHDQError.input("source file not found: \(pattern)", at: location)
            }
            return [pattern]
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.isEmpty ? "." : dir)) ?? []
        let matched = names.filter { wildcardMatch(Array($0), Array(name)) }.sorted().map { dir.isEmpty ? $0 : dir + "/" + $0 }
        guard !matched.isEmpty else { throw MHDQError.input("no file matches \(pattern)", at: location) }
        // A name that is not UTF-8 (a Latin-1 byte from a Windows share) comes back repaired, U+FFFD for the
        // byte, and that name does not exist: say so, rather than "no such file" for a file the pattern found.
        for path in matched where !FileManager.default.fileExists(atPath: path) {
            throw MHDQError.input("\(path): this file's name is not valid UTF-8 (\u{FFFD} marks the byte that is not), so it cannot be opened by name: rename it", at: location)
        }
        return matched
    }

    static func wildcardMatch(_ s: [Character], _ p: [Character]) -> Bool {
        var si = 0, pi = 0, star = -1, mark = 0
        while si < s.count {
            if pi < p.count, p[pi] == "?" || p[pi] == s[si] { si += 1; pi += 1 }
            else if pi < p.count, p[pi] == "*" { star = pi; mark = si; pi += 1 }
            else if star >= 0 { pi = star + 1; mark += 1; si = mark }
            else { return false }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}

func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    guard !a.isEmpty else { return b.count }
    guard !b.isEmpty else { return a.count }
    var prev = Array(0 ... b.count)
    for i in 1 ... a.count {
        var cur = [i] + Array(repeating: 0, count: b.count)
        for j in 1 ... b.count {
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        prev = cur
    }
    return prev[b.count]
}

/// A monthly reporting period, "YYYY-MM".
public struct ReportingPeriod: Sendable, Hashable, CustomStringConvertible {
    public var year: Int
    public var month: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), (1 ... 12).contains(m), y >= 1900 else { return nil }
        year = y
        month = m
    }

    public var start: CivilDate { CivilDate(year: year, month: month, day: 1) }
    public var end: CivilDate { CivilDate(year: year, month: month, day: CivilDate.daysIn(month: month, year: year)) }
    public var description: String { "\(year)-\(month < 10 ? "0" : "")\(month)" }
}
