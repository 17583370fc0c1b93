// The rule expression language, evaluated: precedence, three-valued logic, tests, functions.

import Foundation
import Testing
@testable import MHDQ

@Suite struct ExpressionEvaluationTests {
    typealias S = RuleTestSupport
    let t = Value.bool(true), f = Value.bool(false), unknown = Value.null

    func ev(_ e: String, _ fields: [String: Value] = [:]) throws -> Value { try S.eval(e, fields) }

    // MARK: Precedence and arithmetic

    @Test func arithmeticPrecedence() throws {
        #expect(try ev("1 + 2 * 3") == .number(7))
        #expect(try ev("(1 + 2) * 3") == .number(9))
        #expect(try ev("10 - 4 - 3") == .number(3))        // left-associative
        #expect(try ev("12 / 4 / 3") == .number(1))
        #expect(try ev("2 - -3") == .number(5))
        #expect(try ev("-2 * 3") == .number(-6))
        #expect(try ev("7 / 2") == .number(3.5))
        #expect(try ev("1 / 0") == unknown)                 // no infinity: unknown
        #expect(try ev("1 + blank") == unknown)
        #expect(try ev("\"a\" + 1") == unknown)
    }

    /// Numbers compare as the decimals a reader sees: binary noise from arithmetic (0.8 - 0.7 is 0.10000000000000009)
    /// does not make "fell more than 0.1" fire at exactly 0.1; a real difference, however small, still counts.
    @Test func computedNumbersCompareAsDecimals() throws {
        #expect(try ev("0.8 - 0.7 > 0.1") == f)
        #expect(try ev("0.8 - 0.7 = 0.1") == t)
        #expect(try ev("55 / 100 * 100 - 50 / 100 * 100 > 5") == f)
        #expect(try ev("1 - 0.9 >= 0.1") == t)
        #expect(try ev("0.1 + 0.2 != 0.3") == f)
        #expect(try ev("5.000001 > 5") == t)
        #expect(try ev("0.0000001 > 0") == t)
        #expect(try ev("100000.00001 > 100000") == t)
        // Typed amounts too (a return's stated value against its counts): 11 / 20 * 100 is 55.00000000000001.
        let stated = try S.eval("StatedValue = Numerator / Denominator * 100", table: "IndicatorReturn",
                                ["StatedValue": .typed(.amount(Amount(raw: "55%", status: Amount.numberStatus, number: 55, unit: "%"))),
                                 "Numerator": .number(11), "Denominator": .number(20)])
        #expect(stated == t)
    }

    @Test func logicalPrecedence() throws {
        // and binds tighter than or; not tighter than and; comparisons tighter than not.
        #expect(try ev("true or false and false") == t)
        #expect(try ev("(true or false) and false") == f)
        #expect(try ev("not false and false") == f)
        #expect(try ev("not 1 = 2") == t)
        #expect(try ev("1 + 1 = 2 and 2 * 2 = 4") == t)
        #expect(try ev("not not true") == t)
    }

    // MARK: Three-valued logic

    @Test func blankIsUnknownInComparisons() throws {
        let blank: [String: Value] = [:]
        #expect(try ev("EthnicCategory != \"Z\"", blank) == unknown)
        #expect(try ev("EthnicCategory = \"Z\"", blank) == unknown)
        #expect(try ev("EthnicCategory < \"Z\"", blank) == unknown)
        #expect(try ev("EthnicCategory != \"Z\"", ["EthnicCategory": .text("A")]) == t)
        #expect(try ev("EthnicCategory != \"Z\"", ["EthnicCategory": .text("Z")]) == f)
        // Different kinds do not compare either.
        #expect(try ev("PersonBirthDate < 5", ["PersonBirthDate": S.date("2000-01-01")]) == unknown)
    }

    /// Blank text (what substr() or concat() can give, or a source read untrimmed) is as unknown as a missing
    /// value: it equals nothing, not even another blank, and is in no list.
    @Test func blankTextIsUnknownToo() throws {
        let spaces: [String: Value] = ["EthnicCategory": .text("  "), "Postcode": .text(" "), "NHSNumber": .text("\t")]
        #expect(try ev("substr(LocalPatientID, 5, 1) = substr(Postcode, 9, 1)", ["LocalPatientID": .text("P1")]) == unknown)
        #expect(try ev("EthnicCategory = Postcode", spaces) == unknown)
        #expect(try ev("EthnicCategory != \"Z\"", spaces) == unknown)
        #expect(try ev("EthnicCategory not in [\"A\", \"B\"]", spaces) == unknown)
        #expect(try ev("concat(EthnicCategory) not in [\"A\", \"B\"]", [:]) == unknown)
        #expect(try ev("EthnicCategory matches \"^[A-Z]$\"", spaces) == unknown)
        #expect(try ev("not nhs_number_valid(NHSNumber)", spaces) == unknown)
        #expect(try ev("not postcode_valid(Postcode)", spaces) == unknown)
        #expect(try ev("coalesce(EthnicCategory, \"Z\")", spaces) == .text("Z"))
        #expect(try ev("EthnicCategory is blank", spaces) == t)
    }

    @Test func kleeneTruthTables() throws {
        let cases: [(String, Value)] = [
            ("false and blank = 1", f), ("blank = 1 and false", f),
            ("true and blank = 1", unknown), ("blank = 1 and true", unknown),
            ("true or blank = 1", t), ("blank = 1 or true", t),
            ("false or blank = 1", unknown), ("blank = 1 or false", unknown),
            ("not (blank = 1)", unknown),
            ("blank = 1 and blank = 1", unknown), ("blank = 1 or blank = 1", unknown),
            ("true and true", t), ("true and false", f), ("false or false", f),
        ]
        for (e, expected) in cases { #expect(try ev(e) == expected, "\(e)") }
    }

    @Test func isBlank() throws {
        #expect(try ev("EthnicCategory is blank") == t)
        #expect(try ev("EthnicCategory is not blank") == f)
        #expect(try ev("EthnicCategory is blank", ["EthnicCategory": .text("A")]) == f)
        #expect(try ev("EthnicCategory is not blank", ["EthnicCategory": .text("A")]) == t)
        #expect(try ev("EthnicCategory is blank", ["EthnicCategory": .text("  ")]) == t)   // spaces only
        #expect(try ev("trim(EthnicCategory) is blank", ["EthnicCategory": .text("  ")]) == t)
        #expect(try ev("EthnicCategory is null") == t)
        // "is blank" is never unknown, so "not" of it is a plain boolean.
        #expect(try ev("not (EthnicCategory is blank)") == f)
    }

    // MARK: in, codes, matches

    @Test func inList() throws {
        #expect(try ev("EthnicCategory in [\"A\", \"B\"]", ["EthnicCategory": .text("B")]) == t)
        #expect(try ev("EthnicCategory in [\"A\", \"B\"]", ["EthnicCategory": .text("b")]) == f)
        #expect(try ev("EthnicCategory not in [\"A\", \"B\"]", ["EthnicCategory": .text("C")]) == t)
        #expect(try ev("EthnicCategory in [\"A\"]") == unknown)
        #expect(try ev("EthnicCategory not in [\"A\"]") == unknown)
        #expect(try ev("1 + 1 in [2, 3]") == t)
        #expect(try ev("EthnicCategory in []", ["EthnicCategory": .text("A")]) == f)
    }

    @Test func inCodeList() throws {
        for (code, expected) in [("A", f), ("S", f), ("Z", f), ("Q", t), ("I", t), ("O", t), ("a", t)] {
            #expect(try ev("EthnicCategory not in codes(\"ethnic-category\")", ["EthnicCategory": .text(code)]) == expected, "\(code)")
        }
        #expect(try ev("EthnicCategory not in codes(\"ethnic-category\")") == unknown)
        #expect(try ev("upper(EthnicCategory) in codes(\"ethnic-category\")", ["EthnicCategory": .text("a")]) == t)
    }

    @Test func matches() throws {
        let nhs: [String: Value] = ["NHSNumber": .text("9434765919")]
        #expect(try ev("NHSNumber matches \"^[0-9]{10}$\"", nhs) == t)
        #expect(try ev("NHSNumber matches \"^[0-9]{9}$\"", nhs) == f)
        #expect(try ev("NHSNumber matches \"347\"", nhs) == t)                  // unanchored finds a substring
        #expect(try ev("NHSNumber not matches \"^9\"", nhs) == f)
        #expect(try ev("NHSNumber matches \"^[0-9]+$\"") == unknown)
    }

    // MARK: Text functions

    /// trim, upper and lower take shortcuts for ASCII and for text with nothing to trim; they must give
    /// exactly what the Unicode-aware String functions give, whatever the text.
    @Test func caseAndTrimShortcutsAgreeWithString() throws {
        let samples = ["A", "a", "h1", "H1", " h1 ", "\th1\t", "Z", "99", "ab-CD_12", "", "   ", "\u{A0}A1\u{A0}", "A1\r\n",
                       "\r\nA", "é", "É1", "straße", "ǅ", "İ", "ﬁ", "a\u{301}", " \u{301}", "ｆｕｌｌ", "A\u{A0}", "\u{A0}"]
        for text in samples {
            let v: [String: Value] = ["EthnicCategory": .text(text)]
            #expect(try ev("upper(EthnicCategory)", v) == .text(text.uppercased()), "upper(\(text.debugDescription))")
            #expect(try ev("lower(EthnicCategory)", v) == .text(text.lowercased()), "lower(\(text.debugDescription))")
            let trimmed = text.trimmingSpaces()
            #expect(try ev("trim(EthnicCategory)", v) == (trimmed.isEmpty ? .null : .text(trimmed)), "trim(\(text.debugDescription))")
        }
    }

    @Test func textFunctions() throws {
        let v: [String: Value] = ["EthnicCategory": .text(" h1 ")]
        #expect(try ev("trim(EthnicCategory)", v) == .text("h1"))
        #expect(try ev("upper(EthnicCategory)", v) == .text(" H1 "))
        #expect(try ev("upper(trim(EthnicCategory))", v) == .text("H1"))
        #expect(try ev("first(upper(trim(EthnicCategory)))", v) == .text("H"))
        #expect(try ev("first(EthnicCategory)", v) == .text(" "))
        #expect(try ev("lower(\"AB\")") == .text("ab"))
        #expect(try ev("length(EthnicCategory)", v) == .number(4))
        #expect(try ev("substr(\"ABCDE\", 2, 3)") == .text("BCD"))
        #expect(try ev("substr(\"ABC\", 2, 10)") == .text("BC"))
        #expect(try ev("trim(\"   \")") == unknown)
        #expect(try ev("first(\"\")") == unknown)
        #expect(try ev("first(EthnicCategory)") == unknown)
        #expect(try ev("upper(EthnicCategory)") == unknown)
        #expect(try ev("coalesce(EthnicCategory, \"none\")") == .text("none"))
        #expect(try ev("if(blank = 1, \"then\", \"else\")") == .text("else"))
        #expect(try ev("if(1 = 1, \"then\", \"else\")") == .text("then"))
        #expect(try ev("number(\"12\") + 1") == .number(13))
        #expect(try ev("is_number(\"x\")") == f)
    }

    // MARK: Dates

    @Test func dateLiteralsAndArithmetic() throws {
        #expect(try ev("date(\"2024-02-29\")") == S.date("2024-02-29"))
        #expect(try ev("date(\"2024-02-29\") + 1") == S.date("2024-03-01"))
        #expect(try ev("date(\"2024-03-01\") - 1") == S.date("2024-02-29"))
        #expect(try ev("date(\"2024-03-01\") - date(\"2024-02-01\")") == .number(29))
        #expect(try ev("add_days(date(\"2023-12-31\"), 1)") == S.date("2024-01-01"))
        #expect(try ev("add_days(date(\"2024-01-01\"), -1)") == S.date("2023-12-31"))
        #expect(try ev("days_between(date(\"2024-01-01\"), date(\"2025-01-01\"))") == .number(366))
        #expect(try ev("days_between(date(\"2025-01-01\"), date(\"2024-01-01\"))") == .number(-366))
        #expect(try ev("days_between(PersonBirthDate, date(\"2025-01-01\"))") == unknown)
        #expect(try ev("date(\"2024-01-31\") < date(\"2024-02-01\")") == t)
        #expect(try ev("year(date(\"2024-02-29\"))") == .number(2024))
        #expect(try ev("month(date(\"2024-02-29\"))") == .text("2024-02"))
        #expect(try ev("to_date(\"2024-02-29\")") == S.date("2024-02-29"))
        #expect(try ev("to_date(\"2023-02-29\")") == unknown)
        #expect(try ev("is_date(PersonBirthDate)", ["PersonBirthDate": .text("1980-13-01")]) == f)
        #expect(try ev("PersonBirthDate < date(\"2000-01-01\")", ["PersonBirthDate": .text("1980-13-01")]) == unknown)
    }

    @Test func addMonthsClampsToMonthEnd() throws {
        let cases: [(String, Int, String)] = [
            ("2024-01-31", 1, "2024-02-29"), ("2023-01-31", 1, "2023-02-28"), ("2024-03-31", 1, "2024-04-30"),
            ("2024-02-29", 12, "2025-02-28"), ("2024-02-29", 48, "2028-02-29"), ("2024-11-30", 3, "2025-02-28"),
            ("2024-03-31", -1, "2024-02-29"), ("2024-01-15", -1, "2023-12-15"), ("2024-01-31", -13, "2022-12-31"),
            ("2024-05-15", 0, "2024-05-15"),
        ]
        for (from, n, to) in cases {
            #expect(try ev("add_months(date(\"\(from)\"), \(n))") == S.date(to), "add_months(\(from), \(n))")
        }
    }

    /// A number too large for a whole count (1e20 days, months or characters) gives a blank, or the text's
    /// end for substr(), never a crash: such numbers are no Int, and converting them trapped.
    @Test func numbersOutOfRangeGiveBlankNotACrash() throws {
        let born: [String: Value] = ["PersonBirthDate": S.date("1980-05-17"), "LocalPatientID": .text("P123")]
        let huge = "99999999999999999999"
        for e in ["add_days(PersonBirthDate, \(huge))", "add_days(PersonBirthDate, -\(huge))",
                  "add_months(PersonBirthDate, \(huge))", "add_months(PersonBirthDate, -\(huge))",
                  "PersonBirthDate + \(huge)", "PersonBirthDate - \(huge)",
                  "add_days(PersonBirthDate, 1 / 0.0000000000000000000000000000001 * \(huge) * \(huge))",
                  // Past the years 1 to 9999 staging reads: no date.
                  "add_days(PersonBirthDate, 3000000)", "add_months(PersonBirthDate, -24000)", "PersonBirthDate - 800000"] {
            #expect(try ev(e, born) == unknown, "\(e)")
        }
        #expect(try ev("add_days(PersonBirthDate, \(huge)) > date(\"2020-01-01\")", born) == unknown)
        #expect(try ev("substr(LocalPatientID, 1, \(huge))", born) == .text("P123"))
        #expect(try ev("substr(LocalPatientID, 2, \(huge))", born) == .text("123"))
        #expect(try ev("substr(LocalPatientID, \(huge), 2) is blank", born) == t)
        // Within range, as before.
        #expect(try ev("add_days(PersonBirthDate, 2000000)", born) == S.date("7456-03-10"))
        #expect(try ev("add_months(PersonBirthDate, 1200)", born) == S.date("2080-05-17"))
        #expect(try ev("date(\"9999-12-30\") + 1") == S.date("9999-12-31"))
        #expect(try ev("date(\"9999-12-31\") + 1") == unknown)
    }

    @Test func ageAroundBirthdaysAndLeapDays() throws {
        func age(_ born: String, _ at: String) throws -> Value { try ev("age(date(\"\(born)\"), date(\"\(at)\"))") }
        #expect(try age("2000-06-15", "2018-06-14") == .number(17))
        #expect(try age("2000-06-15", "2018-06-15") == .number(18))
        #expect(try age("2000-06-15", "2018-06-16") == .number(18))
        // Born on a leap day: the birthday in a common year is reached on 1 March.
        #expect(try age("2004-02-29", "2022-02-28") == .number(17))
        #expect(try age("2004-02-29", "2022-03-01") == .number(18))
        #expect(try age("2004-02-29", "2024-02-29") == .number(20))
        #expect(try age("2004-02-29", "2024-02-28") == .number(19))
        #expect(try age("2000-01-01", "2000-01-01") == .number(0))
        #expect(try ev("age(PersonBirthDate, period_end())") == unknown)
        #expect(try ev("age(PersonBirthDate, period_end())", ["PersonBirthDate": S.date("1990-09-30")]) == .number(36))
        #expect(try ev("age(PersonBirthDate, period_end())", ["PersonBirthDate": S.date("1990-10-01")]) == .number(35))
    }

    @Test func reportingPeriod() throws {
        #expect(try ev("period_start()") == S.date("2026-09-01"))
        #expect(try ev("period_end()") == S.date("2026-09-30"))
        #expect(try ev("MHS000Header.ReportingPeriodEndDate = period_end()") == t)
        #expect(try S.eval("period_end()", period: ReportingPeriod("2028-02")!) == S.date("2028-02-29"))
        #expect(try S.eval("period_end()", period: nil) == unknown)
    }

    // MARK: Identifiers

    @Test func nhsNumberCheckDigit() throws {
        func valid(_ s: String) throws -> Value { try ev("nhs_number_valid(NHSNumber)", ["NHSNumber": .text(s)]) }
        #expect(try valid("9434765919") == t)
        #expect(try valid("9434765918") == f)     // wrong check digit
        #expect(try valid("1000000060") == t)     // 11 − remainder = 11 → check digit 0
        #expect(try valid("1000000010") == f)     // 11 − remainder = 10: no valid number has this stem
        #expect(try valid("1000000011") == f)
        #expect(try valid("943476591") == f)      // nine digits
        #expect(try valid("94347659190") == f)    // eleven digits
        #expect(try valid("943476591A") == f)     // letters
        #expect(try valid("943 476 5919") == f)   // spaces are not part of the number
        #expect(try ev("nhs_number_valid(NHSNumber)") == unknown)
    }

    @Test func postcodeShapes() throws {
        func valid(_ s: String) throws -> Value { try ev("postcode_valid(Postcode)", ["Postcode": .text(s)]) }
        // The six outward shapes: A9, A99, AA9, AA99, A9A, AA9A.
        for p in ["M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "W1A 0AX", "EC1A 1BB"] {
            #expect(try valid(p) == t, "\(p)")
        }
        #expect(try valid("ec1a 1bb") == t)       // lower case
        #expect(try valid("EC1A1BB") == t)        // space missing
        #expect(try valid("M11AE") == t)
        #expect(try valid("EC1A  1BB") == f)      // two spaces
        #expect(try valid("EC1 A1BB") == f)       // space in the wrong place
        #expect(try valid("EC1AA 1BB") == f)      // outward code too long
        #expect(try valid("EC1A 1BBB") == f)      // too long
        #expect(try valid("1M 1AE") == f)
        #expect(try valid("M1 AAE") == f)
        #expect(try valid("M1") == f)
        #expect(try ev("postcode_valid(Postcode)") == unknown)
        #expect(try valid("ＥＣ1A 1BB") == f)     // full-width letters (the Unicode path)
    }

    /// The byte-level postcode test agrees with the String one on every ASCII text of the characters that
    /// matter (letters, digits, spaces, a hyphen), up to 9 long: 200,000 random samples.
    @Test func postcodeByteTestAgreesWithStringTest() {
        var random = SplitMix(state: 11)
        let alphabet = Array("AaBz09M1 -".utf8)
        for _ in 0 ..< 200_000 {
            let text = String(decoding: (0 ..< random.below(10)).map { _ in alphabet[random.below(alphabet.count)] }, as: UTF8.self)
            var copy = text
            let bytes = copy.withUTF8 { Identifiers.asciiPostcodeValid($0) }
            if bytes != Identifiers.unicodePostcodeValid(text) { Issue.record("\(text.debugDescription) disagrees"); return }
        }
    }

    // MARK: Data Dictionary formats

    @Test func formatOk() throws {
        func ok(_ field: String, _ v: Value) throws -> Value { try ev("format_ok(\(field))", [field: v]) }
        // LocalPatientID: max an20
        #expect(try ok("LocalPatientID", .text("P1")) == t)
        #expect(try ok("LocalPatientID", .text(String(repeating: "X", count: 20))) == t)
        #expect(try ok("LocalPatientID", .text(String(repeating: "X", count: 21))) == f)
        // NHSNumber: n10
        #expect(try ok("NHSNumber", .text("9434765919")) == t)
        #expect(try ok("NHSNumber", .text("12345")) == f)
        #expect(try ok("NHSNumber", .text("94347659190")) == f)
        #expect(try ok("NHSNumber", .text("943476591A")) == f)
        // PersonBirthDate: an10 CCYY-MM-DD (a staged date, not text)
        #expect(try ok("PersonBirthDate", S.date("1980-01-01")) == t)
        #expect(try ok("PersonBirthDate", .text("1980-13-01")) == f)
        // OrgIDLocalPatientID: min an3 max an6
        #expect(try ok("OrgIDLocalPatientID", .text("RX")) == f)
        #expect(try ok("OrgIDLocalPatientID", .text("RXX")) == t)
        #expect(try ok("OrgIDLocalPatientID", .text("RXX123")) == t)
        #expect(try ok("OrgIDLocalPatientID", .text("RXX1234")) == f)
        #expect(try ev("format_ok(NHSNumber)") == unknown)
    }

    @Test func formatSpecs() {
        #expect(FormatSpec("max an20")!.accepts(.text("")) == false)
        #expect(FormatSpec("n10")!.accepts(.text("0123456789")))
        #expect(FormatSpec("an10 CCYY-MM-DD")!.accepts(.text("2024-01-01")) == false)
        #expect(FormatSpec("min an3 max an6")!.accepts(.text("ABCDEF")))
        #expect(FormatSpec("max n3.2")!.accepts(.text("123.45")))
        #expect(FormatSpec("bogus") == nil)
    }

    /// A length format whose numbers overflow (max n9223372036854775807.1 trapped adding them) or are negative
    /// (max n-5 passed lint, then flagged every record) is refused when the dataset file loads, with its place.
    @Test func badLengthFormatsAreRefusedWhenTheDatasetLoads() throws {
        for bad in ["max n9223372036854775807.1", "max n-5", "n-1", "max n3.-2", "max an99999999999999999999", "min an6 max an3", "max n3.2.1"] {
            #expect(FormatSpec(bad) == nil, "\(bad)")
            #expect(FormatSpec.problem(bad)?.hasPrefix("format \"\(bad)\" is not understood: lengths are whole numbers") == true)
            let dir = TempDir()
            try FileManager.default.copyItem(atPath: S.rulesDirectory, toPath: dir.path + "/Rules")
            let path = dir.path + "/Rules/datasets/MHS001MPI.toml"
            let lines = try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "\n")
            let row = try #require(lines.firstIndex(of: "format = \"max an20\"")) + 1
            var edited = lines
            edited[row - 1] = "format = \"\(bad)\""
            try edited.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
            let e = try #require(captureError { _ = try Catalogue.load(rulesDirectory: dir.path + "/Rules") })
            #expect(e.exitCode == 2)
            #expect(e.location?.file == path && e.location?.row == row && e.location?.offset == 10)
        }
        // Descriptions that are no length format, and every format the shipped datasets use, still load.
        for fine in ["number as typed", "as typed: 85%, >75%", "higher or lower (is better)", "an10 CCYY-MM-DD", "max n3.2", "n0"] {
            #expect(FormatSpec.problem(fine) == nil, "\(fine)")
        }
        #expect(FormatSpec("max n100000") != nil && FormatSpec("max n100001") == nil)
    }

    /// Numbers are judged by their digits without being written out as text: the same verdict as the text
    /// MHSDS writes for them, for whole numbers of every length and sign, fractions and -0.
    @Test func formatOkCountsCharactersAndWholeNumbers() {
        let specs = ["n1", "n2", "max n3", "n4", "max n10", "min n2 max n5", "max n3.2", "max n6.1", "n15"].compactMap(FormatSpec.init)
        #expect(specs.count == 9)
        var numbers: [Double] = [0, -0.0, 1.5, -2.25, 1e15, -1e15, 1e16, 123_456_789_012_345]
        var power = 1.0
        for _ in 0 ..< 16 {
            numbers += [power - 1, power, power + 1, -power, -(power - 1), power * 7]
            power *= 10
        }
        var rng = SystemRandomNumberGenerator()
        for _ in 0 ..< 2_000 { numbers.append(Double(Int.random(in: -1_000_000 ... 10_000_000, using: &rng))) }
        for spec in specs {
            for d in numbers {
                #expect(spec.accepts(.number(d)) == spec.accepts(.text(Value.format(d))), "\(spec) \(d)")
            }
        }
        // Text lengths are counted in characters (Unicode scalars) whatever the bytes.
        let textSpecs = ["an1", "max an2", "an3", "min an3 max an6", "max an20", "an10 CCYY-MM-DD"].compactMap(FormatSpec.init)
        let alphabet: [Character] = ["a", "Z", "7", " ", "é", "–", "£", "\u{1F600}"]
        for _ in 0 ..< 2_000 {
            let text = String((0 ..< Int.random(in: 0 ... 24, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
            let length = text.unicodeScalars.count
            for spec in textSpecs where spec.kind == .text {
                #expect(spec.accepts(.text(text)) == (length >= spec.minLength && length <= spec.maxLength), "\(spec) \(text)")
            }
        }
        #expect(CivilDate(year: 2024, month: 3, day: 9).isoMonth == "2024-03")
        #expect(CivilDate(year: 987, month: 12, day: 31).isoMonth == "0987-12")
    }

    /// "F is not blank and not format_ok(F)" compiles to a FieldCheck (which the engine runs in a loop) and
    /// "F is not blank and F not in LIST" to one test that reads F in place; "not (F is blank) and ..." is
    /// the same condition through the general `and`. The two must agree on every kind of value.
    @Test func fieldChecksAgreeWithTheGeneralAnd() throws {
        let values: [Value] = [
            .null, .text(""), .text(" "), .text("\t "), .text("A"), .text("a"), .text("A1"), .text("ZZ"), .text("99"),
            .text("ABC"), .text(String(repeating: "x", count: 20)), .text(String(repeating: "x", count: 21)),
            .text("é"), .text("éé"), .text("e\u{301}"), .text("1234567890"), .text("123456789"), .text("12345678901"),
            .text("12a4567890"), .text(" A"), .number(1_234_567_890), .number(123), .number(-1), .number(1.5),
            S.date("2024-01-31"), .time(3_600), .dateTime(86_400), .bool(true),
        ]
        let conditions = [
            ("LocalPatientID", "not format_ok(LocalPatientID)"), ("NHSNumber", "not format_ok(NHSNumber)"),
            ("PersonBirthDate", "not format_ok(PersonBirthDate)"), ("EthnicCategory", "not format_ok(EthnicCategory)"),
            ("OrgIDLocalPatientID", "not format_ok(OrgIDLocalPatientID)"),
            ("EthnicCategory", "EthnicCategory not in codes(\"ethnic-category\")"),
            ("GenderIDCode", "GenderIDCode not in [\"1\", \"2\", \"é\"]"),
        ]
        for (field, rest) in conditions {
            for v in values {
                let fused = try ev("\(field) is not blank and \(rest)", [field: v])
                let general = try ev("not (\(field) is blank) and \(rest)", [field: v])
                #expect(fused == general, "\(field) = \(v): \(rest)")
            }
        }
        // The shape is only taken for one field on both sides: another field goes the general way.
        #expect(try ev("NHSNumber is not blank and not format_ok(LocalPatientID)", ["NHSNumber": .text("1"), "LocalPatientID": .text(String(repeating: "x", count: 21))]) == t)
        #expect(try ev("NHSNumber is not blank and not format_ok(LocalPatientID)", ["LocalPatientID": .text(String(repeating: "x", count: 21))]) == f)
    }
}
