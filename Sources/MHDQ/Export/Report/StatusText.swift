// The words and symbols that go with every status colour in the report, so colour is never the only signal.

/// The status words and symbols the report uses, so colour is never the only signal.
enum StatusText {
    static func metric(_ status: String, hasBand: Bool) -> (symbol: String, word: String, css: String) {
        switch status {
        case "fail": return ("✕", "Fail", "fail")
        case "warn": return ("▲", "Warn", "warn")
        case "pass": return hasBand ? ("✓", "Pass", "pass") : ("–", "No threshold", "none")
        default: return ("–", status.prefix(1).uppercased() + status.dropFirst(), "none")
        }
    }

    static func rag(_ rag: RAG) -> (symbol: String, word: String, css: String) {
        switch rag {
        case .red: return ("✕", "Red", "fail")
        case .amber: return ("▲", "Amber", "warn")
        case .green: return ("✓", "Green", "pass")
        case .noTarget: return ("–", "No target", "none")
        case .notReported: return ("?", "Not reported", "none")
        case .notComparable: return ("≠", "Not comparable", "none")
        }
    }

    static func severity(_ s: Severity) -> (symbol: String, css: String) {
        if s.isFailing { return ("✕", "fail") }
        if s == .info { return ("i", "none") }
        return ("▲", "warn")
    }

    static func badge(_ t: (symbol: String, word: String, css: String)) -> String {
        "<span class=\"status \(t.css)\"><span aria-hidden=\"true\">\(t.symbol) </span>\(HTMLText.escape(t.word))</span>"
    }
}
