// Per-record expressions (derived fields, group-by parts) remembered by the few values they read.

/// A derived field or group-by expression is computed for every record, but most read one or two fields
/// that take few values: ETHNIC CATEGORY's codes, the class made from them, a referral's month. Rule
/// functions have no side effects and, but for those in `contextual`, read nothing but their arguments, so
/// the result is the same for the same inputs: the memo keeps it, keyed by the inputs' kinds and bytes. It
/// gives up once it has seen `limit` distinct inputs (an identifier, a birth date), and evaluates as before
/// from then on.
final class ExpressionMemo {
    /// Each input: a field of the record, or (derived) an earlier derived field.
    private let inputs: [(derived: Bool, index: Int)]
    private let compute: Compiled
    private var results = ByteKeyedTable<Value>()
    /// The current inputs' key: room for three texts of up to 63 bytes, each with its kind and length.
    private let key = UnsafeMutablePointer<UInt8>.allocate(capacity: 3 * 65)
    private var remembering = true
    static let limit = 4096

    private init(inputs: [(derived: Bool, index: Int)], compute: @escaping Compiled) {
        self.inputs = inputs
        self.compute = compute
    }

    deinit { key.deallocate() }

    /// `compiled` remembered by what `expr` reads, or as it is when `expr` reads anything besides up to
    /// three fields of the record (another table, the header, other periods of a series).
    static func wrap(_ compiled: @escaping Compiled, of expr: Expr, compiler: ExpressionCompiler, scope: inout CompileScope) throws -> Compiled {
        var names: [String] = []
        guard reads(expr, into: &names), names.count <= 3 else { return compiled }
        var inputs: [(derived: Bool, index: Int)] = []
        for name in names {
            switch try compiler.operand(.field(qualifier: nil, name: name, Span(offset: 0)), &scope) {
            case .field(let i): inputs.append((false, i))
            case .derived(let d): inputs.append((true, d))
            default: return compiled
            }
        }
        let memo = ExpressionMemo(inputs: inputs, compute: compiled)
        return { ctx in memo.evaluate(ctx) }
    }

    /// Functions that read the run's context (another table, the period, reference data, settings, a KPI
    /// row): what they return can differ for the same arguments from one run to another.
    static let contextual: Set<String> = ["lookup", "period_start", "period_end", "postcode_active", "ods_live",
                                          "in_reference", "setting", "kpi"]

    /// Collects the unqualified names `e` reads (fields and derived fields); false when it reads anything
    /// else that varies from record to record.
    static func reads(_ e: Expr, into names: inout [String]) -> Bool {
        switch e {
        case .literal: return true
        case .field(let qualifier, let name, _):
            guard qualifier == nil else { return false }
            if !names.contains(name) { names.append(name) }
            return true
        case .list(let items, _): return items.allSatisfy { reads($0, into: &names) }
        case .unary(_, let x, _), .isBlank(let x, _, _), .matches(let x, _, _, _): return reads(x, into: &names)
        case .binary(_, let x, let y, _), .inList(let x, let y, _, _): return reads(x, into: &names) && reads(y, into: &names)
        case .call(let name, let args, _):
            guard !contextual.contains(name), !WindowFunctions.names.contains(name),
                  !MetricHistoryFunctions.names.contains(name) else { return false }
            return args.allSatisfy { reads($0, into: &names) }
        }
    }

    func evaluate(_ ctx: EvalContext) -> Value {
        guard remembering else { return compute(ctx) }
        var length = 0
        for input in inputs {
            let fits: Bool
            if input.derived {
                fits = input.index < ctx.derived.count ? Self.write(ctx.derived[input.index], to: key, at: &length) : Self.write(.null, to: key, at: &length)
            } else {
                fits = Self.write(ctx.fields[input.index], to: key, at: &length)
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
