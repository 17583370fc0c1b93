// Rule functions and comparisons for the aggregate returns' typed values (amounts and periods), and
// the plain arithmetic helpers their rules need.

extension ExpressionCompiler {
    /// Amounts compare as their number; periods in time order, and with text that reads as a period
    /// (Period >= "2024-04"). nil (unknown) when either side has no number or period.
    static func compareReturnValues(_ x: Value, _ y: Value) -> Int? {
        switch (x, y) {
        case (.typed(.amount), _), (_, .typed(.amount)):
            guard let a = x.numeric, let b = y.numeric else { return nil }
            return ExpressionCompiler.compareNumbers(a, b)
        case (.typed(.period(let a)), .typed(.period(let b))):
            return a == b ? 0 : (a < b ? -1 : 1)
        case (.typed(.period(let a)), .text(let t)):
            guard let b = ReturnPeriod.parse(t) else { return nil }
            return a == b ? 0 : (a < b ? -1 : 1)
        case (.text(let t), .typed(.period(let b))):
            guard let a = ReturnPeriod.parse(t) else { return nil }
            return a == b ? 0 : (a < b ? -1 : 1)
        default:
            return nil
        }
    }
}

enum ReturnValueFunctions {
    static let all: [RuleFunction] = [
        RuleFunction(name: "status", signature: "status(amount)", summary: "\"number\", or the marker an amount is: \"suppressed\" (*), \"unavailable\", \"not applicable\" (Rules/codes/amount-markers.csv)", arity: 1 ... 1, needs: nil, gives: .text) { _, a in
            switch a[0] {
            case .typed(.amount(let x)): return .text(x.status)
            case .number: return .text(Amount.numberStatus)
            default: return .null
            }
        },
        RuleFunction(name: "unit", signature: "unit(amount)", summary: "the unit typed after the number (\"%\", \"days per FTE\"; blank when none)", arity: 1 ... 1, needs: nil, gives: .text) { _, a in
            guard case .typed(.amount(let x)) = a[0], x.number != nil else { return .null }
            return x.unit.isEmpty ? .null : .text(x.unit)
        },
        RuleFunction(name: "precision", signature: "precision(amount)", summary: "the step the amount was typed to (0.01 for 74.02%, 1 for 1,234)", arity: 1 ... 1, needs: nil, gives: .number) { _, a in
            guard case .typed(.amount(let x)) = a[0], let p = x.precision else { return .null }
            return .number(p)
        },
        RuleFunction(name: "as_typed", signature: "as_typed(value)", summary: "the value as the source typed it (\"Apr-23\" for the period 2023-04)", arity: 1 ... 1, needs: nil, gives: .value) { _, a in
            switch a[0] {
            case .typed(.period(let p)): return .text(p.raw)
            case .null: return .null
            default: return .text(a[0].text)
            }
        },
        RuleFunction(name: "period_months", signature: "period_months(period)", summary: "months a period covers: 1 (a month), 3 (a quarter), 12 (a year)", arity: 1 ... 1, needs: nil, gives: .number) { _, a in
            guard case .typed(.period(let p)) = a[0] else { return .null }
            return .number(Double(p.months))
        },
        RuleFunction(name: "concat", signature: "concat(a, b, ...)", summary: "the values' text joined (blanks add nothing), for messages", arity: 1 ... 8, needs: nil, gives: .text) { _, a in
            .text(a.map(\.text).joined())
        },
        RuleFunction(name: "abs", signature: "abs(number)", summary: "the number without its sign", arity: 1 ... 1, needs: nil, gives: .number) { _, a in
            a[0].numeric.map { .number(Swift.abs($0)) } ?? .null
        },
        RuleFunction(name: "round", signature: "round(number, [places])", summary: "rounded half away from zero to whole numbers or to decimal places", arity: 1 ... 2, needs: nil, gives: .number) { _, a in
            guard let x = a[0].numeric else { return .null }
            var scale = 1.0
            if a.count > 1 {
                guard let places = a[1].numeric, places >= 0, places <= 12 else { return .null }
                for _ in 0 ..< Int(places) { scale *= 10 }
            }
            return .number((x * scale).rounded(.toNearestOrAwayFromZero) / scale)
        },
        RuleFunction(name: "mod", signature: "mod(number, divisor)", summary: "the remainder after division (mod(Numerator, 5) = 0 for a multiple of 5)", arity: 2 ... 2, needs: nil, gives: .number) { _, a in
            guard let x = a[0].numeric, let y = a[1].numeric, y != 0 else { return .null }
            let r = x.truncatingRemainder(dividingBy: y)
            return .number(Swift.abs(r) < 1e-9 || Swift.abs(Swift.abs(r) - Swift.abs(y)) < 1e-9 ? 0 : r)
        },
        RuleFunction(name: "min", signature: "min(a, b, ...)", summary: "the smallest of the numbers (blank if any is blank)", arity: 2 ... 8, needs: nil, gives: .number) { _, a in
            let xs = a.compactMap(\.numeric)
            return xs.count == a.count ? .number(xs.min()!) : .null
        },
        RuleFunction(name: "max", signature: "max(a, b, ...)", summary: "the largest of the numbers (blank if any is blank)", arity: 2 ... 8, needs: nil, gives: .number) { _, a in
            let xs = a.compactMap(\.numeric)
            return xs.count == a.count ? .number(xs.max()!) : .null
        },
    ]
}
