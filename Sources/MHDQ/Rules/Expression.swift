// The rule expression language: tokens, syntax tree and parser, with file:line:column on every error.

public indirect enum Expr: Sendable {
    case literal(Value, Span)
    /// A field of the rule's table, a derived field, or TABLE.FIELD (the header, a lookup target).
    case field(qualifier: String?, name: String, Span)
    case list([Expr], Span)
    case unary(op: String, Expr, Span)
    case binary(op: String, Expr, Expr, Span)
    case isBlank(Expr, negated: Bool, Span)
    case inList(Expr, Expr, negated: Bool, Span)
    case matches(Expr, pattern: String, negated: Bool, Span)
    case call(name: String, args: [Expr], Span)

    public var span: Span {
        switch self {
        case .literal(_, let s), .field(_, _, let s), .list(_, let s), .unary(_, _, let s), .binary(_, _, _, let s),
             .isBlank(_, _, let s), .inList(_, _, _, let s), .matches(_, _, _, let s), .call(_, _, let s):
            return s
        }
    }
}

/// Where an expression sits in its rule file: the string's own location plus an offset inside it.
public struct Span: Sendable {
    public var offset: Int
}

struct Token: Equatable {
    enum Kind: Equatable {
        case identifier(String)
        case string(String)
        case number(Double)
        case symbol(String)
        case end
    }

    var kind: Kind
    var offset: Int
}

/// Turns an expression string into an `Expr`; errors point at the offending character.
public struct ExpressionParser {
    let text: [Character]
    let origin: SourceLocation
    let sourceLine: String?
    var tokens: [Token] = []
    var position = 0
    /// How deep the parser is in brackets, calls, lists, not and unary minus: each level is a recursion.
    var nesting = 0
    /// The depth of the tree the last parse function returned (a leaf is 1): the compiler and evaluator recurse
    /// once a level, so a tree deeper than `maximumDepth` (a chain of 200,000 "or") is refused as it is built.
    var lastDepth = 0

    /// Levels of brackets, function calls, lists, not and unary minus one inside another.
    public static let maximumNesting = 256
    /// Levels of the expression's tree: each operator of a chain (a or b or c) is one.
    public static let maximumDepth = 1000

    /// `origin` is where the expression string starts in its file (line and column of its first character).
    public init(_ text: String, origin: SourceLocation, sourceLine: String? = nil) {
        self.text = Array(text)
        self.origin = origin
        self.sourceLine = sourceLine
    }

    public static func parse(_ text: String, origin: SourceLocation, sourceLine: String? = nil) throws -> Expr {
        var p = ExpressionParser(text, origin: origin, sourceLine: sourceLine)
        try p.tokenize()
        let e = try p.parseOr()
        guard case .end = p.peek.kind else { throw p.error("unexpected \(p.describe(p.peek))", at: p.peek.offset) }
        return e
    }

    /// A located error with the source line and a caret under the column.
    func error(_ message: String, at offset: Int) -> MHDQError {
        ExpressionParser.locatedError(message, origin: origin, text: String(text), offset: offset, sourceLine: sourceLine)
    }

    static func locatedError(_ message: String, origin: SourceLocation, text: String, offset: Int, sourceLine: String?) -> MHDQError {
        var loc = origin
        let chars = Array(text)
        // Multi-line expressions: count lines up to the offset.
        var line = origin.row ?? 1
        var column = origin.offset ?? 1
        var lineText = sourceLine
        var startOfLine = 0
        for i in 0 ..< min(offset, chars.count) where chars[i] == "\n" || chars[i] == "\r\n" {
            line += 1
            startOfLine = i + 1
            column = 1
            lineText = nil
        }
        // Columns count Unicode scalars, as the file's own columns do (TOML): a letter with a combining mark
        // is one character of the expression but two columns.
        let end = min(offset, chars.count)
        let scalars = startOfLine < end ? chars[startOfLine ..< end].reduce(0) { $0 + $1.unicodeScalars.count } : 0
        let past = max(0, offset - max(end, startOfLine))
        if line == origin.row {
            column += scalars + past
        } else {
            column = scalars + past + 1
            let rest = chars[min(startOfLine, chars.count)...].prefix { $0 != "\n" && $0 != "\r\n" }
            lineText = String(rest)
        }
        loc.row = line
        loc.offset = column
        var detail: String?
        if let lineText {
            let shown = lineText.replacingTabs()
            detail = "    \(shown)\n    \(shown.caretIndent(column: column))^"
        }
        return MHDQError.invocation(message, at: loc, detail: detail)
    }

    // MARK: - Lexer

    mutating func tokenize() throws {
        var i = 0
        while i < text.count {
            let c = text[i]
            if c == " " || c == "\t" || c == "\n" || c == "\r" { i += 1; continue }
            let start = i
            if ExpressionParser.isLetter(c) || c == "_" {
                var s = ""
                while i < text.count, ExpressionParser.isLetter(text[i]) || ExpressionParser.isDigit(text[i]) || text[i] == "_" {
                    s.append(text[i])
                    i += 1
                }
                tokens.append(Token(kind: .identifier(s), offset: start))
            } else if ExpressionParser.isDigit(c) {
                var s = ""
                while i < text.count, ExpressionParser.isDigit(text[i]) || text[i] == "." {
                    s.append(text[i])
                    i += 1
                }
                guard let d = Double(s) else { throw error("malformed number \"\(s)\"", at: start) }
                tokens.append(Token(kind: .number(d), offset: start))
            } else if c == "\"" || c == "'" {
                let quote = c
                i += 1
                var s = ""
                while true {
                    guard i < text.count else { throw error("this string is never closed", at: start) }
                    if text[i] == quote {
                        // A doubled quote is a literal quote.
                        if i + 1 < text.count, text[i + 1] == quote { s.append(quote); i += 2; continue }
                        i += 1
                        break
                    }
                    s.append(text[i])
                    i += 1
                }
                tokens.append(Token(kind: .string(s), offset: start))
            } else {
                let two = i + 1 < text.count ? String([c, text[i + 1]]) : ""
                if ["<=", ">=", "!=", "<>", "=="].contains(two) {
                    tokens.append(Token(kind: .symbol(two == "<>" ? "!=" : two == "==" ? "=" : two), offset: start))
                    i += 2
                } else if "=<>+-*/(),[].".contains(c) {
                    tokens.append(Token(kind: .symbol(String(c)), offset: start))
                    i += 1
                } else {
                    throw error("unexpected character \"\(c)\"", at: start)
                }
            }
        }
        tokens.append(Token(kind: .end, offset: text.count))
    }

    /// Letters and digits as Character.isLetter and isNumber judge them, with ASCII (nearly every character
    /// of a rule) decided without a Unicode property lookup: loading the packs tokenises every rule.
    @inline(__always) static func isLetter(_ c: Character) -> Bool {
        if let a = c.asciiValue { return (a | 0x20) >= 0x61 && (a | 0x20) <= 0x7A }
        return c.isLetter
    }

    @inline(__always) static func isDigit(_ c: Character) -> Bool {
        if let a = c.asciiValue { return a >= 0x30 && a <= 0x39 }
        return c.isNumber
    }

    var peek: Token { tokens[position] }

    func describe(_ t: Token) -> String {
        switch t.kind {
        case .identifier(let s): return "\"\(s)\""
        case .string(let s): return "the string \"\(s)\""
        case .number(let d): return "the number \(Value.format(d))"
        case .symbol(let s): return "\"\(s)\""
        case .end: return "end of expression"
        }
    }

    mutating func advance() -> Token {
        let t = tokens[position]
        if position < tokens.count - 1 { position += 1 }
        return t
    }

    func isKeyword(_ word: String, _ t: Token? = nil) -> Bool {
        if case .identifier(let s) = (t ?? peek).kind { return s.lowercased() == word }
        return false
    }

    func isSymbol(_ sym: String) -> Bool {
        if case .symbol(let s) = peek.kind { return s == sym }
        return false
    }

    mutating func expectSymbol(_ sym: String) throws {
        guard isSymbol(sym) else { throw error("expected \"\(sym)\", found \(describe(peek))", at: peek.offset) }
        _ = advance()
    }

    // MARK: - Grammar (lowest precedence first)

    /// Counts one more level of nesting at `offset`: refused past `maximumNesting`, before the parser's
    /// recursion could exhaust the stack.
    mutating func enter(at offset: Int) throws {
        nesting += 1
        if nesting > ExpressionParser.maximumNesting {
            throw error("the expression is nested too deeply: more than \(ExpressionParser.maximumNesting) levels of brackets, function calls, lists, not and -", at: offset)
        }
    }

    /// The depth of a node over children of depth `children`, refused past `maximumDepth`.
    mutating func deeper(_ children: Int, at offset: Int) throws {
        lastDepth = children + 1
        if lastDepth > ExpressionParser.maximumDepth {
            throw error("the expression is nested too deeply: more than \(ExpressionParser.maximumDepth) levels of operators (split a long chain of and, or, + or - into derived fields)", at: offset)
        }
    }

    /// `next` for each operand of a left-associative chain of `ops`: a chain of n operators is n levels deep.
    mutating func chain(_ ops: (Token.Kind) -> String?, _ next: (inout Self) throws -> Expr) throws -> Expr {
        var lhs = try next(&self)
        var depth = lastDepth
        while let op = ops(peek.kind) {
            let t = advance()
            let rhs = try next(&self)
            try deeper(max(depth, lastDepth), at: t.offset)
            depth = lastDepth
            lhs = .binary(op: op, lhs, rhs, Span(offset: t.offset))
        }
        lastDepth = depth
        return lhs
    }

    mutating func parseOr() throws -> Expr {
        try enter(at: peek.offset)
        defer { nesting -= 1 }
        return try chain({ if case .identifier(let w) = $0, w.lowercased() == "or" { return "or" }; return nil }, { try $0.parseAnd() })
    }

    mutating func parseAnd() throws -> Expr {
        try chain({ if case .identifier(let w) = $0, w.lowercased() == "and" { return "and" }; return nil }, { try $0.parseNot() })
    }

    mutating func parseNot() throws -> Expr {
        if isKeyword("not") {
            let t = advance()
            try enter(at: t.offset)
            defer { nesting -= 1 }
            let inner = try parseNot()
            try deeper(lastDepth, at: t.offset)
            return .unary(op: "not", inner, Span(offset: t.offset))
        }
        return try parseComparison()
    }

    mutating func parseComparison() throws -> Expr {
        let lhs = try parseAdditive()
        let left = lastDepth
        let t = peek
        if case .symbol(let s) = t.kind, ["=", "!=", "<", "<=", ">", ">="].contains(s) {
            _ = advance()
            let rhs = try parseAdditive()
            try deeper(max(left, lastDepth), at: t.offset)
            return .binary(op: s, lhs, rhs, Span(offset: t.offset))
        }
        if isKeyword("is") {
            _ = advance()
            var negated = false
            if isKeyword("not") { _ = advance(); negated = true }
            guard isKeyword("blank") || isKeyword("null") else {
                throw error("expected \"blank\" after \"is\" (write \"x is blank\" or \"x is not blank\"; compare with =)", at: peek.offset)
            }
            _ = advance()
            try deeper(left, at: t.offset)
            return .isBlank(lhs, negated: negated, Span(offset: t.offset))
        }
        var negated = false
        if isKeyword("not"), position + 1 < tokens.count, isKeyword("in", tokens[position + 1]) || isKeyword("matches", tokens[position + 1]) {
            _ = advance()
            negated = true
        }
        if isKeyword("in") {
            _ = advance()
            let rhs = try parseAdditive()
            try deeper(max(left, lastDepth), at: t.offset)
            return .inList(lhs, rhs, negated: negated, Span(offset: t.offset))
        }
        if isKeyword("matches") {
            _ = advance()
            guard case .string(let pattern) = peek.kind else {
                throw error("\"matches\" takes a pattern in quotes", at: peek.offset)
            }
            // Located at the pattern: what is wrong with a match (a pattern that does not compile, or repeats too
            // much) is wrong with its pattern.
            let patternOffset = peek.offset
            _ = advance()
            try deeper(left, at: t.offset)
            return .matches(lhs, pattern: pattern, negated: negated, Span(offset: patternOffset))
        }
        if negated { throw error("expected \"in\" or \"matches\" after \"not\"", at: peek.offset) }
        return lhs
    }

    mutating func parseAdditive() throws -> Expr {
        try chain({ if case .symbol(let s) = $0, s == "+" || s == "-" { return s }; return nil }, { try $0.parseMultiplicative() })
    }

    mutating func parseMultiplicative() throws -> Expr {
        try chain({ if case .symbol(let s) = $0, s == "*" || s == "/" { return s }; return nil }, { try $0.parseUnary() })
    }

    mutating func parseUnary() throws -> Expr {
        if isSymbol("-") {
            let t = advance()
            try enter(at: t.offset)
            defer { nesting -= 1 }
            let inner = try parseUnary()
            try deeper(lastDepth, at: t.offset)
            return .unary(op: "-", inner, Span(offset: t.offset))
        }
        return try parsePrimary()
    }

    mutating func parsePrimary() throws -> Expr {
        let t = advance()
        let span = Span(offset: t.offset)
        lastDepth = 1
        switch t.kind {
        case .number(let d): return .literal(.number(d), span)
        case .string(let s): return .literal(.text(s), span)
        case .symbol("("):
            let e = try parseOr()
            try expectSymbol(")")
            return e
        case .symbol("["):
            var items: [Expr] = []
            var depth = 0
            if !isSymbol("]") {
                repeat {
                    if isSymbol(",") { _ = advance() }
                    items.append(try parseOr())
                    depth = max(depth, lastDepth)
                } while isSymbol(",")
            }
            try expectSymbol("]")
            try deeper(depth, at: t.offset)
            return .list(items, span)
        case .identifier(let name):
            switch name.lowercased() {
            case "true": return .literal(.bool(true), span)
            case "false": return .literal(.bool(false), span)
            case "blank", "null": return .literal(.null, span)
            case "and", "or", "not", "in", "is", "matches":
                throw error("\"\(name)\" needs something before it", at: t.offset)
            default: break
            }
            if isSymbol("(") {
                _ = advance()
                var args: [Expr] = []
                var depth = 0
                if !isSymbol(")") {
                    repeat {
                        if isSymbol(",") { _ = advance() }
                        args.append(try parseOr())
                        depth = max(depth, lastDepth)
                    } while isSymbol(",")
                }
                try expectSymbol(")")
                try deeper(depth, at: t.offset)
                return .call(name: name.lowercased(), args: args, span)
            }
            if isSymbol(".") {
                _ = advance()
                let f = advance()
                guard case .identifier(let field) = f.kind else { throw error("expected a field name after \"\(name).\"", at: f.offset) }
                return .field(qualifier: name, name: field, span)
            }
            return .field(qualifier: nil, name: name, span)
        default:
            throw error("expected a value, a field or a function, found \(describe(t))", at: t.offset)
        }
    }
}
