// A TOML subset for manifests, datasets, rule packs and the KPI catalogue, with file:line:column on every value.
//
// Supported: comments, bare/quoted/dotted keys, [tables], [[arrays of tables]], basic and literal
// strings (single- and multi-line), integers, floats, booleans, arrays (multi-line, trailing comma),
// inline tables. Not supported (an error, never a silent misread): dates and times.

public struct TOMLNode: Sendable {
    public indirect enum Value: Sendable {
        case string(String)
        case integer(Int)
        case float(Double)
        case bool(Bool)
        case array([TOMLNode])
        case table(TOMLTable)
    }

    public var value: Value
    public var location: SourceLocation

    public var typeName: String {
        switch value {
        case .string: return "a string"
        case .integer: return "an integer"
        case .float: return "a number"
        case .bool: return "true or false"
        case .array: return "an array"
        case .table: return "a table"
        }
    }
}

/// A table keeps its keys in the order written (field order in a dataset, column order in a manifest).
public struct TOMLTable: Sendable {
    public private(set) var entries: [(key: String, node: TOMLNode)] = []
    public var location: SourceLocation

    public init(location: SourceLocation) { self.location = location }

    public subscript(key: String) -> TOMLNode? {
        entries.first { $0.key == key }?.node
    }

    public var keys: [String] { entries.map(\.key) }

    mutating func set(_ key: String, _ node: TOMLNode) { entries.append((key, node)) }

    mutating func update(_ key: String, _ body: (inout TOMLNode) throws -> Void) rethrows {
        guard let i = entries.firstIndex(where: { $0.key == key }) else { return }
        try body(&entries[i].node)
    }
}

public enum TOML {
    public static func parse(file: String) throws -> TOMLTable {
        let bytes = try ByteInput.readAll(path: file)
        return try parse(String(decoding: bytes, as: UTF8.self), file: file)
    }

    public static func parse(_ text: String, file: String) throws -> TOMLTable {
        var parser = TOMLParser(text: text, file: file)
        return try parser.parseDocument()
    }
}

/// Parses UTF-8 bytes: every character with a meaning in TOML is ASCII, so only strings and keys ever
/// become Strings (parsing scalar by scalar made loading the rule files most of a small run's time).
struct TOMLParser {
    let bytes: [UInt8]
    let file: String
    var i = 0
    var line = 1
    var lineStart = 0
    /// The cursor's column (characters from lineStart, plus one), kept as the cursor moves: counting it
    /// from the line's start for every value made a long line (an array of 80,000 strings) quadratic.
    var column = 1
    /// Arrays and inline tables open around the cursor: each is a recursion of parseValue.
    var nesting = 0
    /// Arrays and inline tables one inside another, at most: deeper is refused, before the recursion could
    /// exhaust the stack.
    static let maximumNesting = 256

    init(text: String, file: String) {
        var bytes = Array(text.utf8)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        self.bytes = bytes
        self.file = file
    }

    /// Columns count characters (Unicode scalars), not bytes, so a caret lines up under accented text.
    var here: SourceLocation {
        SourceLocation(file: file, row: line, offset: column)
    }

    func error(_ message: String, at location: SourceLocation? = nil) -> MHDQError {
        let loc = location ?? here
        var detail: String?
        if let row = loc.row, let col = loc.offset {
            // Split on bytes: "\r\n" is one Character, so a split by Character finds no lines in a CRLF file.
            let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
            if row - 1 < lines.count {
                let line = lines[row - 1]
                let text = String(decoding: line.last == 0x0D ? line.dropLast() : line, as: UTF8.self).replacingTabs()
                detail = "    \(text)\n    \(text.caretIndent(column: col))^"
            }
        }
        return MHDQError.invocation(message, at: loc, detail: detail)
    }

    var atEnd: Bool { i >= bytes.count }
    var current: UInt8? { i < bytes.count ? bytes[i] : nil }

    /// The character at the cursor, for messages.
    var currentText: String {
        guard i < bytes.count else { return "" }
        var end = i + 1
        while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
        return String(decoding: bytes[i ..< end], as: UTF8.self)
    }

    mutating func advance() {
        if bytes[i] == 0x0A { line += 1; lineStart = i + 1; column = 1 }
        else if bytes[i] & 0xC0 != 0x80 { column += 1 }
        i += 1
    }

    mutating func skipSpaces() {
        while let c = current, c == 0x20 || c == 0x09 { advance() }
    }

    /// Skips spaces, comments and newlines (inside arrays).
    mutating func skipTrivia() {
        while let c = current {
            if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { advance() }
            else if c == UInt8(ascii: "#") { skipComment() }
            else { break }
        }
    }

    mutating func skipComment() {
        while let d = current, d != 0x0A { advance() }
    }

    mutating func expectLineEnd() throws {
        skipSpaces()
        if current == UInt8(ascii: "#") { skipComment() }
        if current == 0x0D { advance() }
        guard atEnd || current == 0x0A else { throw error("expected the end of the line, found \"\(currentText)\"") }
        if !atEnd { advance() }
    }

    // MARK: - Document

    mutating func parseDocument() throws -> TOMLTable {
        var root = TOMLTable(location: SourceLocation(file: file, row: 1, offset: 1))
        var path: [String] = []          // the current [table] header
        var definedTables = Set<String>()
        while true {
            skipTrivia()
            guard let c = current else { break }
            if c == UInt8(ascii: "[") {
                let loc = here
                advance()
                let isArray = current == UInt8(ascii: "[")
                if isArray { advance() }
                skipSpaces()
                let keys = try parseKeyPath()
                skipSpaces()
                guard current == UInt8(ascii: "]") else { throw error("expected \"]\" to close the table header") }
                advance()
                if isArray {
                    guard current == UInt8(ascii: "]") else { throw error("expected \"]]\" to close the array-of-tables header") }
                    advance()
                }
                try expectLineEnd()
                let name = keys.joined(separator: ".")
                if isArray {
                    try appendArrayTable(&root, keys, at: loc)
                } else {
                    guard !definedTables.contains(name) else { throw error("table [\(name)] is defined twice", at: loc) }
                    try ensureTable(&root, keys, at: loc)
                }
                definedTables.insert(name)
                // Sub-tables of an array element are defined once per element.
                if isArray { definedTables = definedTables.filter { !$0.hasPrefix(name + ".") } }
                path = keys
            } else {
                let loc = here
                let keys = try parseKeyPath()
                skipSpaces()
                guard current == UInt8(ascii: "=") else { throw error("expected \"=\" after the key \"\(keys.joined(separator: "."))\"") }
                advance()
                skipSpaces()
                let value = try parseValue()
                try expectLineEnd()
                try insert(&root, path + keys, value, at: loc)
            }
        }
        return root
    }

    mutating func parseKeyPath() throws -> [String] {
        var keys = [try parseKey()]
        while true {
            skipSpaces()
            guard current == UInt8(ascii: ".") else { return keys }
            advance()
            skipSpaces()
            keys.append(try parseKey())
        }
    }

    mutating func parseKey() throws -> String {
        guard let c = current else { throw error("expected a key") }
        if c == UInt8(ascii: "\"") { return try parseBasicString() }
        if c == UInt8(ascii: "'") { return try parseLiteralString() }
        let start = i
        while let d = current {
            if d < 0x80 {
                guard TOMLParser.isBareKeyByte(d) else { break }
                advance()
            } else {
                // A letter outside ASCII (a key may be a local column name such as "Année").
                let (scalar, length) = scalarAtCursor()
                guard scalar?.properties.isAlphabetic == true else { break }
                i += length
                column += 1
            }
        }
        guard i > start else { throw error("expected a key, found \"\(currentText)\"") }
        return String(decoding: bytes[start ..< i], as: UTF8.self)
    }

    static func isBareKeyByte(_ d: UInt8) -> Bool {
        (d >= 0x30 && d <= 0x39) || (d >= 0x41 && d <= 0x5A) || (d >= 0x61 && d <= 0x7A) || d == 0x5F || d == 0x2D
    }

    /// The scalar that starts at the cursor and its length in bytes (nil for malformed UTF-8, which
    /// cannot occur: the text was decoded from a String).
    func scalarAtCursor() -> (Unicode.Scalar?, Int) {
        var end = i + 1
        while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
        let scalar = String(decoding: bytes[i ..< end], as: UTF8.self).unicodeScalars.first
        return (scalar, end - i)
    }

    // MARK: - Tree building

    /// Walks `keys` from `table`, creating tables; for arrays of tables it descends into the last element.
    func descend(_ table: inout TOMLTable, _ keys: ArraySlice<String>, at loc: SourceLocation,
                 _ body: (inout TOMLTable) throws -> Void) throws {
        guard let first = keys.first else { return try body(&table) }
        if table[first] == nil {
            table.set(first, TOMLNode(value: .table(TOMLTable(location: loc)), location: loc))
        }
        var failure: MHDQError?
        try table.update(first) { node in
            switch node.value {
            // The node gives up its value while the copy is changed, so the copy is the only reference and
            // is changed in place (else every key written would copy its whole table: quadratic).
            case .table(var sub):
                node.value = .bool(false)
                try descend(&sub, keys.dropFirst(), at: loc, body)
                node.value = .table(sub)
            case .array(var items):
                guard let last = items.indices.last, case .table(var sub) = items[last].value else {
                    failure = error("\"\(first)\" is an array of values, not of tables", at: loc)
                    return
                }
                node.value = .bool(false)
                items[last].value = .bool(false)
                try descend(&sub, keys.dropFirst(), at: loc, body)
                items[last].value = .table(sub)
                node.value = .array(items)
            default:
                failure = error("\"\(first)\" is already \(node.typeName), not a table", at: loc)
            }
        }
        if let failure { throw failure }
    }

    func ensureTable(_ root: inout TOMLTable, _ keys: [String], at loc: SourceLocation) throws {
        try descend(&root, keys[...], at: loc) { _ in }
    }

    func appendArrayTable(_ root: inout TOMLTable, _ keys: [String], at loc: SourceLocation) throws {
        let parent = keys.dropLast()
        let name = keys.last!
        var failure: MHDQError?
        try descend(&root, parent, at: loc) { table in
            let element = TOMLNode(value: .table(TOMLTable(location: loc)), location: loc)
            if table[name] == nil {
                table.set(name, TOMLNode(value: .array([element]), location: loc))
            } else {
                table.update(name) { node in
                    if case .array(var items) = node.value, items.allSatisfy({ if case .table = $0.value { return true }; return false }) {
                        node.value = .bool(false)
                        items.append(element)
                        node.value = .array(items)
                    } else {
                        failure = error("\"\(name)\" is already \(node.typeName), not an array of tables", at: loc)
                    }
                }
            }
        }
        if let failure { throw failure }
    }

    func insert(_ root: inout TOMLTable, _ keys: [String], _ value: TOMLNode, at loc: SourceLocation) throws {
        let name = keys.last!
        var failure: MHDQError?
        try descend(&root, keys.dropLast(), at: loc) { table in
            if table[name] != nil {
                failure = error("the key \"\(name)\" is set twice", at: loc)
            } else {
                table.set(name, value)
            }
        }
        if let failure { throw failure }
    }

    // MARK: - Values

    mutating func parseValue() throws -> TOMLNode {
        let loc = here
        guard let c = current else { throw error("expected a value") }
        if c == UInt8(ascii: "[") || c == UInt8(ascii: "{") {
            nesting += 1
            if nesting > TOMLParser.maximumNesting {
                throw error("arrays and inline tables are nested too deeply (more than \(TOMLParser.maximumNesting) levels)", at: loc)
            }
        }
        defer { if c == UInt8(ascii: "[") || c == UInt8(ascii: "{") { nesting -= 1 } }
        switch c {
        case UInt8(ascii: "\""):
            return TOMLNode(value: .string(try parseBasicString()), location: loc)
        case UInt8(ascii: "'"):
            return TOMLNode(value: .string(try parseLiteralString()), location: loc)
        case UInt8(ascii: "["):
            advance()
            var items: [TOMLNode] = []
            while true {
                skipTrivia()
                if current == UInt8(ascii: "]") { advance(); break }
                items.append(try parseValue())
                skipTrivia()
                if current == UInt8(ascii: ",") { advance(); continue }
                if current == UInt8(ascii: "]") { advance(); break }
                throw error("expected \",\" or \"]\" in the array")
            }
            return TOMLNode(value: .array(items), location: loc)
        case UInt8(ascii: "{"):
            advance()
            var table = TOMLTable(location: loc)
            skipSpaces()
            if current == UInt8(ascii: "}") { advance(); return TOMLNode(value: .table(table), location: loc) }
            while true {
                skipSpaces()
                let keyLoc = here
                let keys = try parseKeyPath()
                skipSpaces()
                guard current == UInt8(ascii: "=") else { throw error("expected \"=\" in the inline table") }
                advance()
                skipSpaces()
                let value = try parseValue()
                try insert(&table, keys, value, at: keyLoc)
                skipSpaces()
                if current == UInt8(ascii: ",") { advance(); continue }
                if current == UInt8(ascii: "}") { advance(); break }
                throw error("expected \",\" or \"}\" in the inline table")
            }
            return TOMLNode(value: .table(table), location: loc)
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            let word = takeWord()
            if word == "true" { return TOMLNode(value: .bool(true), location: loc) }
            if word == "false" { return TOMLNode(value: .bool(false), location: loc) }
            throw error("unexpected \"\(word)\": strings need double quotes", at: loc)
        default:
            let word = takeWord()
            let clean = word.filter { $0 != "_" }
            if let n = Int(clean) { return TOMLNode(value: .integer(n), location: loc) }
            if let d = Double(clean), clean.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) {
                return TOMLNode(value: .float(d), location: loc)
            }
            if word.isEmpty { throw error("expected a value, found \"\(currentText)\"", at: loc) }
            throw error("unexpected \"\(word)\": strings need double quotes", at: loc)
        }
    }

    mutating func takeWord() -> String {
        let start = i
        while let d = current, !(d == 0x20 || d == 0x09 || d == 0x0A || d == 0x0D || d == UInt8(ascii: ",") || d == UInt8(ascii: "]")
                                 || d == UInt8(ascii: "}") || d == UInt8(ascii: "#")) {
            advance()
        }
        return String(decoding: bytes[start ..< i], as: UTF8.self)
    }

    mutating func parseBasicString() throws -> String {
        let start = here
        advance()
        let multiline = current == UInt8(ascii: "\"") && i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\"")
        if multiline {
            advance(); advance()
            if current == UInt8(ascii: "\r") { advance() }
            if current == UInt8(ascii: "\n") { advance() }
        } else if current == UInt8(ascii: "\"") {
            advance()
            return ""
        }
        var out: [UInt8] = []
        while true {
            guard let c = current else { throw error("a string opened here is never closed", at: start) }
            if c == UInt8(ascii: "\"") {
                if !multiline { advance(); return String(decoding: out, as: UTF8.self) }
                if i + 2 < bytes.count, bytes[i + 1] == UInt8(ascii: "\""), bytes[i + 2] == UInt8(ascii: "\"") {
                    advance(); advance(); advance()
                    return String(decoding: out, as: UTF8.self)
                }
                out.append(c); advance(); continue
            }
            if c == UInt8(ascii: "\n") && !multiline { throw error("a string opened here is never closed on its line", at: start) }
            if c == UInt8(ascii: "\\") {
                advance()
                guard let e = current else { throw error("a string opened here is never closed", at: start) }
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "u"), UInt8(ascii: "U"):
                    let count = e == UInt8(ascii: "u") ? 4 : 8
                    var hex: [UInt8] = []
                    for _ in 0 ..< count {
                        advance()
                        guard let h = current else { throw error("incomplete \\u escape") }
                        hex.append(h)
                    }
                    let digits = String(decoding: hex, as: UTF8.self)
                    guard let v = UInt32(digits, radix: 16), let s = Unicode.Scalar(v) else { throw error("invalid \\u escape \"\(digits)\"") }
                    out.append(contentsOf: String(s).utf8)
                case 0x0A where multiline:
                    advance()
                    skipTrivia()
                    continue
                default:
                    throw error("unknown escape \"\\\(currentText)\" (write \\\\ for a backslash, or use 'single quotes')")
                }
                advance()
                continue
            }
            out.append(c)
            advance()
        }
    }

    mutating func parseLiteralString() throws -> String {
        let start = here
        advance()
        let multiline = current == UInt8(ascii: "'") && i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "'")
        if multiline {
            advance(); advance()
            if current == UInt8(ascii: "\r") { advance() }
            if current == UInt8(ascii: "\n") { advance() }
        } else if current == UInt8(ascii: "'") {
            advance()
            return ""
        }
        var out: [UInt8] = []
        while true {
            guard let c = current else { throw error("a string opened here is never closed", at: start) }
            if c == UInt8(ascii: "'") {
                if !multiline { advance(); return String(decoding: out, as: UTF8.self) }
                if i + 2 < bytes.count, bytes[i + 1] == UInt8(ascii: "'"), bytes[i + 2] == UInt8(ascii: "'") {
                    advance(); advance(); advance()
                    return String(decoding: out, as: UTF8.self)
                }
            }
            if c == UInt8(ascii: "\n") && !multiline { throw error("a string opened here is never closed on its line", at: start) }
            out.append(c)
            advance()
        }
    }
}

extension String {
    func replacingTabs() -> String { String(map { $0 == "\t" ? " " : $0 }) }

    /// Replaces every occurrence of `target` (no Foundation needed).
    public func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = self[...]
        while let r = rest.firstRange(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}

// MARK: - Typed access with located errors

extension TOMLTable {
    public func string(_ key: String) throws -> String? {
        guard let node = self[key] else { return nil }
        guard case .string(let s) = node.value else { throw wrongType(key, node, "a string") }
        return s
    }

    public func requiredString(_ key: String) throws -> String {
        guard let s = try string(key) else { throw MHDQError.invocation("missing required key \"\(key)\"", at: location) }
        return s
    }

    public func int(_ key: String) throws -> Int? {
        guard let node = self[key] else { return nil }
        guard case .integer(let n) = node.value else { throw wrongType(key, node, "an integer") }
        return n
    }

    public func number(_ key: String) throws -> Double? {
        guard let node = self[key] else { return nil }
        switch node.value {
        case .integer(let n): return Double(n)
        case .float(let d): return d
        default: throw wrongType(key, node, "a number")
        }
    }

    public func bool(_ key: String) throws -> Bool? {
        guard let node = self[key] else { return nil }
        guard case .bool(let b) = node.value else { throw wrongType(key, node, "true or false") }
        return b
    }

    /// An array of strings; a single string is accepted as a one-element array.
    public func strings(_ key: String) throws -> [String]? {
        guard let node = self[key] else { return nil }
        switch node.value {
        case .string(let s): return [s]
        case .array(let items):
            return try items.map { item in
                guard case .string(let s) = item.value else { throw wrongType(key, item, "an array of strings") }
                return s
            }
        default: throw wrongType(key, node, "an array of strings")
        }
    }

    public func table(_ key: String) throws -> TOMLTable? {
        guard let node = self[key] else { return nil }
        guard case .table(let t) = node.value else { throw wrongType(key, node, "a table") }
        return t
    }

    public func tables(_ key: String) throws -> [TOMLTable] {
        guard let node = self[key] else { return [] }
        switch node.value {
        case .table(let t): return [t]
        case .array(let items):
            return try items.map { item in
                guard case .table(let t) = item.value else { throw wrongType(key, item, "an array of tables") }
                return t
            }
        default: throw wrongType(key, node, "an array of tables")
        }
    }

    /// Fails on keys the reader does not know, so a typo never silently disables a setting.
    public func rejectUnknownKeys(_ known: Set<String>, context: String) throws {
        for (key, node) in entries where !known.contains(key) {
            let list = known.sorted().joined(separator: ", ")
            throw MHDQError.invocation("unknown key \"\(key)\" in \(context) (known: \(list))", at: node.location)
        }
    }

    func wrongType(_ key: String, _ node: TOMLNode, _ expected: String) -> MHDQError {
        MHDQError.invocation("\"\(key)\" must be \(expected), not \(node.typeName)", at: node.location)
    }
}
