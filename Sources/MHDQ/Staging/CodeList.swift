// A national code list (Rules/codes/NAME.csv: code, description, aliases) and description matching.

public struct CodeList: Sendable {
    public var name: String
    public var codes: [String]
    public var descriptions: [String: String]
    /// Every entry as the file gives it (code, description, aliases), in file order.
    public private(set) var entries: [(code: String, description: String, aliases: [String])]
    private var exact: Set<String>
    private var byUppercased: [String: String]
    private var byDescription: [String: String]

    public init(name: String, entries: [(code: String, description: String, aliases: [String])]) {
        self.name = name
        self.entries = entries
        codes = entries.map(\.code)
        var descriptions: [String: String] = [:]
        var exact = Set<String>()
        var byUppercased: [String: String] = [:]
        var byDescription: [String: String] = [:]
        for e in entries {
            descriptions[e.code] = e.description
            exact.insert(e.code)
            byUppercased[e.code.uppercased()] = e.code
            for text in [e.description] + e.aliases where !text.isEmpty {
                byDescription[CodeList.normalise(text)] = e.code
            }
        }
        self.descriptions = descriptions
        self.exact = exact
        self.byUppercased = byUppercased
        self.byDescription = byDescription
    }

    public func contains(_ code: String) -> Bool { exact.contains(code) }

    public enum Match: Equatable {
        case code(String)
        /// Same code in a different case ("a" for "A").
        case recased(String)
        /// Matched a description or alias ("White - British" for "A").
        case described(String)
        case none
    }

    public func match(_ raw: String) -> Match {
        if exact.contains(raw) { return .code(raw) }
        if let c = byUppercased[raw.uppercased()] { return .recased(c) }
        if let c = byDescription[CodeList.normalise(raw)] { return .described(c) }
        // "A - White British" and "White British (A)": a code followed or preceded by its description.
        return .none
    }

    /// Lowercase; hyphens, en and em dashes, slashes, colons and runs of spaces unified, so
    /// "Asian/Asian British – Indian", "Asian / Asian British - Indian" and "asian asian british indian" match.
    public static func normalise(_ text: String) -> String {
        if let ascii = normaliseASCII(text) { return ascii }
        var out = ""
        var pendingSpace = false
        for scalar in text.lowercased().unicodeScalars {
            let isLetterOrDigit = scalar.properties.isAlphabetic || ("0" ... "9").contains(scalar)
            if isLetterOrDigit {
                if pendingSpace && !out.isEmpty { out.append(" ") }
                pendingSpace = false
                out.unicodeScalars.append(scalar)
            } else if scalar == "'" || scalar == "\u{2019}" {
                continue
            } else {
                pendingSpace = true
            }
        }
        return out
    }

    /// The same for ASCII text (nearly every description and header), byte by byte; nil for other text.
    static func normaliseASCII(_ text: String) -> String? {
        var text = text
        return text.withUTF8 { bytes -> String? in
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count)
            var pendingSpace = false
            for b in bytes {
                guard b < 0x80 else { return nil }
                let lower = b >= 0x41 && b <= 0x5A ? b | 0x20 : b
                if (lower >= 0x61 && lower <= 0x7A) || (lower >= 0x30 && lower <= 0x39) {
                    if pendingSpace && !out.isEmpty { out.append(0x20) }
                    pendingSpace = false
                    out.append(lower)
                } else if lower != 0x27 {
                    pendingSpace = true
                }
            }
            return String(decoding: out, as: UTF8.self)
        }
    }

    static func load(path: String, name: String) throws -> CodeList {
        var reader = try CSVReader(path: path, delimiter: 0x2C, encoding: .utf8)
        var row = RawRow()
        guard try reader.next(into: &row) else { throw MHDQError.invocation("code list is empty", at: SourceLocation(file: path)) }
        let header = row.fields.map { $0.lowercased() }
        guard header.count >= 2, header[0] == "code", header[1] == "description" else {
            throw MHDQError.invocation("code list header must be code,description,aliases", at: SourceLocation(file: path, row: 1))
        }
        var entries: [(String, String, [String])] = []
        var seen = Set<String>()
        while try reader.next(into: &row) {
            let code = row.string(0).trimmingSpaces()
            guard !code.isEmpty else { continue }
            guard seen.insert(code).inserted else {
                throw MHDQError.invocation("code \"\(code)\" is listed twice", at: SourceLocation(file: path, row: row.number))
            }
            let aliases = row.count > 2 ? row.string(2).split(separator: "|").map { String($0).trimmingSpaces() } : []
            entries.append((code, row.count > 1 ? row.string(1) : "", aliases))
        }
        return CodeList(name: name, entries: entries.map { (code: $0.0, description: $0.1, aliases: $0.2) })
    }
}

extension String {
    /// Trims spaces, tabs, CR/LF and no-break spaces from both ends.
    public func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\u{A0}" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }
        guard let first = firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = lastIndex(where: { !isSpace($0) })!
        return String(self[first ... last])
    }
}
