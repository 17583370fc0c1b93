// Per-record expressions (derived fields, group-by parts) remembered by the few values they read.

/// A derived field or group-by expression is computed for every record, but most read one or two values
/// that take few values: ETHNIC CATEGORY's codes, the class made from them, a referral's month, the
/// patient's code looked up for a referral. Rule functions have no side effects and read nothing but their
/// arguments, except those in `contextual`, whose result is itself taken as an input: so the result is the
/// same for the same inputs, and the memo keeps it, keyed by the inputs' kinds and bytes. It gives up once
/// it has seen `limit` distinct inputs (an identifier, a birth date), and evaluates as before from then on.
final class ExpressionMemo {
    /// What the memo is keyed by: a field of the record, an earlier derived field, or a value computed
    /// (a lookup, a header field, a setting) by `computed[index]`.
    enum Input {
        case field(Int)
        case derived(Int)
        case computed(Int)
    }
    private let inputs: [Input]
    private let computed: [Compiled]
    private let compute: Compiled
    private var results = ByteKeyedTable<Value>()
    /// The current inputs' key: room for three texts of up to 63 bytes, each with its kind and length.
    private let key = UnsafeMutablePointer<UInt8>.allocate(capacity: 3 * 65)
    private var remembering = true
    static let limit = 4096

    private init(inputs: [Input], computed: [Compiled], compute: @escaping Compiled) {
        self.inputs = inputs
        self.computed = computed
        self.compute = compute
    }

    deinit { key.deallocate() }

    /// `compiled` remembered by what `expr` reads, or as it is when `expr` reads more than three values
    /// (or other periods of a series, a KPI row).
    static func wrap(_ compiled: @escaping Compiled, of expr: Expr, compiler: ExpressionCompiler, scope: inout CompileScope) throws -> Compiled {
        // A field, a constant or a lookup by itself has nothing to remember: it is read as it is.
        switch expr {
        case .field, .literal: return compiled
        case .call(let name, _, _) where contextual.contains(name): return compiled
        default: break
        }
        var reads: [Expr] = []
        guard collect(expr, into: &reads), reads.count <= 3 else { return compiled }
        var inputs: [Input] = []
        var computed: [Compiled] = []
        for e in reads {
            switch try compiler.operand(e, &scope) {
            case .field(let i): inputs.append(.field(i))
            case .derived(let d): inputs.append(.derived(d))
            case let other:
                inputs.append(.computed(computed.count))
                computed.append(other.compiled)
            }
        }
        let memo = ExpressionMemo(inputs: inputs, computed: computed, compute: compiled)
        return { ctx in memo.evaluate(ctx) }
    }

    /// Functions whose result depends on more than their arguments (another table, the period, reference
    /// data, settings): a call of one is an input of the memo, not looked into.
    static let contextual: Set<String> = ["lookup", "period_start", "period_end", "postcode_active", "ods_live",
                                          "in_reference", "setting"]

    /// Collects what `e` reads: fields and derived fields (once each by name), header fields and calls of
    /// contextual functions. False when it reads other periods of a series or a KPI row.
    static func collect(_ e: Expr, into reads: inout [Expr]) -> Bool {
        switch e {
        case .literal: return true
        case .field(let qualifier, let name, _):
            let known = reads.contains { r in
                if case .field(let q, let n, _) = r { return q == qualifier && n == name }
                return false
            }
            if !known { reads.append(e) }
            return true
        case .list(let items, _): return items.allSatisfy { collect($0, into: &reads) }
        case .unary(_, let x, _), .isBlank(let x, _, _), .matches(let x, _, _, _): return collect(x, into: &reads)
        case .binary(_, let x, let y, _), .inList(let x, let y, _, _): return collect(x, into: &reads) && collect(y, into: &reads)
        case .call(let name, let args, _):
            guard name != "kpi", !WindowFunctions.names.contains(name), !MetricHistoryFunctions.names.contains(name) else { return false }
            if contextual.contains(name) {
                reads.append(e)
                return true
            }
            return args.allSatisfy { collect($0, into: &reads) }
        }
    }

    func evaluate(_ ctx: EvalContext) -> Value {
        guard remembering else { return compute(ctx) }
        var length = 0
        for input in inputs {
            let fits: Bool
            switch input {
            case .field(let i): fits = Self.write(ctx.fields[i], to: key, at: &length)
            case .derived(let d): fits = Self.write(d < ctx.derived.count ? ctx.derived[d] : .null, to: key, at: &length)
            case .computed(let c): fits = Self.write(computed[c](ctx), to: key, at: &length)
            }
            if !fits { return compute(ctx) }
        }
        let k = UnsafeBufferPointer(start: key, count: length)
        let hash = ByteKeyedTable<Value>.hash(k)
        if let e = results.find(k, hash: hash) { return results.elements[e] }
        let value = compute(ctx)
        if results.count >= Self.limit {
            remembering = false
            results = ByteKeyedTable()
        } else {
            results.insert(k, hash: hash, value)
        }
        return value
    }

    /// Writes a value's kind and bytes at `length`; false for a value not worth a key (long text, a typed amount).
    @inline(__always) static func write(_ v: Value, to key: UnsafeMutablePointer<UInt8>, at length: inout Int) -> Bool {
        func word(_ tag: UInt8, _ bits: UInt64) {
            key[length] = tag
            for k in 0 ..< 8 { key[length + 1 + k] = UInt8(truncatingIfNeeded: bits >> (8 * UInt64(k))) }
            length += 9
        }
        switch v {
        case .null:
            key[length] = 0
            length += 1
        case .text(var s):
            return s.withUTF8 { b -> Bool in
                guard b.count < 64 else { return false }
                key[length] = 1
                key[length + 1] = UInt8(b.count)
                if let base = b.baseAddress { (key + length + 2).update(from: base, count: b.count) }
                length += 2 + b.count
                return true
            }
        case .number(let d): word(2, d.bitPattern)
        case .date(let d): word(3, UInt64(bitPattern: Int64(d)))
        case .time(let t): word(4, UInt64(bitPattern: Int64(t)))
        case .dateTime(let t): word(5, UInt64(bitPattern: Int64(t)))
        case .bool(let b):
            key[length] = b ? 7 : 6
            length += 1
        case .typed: return false
        }
        return true
    }
}

/// A part of a record rule that reads no record: the header's dates, a setting, the period, and what
/// functions make of them ("add_days(MHS000Header.ReportingPeriodEndDate, 1)", "upper(setting(\"portal_org\"))").
/// It is computed again only when the context it was computed in changes (another run's context, a new
/// header, period, reference data), not once per record as a call with its arguments would be.
final class RunConstant {
    private let compute: Compiled
    private var version: UInt64 = 0
    private var value: Value = .null

    private init(_ compute: @escaping Compiled) { self.compute = compute }

    /// `compiled` computed once per context version when `expr` reads nothing of the record, else as it is.
    static func wrap(_ compiled: @escaping Compiled, of expr: Expr) -> Compiled {
        guard isRunConstant(expr) else { return compiled }
        let constant = RunConstant(compiled)
        return { ctx in constant.evaluate(ctx) }
    }

    /// True when `e` reads only literals, header fields and the run's context (period, settings,
    /// reference data): no field of the record, no other table, no series or measure.
    static func isRunConstant(_ e: Expr) -> Bool {
        switch e {
        case .literal: return true
        case .field(let qualifier, _, _): return qualifier != nil   // only header fields can be qualified
        case .list(let items, _): return items.allSatisfy(isRunConstant)
        case .unary(_, let x, _), .isBlank(let x, _, _), .matches(let x, _, _, _): return isRunConstant(x)
        case .binary(_, let x, let y, _), .inList(let x, let y, _, _): return isRunConstant(x) && isRunConstant(y)
        case .call(let name, let args, _):
            guard name != "lookup", name != "kpi", !WindowFunctions.names.contains(name),
                  !MetricHistoryFunctions.names.contains(name) else { return false }
            return args.allSatisfy(isRunConstant)
        }
    }

    func evaluate(_ ctx: EvalContext) -> Value {
        if version != ctx.constantsVersion {
            value = compute(ctx)
            version = ctx.constantsVersion
        }
        return value
    }
}
