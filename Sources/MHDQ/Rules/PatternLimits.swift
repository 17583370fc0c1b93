// What a `matches` pattern may ask of the C library's regular expressions: glibc builds counted repetition
// ({m,n}) by copying what it repeats, so counts nested in each other multiply. ((((a{255}){255}){255}){255})
// never finished compiling, and (.{0,255}){0,255}x compiled but never finished matching. Such a pattern is
// refused when the rule loads.

enum PatternLimits {
    /// The largest count one repetition may give ({255}, {0,255}).
    static let maximumCount = 255
    /// The largest product of counts nested inside each other ((a{10}){100} is 1000).
    static let maximumNestedProduct = 1000

    /// Why `pattern` is refused, or nil. Reads POSIX extended syntax: \x escapes, bracket expressions
    /// ([]a], [^]a], [[:digit:]]), groups, and the repetitions * + ? {m} {m,} {m,n}.
    static func problem(_ pattern: String) -> String? {
        let c = Array(pattern.utf8)
        // For each open group: the largest product of counts inside it so far.
        var groups: [Int] = [1]
        // What the last atom holds inside it (1 for a character, a group's product for a group); nil when
        // there is no atom to repeat.
        var last: Int?
        var i = 0
        func repeated(_ count: Int, _ text: String) -> String? {
            if count > maximumCount {
                return "the pattern repeats \(text): a count over \(maximumCount) is refused (it would make matching too slow)"
            }
            let product = (last ?? 1) * max(count, 1)
            if product > maximumNestedProduct {
                return "the pattern nests repetitions whose counts multiply to \(product) (at \(text)): over \(maximumNestedProduct) is refused (it would make matching too slow)"
            }
            groups[groups.count - 1] = max(groups[groups.count - 1], product)
            last = product
            return nil
        }
        while i < c.count {
            let b = c[i]
            switch b {
            case UInt8(ascii: "\\"):
                if i + 1 < c.count, c[i + 1] >= 0x31, c[i + 1] <= 0x39 {
                    return "the pattern has a back-reference (\\\(Character(UnicodeScalar(c[i + 1])))): POSIX extended patterns have none, and they can make matching too slow"
                }
                i += 2
                last = 1
            case UInt8(ascii: "["):
                // A bracket expression: "]" first (after an optional "^") is a member; [: :], [. .], [= =] nest.
                var j = i + 1
                if j < c.count, c[j] == UInt8(ascii: "^") { j += 1 }
                if j < c.count, c[j] == UInt8(ascii: "]") { j += 1 }
                while j < c.count, c[j] != UInt8(ascii: "]") {
                    if c[j] == UInt8(ascii: "["), j + 1 < c.count, [UInt8(ascii: ":"), UInt8(ascii: "."), UInt8(ascii: "=")].contains(c[j + 1]) {
                        let close = c[j + 1]
                        j += 2
                        while j + 1 < c.count, !(c[j] == close && c[j + 1] == UInt8(ascii: "]")) { j += 1 }
                        j += 2
                    } else {
                        j += 1
                    }
                }
                i = j + 1
                last = 1
            case UInt8(ascii: "("):
                groups.append(1)
                last = nil
                i += 1
            case UInt8(ascii: ")"):
                last = groups.count > 1 ? groups.removeLast() : 1
                groups[groups.count - 1] = max(groups[groups.count - 1], last!)
                i += 1
            case UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"):
                i += 1
            case UInt8(ascii: "{"):
                // {m}, {m,} or {m,n}; anything else is taken as it is.
                var j = i + 1
                var numbers: [Int] = [], digits = 0, comma = false, value = 0
                while j < c.count, c[j] != UInt8(ascii: "}") {
                    if c[j] >= 0x30, c[j] <= 0x39 {
                        digits += 1
                        value = digits > 9 ? Int.max / 2 : value * 10 + Int(c[j] - 0x30)
                    } else if c[j] == UInt8(ascii: ","), !comma {
                        numbers.append(digits > 0 ? value : 0); comma = true; digits = 0; value = 0
                    } else { break }
                    j += 1
                }
                guard j < c.count, c[j] == UInt8(ascii: "}") else { i += 1; last = 1; continue }
                if digits > 0 { numbers.append(value) }
                let text = String(decoding: c[i ... j], as: UTF8.self)
                if let problem = repeated(numbers.max() ?? 0, text) { return problem }
                i = j + 1
            default:
                i += 1
                last = 1
            }
        }
        return nil
    }
}
