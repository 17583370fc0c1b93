// What a compiled expression reads, so its parent reads a field in place instead of calling a closure for it.

/// A field, a constant, or anything else (a compiled closure). Rules test fields millions of times:
/// reading `ctx.record[i]` inside the parent's closure costs a switch, where a child closure cost a call.
enum Operand {
    case field(Int)
    case header(Int)
    case derived(Int)
    case constant(Value)
    case computed(Compiled)

    @inline(__always) func read(_ ctx: EvalContext) -> Value {
        switch self {
        case .field(let i): return ctx.fields[i]
        case .header(let i): return i < ctx.headerFields.count ? ctx.headerFields[i] : .null
        case .derived(let d): return d < ctx.derived.count ? ctx.derived[d] : .null
        case .constant(let v): return v
        case .computed(let f): return f(ctx)
        }
    }

    /// The operand's day number when it is a date where it lies (a field or header field), else nil: a
    /// comparison of two dates needs no copy of either Value.
    @inline(__always) func day(_ ctx: EvalContext) -> Int? {
        switch self {
        case .field(let i): if case .date(let d) = ctx.fields[i] { return d }
        case .header(let i): if i < ctx.headerFields.count, case .date(let d) = ctx.headerFields[i] { return d }
        case .constant(.date(let d)): return d
        default: break
        }
        return nil
    }

    /// Whether the operand is read where it lies (a field, header field or constant), not computed.
    var isInPlace: Bool { if case .computed = self { return false }; return true }

    /// The operand as a closure, for callers that need one.
    var compiled: Compiled {
        switch self {
        case .field(let i): return { ctx in ctx.fields[i] }
        case .header(let i): return { ctx in i < ctx.headerFields.count ? ctx.headerFields[i] : .null }
        case .derived(let d): return { ctx in d < ctx.derived.count ? ctx.derived[d] : .null }
        case .constant(let v): return { _ in v }
        case .computed(let f): return f
        }
    }
}

/// Checks on a text value's UTF-8 bytes, without iterating a String view.
enum TextBytes {
    /// Only spaces and tabs (or nothing).
    @inline(__always) static func isBlank(_ s: String) -> Bool {
        if let blank = s.utf8.withContiguousStorageIfAvailable({ bytes -> Bool in
            for b in bytes where b != 0x20 && b != 0x09 { return false }
            return true
        }) { return blank }
        return s.utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 }
    }
}

/// A constant set of texts (an `in` list or a code list) that an ASCII value is looked up in by its bytes;
/// anything else goes to the `Set<String>`, whose equality (canonical equivalence) decides the rest.
struct TextSet {
    let strings: Set<String>
    /// Present when every member is ASCII: then an ASCII value is a member exactly when its bytes are.
    private let ascii: ByteKeyedTable<Bool>?

    init(_ strings: Set<String>) {
        self.strings = strings
        if strings.allSatisfy({ $0.utf8.allSatisfy { $0 < 0x80 } }) {
            var table = ByteKeyedTable<Bool>()
            for s in strings {
                var s = s
                s.withUTF8 { bytes in _ = table.insert(bytes, hash: ByteKeyedTable<Bool>.hash(bytes), true) }
            }
            ascii = table
        } else {
            ascii = nil
        }
    }

    @inline(__always) func contains(_ value: Value) -> Bool {
        if case .text(let s) = value, let ascii,
           let found = s.utf8.withContiguousStorageIfAvailable({ bytes -> Bool? in
               var high: UInt8 = 0
               for b in bytes { high |= b }
               guard high < 0x80 else { return nil }
               return ascii.find(bytes, hash: ByteKeyedTable<Bool>.hash(bytes)) != nil
           }), let found {
            return found
        }
        return strings.contains(value.text)
    }
}
