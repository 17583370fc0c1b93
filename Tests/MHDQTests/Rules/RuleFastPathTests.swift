// The rule engine's byte-level checks decide exactly as the String-level ones they replace.

import Testing
@testable import MHDQ

struct RuleFastPathTests {
    typealias S = RuleTestSupport

    /// `in` looks ASCII values up by their bytes; String equality (canonical equivalence) still decides the rest.
    @Test func textSetAgreesWithSetOfStrings() {
        let lists: [Set<String>] = [["A", "B", "99"], ["K", "é"], ["\u{212A}"], ["e\u{301}"], [], ["", " "]]
        let values: [Value] = [.text("A"), .text("a"), .text("99"), .text("9"), .text("K"), .text("\u{212A}"), .text("é"),
                               .text("e\u{301}"), .text(""), .text(" "), .text("A very long text value, not a code"),
                               .number(99), .date(0), .bool(true)]
        for list in lists {
            let set = TextSet(list)
            for v in values {
                #expect(set.contains(v) == list.contains(v.text), "\(list) contains \(v)")
            }
        }
    }

    /// Code lists of short ASCII codes are searched as packed words; membership is still String equality
    /// of the value's text (the Kelvin sign is "K"), and lists that cannot be packed are refused.
    @Test func codeWordsAgreeWithSetOfStrings() {
        let lists: [Set<String>] = [["A", "B", "99"], ["K", "k1"], ["1234567"], [], [""], ["01", "02", "10", "11", "98"],
                                    Set((0 ..< 200).map { String($0) })]
        let values: [Value] = [.text("A"), .text("a"), .text("99"), .text("9"), .text("K"), .text("\u{212A}"), .text("k1"),
                               .text("1234567"), .text("12345678"), .text("123456"), .text("é"), .text("0"), .text("10"),
                               .text("A very long text value, not a code"), .text(""), .number(99), .number(10), .number(1.5),
                               .date(0), .bool(true), .text("199"), .text("200")]
        for list in lists {
            let codes = CodeWords(list)
            #expect(codes != nil, "\(list)")
            for v in values {
                #expect(codes?.contains(v) == list.contains(v.text), "\(list) contains \(v)")
            }
        }
        #expect(CodeWords(["A", "é"]) == nil)
        #expect(CodeWords(["12345678"]) == nil)
    }

    @Test func blankTextIsSpacesAndTabsOnly() {
        for (s, blank) in [("", true), (" ", true), ("\t \t", true), (" x", false), ("x ", false), ("\u{A0}", false),
                           (String(repeating: " ", count: 40), true), (String(repeating: " ", count: 40) + "x", false)] {
            #expect(TextBytes.isBlank(s) == blank, "\"\(s)\"")
            #expect(TextBytes.isBlank(s) == s.utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 })
        }
    }

    /// Format checks on text read the bytes; non-ASCII text counts Unicode scalars as before.
    @Test func formatChecksOnTextBytes() throws {
        let cases: [(format: String, value: String, ok: Bool)] = [
            ("max an20", "P0001", true), ("max an20", String(repeating: "x", count: 21), false),
            ("max an20", String(repeating: "é", count: 20), true), ("max an20", String(repeating: "é", count: 21), false),
            ("min an3 max an6", "RX", false), ("min an3 max an6", "RX4", true), ("min an3 max an6", "RX4ABCD", false),
            ("n10", "9434765919", true), ("n10", "943476591", false), ("n10", "94347659 9", false), ("n10", "٩٤٣٤٧٦٥٩١٩", false),
            ("max n4", "12", true), ("max n4", "12345", false), ("an1", "", false),
        ]
        for c in cases {
            let spec = try #require(FormatSpec(c.format))
            #expect(spec.accepts(.text(c.value)) == c.ok, "\(c.format) \"\(c.value)\"")
        }
        // Values that are not text still go through their text form.
        #expect(FormatSpec("max n4")!.accepts(.number(12)))
        #expect(!FormatSpec("max n4")!.accepts(.number(12345)))
    }

    /// Fields read in place give the same results as the closures they replace, for every operand kind.
    @Test func operandsReadFieldsHeaderAndConstants() throws {
        #expect(try S.eval("EthnicCategory in [\"A\", \"B\"]", ["EthnicCategory": .text("B")]) == .bool(true))
        #expect(try S.eval("EthnicCategory not in codes(\"ethnic-category\")", ["EthnicCategory": .text("A")]) == .bool(false))
        #expect(try S.eval("EthnicCategory not in codes(\"ethnic-category\")", ["EthnicCategory": .text("I")]) == .bool(true))
        #expect(try S.eval("EthnicCategory in [\"A\"]", [:]) == .null)
        #expect(try S.eval("LocalPatientID is blank", ["LocalPatientID": .text(" \t")]) == .bool(true))
        #expect(try S.eval("not (LocalPatientID is blank)", ["LocalPatientID": .text("P1")]) == .bool(true))
        #expect(try S.eval("\"x\" is not blank and 1 < 2") == .bool(true))
        #expect(try S.eval("-PersonBirthDate", ["PersonBirthDate": S.date("2000-01-01")]) == .null)
        #expect(try S.eval("upper(EthnicCategory) = \"Z\"", ["EthnicCategory": .text("z")]) == .bool(true))
    }

    /// lookup() values: the first value per key wins, as with the dictionary it replaces, for ASCII keys in the
    /// compact table and for any key once a non-ASCII one arrives (String equality then decides).
    @Test func lookupTableKeepsTheFirstValueAndStringEquality() {
        var table = LookupTable()
        var reference: [String: Value] = [:]
        func put(_ k: String, _ v: Value) {
            table.insertIfAbsent(k, from: [v], fields: [0])
            if reference[k] == nil { reference[k] = v }
        }
        var random = SplitMix(state: 11)
        for i in 0 ..< 5_000 {
            put("P\(random.below(3_000))", .number(Double(i)))
        }
        for k in ["P1", "P2999", "P3000", "", "p1"] {
            #expect(table.value(for: k) == reference[k], "\(k)")
        }
        #expect(table.count == reference.count)
        put("K", .text("ascii K"))
        #expect(table.value(for: "\u{212A}") == reference["\u{212A}"], "the Kelvin sign equals K as a String")
        put("\u{212A}", .text("kelvin"))
        put("é", .text("e acute"))
        put("e\u{301}", .text("decomposed"))
        for k in ["K", "\u{212A}", "é", "e\u{301}", "P42", "P2999", "nobody"] {
            #expect(table.value(for: k) == reference[k], "\(k)")
        }
        #expect(table.count == reference.count)
    }

    /// The fields looked up in one table share its index: every column holds the first record's value for a
    /// key, before and after a non-ASCII key moves the index to a dictionary, whichever column is asked first.
    @Test func lookupTableColumnsKeepTheFirstRecord() {
        var table = LookupTable(columns: 2)
        table.insertIfAbsent("P1", from: [.text("A"), .null, .date(5)], fields: [0, 2])
        table.insertIfAbsent("P1", from: [.text("B"), .null, .date(6)], fields: [0, 2])
        table.insertIfAbsent("P2", from: [.null, .text("x"), .date(7)], fields: [0, 2])
        func expectAnswers() {
            #expect(table.value(for: "P1", column: 1) == .date(5))
            #expect(table.value(for: "P1", column: 0) == .text("A"))
            #expect(table.value(for: "P2", column: 0) == .null)
            #expect(table.value(for: "P2", column: 1) == .date(7))
            #expect(table.value(for: "P3", column: 0) == nil)
            #expect(table.value(for: "P3", column: 1) == nil)
        }
        expectAnswers()
        table.insertIfAbsent("é", from: [.text("C"), .null, .date(8)], fields: [0, 2])
        expectAnswers()
        #expect(table.value(for: "e\u{301}", column: 1) == .date(8))
        #expect(table.count == 3)
    }

    /// Chunked columns hold what arrays held, across chunk boundaries and for strings longer than a chunk.
    @Test func chunkedColumnsKeepEveryElementAndString() {
        var numbers = ChunkedArray<UInt64>()
        var reference: [UInt64] = []
        for i in 0 ..< 200_000 {
            numbers.append(UInt64(i) &* 2_654_435_761)
            reference.append(UInt64(i) &* 2_654_435_761)
        }
        numbers[65_535] = 7
        reference[65_535] = 7
        numbers[65_536] |= 1
        reference[65_536] |= 1
        #expect(numbers.count == reference.count && Array(numbers) == reference)
        // Copies are values: changing one (a store, an append) leaves the other as it was.
        var copied = numbers
        copied[3] = 0
        copied.append(1)
        numbers[4] = 0
        #expect(copied[3] == 0 && numbers[3] == reference[3] && copied[4] == reference[4] && numbers[4] == 0)
        #expect(copied.count == reference.count + 1 && numbers.count == reference.count)
        var texts = ChunkedArray<Value>()
        for i in 0 ..< 70_000 { texts.append(.text("value number \(i), long enough to be stored on the heap")) }
        let kept = texts
        texts[69_999] = .null
        #expect(kept[69_999] == .text("value number 69999, long enough to be stored on the heap") && texts[69_999] == .null)

        var arena = ByteArena()
        var strings: [[UInt8]] = []
        var random = SplitMix(state: 5)
        for k in 0 ..< 120_000 {
            // Mostly short keys, a few empty, some at and past a chunk's 65,535 bytes (one of 1 MiB).
            let long = [50_000: (1 << 20) + 17, 70_000: 65_535, 70_001: 65_534, 70_002: 65_536, 90_000: 1]
            let length = long[k] ?? (k % 97 == 0 ? 0 : 5 + random.below(20))
            let s = (0 ..< length).map { _ in UInt8(0x30 + random.below(40)) }
            arena.append(s)
            strings.append(s)
        }
        #expect(arena.count == strings.count)
        for i in 0 ..< strings.count { if !arena.bytes(i).elementsEqual(strings[i]) { Issue.record("string \(i) differs"); break } }
        // equals compares in place: true for its own string, and for a neighbour's exactly when they are equal.
        for i in 1 ..< strings.count {
            let own = strings[i].withUnsafeBufferPointer { arena.equals(i, $0) }
            let other = strings[i - 1].withUnsafeBufferPointer { arena.equals(i, $0) }
            if !own || other != (strings[i] == strings[i - 1]) { Issue.record("equals wrong at \(i)"); break }
        }
        var sameLength = strings[70_000]
        sameLength[65_534] ^= 1
        #expect(sameLength.withUnsafeBufferPointer { arena.equals(70_000, $0) } == false)
        #expect(strings[50_000].withUnsafeBufferPointer { arena.equals(50_000, $0) })
        // A copy is a value: appending to it leaves the original as it was, and the copy keeps what it had.
        var copy = arena
        copy.append(Array("copy".utf8))
        arena.append(Array("original".utf8))
        #expect(copy.count == strings.count + 1 && arena.count == strings.count + 1)
        #expect(copy.bytes(strings.count) == Array("copy".utf8) && arena.bytes(strings.count) == Array("original".utf8))
        #expect(copy.bytes(119_999) == strings[119_999] && arena.bytes(119_999) == strings[119_999])
    }

    /// first() takes an ASCII first character without building a Character, and still a whole grapheme otherwise.
    @Test func firstCharacterOfAsciiAndOfClusters() throws {
        for text in ["A", "AB", "99", "\r\n", "\rX", "A\u{301}", "é", "e\u{301}x", "🇬🇧x", " z"] {
            let got = try S.eval("first(EthnicCategory)", ["EthnicCategory": .text(text)])
            #expect(got == .text(String(text.first!)), "\(text.unicodeScalars.map { $0.value })")
        }
        #expect(try S.eval("first(EthnicCategory)", ["EthnicCategory": .text("")]) == .null)
        #expect(try S.eval("first(EthnicCategory)", [:]) == .null)
    }

    /// if() evaluates only the branch it returns; the results are those of evaluating all three.
    @Test func ifReturnsTheChosenBranch() throws {
        #expect(try S.eval("if(1 < 2, \"yes\", 1 / 0)") == .text("yes"))
        #expect(try S.eval("if(1 > 2, \"yes\", \"no\")") == .text("no"))
        #expect(try S.eval("if(EthnicCategory = \"A\", 1, 2)", [:]) == .number(2), "unknown takes the else branch")
        #expect(try S.eval("if(5, 1, 2)") == .number(2), "a condition that is not true or false takes the else branch")
        #expect(try S.eval("if(EthnicCategory is blank, \"missing\", upper(EthnicCategory))", ["EthnicCategory": .text("z")]) == .text("Z"))
    }

    /// The orphan pass's hash set and bit set, held to Swift's Set on random input (with zero, repeats and
    /// growth past the first capacity).
    @Test func hashSetAndBitSetAgreeWithSet() {
        var rng = SystemRandomNumberGenerator()
        var hashes = HashSet64()
        var reference = Set<UInt64>()
        for k in 0 ..< 5_000 {
            let h: UInt64 = k % 97 == 0 ? 0 : k % 5 == 0 ? UInt64(k % 300) : UInt64.random(in: 0 ... .max, using: &rng)
            hashes.insert(h)
            reference.insert(h)
        }
        for h in reference { #expect(hashes.contains(h)) }
        for _ in 0 ..< 5_000 {
            let h = UInt64.random(in: 0 ... .max, using: &rng)
            #expect(hashes.contains(h) == reference.contains(h))
        }
        var bits = BitSet(count: 1_000)
        var set = Set<Int>()
        for _ in 0 ..< 700 {
            let i = Int.random(in: 0 ..< 1_000, using: &rng)
            #expect(bits.insert(i) == set.insert(i).inserted)
        }
        var visited: [Int] = []
        bits.forEach { visited.append($0) }
        #expect(visited == set.sorted())
    }

    /// The orphan cascade's parent keys, held to a dictionary of counts on random rejections: a key is valid
    /// while one of its records is, and is listed as invalidated once, when its last valid record goes (keys
    /// with one record, a few, and 300: past the byte count, through its overflow; the hash 0 too).
    @Test func parentKeysCountValidRecordsPerKey() {
        var rng = SystemRandomNumberGenerator()
        let keys = ParentKeys()
        var records: [UInt64] = []
        for k in 0 ..< 3_000 {
            let h: UInt64 = k == 7 ? 0 : UInt64.random(in: 1 ... .max, using: &rng)
            let copies = k % 1_000 == 3 ? 300 : k % 3 == 0 ? 4 : 1
            records += Array(repeating: h, count: copies)
        }
        var valid: [UInt64: Int] = [:]
        for h in records { keys.add(h); valid[h, default: 0] += 1 }
        var expected: [UInt64] = []
        for h in records.shuffled(using: &rng) {
            keys.reject(h)
            valid[h]! -= 1
            if valid[h] == 0 { expected.append(h) }
            if Int.random(in: 0 ..< 50, using: &rng) == 0 {
                for (key, n) in valid { #expect(keys.contains(key) == (n > 0)) }
            }
        }
        #expect(keys.invalidated == expected)
        #expect(!keys.contains(records[0]))
        #expect(!keys.contains(UInt64.random(in: 1 ... .max, using: &rng)))
    }

    /// Derived fields and group-by parts are remembered by the fields they read: the remembered expression
    /// gives what evaluating it gives, record after record, also past the point where the memo gives up
    /// (more than 4,096 distinct inputs) and for every kind of value, also when an input is a lookup.
    @Test func rememberedExpressionsAgreeWithEvaluation() throws {
        let ds = S.catalogue.dataset("MHS001MPI")!
        let origin = SourceLocation(file: "test", row: 1, offset: 1)
        let expressions = [
            "upper(trim(EthnicCategory))",
            "if(EthnicCategory is blank, \"missing\", if(first(upper(EthnicCategory)) in [\"A\", \"B\"], \"valid\", \"other\"))",
            "month(PersonBirthDate)", "age(PersonBirthDate, date(\"2026-09-30\"))",
            "if(EthnicCategory is blank, LocalPatientID, EthnicCategory)",
            "length(LocalPatientID) + length(NHSNumber) + length(EthnicCategory)",
            "coalesce(EthnicCategory, LocalPatientID, NHSNumber, Postcode)",
            "upper(trim(lookup(MHS001MPI.EthnicCategory, LocalPatientID)))",
        ]
        var pool: [Value] = [.null, .text(""), .text("1"), .text(" A "), .text("a1"), .text("Z"), .text("99"), .text("é"), .text("e\u{301}"),
                             .text(String(repeating: "x", count: 70)), .number(1), .number(-0.0), .number(0), .bool(true),
                             .bool(false), S.date("2000-02-29"), .time(60), .dateTime(-1),
                             .typed(.amount(Amount(raw: "*", status: "suppressed")))]
        for i in 0 ..< 6_000 { pool.append(i % 2 == 0 ? .text("P\(i)") : .date(i)) }
        var generator = SystemRandomNumberGenerator()
        for text in expressions {
            var scope = CompileScope(dataset: ds, header: S.catalogue.dataset("MHS000Header"), catalogue: S.catalogue, lookups: LookupRegistry())
            let plain = try ExpressionCompiler.compile(text, origin: origin, sourceLine: text, scope: &scope)
            let remembered = try ExpressionCompiler.compile(text, origin: origin, sourceLine: text, scope: &scope, perRecord: true)
            let ctx = EvalContext()
            var patients = LookupTable()   // for the lookup: a few codes for thousands of patients
            let codes: [Value] = [.text("A"), .text(" b "), .text("Z"), .text("99"), .null, .text("é"), .number(1)]
            for i in stride(from: 0, to: 6_000, by: 2) { patients.insertIfAbsent("P\(i)", from: [codes[i % codes.count]], fields: [0]) }
            ctx.lookups = [patients]
            for _ in 0 ..< 20_000 {
                var record = Array(repeating: Value.null, count: ds.fields.count)
                for name in ["EthnicCategory", "LocalPatientID", "NHSNumber", "Postcode", "PersonBirthDate"] {
                    // Mostly a few values (codes), sometimes any of thousands (identifiers, dates).
                    let v = Int.random(in: 0 ..< 4, using: &generator) == 0 ? pool.randomElement(using: &generator)! : pool[Int.random(in: 0 ..< 19, using: &generator)]
                    record[ds.index(of: name)!] = v
                }
                ctx.record = record
                let a = plain(ctx), b = remembered(ctx)
                #expect(a == b, "\(text) on \(record)")
                if a != b { return }
            }
        }
        // What a memo is keyed by: fields by name, calls of contextual functions as values; series and KPI
        // functions are never remembered.
        for (text, inputs) in [("upper(trim(EthnicCategory))", 1), ("upper(trim(lookup(MHS001MPI.EthnicCategory, LocalPatientID)))", 1),
                                 ("days_between(PersonBirthDate, period_end()) + length(PersonBirthDate)", 2),
                                 ("MHS000Header.OrgIDProvider", 1), ("if(EthnicCategory = setting(\"x\"), EthnicCategory, NHSNumber)", 3),
                                 ("kpi(\"gap\")", -1), ("prev(EthnicCategory)", -1)] {
            var reads: [Expr] = []
            let expr = try ExpressionParser.parse(text, origin: origin, sourceLine: text)
            let ok = ExpressionMemo.collect(expr, into: &reads)
            #expect(ok == (inputs >= 0) && (!ok || reads.count == inputs), "\(text): \(reads.count)")
        }
    }

    /// A part of a rule that reads no record is computed once per context version: a new header, period,
    /// setting or another context gives the new answer, never the one kept from before.
    @Test func runConstantsFollowTheContext() throws {
        let ds = S.catalogue.dataset("MHS002GP")!
        let header = S.catalogue.dataset("MHS000Header")!
        let text = "StartDateGMPRegistration > add_days(MHS000Header.ReportingPeriodEndDate, 1) and upper(setting(\"portal_org\")) = \"RX4\""
        var scope = CompileScope(dataset: ds, header: header, catalogue: S.catalogue, lookups: LookupRegistry())
        let compiled = try ExpressionCompiler.compile(text, origin: SourceLocation(file: "test", row: 1, offset: 1), sourceLine: text, scope: &scope)
        func context(end: String, org: String) -> EvalContext {
            var reference = ReferenceData()
            reference.settings["portal_org"] = org
            let ctx = EvalContext(reference: reference)
            var h = Array(repeating: Value.null, count: header.fields.count)
            h[header.index(of: "ReportingPeriodEndDate")!] = S.date(end)
            ctx.header = h
            var record = Array(repeating: Value.null, count: ds.fields.count)
            record[ds.index(of: "StartDateGMPRegistration")!] = S.date("2024-06-15")
            ctx.record = record
            return ctx
        }
        let a = context(end: "2024-06-13", org: "rx4"), b = context(end: "2024-06-14", org: "rx4")
        #expect(compiled(a) == .bool(true))
        #expect(compiled(b) == .bool(false))      // another context: 06-15 is not after 06-15
        #expect(compiled(a) == .bool(true))
        a.reference.settings["portal_org"] = "RX5"
        #expect(compiled(a) == .bool(false))      // a new setting in the same context
        var h = a.header
        h[header.index(of: "ReportingPeriodEndDate")!] = S.date("2024-06-30")
        a.reference.settings["portal_org"] = "RX4"
        a.header = h
        #expect(compiled(a) == .bool(false))      // a new header: 06-15 is before 07-01
    }
}
