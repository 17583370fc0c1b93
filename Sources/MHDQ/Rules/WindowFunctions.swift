// Functions that read other periods of a series (prev, next, last_reported, trailing_median, periods_missing_before),
// the KPI verdict of a return row (kpi) and the KPI catalogue (kpi_id): compiled here because their
// argument is evaluated at other points, or because they read more than the rule's own tables.

/// The ordered points of one series while its rules run: each point's record and derived fields.
public final class SeriesWindow {
    var records: [[Value]]
    var derived: [[Value]]
    /// The point being evaluated.
    var index: Int

    init(records: [[Value]], derived: [[Value]], index: Int = 0) {
        self.records = records
        self.derived = derived
        self.index = index
    }

    var count: Int { records.count }

    /// Evaluates `f` as if point `j` were the current one.
    func evaluate(_ f: Compiled, at j: Int, _ ctx: EvalContext) -> Value {
        let record = ctx.record, derived = ctx.derived, index = self.index
        ctx.record = records[j]
        ctx.derived = self.derived[j]
        self.index = j
        defer {
            ctx.record = record
            ctx.derived = derived
            self.index = index
        }
        return f(ctx)
    }
}

enum WindowFunctions {
    static let names: Set<String> = ["prev", "next", "last_reported", "trailing_median", "periods_missing_before"]

    static let all: [RuleFunction] = [
        RuleFunction(name: "prev", signature: "prev(x)", summary: "series rules: x at the previous period of the series (blank at the first)", arity: 1 ... 1, needs: nil, gives: .unknown) { _, _ in .null },
        RuleFunction(name: "next", signature: "next(x)", summary: "series rules: x at the next period of the series (blank at the last)", arity: 1 ... 1, needs: nil, gives: .unknown) { _, _ in .null },
        RuleFunction(name: "last_reported", signature: "last_reported(x, [y])", summary: "series rules: x at the latest earlier period of the series where x is a number, passing over blank, * and Unavailable (blank if there is none); with y, y at that period: last_reported(Denominator, Period)", arity: 1 ... 2, needs: nil, gives: .unknown) { _, _ in .null },
        RuleFunction(name: "trailing_median", signature: "trailing_median(x, n)", summary: "series rules: the median of x over the n periods before this one (those where x is a number)", arity: 2 ... 2, needs: nil, gives: .number) { _, _ in .null },
        RuleFunction(name: "periods_missing_before", signature: "periods_missing_before(period)", summary: "series rules: periods missing between the previous period of the series and this one (0 when consecutive)", arity: 1 ... 1, needs: nil, gives: .number) { _, _ in .null },
        RuleFunction(name: "kpi", signature: "kpi(\"part\")", summary: "kpi rules: the row's verdict: \(KPIEvaluator.parts.joined(separator: ", "))", arity: 1 ... 1, needs: nil, gives: .unknown) { _, _ in .null },
        RuleFunction(name: "kpi_id", signature: "kpi_id(name)", summary: "the id of the KPI the KPI catalogue (Rules/kpi) knows by this name, whatever its case, spacing and punctuation (blank if none)", arity: 1 ... 1, needs: nil, gives: .text) { _, _ in .null },
    ]
}

extension ExpressionCompiler {
    /// Window functions and kpi(); nil for every other function.
    func compileContextCall(_ name: String, _ args: [Expr], _ span: Span, _ scope: inout CompileScope) throws -> Compiled? {
        if name == "kpi" {
            guard scope.kpi else { throw error("kpi() works only in kpi rules (kind = \"kpi\")", span) }
            guard case .literal(.text(let part), _) = args[0], KPIEvaluator.parts.contains(part) else {
                throw error("kpi() takes one of \(KPIEvaluator.parts.map { "\"\($0)\"" }.joined(separator: ", "))", args[0].span)
            }
            return { ctx in ctx.kpi.map { KPIEvaluator.part(part, of: $0) } ?? .null }
        }
        if name == "kpi_id" {
            // Any rule may ask (a derived field that names the KPI whatever the return calls it): the catalogue
            // is loaded once, for the first that does.
            let catalogue = try scope.kpiCatalogue ?? KPICatalogue.load(directory: scope.catalogue.rulesDirectory + "/kpi")
            scope.kpiCatalogue = catalogue
            let x = try compile(args[0], &scope)
            return { ctx in
                let v = x(ctx)
                if v.isBlank { return .null }
                return catalogue.kpi(named: v.text).map { .text($0.id) } ?? .null
            }
        }
        guard WindowFunctions.names.contains(name) else { return nil }
        guard scope.window else {
            throw error("\(name)() reads other periods of a series: it works only in series rules (kind = \"series\")", span)
        }
        let x = try compile(args[0], &scope)
        switch name {
        case "prev", "next":
            let step = name == "prev" ? -1 : 1
            return { ctx in
                guard let w = ctx.window else { return .null }
                let j = w.index + step
                guard j >= 0, j < w.count else { return .null }
                return w.evaluate(x, at: j, ctx)
            }
        case "last_reported":
            let y = args.count > 1 ? try compile(args[1], &scope) : nil
            return { ctx in
                guard let w = ctx.window else { return .null }
                var j = w.index - 1
                while j >= 0 {
                    let v = w.evaluate(x, at: j, ctx)
                    if v.numeric != nil { return y.map { w.evaluate($0, at: j, ctx) } ?? v }
                    j -= 1
                }
                return .null
            }
        case "trailing_median":
            let n = try compile(args[1], &scope)
            return { ctx in
                guard let w = ctx.window, let count = n(ctx).numeric, count >= 1 else { return .null }
                // A count past the first period (1e300 included) is every period before this one.
                let from = count >= Double(w.index) ? 0 : w.index - Int(count)
                var values: [Double] = []
                for j in from ..< w.index {
                    if let v = w.evaluate(x, at: j, ctx).numeric { values.append(v) }
                }
                guard !values.isEmpty else { return .null }
                values.sort()
                let mid = values.count / 2
                return .number(values.count % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2)
            }
        default: // periods_missing_before
            return { ctx in
                guard let w = ctx.window, w.index > 0, case .typed(.period(let here)) = x(ctx),
                      case .typed(.period(let before)) = w.evaluate(x, at: w.index - 1, ctx),
                      let steps = here.steps(since: before) else { return .null }
                return .number(Double(max(0, steps - 1)))
            }
        }
    }
}

extension Value {
    /// A manifest's [settings] text read as the kind of value the pack's default is.
    static func setting(_ text: String, like fallback: Value) -> Value {
        switch fallback {
        case .number: return NumberParsing.parse(text.trimmingSpaces()).map { .number($0) } ?? .null
        case .bool:
            switch text.lowercased() {
            case "true", "yes", "1": return .bool(true)
            case "false", "no", "0": return .bool(false)
            default: return .null
            }
        default: return .text(text)
        }
    }
}
