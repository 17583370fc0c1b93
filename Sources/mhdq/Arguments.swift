// A small argument reader: flags, options with values, repeatable options, positionals.

import MHDQ

struct Arguments {
    private var items: [String]
    private var used: [Bool]

    init(_ items: [String]) {
        self.items = items
        self.used = Array(repeating: false, count: items.count)
    }

    /// True if `--name` is present.
    mutating func flag(_ names: String...) -> Bool {
        var found = false
        for (i, a) in items.enumerated() where !used[i] && names.contains(a) {
            used[i] = true
            found = true
        }
        return found
    }

    /// Every value of `--name VALUE` or `--name=VALUE`.
    mutating func values(_ name: String) throws -> [String] {
        var out: [String] = []
        var i = 0
        while i < items.count {
            defer { i += 1 }
            guard !used[i] else { continue }
            let a = items[i]
            if a == name {
                guard i + 1 < items.count, !used[i + 1] else { throw MHDQError.invocation("\(name) needs a value") }
                used[i] = true
                used[i + 1] = true
                out.append(items[i + 1])
                i += 1
            } else if a.hasPrefix(name + "=") {
                used[i] = true
                out.append(String(a.dropFirst(name.count + 1)))
            }
        }
        return out
    }

    mutating func value(_ name: String) throws -> String? {
        let all = try values(name)
        guard all.count <= 1 else { throw MHDQError.invocation("\(name) is given more than once") }
        return all.first
    }

    /// The remaining positional arguments; anything left that looks like an option is an error.
    mutating func positionals() throws -> [String] {
        var out: [String] = []
        for (i, a) in items.enumerated() where !used[i] {
            if a.hasPrefix("--") || (a.hasPrefix("-") && a.count > 1) {
                throw MHDQError.invocation("unknown option \(a) (see mhdq help)")
            }
            used[i] = true
            out.append(a)
        }
        return out
    }
}
