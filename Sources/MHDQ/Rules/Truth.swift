// Conditions compiled to closures that return a three-valued truth in a register, not a boxed Value.

import Foundation

/// Kleene truth: a condition over a blank is unknown, and false wins over unknown in `and`.
enum Truth: UInt8 {
    case no, yes, unknown

    @inline(__always) init(_ b: Bool) { self = b ? .yes : .no }

    /// `.bool(true)` is yes, `.bool(false)` is no, anything else (blank, a number) is unknown.
    @inline(__always) init(_ v: Value) {
        switch v {
        case .bool(true): self = .yes
        case .bool(false): self = .no
        default: self = .unknown
        }
    }

    var value: Value {
        switch self {
        case .yes: return .bool(true)
        case .no: return .bool(false)
        case .unknown: return .null
        }
    }
}

typealias Test = (EvalContext) -> Truth

/// A record rule's condition in one of the three shapes most official rules take, on one field F: "F is
/// blank", "F is not blank and not format_ok(F)" and "F is not blank and F not in LIST" (a list of short
/// ASCII codes). The engine runs each run of such rules in a loop over the record, with no closure per
/// rule; `test` is the same condition as a closure (the general `and` would call four closures and copy F
/// out twice for it: yes when F is present and fails, else no; a test holds the forms together). Plain
/// data, so the loop copies no reference per check.
struct FieldCheck {
    enum Shape {
        case blank
        case badFormat(FormatSpec)
        case notIn(CodeWords)
    }
    let field: Int
    let shape: Shape

    @inline(__always) func fails(_ fields: UnsafeBufferPointer<Value>) -> Bool {
        let value = fields.baseAddress.unsafelyUnwrapped + field
        switch shape {
        case .blank: return value.pointee.isBlank
        case .badFormat(let format): return !value.pointee.isBlank && !format.accepts(at: value)
        case .notIn(let codes): return !value.pointee.isBlank && !codes.contains(at: value)
        }
    }

    var test: Test {
        let check = self
        return { ctx in Truth(check.fails(ctx.fields)) }
    }
}

/// A code list whose codes are all ASCII and at most seven bytes long (national codes), as sorted words:
/// a code's bytes packed little-endian with its length in the top byte. A value is looked up by its bytes
/// with a binary search: no String, no hash. The words are interned for the life of the process (each
/// distinct list once: code lists are few and small), so a FieldCheck holds them as plain data.
struct CodeWords {
    private let words: UnsafeBufferPointer<UInt64>

    /// Nil when a code is not ASCII or is longer than seven bytes.
    init?(_ codes: Set<String>) {
        var list: [UInt64] = []
        for code in codes {
            guard let w = CodeWords.word(code) else { return nil }
            list.append(w)
        }
        list.sort()
        CodeWords.lock.lock()
        defer { CodeWords.lock.unlock() }
        if let known = CodeWords.interned[list] {
            words = known
        } else {
            let stored = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: list.count)
            _ = stored.initialize(from: list)
            words = UnsafeBufferPointer(stored)
            CodeWords.interned[list] = words
        }
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var interned: [[UInt64]: UnsafeBufferPointer<UInt64>] = [:]

    /// An ASCII text of at most seven bytes as its word; nil for anything else.
    static func word(_ s: String) -> UInt64? {
        var s = s
        return s.withUTF8 { word($0) }
    }

    @inline(__always) static func word(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64? {
        guard bytes.count < 8 else { return nil }
        var w: UInt64 = 0
        for k in 0 ..< bytes.count {
            let b = bytes[k]
            guard b < 0x80 else { return nil }
            w |= UInt64(b) &<< (8 &* UInt64(k))
        }
        return w | UInt64(bytes.count) &<< 56
    }

    /// Membership with the meaning of `in`: the value's text equals a code (String equality, so canonical
    /// equivalence: "\u{212A}" is "K"). ASCII text is decided by its bytes: an ASCII text longer than any
    /// code is none of them.
    func contains(_ value: Value) -> Bool {
        withUnsafePointer(to: value) { contains(at: $0) }
    }

    /// `contains` for a value where it lies (in a record), with no copy of it for the common case.
    func contains(at pointer: UnsafePointer<Value>) -> Bool {
        let value = pointer.pointee
        if case .text(let s) = value, let found = s.utf8.withContiguousStorageIfAvailable({ bytes -> Bool? in
            if let w = CodeWords.word(bytes) { return search(w) }
            for b in bytes where b >= 0x80 { return nil }
            return false
        }), let found {
            return found
        }
        return containsSlowly(value)
    }

    /// What `contains` leaves (kept out of line, so a value checked where it lies is not copied for it): a
    /// value that is not contiguous text, or is text with non-ASCII bytes.
    @inline(never) private func containsSlowly(_ value: Value) -> Bool {
        let text = value.text
        if let w = CodeWords.word(text) { return search(w) }
        return text.utf8.allSatisfy({ $0 < 0x80 }) ? false : containsSlowly(text)
    }

    @inline(__always) private func search(_ w: UInt64) -> Bool {
        var lo = 0, hi = words.count
        while lo < hi {
            let mid = (lo &+ hi) >> 1
            let m = words[mid]
            if m == w { return true }
            if m < w { lo = mid &+ 1 } else { hi = mid }
        }
        return false
    }

    /// Non-ASCII text (rare): compared with each code as a String.
    private func containsSlowly(_ s: String) -> Bool {
        words.contains { w in
            let n = Int(w >> 56)
            let bytes = (0 ..< n).map { UInt8(truncatingIfNeeded: w >> (8 * UInt64($0))) }
            return String(decoding: bytes, as: UTF8.self) == s
        }
    }
}

extension ExpressionCompiler {
    static let truthOperators: Set<String> = ["and", "or", "=", "!=", "<", "<=", ">", ">="]

    /// Compiles a condition. `and`, `or` and `not` call their parts' tests directly, and tests of a
    /// field read it in place, so a rule such as "X is not blank and not format_ok(X)" makes no Value
    /// for its truth at any level. `compile` turns a condition's test into a Value closure, so there is
    /// one definition of each operator.
    func test(_ e: Expr, _ scope: inout CompileScope) throws -> Test {
        switch e {
        case .unary("not", let inner, _):
            let t = try test(inner, &scope)
            return { ctx in
                switch t(ctx) {
                case .yes: return .no
                case .no: return .yes
                case .unknown: return .unknown
                }
            }
        case .binary("and", let l, let r, _):
            if let check = try fieldCheck(e, &scope) { return check.test }
            if let test = try presentAndNotInList(l, r, &scope) { return test }
            let a = try test(l, &scope), b = try test(r, &scope)
            return { ctx in
                let x = a(ctx)
                if x == .no { return .no }
                let y = b(ctx)
                if y == .no { return .no }
                return x == .yes && y == .yes ? .yes : .unknown
            }
        case .binary("or", let l, let r, _):
            let a = try test(l, &scope), b = try test(r, &scope)
            return { ctx in
                let x = a(ctx)
                if x == .yes { return .yes }
                let y = b(ctx)
                if y == .yes { return .yes }
                return x == .no && y == .no ? .no : .unknown
            }
        case .binary(let op, let l, let r, _) where ExpressionCompiler.truthOperators.contains(op):
            let a = try operand(l, &scope), b = try operand(r, &scope)
            // Two dates where they lie (a visit against the period end) compare as day numbers; anything
            // else is copied out and compared by kind.
            let inPlace = a.isInPlace && b.isInPlace
            @inline(__always) func compared(_ ctx: EvalContext) -> Int? {
                if inPlace, let x = a.day(ctx), let y = b.day(ctx) { return ExpressionCompiler.compareInts(x, y) }
                return ExpressionCompiler.compare(a.read(ctx), b.read(ctx))
            }
            switch op {
            case "=": return { ctx in compared(ctx).map { Truth($0 == 0) } ?? .unknown }
            case "!=": return { ctx in compared(ctx).map { Truth($0 != 0) } ?? .unknown }
            case "<": return { ctx in compared(ctx).map { Truth($0 < 0) } ?? .unknown }
            case "<=": return { ctx in compared(ctx).map { Truth($0 <= 0) } ?? .unknown }
            case ">": return { ctx in compared(ctx).map { Truth($0 > 0) } ?? .unknown }
            default: return { ctx in compared(ctx).map { Truth($0 >= 0) } ?? .unknown }
            }
        case .isBlank(let inner, let negated, _):
            let f = try operand(inner, &scope)
            if case .field(let i) = f {
                // The commonest test of all (a mandatory field): the value is looked at where it lies in the
                // record, not copied out (a copy retains and releases its text).
                return { ctx in Truth(ctx.fields[i].isBlank != negated) }
            }
            return { ctx in Truth(f.read(ctx).isBlank != negated) }
        case .inList(let lhs, let rhs, let negated, let span):
            let f = try operand(lhs, &scope)
            let set = TextSet(try constantSet(rhs, span, &scope))
            return { ctx in
                let v = f.read(ctx)
                if v.isBlank { return .unknown }
                return Truth(set.contains(v) != negated)
            }
        case .matches(let lhs, let pattern, let negated, let span):
            let f = try operand(lhs, &scope)
            if let problem = PatternLimits.problem(pattern) { throw error(problem, span) }
            let regex = try PosixRegex(pattern) { self.error("invalid pattern: \($0)", span) }
            return { ctx in
                let v = f.read(ctx)
                if v.isBlank { return .unknown }
                return Truth(regex.matches(v.text) != negated)
            }
        default:
            let f = try compile(e, &scope)
            return { ctx in Truth(f(ctx)) }
        }
    }

    /// The condition as a FieldCheck when it has one of the shapes it covers, else nil.
    func fieldCheck(_ e: Expr, _ scope: inout CompileScope) throws -> FieldCheck? {
        guard !scope.aggregateLevel else { return nil }
        switch e {
        case .isBlank(.field(nil, let name, _), false, _):
            return scope.dataset.index(of: name).map { FieldCheck(field: $0, shape: .blank) }
        case .binary("and", .isBlank(.field(nil, let name, _), true, _), .unary("not", .call("format_ok", let args, _), _), _):
            guard let i = scope.dataset.index(of: name), args.count == 1, case .field(nil, let other, _) = args[0],
                  scope.dataset.index(of: other) == i else { return nil }
            return FieldCheck(field: i, shape: .badFormat(try formatSpec(of: args[0], scope)))
        case .binary("and", .isBlank(.field(nil, let name, _), true, _), .inList(.field(nil, let other, _), let rhs, true, let span), _):
            guard let i = scope.dataset.index(of: name), scope.dataset.index(of: other) == i,
                  let codes = CodeWords(try constantSet(rhs, span, &scope)) else { return nil }
            return FieldCheck(field: i, shape: .notIn(codes))
        default:
            return nil
        }
    }

    /// "F is not blank and F not in LIST" (the official National Code rules) as one test that looks at F
    /// where it lies, for the same truth as the general `and`, when LIST is not one FieldCheck takes (a
    /// code that is not ASCII or longer than seven bytes). Nil for any other shape.
    func presentAndNotInList(_ l: Expr, _ r: Expr, _ scope: inout CompileScope) throws -> Test? {
        guard !scope.aggregateLevel, case .isBlank(.field(nil, let name, _), true, _) = l,
              case .inList(.field(nil, let other, _), let rhs, true, let span) = r,
              let i = scope.dataset.index(of: name), scope.dataset.index(of: other) == i else { return nil }
        let set = TextSet(try constantSet(rhs, span, &scope))
        return { ctx in Truth(!ctx.fields[i].isBlank && !set.contains(ctx.fields[i])) }
    }
}
