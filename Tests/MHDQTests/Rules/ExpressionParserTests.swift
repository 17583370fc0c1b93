// The rule expression parser: what parses to what, and errors that point at the character.

import Testing
@testable import MHDQ

@Suite struct ExpressionParserTests {
    typealias S = RuleTestSupport

    /// A compact rendering of the tree, to pin precedence.
    func shape(_ e: Expr) -> String {
        switch e {
        case .literal(let v, _): if case .text(let s) = v { return "\"\(s)\"" }; return v.isNull ? "blank" : v.text
        case .field(let q, let n, _): return (q.map { $0 + "." } ?? "") + n
        case .list(let items, _): return "[" + items.map(shape).joined(separator: ",") + "]"
        case .unary(let op, let x, _): return "(\(op) \(shape(x)))"
        case .binary(let op, let l, let r, _): return "(\(shape(l)) \(op) \(shape(r)))"
        case .isBlank(let x, let neg, _): return "(\(shape(x)) is \(neg ? "not " : "")blank)"
        case .inList(let x, let l, let neg, _): return "(\(shape(x)) \(neg ? "not " : "")in \(shape(l)))"
        case .matches(let x, let p, let neg, _): return "(\(shape(x)) \(neg ? "not " : "")matches \"\(p)\")"
        case .call(let n, let args, _): return n + "(" + args.map(shape).joined(separator: ",") + ")"
        }
    }

    func parse(_ s: String) throws -> String {
        shape(try ExpressionParser.parse(s, origin: SourceLocation(file: "x.toml", row: 1, offset: 1)))
    }

    @Test func precedence() throws {
        #expect(try parse("a or b and c") == "(a or (b and c))")
        #expect(try parse("a and b or c and d") == "((a and b) or (c and d))")
        #expect(try parse("not a and b") == "((not a) and b)")
        #expect(try parse("not a = 1") == "(not (a = 1))")
        #expect(try parse("a + b * c = d - e / f") == "((a + (b * c)) = (d - (e / f)))")
        #expect(try parse("a - b - c") == "((a - b) - c)")
        #expect(try parse("-a * b") == "((- a) * b)")
        #expect(try parse("(a or b) and c") == "((a or b) and c)")
        #expect(try parse("x is not blank and y is blank") == "((x is not blank) and (y is blank))")
        #expect(try parse("x not in codes(\"ethnic-category\") or x in [\"A\", 'B']")
            == "((x not in codes(\"ethnic-category\")) or (x in [\"A\",\"B\"]))")
        #expect(try parse("x not matches '^[0-9]+$'") == "(x not matches \"^[0-9]+$\")")
        #expect(try parse("MHS000Header.ReportingPeriodEndDate >= period_end()") == "(MHS000Header.ReportingPeriodEndDate >= period_end())")
        #expect(try parse("a <> b") == "(a != b)")
        #expect(try parse("a == b") == "(a = b)")
        #expect(try parse("'it''s'") == "\"it's\"")
    }

    @Test func keywordsAreCaseInsensitive() throws {
        #expect(try parse("a AND b OR NOT c") == "((a and b) or (not c))")
        #expect(try parse("x IS NOT BLANK") == "(x is not blank)")
        #expect(try parse("x NOT IN [1]") == "(x not in [1])")
    }

    // MARK: Errors: file:line:column and a caret

    func error(_ text: String, column: Int = 9) throws -> MHDQError {
        let line = "when = \"" + text + "\""
        do {
            _ = try ExpressionParser.parse(text, origin: SourceLocation(file: "rules.toml", row: 7, offset: column), sourceLine: line)
        } catch let e as MHDQError {
            return e
        }
        throw TestFailure("\(text) parsed")
    }

    @Test func unclosedString() throws {
        let e = try error("EthnicCategory = 'A")
        #expect(e.kind == .invocation)
        #expect(e.message == "this string is never closed")
        #expect(e.location?.description == "rules.toml:7:26")
        #expect(e.detail == "    when = \"EthnicCategory = 'A\"\n" + String(repeating: " ", count: 4 + 25) + "^")
    }

    @Test func danglingAnd() throws {
        let e = try error("EthnicCategory is blank and")
        #expect(e.message == "expected a value, a field or a function, found end of expression")
        #expect(e.location?.description == "rules.toml:7:36")
        let e2 = try error("and EthnicCategory is blank")
        #expect(e2.message == "\"and\" needs something before it")
        #expect(e2.location?.description == "rules.toml:7:9")
        #expect(e2.detail?.hasSuffix("\n            ^") == true)
    }

    @Test func otherSyntaxErrors() throws {
        #expect(try error("x is 3").message.hasPrefix("expected \"blank\" after \"is\""))
        #expect(try error("x is 3").location?.description == "rules.toml:7:14")
        #expect(try error("(a or b").message == "expected \")\", found end of expression")
        #expect(try error("a = 1 = 2").message == "unexpected \"=\"")
        #expect(try error("a = 1 = 2").location?.description == "rules.toml:7:15")
        #expect(try error("a ; b").message == "unexpected character \";\"")
        #expect(try error("a matches b").message == "\"matches\" takes a pattern in quotes")
        #expect(try error("a not b").message == "unexpected \"not\"")
        #expect(try error("1.2.3 = a").message == "malformed number \"1.2.3\"")
    }

    @Test func multiLineExpressionsCountLines() throws {
        let text = "a is blank\n  and (b = 1\n  or c = )"
        do {
            _ = try ExpressionParser.parse(text, origin: SourceLocation(file: "r.toml", row: 10, offset: 1))
            Issue.record("parsed")
        } catch let e as MHDQError {
            #expect(e.location?.description == "r.toml:12:10")
            #expect(e.detail == "      or c = )\n             ^")
        }
    }

    // MARK: Errors found while compiling: functions, fields, code lists

    func compileError(_ text: String) throws -> MHDQError {
        do {
            _ = try S.eval(text)
        } catch let e as MHDQError {
            return e
        }
        throw TestFailure("\(text) compiled")
    }

    @Test func unknownFunction() throws {
        let e = try compileError("uppercase(EthnicCategory) = \"A\"")
        #expect(e.message.hasPrefix("unknown function uppercase() (known: trim, upper,"))
        #expect(e.location?.description == "test:1:1")
        #expect(try compileError("trim(EthnicCategory, 1)").message == "trim() takes trim(text)")
    }

    @Test func unknownFieldSuggests() throws {
        let e = try compileError("EthnicCategory is blank or EthnicCatgory = \"A\"")
        #expect(e.message == "\"EthnicCatgory\" is not a field of MHS001MPI (did you mean EthnicCategory?)")
        #expect(e.location?.description == "test:1:28")
        #expect(e.detail == "    EthnicCategory is blank or EthnicCatgory = \"A\"\n" + String(repeating: " ", count: 31) + "^")
        #expect(try compileError("MHS000Header.ReportingPeriodEnd is blank").message
            == "\"ReportingPeriodEnd\" is not a field of MHS000Header (did you mean ReportingPeriodEndDate?)")
        #expect(try compileError("MHS101Referral.ServiceRequestID is blank").message.hasPrefix("only header fields can be named with a table"))
    }

    @Test func unknownCodeListAndTable() throws {
        let e = try compileError("EthnicCategory in codes(\"ethnicity\")")
        #expect(e.message.hasPrefix("unknown code list \"ethnicity\" (known: "))
        #expect(e.location?.description == "test:1:19")
        #expect(try compileError("lookup(MHS999Nothing.X, LocalPatientID) is blank").message == "unknown table \"MHS999Nothing\"")
        #expect(try compileError("date(\"2023-02-29\") is blank").message == "\"2023-02-29\" is not a date (CCYY-MM-DD)")
        #expect(try compileError("codes(\"ethnic-category\") is blank").message == "codes(...) is a set: use it after \"in\"")
        let pattern = try compileError("EthnicCategory matches \"[\"")
        #expect(pattern.message.hasPrefix("invalid pattern") && pattern.location?.offset == 24)
    }

    /// Deep nesting (brackets, calls, not, -) and long chains of operators are refused with the place, where
    /// the parser, compiler or evaluator recursed once a level until the stack ran out (exit 139).
    @Test func deepNestingIsRefusedWithItsPlaceNotACrash() throws {
        func failure(_ text: String) -> MHDQError? {
            captureError { _ = try ExpressionParser.parse(text, origin: SourceLocation(file: "x.toml", row: 3, offset: 9)) }
        }
        let repeated = { (s: String, n: Int) in String(repeating: s, count: n) }
        let nested: [(String, Int)] = [
            (repeated("(", 10_000) + "a" + repeated(")", 10_000), 256),
            (repeated("abs(", 3000) + "a" + repeated(")", 3000), 256 * 4),
            (repeated("[", 3000) + "a" + repeated("]", 3000), 256),
            (repeated("not ", 20_000) + "a", 255 * 4),
            (repeated("-", 20_000) + "a", 255),
        ]
        for (text, column) in nested {
            let e = try #require(failure(text))
            #expect(e.exitCode == 2)
            #expect(e.message.hasPrefix("the expression is nested too deeply: more than 256 levels"))
            #expect(e.location?.row == 3 && e.location?.offset == 9 + column, "\(text.prefix(20))")
        }
        for op in [" or ", " and ", " + ", " - ", " * ", " / "] {
            let e = try #require(failure("a" + repeated(op + "a", 5_000)))
            #expect(e.message.hasPrefix("the expression is nested too deeply: more than 1000 levels of operators"))
            #expect(e.location?.offset == 9 + 1 + 1000 * (op.count + 1) - op.count)
        }
        #expect(failure("a = 1" + repeated(" or a = 1", 999)) != nil)          // each comparison is a level too
        // Up to the limits, it parses, compiles and evaluates.
        #expect(try S.eval(repeated("(", 255) + "1" + repeated(")", 255)) == .number(1))
        #expect(try S.eval(repeated("abs(", 254) + "-1" + repeated(")", 254)) == .number(1))
        #expect(try S.eval(repeated("not ", 255) + "true") == .bool(false))
        #expect(try S.eval(repeated("-", 255) + "1") == .number(-1))
        #expect(try S.eval("1" + repeated(" + 1", 999)) == .number(1000))
        #expect(try S.eval("LocalPatientID = \"x\"" + repeated(" or LocalPatientID = \"x\"", 997), ["LocalPatientID": .text("x")]) == .bool(true))
        #expect(try S.eval(repeated("(", 200) + "1" + repeated(" + 1)", 200) + repeated(" * 1", 790)) == .number(201))
    }

    /// A pattern whose counted repetitions nest into a huge product (glibc copies what {m,n} repeats) is
    /// refused when the rule loads, where compiling ((((a{255}){255}){255}){255}) never finished and
    /// (.{0,255}){0,255}x never finished matching.
    @Test func patternsThatRepeatTooMuchAreRefused() throws {
        let refused: [(String, String)] = [
            ("((((a{255}){255}){255}){255})", "counts multiply to 65025 (at {255})"),
            ("(.{0,255}){0,255}x", "counts multiply to 65025 (at {0,255})"),
            ("(a{10}){101}", "counts multiply to 1010"),
            ("((a{2}b){20}c){30}", "counts multiply to 1200"),
            ("a{256}", "repeats {256}: a count over 255"),
            ("[0-9]{0,99999999999999999999}", "a count over 255"),
            ("(a)\\1", "back-reference"),
        ]
        for (pattern, why) in refused {
            let e = try compileError("LocalPatientID matches \"\(pattern)\"")
            #expect(e.exitCode == 2)
            #expect(e.message.contains(why), "\(pattern): \(e.message)")
            #expect(e.location?.row == 1 && e.location?.offset == 24, "at the pattern, not at \"matches\"")
        }
        // Counts in sequence add rather than multiply; braces in a bracket expression or escaped are characters.
        for pattern in ["^[0-9]{10}$", "^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$", "(a{10}){100}", "a{255}b{255}c{255}",
                        "[{]{2}[[:digit:]]{255}", "[]{]{255}", "\\{300\\}", "(ab|cd)*(e{3}){5}"] {
            #expect(PatternLimits.problem(pattern) == nil, "\(pattern)")
            _ = try S.eval("LocalPatientID matches \"\(pattern)\"")
        }
        #expect(PatternLimits.problem("x{") == nil && PatternLimits.problem("x{2,a}") == nil)    // for regcomp to judge
        #expect(try S.eval("LocalPatientID matches \"^P[0-9]{3}$\"", ["LocalPatientID": .text("P123")]) == .bool(true))
        #expect(try S.eval("LocalPatientID matches \"(.{0,30}){0,30}x\"", ["LocalPatientID": .text(String(repeating: "y", count: 200))]) == .bool(false))
    }
}
