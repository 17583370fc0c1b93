// Resolves an expression against a table's fields, code lists and functions, and compiles it to closures.
//
// Everything a rule names is checked here, when the rule files load: an unknown field, table, code
// list or function is an error with file:line:column, never a surprise when the data arrives.

#if canImport(Glibc)
import Glibc
#endif

/// Per-record evaluation state, reused for every record of a table.
public final class EvalContext {
    /// The current record's dataset fields.
    public var record: [Value] = [] {
        didSet { fields = record.withUnsafeBufferPointer { $0 } }
    }
    /// Where `record`'s values lie, for tests that read a field in place: reading the array from this
    /// class would retain its storage on every test. The context holds `record`, and any change to it
    /// (an assignment or a write into it) updates this, so the storage cannot move or go while it is in use.
    private(set) var fields = UnsafeBufferPointer<Value>(start: nil, count: 0)
    /// The current record's derived fields, in the order the pack defines them.
    public var derived: [Value] = []
    /// The MHS000Header record (from the data, or made from the manifest).
    public var header: [Value] = [] {
        didSet {
            headerFields = header.withUnsafeBufferPointer { $0 }
            constantsChanged()
        }
    }
    /// Where `header`'s values lie (as `fields` for `record`).
    private(set) var headerFields = UnsafeBufferPointer<Value>(start: nil, count: 0)
    public var periodStart: Int? { didSet { constantsChanged() } }
    public var periodEnd: Int? { didSet { constantsChanged() } }
    /// Names what a part of a rule that reads no record (RunConstant) may have kept: drawn anew, at random,
    /// for every context and every change to its header, period or reference data, so no other context
    /// (one at a freed one's address included) has it. Never 0, which a RunConstant starts from.
    private(set) var constantsVersion: UInt64 = UInt64.random(in: 1 ... .max)
    private func constantsChanged() { constantsVersion = UInt64.random(in: 1 ... .max) }
    /// Lookup tables filled from earlier tables: lookup id → key → value.
    public var lookups: [LookupTable] = []
    public var reference: ReferenceData { didSet { constantsChanged() } }
    /// An aggregate rule's warn_when / fail_when: the group being judged.
    public var aggregate: AggregateMeasurement?
    /// Earlier runs' metrics (a run with a history database), for previous() and history_median().
    public var metricHistory: MetricHistory?
    /// Series rules: the ordered points of the current series and the one being evaluated.
    public var window: SeriesWindow?
    /// KPI rules: the verdict of the current return row.
    public var kpi: KPIResult?

    public init(reference: ReferenceData = ReferenceData()) { self.reference = reference }
}

/// Reference data a manifest can supply: national tables and portal settings.
public struct ReferenceData: Sendable {
    /// ODS organisation code → (open date, close date) as days; nil bounds are open.
    public var ods: [String: (open: Int?, close: Int?)]?
    /// Active postcodes, normalised (upper case, no spaces).
    public var postcodes: Set<String>?
    /// Plain settings: portal_org, upload_date, and thresholds that override the packs' [settings].
    public var settings: [String: String] = [:]
    /// Where a manifest's [settings] gives each threshold (none for --setting NAME=VALUE), for errors.
    public var settingLocations: [String: SourceLocation] = [:]
    /// Reference code lists the manifest supplies as files (specialised_services, language_codes): name → codes.
    public var lists: [String: Set<String>] = [:]
    public init() {}

    /// Names of what this run has, for rules that declare `needs`.
    public var available: Set<String> {
        var s = Set(settings.keys).union(lists.keys)
        if ods != nil { s.insert("ods") }
        if postcodes != nil { s.insert("postcodes") }
        return s
    }
}

public typealias Compiled = (EvalContext) -> Value

/// A compiled expression kept in an array: held in a struct, the closure keeps its own calling convention
/// (an array of bare closures holds them generically, and each call goes through a conversion thunk).
public struct CompiledExpression {
    let evaluate: Compiled
}

/// What a compiled expression may refer to.
public struct CompileScope {
    public var dataset: Dataset
    /// The pack's derived fields so far: name, and place among the record's derived values.
    public var derived: [(name: String, slot: Int)] = []
    /// What each derived field needs (a lookup's table, the period): a rule reading it needs the same.
    public var derivedNeeds: [String: Set<String>] = [:]
    public var header: Dataset?
    public var catalogue: Catalogue
    /// Lookups requested so far (shared across the pack so each is filled once).
    public var lookups: LookupRegistry
    /// Context the expression needs (filled while compiling: "ods", "period", "portal_org").
    public var needs: Set<String> = []
    /// True for an aggregate rule's warn_when / fail_when (and its message): names are the measure's parts
    /// (value, numerator, denominator), not record fields, and the history functions may be used.
    public var aggregateLevel = false
    /// Settings the pack gives defaults for (pack.toml [settings]): setting("name") needs nothing for these.
    public var settings: [String: Value] = [:]
    /// Series rules may read other periods of their series (prev, trailing_median, ...).
    public var window = false
    /// KPI rules may read their row's verdict (kpi("gap")).
    public var kpi = false
    /// The KPI catalogue (Rules/kpi), once a kpi rule or kpi_id() has loaded it: the pack keeps it for the rest.
    public var kpiCatalogue: KPICatalogue?

    public init(dataset: Dataset, header: Dataset?, catalogue: Catalogue, lookups: LookupRegistry) {
        self.dataset = dataset
        self.header = header
        self.catalogue = catalogue
        self.lookups = lookups
    }
}

/// A value of another table found by key, e.g. the patient's ethnicity for a referral.
public struct LookupSpec: Hashable, Sendable {
    public var table: String
    public var keyField: String
    public var valueField: String
}

/// Numbers what packs loaded together share a record's context through: lookups (one `LookupTable` for
/// each table looked into, a column in it for each field, whichever pack asks) and derived fields (a slot
/// each, per table, so one pack's fields never take another's places in the record's derived values).
public final class LookupRegistry {
    /// The tables looked into, in the order first asked: key field and the fields looked up.
    public private(set) var tables: [(table: String, keyField: String, fields: [String])] = []
    private var derivedSlots: [String: Int] = [:]
    /// Settings the rules read where a whole number is needed (WholeSettings.swift), checked when a run's
    /// [settings] or --setting overrides them.
    public internal(set) var wholeSettings: [String: [WholeSetting]] = [:]
    public init() {}
    /// Where a lookup's values are: the table's place in the context's lookups, and the field's column.
    func slot(for spec: LookupSpec) -> (table: Int, column: Int) {
        guard let t = tables.firstIndex(where: { $0.table == spec.table }) else {
            tables.append((spec.table, spec.keyField, [spec.valueField]))
            return (tables.count - 1, 0)
        }
        if let c = tables[t].fields.firstIndex(of: spec.valueField) { return (t, c) }
        tables[t].fields.append(spec.valueField)
        return (t, tables[t].fields.count - 1)
    }
    /// The next derived field's place among `table`'s derived values.
    func derivedSlot(table: String) -> Int {
        defer { derivedSlots[table, default: 0] += 1 }
        return derivedSlots[table, default: 0]
    }
}

public struct ExpressionCompiler {
    let origin: SourceLocation
    let text: String
    let sourceLine: String?

    public init(text: String, origin: SourceLocation, sourceLine: String?) {
        self.text = text
        self.origin = origin
        self.sourceLine = sourceLine
    }

    func error(_ message: String, _ span: Span) -> MHDQError {
        ExpressionParser.locatedError(message, origin: origin, text: text, offset: span.offset, sourceLine: sourceLine)
    }

    /// `perRecord`: an expression computed for every record (a derived field, a group-by part), remembered
    /// by its inputs when it reads only a few values (ExpressionMemo).
    /// `expecting`: what the expression must give in a rule file: a value, a condition (an aggregate's warn_when,
    /// fail_when) or a number (a mean's value), refused when it could never be one (`.unchecked`: evaluated as
    /// written, whatever it gives).
    public static func compile(_ text: String, origin: SourceLocation, sourceLine: String?, scope: inout CompileScope,
                               perRecord: Bool = false, expecting: Expecting = .unchecked) throws -> Compiled {
        let expr = try ExpressionParser.parse(text, origin: origin, sourceLine: sourceLine)
        let c = ExpressionCompiler(text: text, origin: origin, sourceLine: sourceLine)
        switch expecting {
        case .unchecked, .value: break
        case .condition:
            if let (part, problem) = c.neverTrueOrFalse(expr, scope) { throw c.error(problem, part.span) }
        case .number:
            if let kind = c.staticKind(expr, scope), kind != .number, kind != .amount {
                throw c.error("this is \(kind.described), never a number: a mean needs a number on each record (a number field, length(), days_between(), age(), number(text))", expr.span)
            }
        }
        if expecting != .unchecked, let (part, problem) = c.neverKnown(expr, scope) { throw c.error(problem, part.span) }
        let compiled = try c.compile(expr, &scope)
        return perRecord ? try ExpressionMemo.wrap(compiled, of: expr, compiler: c, scope: &scope) : compiled
    }

    /// A condition (a rule's when, where, numerator): compiled to a test, so a record rule's truth is a
    /// byte in a register, not a Value made and matched; and to a FieldCheck too when it has a shape the
    /// engine runs in a loop.
    static func compileCondition(_ text: String, origin: SourceLocation, sourceLine: String?,
                                 scope: inout CompileScope) throws -> (test: Test, check: FieldCheck?) {
        let expr = try ExpressionParser.parse(text, origin: origin, sourceLine: sourceLine)
        let c = ExpressionCompiler(text: text, origin: origin, sourceLine: sourceLine)
        if let (part, problem) = c.neverTrueOrFalse(expr, scope) ?? c.neverKnown(expr, scope) { throw c.error(problem, part.span) }
        if let check = try c.fieldCheck(expr, &scope) { return (check.test, check) }
        return (try c.test(expr, &scope), nil)
    }

    /// What an expression must give, checked when it compiles: `value`, anything but blank on every record.
    public enum Expecting: Sendable { case unchecked, value, condition, number }

    /// The part of a condition that makes it unknown on every record, so that the rule could never fire, and
    /// why: a value where a condition is needed (a field, a number, a sum, a text function), or a date or
    /// number field compared with text. Nil when every part can be true or false. Derived fields, lookups and
    /// if() may hold either, so they pass.
    func neverTrueOrFalse(_ e: Expr, _ scope: CompileScope) -> (Expr, String)? {
        let value = "this is a value, not a condition: compare it (= != < <= > >=), test it (is blank, in, matches) or use a function that answers true or false"
        switch e {
        case .literal(let v, _):
            if case .bool = v { return nil }
            return (e, value)
        case .list: return (e, value)
        case .unary("not", let inner, _): return neverTrueOrFalse(inner, scope)
        case .unary: return (e, value)
        case .binary("and", let l, let r, _), .binary("or", let l, let r, _):
            return neverTrueOrFalse(l, scope) ?? neverTrueOrFalse(r, scope)
        case .binary(let op, let l, let r, _):
            guard ExpressionCompiler.truthOperators.contains(op) else { return (e, value) }
            for (field, other) in [(l, r), (r, l)] {
                guard case .literal(.text(let text), _) = other, let type = recordFieldType(field, scope) else { continue }
                switch type {
                case .date, .datetime: return (other, "a date compared with text is never true or false: write date(\"\(text)\")")
                case .time: return (other, "a time compared with text is never true or false")
                case .integer, .decimal: return (other, "a number compared with text is never true or false: write it without quotes")
                default: continue
                }
            }
            return nil
        case .isBlank, .inList, .matches: return nil
        case .field(let qualifier, let name, _):
            // A field of the record or the header holds text, a code, a date or a number, never true or false;
            // so does an aggregate's value, numerator or denominator.
            if scope.aggregateLevel { return qualifier == nil && MetricPart(rawValue: name.lowercased()) != nil ? (e, value) : nil }
            return recordFieldType(e, scope) == nil ? nil : (e, value)
        case .call(let name, let args, _):
            if RuleFunctions.named(name)?.gives.isValue == true { return (e, value) }
            if name == "if", args.count == 3, let a = neverTrueOrFalse(args[1], scope), neverTrueOrFalse(args[2], scope) != nil { return a }
            return nil
        }
    }

    /// What a part of an expression holds on every record, as far as can be told before one is read (nil when it
    /// cannot be told: a derived field, a lookup, if(), setting()). A date field that could not be staged holds
    /// text, but compares and computes as no date either, so it counts as a date here.
    enum StaticKind: Equatable {
        case text, number, date, dateTime, time, period, amount, bool, blank

        var described: String {
            switch self {
            case .text: return "text"
            case .number: return "a number"
            case .date: return "a date"
            case .dateTime: return "a date and time"
            case .time: return "a time"
            case .period: return "a period"
            case .amount: return "an amount"
            case .bool: return "true or false"
            case .blank: return "blank"
            }
        }

        var isNumeric: Bool { self == .number || self == .amount }

        /// Whether two kinds compare at all (ExpressionCompiler.compare): else a comparison is never true or false.
        func compares(with other: StaticKind) -> Bool {
            if self == other { return true }
            let pair: Set<StaticKind> = [self, other]
            return pair == [.date, .dateTime] || pair == [.period, .text] || pair == [.amount, .number]
        }
    }

    func staticKind(_ e: Expr, _ scope: CompileScope) -> StaticKind? {
        switch e {
        case .literal(let v, _):
            switch v {
            case .null: return .blank
            case .text: return v.isBlank ? .blank : .text
            case .number: return .number
            case .bool: return .bool
            case .date: return .date
            default: return nil
            }
        case .field(let qualifier, let name, _):
            if scope.aggregateLevel { return qualifier == nil && MetricPart(rawValue: name.lowercased()) != nil ? .number : nil }
            switch recordFieldType(e, scope) {
            case .text?, .code?: return .text
            case .date?: return .date
            case .datetime?: return .dateTime
            case .time?: return .time
            case .integer?, .decimal?: return .number
            case .period?: return .period
            case .amount?: return .amount
            case nil: return nil
            }
        case .unary("-", let inner, _):
            return staticKind(inner, scope)?.isNumeric == true ? .number : nil
        case .binary(let op, let l, let r, _) where !ExpressionCompiler.truthOperators.contains(op):
            guard let a = staticKind(l, scope), let b = staticKind(r, scope) else { return nil }
            if a.isNumeric && b.isNumeric { return .number }
            if op == "+" || op == "-", a == .date, b.isNumeric { return .date }
            if op == "-", a == .date, b == .date { return .number }
            return nil
        case .call(let name, let args, _):
            switch RuleFunctions.named(name)?.gives {
            case .number?: return .number
            case .text?: return .text
            case .date?: return .date
            case .itsArgument? where args.count == 1: return staticKind(args[0], scope)
            default: return nil
            }
        default:
            return nil
        }
    }

    /// A part of an expression that is blank (unknown) on every record, and why, with what to write instead:
    /// a comparison with blank ("= blank", "!= \"\""), a comparison of values that never compare (a date with a
    /// number), or arithmetic on text or blank. Nil when no part is known to be.
    func neverKnown(_ e: Expr, _ scope: CompileScope) -> (Expr, String)? {
        switch e {
        case .binary(let op, let l, let r, _):
            if let p = neverKnown(l, scope) ?? neverKnown(r, scope) { return p }
            if op == "and" || op == "or" { return nil }
            let a = staticKind(l, scope), b = staticKind(r, scope)
            func named(_ x: Expr) -> String {
                if case .field(let q, let n, _) = x { return (q.map { $0 + "." } ?? "") + n }
                return "..."
            }
            if ExpressionCompiler.truthOperators.contains(op) {
                for (side, other) in [(l, r), (r, l)] where staticKind(side, scope) == .blank {
                    let why = "a comparison with blank is never true or false (a blank is unknown, and equals nothing)"
                    switch op {
                    case "=": return (side, "\(why): write \"\(named(other)) is blank\"")
                    case "!=": return (side, "\(why): write \"\(named(other)) is not blank\"")
                    default: return (side, "\(why): test for it with \"is blank\" or \"is not blank\"")
                    }
                }
                guard let a, let b, !a.compares(with: b) else { return nil }
                var advice = ""
                let pair: Set<StaticKind> = [a, b]
                if pair == [.text, .amount] {
                    advice = ": test a marker (* Unavailable) with status(...), or compare the amount with a number"
                } else if pair == [.text, .number] {
                    advice = ": read the text as a number with number(...), or put the number in quotes to compare text"
                } else if pair.contains(.date) || pair.contains(.dateTime) {
                    advice = ": compare with a date (date(\"CCYY-MM-DD\"), period_end()), or compare numbers such as days_between() or age()"
                }
                return (e, "\(a.described) compared with \(b.described) is never true or false\(advice)")
            }
            for (side, kind) in [(l, a), (r, b)] {
                switch kind {
                case .blank?: return (side, "arithmetic with blank is blank on every record: test for a blank with \"is blank\"")
                case .text?: return (side, "arithmetic on text is blank on every record: read it as a number with number(\(named(side) == "..." ? "..." : named(side))), or use length() or days_between()")
                case .bool?: return (side, "arithmetic on true or false is blank on every record: write if(condition, 1, 0)")
                case .time?, .period?: return (side, "arithmetic on \(kind!.described) is blank on every record")
                default: continue
                }
            }
            if let a, let b {
                let dates: Set<StaticKind> = [.date, .dateTime]
                if (op == "*" || op == "/") && (dates.contains(a) || dates.contains(b)) {
                    return (e, "a date cannot be multiplied or divided: this is blank on every record (days_between() gives days)")
                }
                if op == "+" && dates.contains(a) && dates.contains(b) {
                    return (e, "two dates cannot be added: this is blank on every record (date - date gives days)")
                }
                if (op == "+" || op == "-") && a.isNumeric && dates.contains(b) {
                    return (e, "a number \(op == "+" ? "plus" : "minus") a date is blank on every record: write the date first (date + n days)")
                }
            }
            return nil
        case .unary(_, let inner, _), .isBlank(let inner, _, _), .matches(let inner, _, _, _):
            return neverKnown(inner, scope)
        case .inList(let x, _, _, _):
            return neverKnown(x, scope)
        case .call(_, let args, _):
            for a in args { if let p = neverKnown(a, scope) { return p } }
            return nil
        case .list(let items, _):
            for a in items { if let p = neverKnown(a, scope) { return p } }
            return nil
        case .literal, .field:
            return nil
        }
    }

    /// The type of a field of the record or the header that `e` names; nil for anything else.
    private func recordFieldType(_ e: Expr, _ scope: CompileScope) -> FieldType? {
        guard case .field(let qualifier, let name, _) = e, !scope.aggregateLevel else { return nil }
        if let q = qualifier {
            guard let header = scope.header, q.lowercased() == header.table.lowercased() else { return nil }
            return header.field(name)?.type
        }
        return scope.dataset.field(name)?.type
    }

    // MARK: - Compilation

    /// A field or constant as itself (read in place by the parent), anything else compiled.
    func operand(_ e: Expr, _ scope: inout CompileScope) throws -> Operand {
        switch e {
        case .literal(let v, _): return .constant(v)
        case .field(let qualifier, let name, let span): return try fieldOperand(qualifier, name, span, &scope)
        default: return .computed(RunConstant.wrap(try compile(e, &scope), of: e))
        }
    }

    func compile(_ e: Expr, _ scope: inout CompileScope) throws -> Compiled {
        switch e {
        case .literal(let v, _):
            return { _ in v }
        case .field(let qualifier, let name, let span):
            return try compileField(qualifier, name, span, &scope)
        case .list(_, let span):
            throw error("a list can only follow \"in\"", span)
        case .unary(let op, let inner, _) where op != "not":
            let f = try operand(inner, &scope)
            return { ctx in
                if case .number(let d) = f.read(ctx).arithmetic { return .number(-d) }
                return .null
            }
        case .binary(let op, let l, let r, let span) where !ExpressionCompiler.truthOperators.contains(op):
            return try compileBinary(op, l, r, span, &scope)
        case .unary, .binary, .isBlank, .inList, .matches:
            // Conditions (not, and, or, comparisons, tests): one definition, in `test`.
            let t = try test(e, &scope)
            return { ctx in t(ctx).value }
        case .call(let name, let args, let span):
            return try compileCall(name, args, span, &scope)
        }
    }

    func compileField(_ qualifier: String?, _ name: String, _ span: Span, _ scope: inout CompileScope) throws -> Compiled {
        try fieldOperand(qualifier, name, span, &scope).compiled
    }

    func fieldOperand(_ qualifier: String?, _ name: String, _ span: Span, _ scope: inout CompileScope) throws -> Operand {
        if scope.aggregateLevel {
            guard qualifier == nil, let part = MetricPart(rawValue: name.lowercased()) else {
                throw error("\"\(qualifier.map { $0 + "." } ?? "")\(name)\" is not known here: warn_when and fail_when judge the measured group, named value, numerator and denominator", span)
            }
            return .computed { ctx in ctx.aggregate.flatMap { $0[part] }.map { .number($0) } ?? .null }
        }
        if let qualifier {
            guard let header = scope.header, qualifier.lowercased() == header.table.lowercased() || qualifier.lowercased() == header.code.lowercased() else {
                throw error("only header fields can be named with a table (\(scope.header?.table ?? "MHS000Header").Field); use lookup(TABLE.FIELD, key) for other tables", span)
            }
            guard let i = header.index(of: name) else {
                throw error("\"\(name)\" is not a field of \(header.table)\(Manifest.suggestion(name, header))", span)
            }
            return .header(i)
        }
        if let i = scope.dataset.index(of: name) {
            return .field(i)
        }
        if let d = scope.derived.first(where: { $0.name.lowercased() == name.lowercased() }) {
            scope.needs.formUnion(scope.derivedNeeds[d.name] ?? [])
            return .derived(d.slot)
        }
        throw error("\"\(name)\" is not a field of \(scope.dataset.table)\(Manifest.suggestion(name, scope.dataset))", span)
    }

    func constantSet(_ rhs: Expr, _ span: Span, _ scope: inout CompileScope) throws -> Set<String> {
        switch rhs {
        case .list(let items, _):
            return Set(try items.map { item -> String in
                guard case .literal(let v, _) = item else { throw error("list items must be literal values", item.span) }
                return v.text
            })
        case .call("codes", let args, let s):
            guard args.count == 1, case .literal(.text(let name), _) = args[0] else {
                throw error("codes() takes a code list name in quotes, e.g. codes(\"ethnic-category\")", s)
            }
            guard let list = scope.catalogue.codeLists[name] else {
                let known = scope.catalogue.codeLists.keys.sorted().joined(separator: ", ")
                throw error("unknown code list \"\(name)\" (known: \(known))", s)
            }
            return Set(list.codes)
        default:
            throw error("\"in\" takes a list such as [\"A\", \"B\"] or codes(\"list-name\")", rhs.span)
        }
    }

    func compileBinary(_ op: String, _ l: Expr, _ r: Expr, _ span: Span, _ scope: inout CompileScope) throws -> Compiled {
        let a = try operand(l, &scope)
        let b = try operand(r, &scope)
        switch op {
        case "+", "-":
            return { ctx in
                switch (a.read(ctx).arithmetic, b.read(ctx).arithmetic) {
                case (.number(let x), .number(let y)): return .number(op == "+" ? x + y : x - y)
                case (.date(let d), .number(let n)) where n == n.rounded(): return RuleFunctions.shifted(d, days: op == "+" ? n : -n)
                case (.date(let x), .date(let y)) where op == "-": return .number(Double(x - y))
                default: return .null
                }
            }
        case "*", "/":
            return { ctx in
                guard case .number(let x) = a.read(ctx).arithmetic, case .number(let y) = b.read(ctx).arithmetic else { return .null }
                if op == "/" { return y == 0 ? .null : .number(x / y) }
                return .number(x * y)
            }
        default:
            throw error("unknown operator \"\(op)\"", span)
        }
    }

    /// Orders two values of the same kind; nil (unknown) for blanks and for values of different kinds.
    /// How two values order, nil when they do not compare. A blank (null, or text of only spaces: what a
    /// function such as substr() or a source kept untrimmed can give) compares with nothing.
    static func compare(_ x: Value, _ y: Value) -> Int? {
        if x.isBlank || y.isBlank { return nil }
        switch (x, y) {
        case (.text(let a), .text(let b)): return a == b ? 0 : (a < b ? -1 : 1)
        case (.number(let a), .number(let b)): return compareNumbers(a, b)
        case (.date(let a), .date(let b)), (.time(let a), .time(let b)), (.dateTime(let a), .dateTime(let b)):
            return a == b ? 0 : (a < b ? -1 : 1)
        case (.dateTime(let a), .date(let b)): return compareInts(a, b * 86_400)
        case (.date(let a), .dateTime(let b)): return compareInts(a * 86_400, b)
        case (.bool(let a), .bool(let b)): return a == b ? 0 : (a ? 1 : -1)
        default: return compareReturnValues(x, y)
        }
    }

    static func compareInts(_ a: Int, _ b: Int) -> Int { a == b ? 0 : (a < b ? -1 : 1) }

    /// Numbers as a reader of decimals compares them: equal within a relative 1e-12. Arithmetic in binary leaves
    /// noise no one typed (0.8 - 0.7 is 0.10000000000000009, 55/100*100 - 50/100*100 is 5.000000000000007), and a
    /// rule's "fell more than 0.1" must not fire at exactly 0.1.
    static func compareNumbers(_ a: Double, _ b: Double) -> Int {
        if a == b || abs(a - b) <= 1e-12 * max(abs(a), abs(b)) { return 0 }
        return a < b ? -1 : 1
    }

    func compileCall(_ name: String, _ args: [Expr], _ span: Span, _ scope: inout CompileScope) throws -> Compiled {
        guard let fn = RuleFunctions.named(name) else {
            let known = RuleFunctions.all.map(\.name).joined(separator: ", ")
            throw error("unknown function \(name)() (known: \(known))", span)
        }
        guard fn.arity.contains(args.count) else {
            throw error("\(name)() takes \(fn.signature)", span)
        }
        if let need = fn.needs { scope.needs.insert(need) }
        try noteWholeSettings(name, args, &scope)
        if MetricHistoryFunctions.names.contains(name) {
            guard scope.aggregateLevel else {
                throw error("\(name)() works on an aggregate rule's measure: use it in warn_when or fail_when", span)
            }
            return try MetricHistoryFunctions.compile(name, args, span: span, compiler: self)
        }
        if let special = try compileContextCall(name, args, span, &scope) { return special }
        switch name {
        case "codes":
            throw error("codes(...) is a set: use it after \"in\"", span)
        case "lookup":
            guard case .field(let q?, let field, let s) = args[0] else {
                throw error("lookup() takes TABLE.FIELD first, e.g. lookup(MHS001MPI.EthnicCategory, LocalPatientID)", args[0].span)
            }
            guard let target = scope.catalogue.dataset(q) else { throw error("unknown table \"\(q)\"", s) }
            guard let valueField = target.field(field) else {
                throw error("\"\(field)\" is not a field of \(target.table)\(Manifest.suggestion(field, target))", s)
            }
            guard target.key.count == 1, let keyField = target.key.first else {
                throw error("lookup() needs a table with a one-field key; \(target.table) has \(target.key)", s)
            }
            let (id, column) = scope.lookups.slot(for: LookupSpec(table: target.table, keyField: keyField, valueField: valueField.name))
            scope.needs.insert("table:" + target.table)
            let key = try operand(args[1], &scope)
            return { ctx in
                let k = key.read(ctx)
                if case .null = k { return .null }
                return ctx.lookups[id].value(for: k.text, column: column) ?? .null
            }
        case "format_ok":
            let check = try formatSpec(of: args[0], scope)
            let f = try operand(args[0], &scope)
            return { ctx in
                let v = f.read(ctx)
                if v.isBlank { return .null }
                return .bool(check.accepts(v))
            }
        case "period_start", "period_end":
            let start = name == "period_start"
            return { ctx in (start ? ctx.periodStart : ctx.periodEnd).map { .date($0) } ?? .null }
        case "in_reference":
            guard case .literal(.text(let listName), _) = args[0] else { throw error("in_reference() takes a list name in quotes", args[0].span) }
            scope.needs.insert(listName)
            let value = try operand(args[1], &scope)
            return { ctx in
                let v = value.read(ctx)
                guard !v.isNull, let list = ctx.reference.lists[listName] else { return .null }
                return .bool(list.contains(v.text.uppercased()) || list.contains(v.text))
            }
        case "setting":
            guard case .literal(.text(let key), _) = args[0] else { throw error("setting() takes a name in quotes", args[0].span) }
            if let fallback = scope.settings[key] {
                // The pack's default, unless the manifest's [settings] gives another value.
                return { ctx in ctx.reference.settings[key].map { Value.setting($0, like: fallback) } ?? fallback }
            }
            // Only what a manifest's [context] gives has no default: any other name (a misspelt one) made the rule
            // "need" a reference list of that name, and it never ran.
            guard ReferenceLoader.settingKeys.contains(key) else {
                let known = (scope.settings.keys.sorted() + ReferenceLoader.settingKeys.sorted()).joined(separator: ", ")
                throw error("no setting \"\(key)\": give it a default in pack.toml [settings] (\(key) = ...), which a manifest's [settings] may override (known: \(known))", args[0].span)
            }
            scope.needs.insert(key)
            return { ctx in ctx.reference.settings[key].map { .text($0) } ?? .null }
        case "date":
            guard case .literal(.text(let s), let sp) = args[0] else { throw error("date() takes \"CCYY-MM-DD\" in quotes", args[0].span) }
            guard let d = ExpressionCompiler.parseISODate(s) else {
                throw error("\"\(s)\" is not a date (CCYY-MM-DD)", sp)
            }
            return { _ in .date(d) }
        default:
            if name == "if" {
                // Rule functions have no side effects, so only the branch chosen need be evaluated.
                let condition = try test(args[0], &scope)
                let then = try operand(args[1], &scope), otherwise = try operand(args[2], &scope)
                return { ctx in condition(ctx) == .yes ? then.read(ctx) : otherwise.read(ctx) }
            }
            let compiled = try args.map { try operand($0, &scope) }
            let impl = fn.implementation
            switch compiled.count {
            case 0: return { ctx in impl(ctx, RuleArguments()) }
            case 1:
                let a = compiled[0]
                return { ctx in impl(ctx, RuleArguments(a.read(ctx))) }
            case 2:
                let a = compiled[0], b = compiled[1]
                return { ctx in impl(ctx, RuleArguments(a.read(ctx), b.read(ctx))) }
            case 3:
                let a = compiled[0], b = compiled[1], c = compiled[2]
                return { ctx in impl(ctx, RuleArguments(a.read(ctx), b.read(ctx), c.read(ctx))) }
            default:
                return { ctx in impl(ctx, RuleArguments(compiled.map { $0.read(ctx) })) }
            }
        }
    }

    /// The Data Dictionary format of format_ok()'s argument, which must be a field of the rule's table.
    func formatSpec(of arg: Expr, _ scope: CompileScope) throws -> FormatSpec {
        guard case .field(nil, let fieldName, let s) = arg, let def = scope.dataset.field(fieldName) else {
            throw error("format_ok() takes a field of \(scope.dataset.table)", arg.span)
        }
        guard let check = FormatSpec(def.format) else {
            throw error("format \"\(def.format)\" of \(def.name) is not understood (see Rules/datasets/README.md)", s)
        }
        return check
    }

    static func parseISODate(_ s: String) -> Int? {
        let bytes = Array(s.utf8)
        return bytes.withUnsafeBufferPointer { DateFormat.iso.parse($0) }
    }
}

/// POSIX extended regular expressions (anchors are the pattern's own).
final class PosixRegex: @unchecked Sendable {
    private var regex = regex_t()

    init(_ pattern: String, onError: (String) -> MHDQError) throws {
        let rc = regcomp(&regex, pattern, REG_EXTENDED | REG_NOSUB)
        if rc != 0 {
            var buf = [CChar](repeating: 0, count: 256)
            regerror(rc, &regex, &buf, 256)
            throw onError(String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
    }

    deinit { regfree(&regex) }

    func matches(_ s: String) -> Bool {
        regexec(&regex, s, 0, nil, 0) == 0
    }
}
