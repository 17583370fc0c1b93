// Aggregate returns' typed values: every period form DESIGN.md lists (normalised and ordered), every number
// and target form returns type, and staging that keeps what it cannot read as a finding, never a drop.

import Testing
@testable import MHDQ

@Suite struct ReturnPeriodTests {
    /// Typed → normalised, for every accepted form.
    static let forms: [(String, String)] = [
        ("2023-04", "2023-04"), ("2023-4", "2023-04"), ("Apr-23", "2023-04"), ("apr 23", "2023-04"), ("April 2023", "2023-04"),
        ("APRIL-2023", "2023-04"), ("Sept 2023", "2023-09"), ("2023 April", "2023-04"), ("04/2023", "2023-04"),
        ("2023/04", "2023-04"), ("2023-04-30", "2023-04"), ("30/04/2023", "2023-04"), ("30 Apr 2023", "2023-04"),
        ("2011-12", "2011-12"),                                      // ISO's December 2011, not FY2011/12
        ("Q1 2023/24", "FY2023/24 Q1"), ("Q4 2023-24", "FY2023/24 Q4"), ("2023/24 Q2", "FY2023/24 Q2"), ("Quarter 3 2023/24", "FY2023/24 Q3"),
        ("Q1 23/24", "FY2023/24 Q1"), ("2023 Q2", "2023 Q2"), ("2023-Q2", "2023 Q2"),
        ("FY2023/24", "FY2023/24"), ("FY 2023-24", "FY2023/24"), ("2023/24", "FY2023/24"), ("2023-24", "FY2023/24"),
        ("2023/2024", "FY2023/24"), ("2011/12", "FY2011/12"), ("Financial year 2023/24", "FY2023/24"), ("2023", "2023"),
        ("  Apr-23 ", "2023-04"),
    ]

    @Test(arguments: forms) func normalises(_ typed: String, _ expected: String) throws {
        let p = try #require(ReturnPeriod.parse(typed), "\"\(typed)\"")
        #expect(p.text == expected)
        #expect(p.raw == typed.trimmingSpaces())
        // The normalised text reads back as the same period.
        #expect(ReturnPeriod.parse(p.text) == p)
    }

    @Test(arguments: ["", "Q1 2023", "Q5 2023/24", "2023/25", "FY2023", "13/2023", "2023-13", "Apr", "April 23rd", "31/02/2023",
                      "Month 7", "1899-04", "Apr-2023-24", "next month", "2023-04-31"])
    func rejects(_ typed: String) {
        #expect(ReturnPeriod.parse(typed) == nil, "\"\(typed)\" should not read as a period")
    }

    @Test func ordersInTime() throws {
        let typed = ["2024-01", "Dec-23", "FY2023/24", "Q3 2023/24", "Q1 2023/24", "April 2023", "2023-05", "2023/24 Q2"]
        let sorted = try typed.map { try #require(ReturnPeriod.parse($0)) }.sorted().map(\.text)
        // Same start: the month, then the quarter, then the year.
        #expect(sorted == ["2023-04", "FY2023/24 Q1", "FY2023/24", "2023-05", "FY2023/24 Q2", "FY2023/24 Q3", "2023-12", "2024-01"])
    }

    @Test func stepsBetweenPeriodsOfOneKind() throws {
        func p(_ s: String) throws -> ReturnPeriod { try #require(ReturnPeriod.parse(s)) }
        #expect(try p("2024-01").steps(since: p("2023-11")) == 2)
        #expect(try p("Q1 2024/25").steps(since: p("Q3 2023/24")) == 2)
        #expect(try p("FY2024/25").steps(since: p("FY2022/23")) == 2)
        #expect(try p("2024-01").steps(since: p("Q3 2023/24")) == nil)     // a month after a quarter: not one series step
        #expect(try p("2023 Q2").steps(since: p("Q1 2023/24")) == nil)     // calendar and financial quarters do not mix
    }
}

@Suite struct AmountTests {
    static let markerList = RuleTestSupport.catalogue.codeLists["amount-markers"]
    let parser = AmountParser(markers: AmountTests.markerList)

    func amount(_ s: String) throws -> Amount { try #require(parser.parse(s), "\"\(s)\" should read") }

    @Test func numbersAsTyped() throws {
        var a = try amount("1,234")
        #expect((a.number, a.decimals, a.unit, a.status) == (1234, 0, "", "number"))
        a = try amount("74.02%")
        #expect((a.number, a.decimals, a.unit, a.precision) == (74.02, 2, "%", 0.01))
        a = try amount("14.85 days per FTE")
        #expect((a.number, a.unit) == (14.85, "days per FTE"))
        a = try amount("39% (rolling 12 months)")
        #expect((a.number, a.unit, a.note) == (39, "%", "rolling 12 months"))
        a = try amount("-12")
        #expect(a.number == -12)
        a = try amount("12,345.5")
        #expect((a.number, a.decimals) == (12345.5, 1))
        a = try amount("0.0%")
        #expect((a.number, a.decimals, a.precision) == (0, 1, 0.1))
        #expect(a.raw == "0.0%")
    }

    @Test func numbersInExponentForm() throws {
        // As Excel saves a small number to CSV: the exponent is part of the number, not a unit "E-05".
        var a = try amount("4E-05")
        #expect((a.number, a.unit, a.decimals, a.status) == (0.00004, "", 5, "number"))
        a = try amount("-1.5e-3%")
        #expect((a.number, a.unit, a.decimals) == (-0.0015, "%", 4))
        a = try amount("1.2E+3 days per FTE")
        #expect((a.number, a.unit, a.decimals) == (1200, "days per FTE", 0))
        a = try amount("< 4e-05")
        #expect((a.comparator, a.number, a.unit) == ("<", 0.00004, ""))
    }

    @Test func targetsAsTyped() throws {
        var a = try amount(">75%")
        #expect((a.comparator, a.number, a.unit) == (">", 75, "%"))
        a = try amount("85%")
        #expect((a.comparator, a.number) == ("", 85))
        a = try amount("8 days per FTE (+/- 1 day)")
        #expect((a.number, a.unit, a.tolerance, a.toleranceUnit) == (8, "days per FTE", 1, "day"))
        a = try amount("8 days ± 0.5")
        #expect((a.number, a.unit, a.tolerance) == (8, "days", 0.5))
        a = try amount("Retention rate is 87%")
        #expect((a.subject, a.number, a.unit) == ("Retention rate", 87, "%"))
        a = try amount("at least 95%")
        #expect((a.comparator, a.number) == (">=", 95))
        a = try amount("≤ 4%")
        #expect((a.comparator, a.number) == ("<=", 4))
        a = try amount("no more than 10 days")
        #expect((a.comparator, a.number, a.unit) == ("<=", 10, "days"))
    }

    @Test func markers() throws {
        #expect(try amount("*").status == "suppressed")
        #expect(try amount("Unavailable").status == "unavailable")
        #expect(try amount("Information unavailable").status == "unavailable")
        #expect(try amount("information  UNAVAILABLE.").status == "unavailable")
        #expect(try amount("N/A").status == "not applicable")
        #expect(try amount("n/a").status == "not applicable")
        for m in ["*", "Unavailable", "N/A"] {
            let a = try amount(m)
            #expect(a.number == nil && a.precision == nil && a.raw == m)
        }
        // A digit is never a marker, even where a marker spelling normalises to it ("<5").
        #expect(try amount("5").number == 5)
        #expect(try amount("<5").status == "suppressed")
    }

    @Test(arguments: ["about ten", "12/13", "1,2", "80-85%", "1.2.3", "12 34", "(5", "5)", "%", "£", "++5", "8 days (+/- 1) (+/- 2)"])
    func unreadable(_ s: String) {
        #expect(parser.parse(s) == nil, "\"\(s)\" should not read as an amount")
    }

    @Test func blankIsNotAnAmount() {
        #expect(parser.parse("") == nil)
        #expect(parser.parse("   ") == nil)
    }

    @Test func amountsCompareAndComputeAsTheirNumber() throws {
        let a = Value.typed(.amount(try amount("1,234"))), b = Value.typed(.amount(try amount("74.02%"))), star = Value.typed(.amount(try amount("*")))
        #expect(ExpressionCompiler.compare(a, .number(1234)) == 0)
        #expect(ExpressionCompiler.compare(b, a) == -1)
        #expect(ExpressionCompiler.compare(star, .number(0)) == nil)   // a marker has no number: unknown
        #expect(a.text == "1,234")
        #expect(b.arithmetic == .number(74.02))
        #expect(star.arithmetic == .null)
    }
}

@Suite struct ReturnStagingTests {
    typealias S = RuleTestSupport

    @Test func stagesPeriodsAndAmountsKeepingWhatItCannotRead() throws {
        let csv = """
        Period,Area,Measure,Numerator,Denominator,StatedValue
        Apr-23,Shire,ASCOF 1F,"1,234","12,000",10.28%
        Q5 2023,Shire,ASCOF 1F,about ten,*,Unavailable
        ,Shire,ASCOF 1F,,,

        """
        let r = try S.check(TempDir(), tables: [("IndicatorReturn", csv)], packs: [])
        let stats = try #require(r.stats.first)
        // Nothing dropped: three rows read, three staged; what could not be read is a finding naming row and column.
        #expect((stats.rowsRead, stats.rowsStaged, stats.rowsRejected) == (3, 3, 0))
        let period = try #require(r.findings.first { $0.ruleID == "STG-PERIOD" })
        #expect((period.row, period.field, period.value) == (3, "Period", "Q5 2023"))
        #expect(period.message.hasPrefix("Period \"Q5 2023\" is not a reporting period"))
        let amount = try #require(r.findings.first { $0.ruleID == "STG-AMOUNT" })
        #expect((amount.row, amount.field, amount.value) == (3, "Numerator", "about ten"))
        #expect(r.findings.count == 2)      // "*", "Unavailable" and blanks are values, not problems
        #expect(stats.problems == ["not a period": 1, "not an amount": 1])
    }

    @Test func stagedValuesKeepTheTextAndTheMeaning() throws {
        let ds = S.catalogue.dataset("IndicatorReturn")!
        let dir = TempDir()
        var source = try CSVReader(path: dir.write("r.csv", "Period,Area,Measure,Numerator,Denominator,StatedValue\nApril 2023,Shire,1F,\"1,235\",Unavailable,10.3%\n"))
        var records: [[Value]] = []
        var stats = StagingStats(table: ds.table)
        let stager = Stager(dataset: ds, spec: SourceSpec(table: ds.table, file: source.file), catalogue: S.catalogue, findings: FindingCollector())
        try stager.stage(&source, stats: &stats) { records.append($0.values) }
        let v = try #require(records.first)
        guard case .typed(.period(let p)) = v[ds.index(of: "Period")!] else { Issue.record("Period is not a period"); return }
        #expect((p.text, p.raw) == ("2023-04", "April 2023"))
        guard case .typed(.amount(let n)) = v[ds.index(of: "Numerator")!], case .typed(.amount(let d)) = v[ds.index(of: "Denominator")!] else {
            Issue.record("counts are not amounts"); return
        }
        #expect((n.raw, n.number) == ("1,235", 1235))
        #expect((d.raw, d.status, d.number) == ("Unavailable", "unavailable", nil))
    }
}
