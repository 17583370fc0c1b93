// The ascof pack's series rules against known answers: the outage pattern (a denominator falling by more than
// 90% for seven months, then returning), a copied-down percentage column, rounding and suppression, gaps,
// and no finding at all on the stable periods of the same series (a false positive is a failure too).

import Foundation
import Testing
@testable import MHDQ

@Suite struct SeriesRuleTests {
    typealias S = RuleTestSupport

    struct Row {
        var period: String
        var numerator: String
        var denominator: String
        var stated: String = ""
        var area = "Shire"
        var measure = "ASCOF 1F"
    }

    /// A row whose stated percentage is what its counts give, to two decimal places.
    static func row(_ period: String, _ n: Int, _ d: Int, area: String = "Shire", measure: String = "ASCOF 1F") -> Row {
        let rate = (Double(n) / Double(d) * 10000).rounded() / 100
        return Row(period: period, numerator: grouped(n), denominator: grouped(d), stated: String(format: "%.2f%%", rate),
                   area: area, measure: measure)
    }

    /// 12020 → "12,020", as returns type counts.
    static func grouped(_ n: Int) -> String {
        let s = String(n)
        return s.count > 3 ? String(s.dropLast(3)) + "," + String(s.suffix(3)) : s
    }

    static func csv(_ rows: [Row]) -> String {
        func q(_ s: String) -> String { s.contains(",") ? "\"\(s)\"" : s }
        return "Period,Area,Measure,Numerator,Denominator,StatedValue\n"
            + rows.map { [$0.period, $0.area, $0.measure, $0.numerator, $0.denominator, $0.stated].map(q).joined(separator: ",") }
                .joined(separator: "\n") + "\n"
    }

    static func check(_ rows: [Row], settings: [String: String] = [:]) throws -> CheckResult {
        let dir = TempDir()
        let path = dir.write("return.csv", csv(rows))
        var run = CheckRun(catalogue: S.catalogue,
                           sources: try CheckRun.adHocSources(["IndicatorReturn=" + path], catalogue: S.catalogue, read: ReadOptions()),
                           period: nil, packs: ["ascof"])
        run.reference.settings = settings
        return try run.run()
    }

    /// Rule ids flagged per period of one area's series, and every finding's (area, period, rule).
    static func flagged(_ r: CheckResult, area: String = "Shire") -> [String: [String]] {
        var out: [String: [String]] = [:]
        for p in r.series.first(where: { $0.area == area })?.points ?? [] where !p.flags.isEmpty { out[p.period] = p.flags }
        return out
    }

    static func findings(_ r: CheckResult) -> [String] {
        r.findings.map { "\($0.group) \($0.period) \($0.ruleID)" }.sorted()
    }

    // MARK: - The outage pattern

    /// Six stable months; the provider's system goes down for seven months (only neighbouring trusts' records
    /// flow: the denominator falls from ~12,000 to ~300, the numerator less); it returns, and the numerator
    /// recovers more slowly than the denominator.
    static let outage: [Row] = [
        row("Oct-22", 1200, 12000), row("Nov-22", 1210, 12050), row("Dec-22", 1195, 11990), row("Jan-23", 1205, 12010),
        row("Feb-23", 1200, 11985), row("Mar-23", 1210, 12020),
        row("Apr-23", 90, 300), row("May-23", 95, 310), row("Jun-23", 90, 305), row("Jul-23", 95, 300), row("Aug-23", 90, 295),
        row("Sep-23", 95, 310), row("Oct-23", 90, 305),
        row("Nov-23", 400, 12000), row("Dec-23", 800, 12050), row("Jan-24", 1200, 12010), row("Feb-24", 1205, 11995),
        row("Mar-24", 1210, 12030), row("Apr-24", 1200, 12000),
    ]

    @Test func outageFlagsTheCollapseAndTheReturnOnly() throws {
        let r = try Self.check(Self.outage)
        #expect(Self.flagged(r) == ["2023-04": ["ASC006", "ASC007"], "2023-11": ["ASC006", "ASC007"]])
        #expect(r.findings.count == 4)
        // Seven outage months, each more than 90% below the months before it.
        let series = try #require(r.series.first)
        let low = series.points.filter { ($0.denominator ?? 0) < 1200 }
        #expect(low.count == 7 && low.allSatisfy { $0.denominator! < 0.1 * 12000 })
        #expect(series.points.count == 19)
        #expect(series.points.map(\.period).first == "2022-10" && series.points.map(\.label).first == "Oct-22")
        #expect(series.unit == "%" && series.area == "Shire" && series.measure == "ASCOF 1F")

        let collapse = try #require(r.findings.first { $0.ruleID == "ASC006" && $0.period == "2023-04" })
        #expect(collapse.recordKey == "Shire / ASCOF 1F / 2023-04")
        #expect(collapse.group == "Shire")
        #expect(collapse.table == "IndicatorReturn" && collapse.field == "Denominator" && collapse.value == "300")
        #expect(collapse.row == 8)                           // the header is line 1; Apr-23 is the 7th data row
        #expect(collapse.file.hasSuffix("return.csv"))
        #expect(collapse.observed == "300 (12,020 in 2023-03)")
        #expect(collapse.expected == "within 20% of 12,020")
        #expect(collapse.denominator == "300")
        #expect(collapse.message == "ASCOF 1F for Shire, 2023-04: the denominator fell by 98% from 12,020 in 2023-03 to 300: a system outage or a change in what is counted?")
        #expect(collapse.severity == .warning && collapse.findingClass == .inconsistent)
        let rebound = try #require(r.findings.first { $0.ruleID == "ASC006" && $0.period == "2023-11" })
        #expect(rebound.message.contains("rose by 3834% from 305 in 2023-10 to 12,000"))
        let shift = try #require(r.findings.first { $0.ruleID == "ASC007" && $0.period == "2023-04" })
        #expect(shift.observed == "30%")
        #expect(shift.message.contains("moved from 10.07% in 2023-03 to 30%"))
    }

    /// A period with no number between two that have one hides no step: 12,010 → Unavailable → 300 is the
    /// collapse the same months with the middle one not returned show, and 300 → 0 → 12,000 is the rebound.
    /// Each period is compared with the last one that reported a number (a 0 denominator is one).
    @Test func aCollapseOrReboundAcrossAPeriodWithNoNumber() throws {
        let unavailable = { (period: String, area: String) in
            Row(period: period, numerator: "Unavailable", denominator: "Unavailable", stated: "Unavailable", area: area, measure: "ASCOF 1H")
        }
        let none = { (period: String, area: String) in
            Row(period: period, numerator: "0", denominator: "0", stated: "0.0%", area: area, measure: "ASCOF 1H")
        }
        func row(_ period: String, _ n: Int, _ d: Int, _ area: String) -> Row { Self.row(period, n, d, area: area, measure: "ASCOF 1H") }
        let rows = [
            row("2025-01", 7000, 12000, "Outage"), row("2025-02", 7005, 12010, "Outage"), unavailable("2025-03", "Outage"),
            row("2025-04", 90, 300, "Outage"), row("2025-05", 90, 300, "Outage"),
            // The same months with March not returned at all: the same collapse, found once (and the gap).
            row("2025-01", 7000, 12000, "Gap"), row("2025-02", 7005, 12010, "Gap"), row("2025-04", 90, 300, "Gap"),
            // A month of 0 (no cases: the feed did not arrive), then the feed returns.
            row("2025-01", 90, 300, "Zero"), none("2025-02", "Zero"), row("2025-03", 7000, 12000, "Zero"),
            // A month unavailable between two like it: nothing moved.
            row("2025-01", 7000, 12000, "Blip"), unavailable("2025-02", "Blip"), row("2025-03", 7000, 12000, "Blip"),
            // No cases two months running: no change.
            none("2025-01", "Empty"), none("2025-02", "Empty"),
        ]
        let r = try Self.check(rows)
        #expect(Self.findings(r) == [
            "Blip 2025-02 ASC001",
            "Empty 2025-01 ASC002", "Empty 2025-02 ASC002",
            "Gap 2025-04 ASC006", "Gap 2025-04 ASC007", "Gap 2025-04 ASC010",
            "Outage 2025-03 ASC001", "Outage 2025-04 ASC006", "Outage 2025-04 ASC007",
            "Zero 2025-02 ASC002", "Zero 2025-02 ASC006", "Zero 2025-03 ASC006", "Zero 2025-03 ASC007",
        ])
        func finding(_ area: String, _ period: String, _ rule: String) throws -> Finding {
            try #require(r.findings.first { $0.group == area && $0.period == period && $0.ruleID == rule })
        }
        let collapse = try finding("Outage", "2025-04", "ASC006")
        #expect(collapse.message == "ASCOF 1H for Outage, 2025-04: the denominator fell by 98% from 12,010 in 2025-02 (the last period that reported one) to 300: a system outage or a change in what is counted?")
        #expect(collapse.observed == "300 (12,010 in 2025-02)")
        #expect(collapse.expected == "within 20% of 12,010")
        let shift = try finding("Outage", "2025-04", "ASC007")
        #expect(shift.message == "ASCOF 1H for Outage, 2025-04: the rate moved from 58.33% in 2025-02 to 30% (90 of 300); the median of the previous periods is 58.33%.")
        #expect(shift.expected == "within 5 points of 58.33% (2025-02) and 58.33% (median of the 6 periods before)")
        // The gap is ASC010's to report: ASC006 names the period it compares with, and nothing more.
        #expect(try finding("Gap", "2025-04", "ASC006").message == "ASCOF 1H for Gap, 2025-04: the denominator fell by 98% from 12,010 in 2025-02 to 300: a system outage or a change in what is counted?")
        let rebound = try finding("Zero", "2025-03", "ASC006")
        #expect(rebound.message == "ASCOF 1H for Zero, 2025-03: the denominator rose from 0 in 2025-02 to 12,000: a system outage or a change in what is counted?")
        #expect(rebound.observed == "12,000 (0 in 2025-02)")
        #expect(try finding("Zero", "2025-03", "ASC007").message == "ASCOF 1H for Zero, 2025-03: the rate moved from 30% in 2025-01 to 58.33% (7,000 of 12,000); the median of the previous periods is 30%.")
    }

    @Test func stableSeriesHasNoFinding() throws {
        let stable = (1 ... 12).map { m in Self.row(String(format: "2023-%02d", m), 1200 + (m % 3) * 5, 12000 + (m % 4) * 15) }
        let r = try Self.check(stable)
        #expect(r.findings.isEmpty, "\(Self.findings(r))")
        #expect(r.series.first?.points.count == 12)
    }

    // MARK: - Copied-down percentages

    @Test func copiedDownPercentageColumn() throws {
        // The counts move; from June the stated column repeats May's 10.00%.
        var rows = [Self.row("2024-03", 1000, 10000), Self.row("2024-04", 1000, 10000), Self.row("2024-05", 1000, 10000)]
        for (m, n) in [(6, 950), (7, 900), (8, 860), (9, 820)] {
            rows.append(Row(period: "2024-0\(m)", numerator: String(n), denominator: "10,000", stated: "10.00%"))
        }
        // A second area, clean, in the same file: no finding on it.
        rows += (3 ... 9).map { Self.row("2024-0\($0)", 2000 + $0 * 5, 20000, area: "Borough") }
        let r = try Self.check(rows)
        #expect(Self.flagged(r) == ["2024-06": ["ASC005"], "2024-07": ["ASC005"], "2024-08": ["ASC005"], "2024-09": ["ASC005"]])
        #expect(Self.flagged(r, area: "Borough").isEmpty)
        #expect(r.findings.count == 4)
        let june = try #require(r.findings.first { $0.period == "2024-06" })
        #expect(june.severity == .fail && june.field == "StatedValue" && june.value == "10.00%")
        #expect(june.observed == "10.00%")
        #expect(june.expected == "9.5% (9.47% to 9.53% allowing for rounded counts)")
        #expect(june.message == "ASCOF 1F for Shire, 2024-06: stated 10.00%, but 950 ÷ 10,000 = 9.5% (the same as the previous period: copied down?).")
        #expect(r.exitCode == 1)
    }

    // MARK: - Stated percentage and rounding

    @Test func statedPercentageWithinTheRoundingItImplies() throws {
        // Unrounded counts (published_rounding = 1): only the stated value's own rounding applies.
        // 201 / 2000 = 10.05% exactly.
        let cases: [(String, Bool)] = [
            ("10.05%", false), ("10.1%", false), ("10%", false), ("10.0%", false),   // 10.0% is good to ±0.05: 9.95 to 10.05
            ("10.06%", true), ("10.04%", true), ("10.2%", true), ("9%", true), ("12.5", true),
        ]
        var rows: [Row] = []
        for (i, (stated, _)) in cases.enumerated() {
            rows.append(Row(period: "2024-04", numerator: "201", denominator: "2,000", stated: stated, area: "Area \(i)"))
        }
        let r = try Self.check(rows, settings: ["published_rounding": "1"])
        for (i, (stated, expected)) in cases.enumerated() {
            #expect(r.findings.contains { $0.group == "Area \(i)" && $0.ruleID == "ASC005" } == expected, "\(stated)")
        }
        #expect(r.findings.allSatisfy { $0.ruleID == "ASC005" })
    }

    @Test func roundedAndSuppressedCountsAreUncertainNotErrors() throws {
        let rows = [
            // 5 of 20 published: the true counts may be 2.5..7.5 of 17.5..22.5, so 27% is possible.
            Row(period: "2024-04", numerator: "5", denominator: "20", stated: "27%", area: "Near the limit"),
            // Beyond even the widest reading (42.9%).
            Row(period: "2024-04", numerator: "5", denominator: "20", stated: "60%", area: "Impossible"),
            // A suppressed numerator: the check cannot be made.
            Row(period: "2024-04", numerator: "*", denominator: "20", stated: "15%", area: "Suppressed"),
            // Rounded counts, stated from the unrounded ones: 1,205 of 12,000 is 10.04%, the true figure 10.06% is possible.
            Row(period: "2024-04", numerator: "1,205", denominator: "12,000", stated: "10.06%", area: "Rounded"),
            // Counts typed as bounds ("fewer than 5"): as unknown as "*", however they are spaced.
            Row(period: "2024-04", numerator: "< 5", denominator: "100", stated: "1%", area: "Bound"),
            Row(period: "2024-04", numerator: "<10", denominator: "1000", stated: "0.3%", area: "Bound ten"),
        ]
        let r = try Self.check(rows)
        #expect(Self.findings(r) == ["Impossible 2024-04 ASC005"])
    }

    /// A count that is not a multiple of the rounding base was never rounded (ASC008 says so), so it is the true
    /// count: 1 of 2 is 50% exactly, and no allowance for rounding can make it -33% to -700% (dividing by 2 - 2.5).
    /// A rounded count's allowance never takes a rate below 0% or a subset's rate above 100%.
    @Test func smallCountsGiveASaneRange() throws {
        let rows = [
            Row(period: "2025-01", numerator: "1", denominator: "2", stated: "50%", area: "Half"),
            Row(period: "2025-01", numerator: "0", denominator: "1", stated: "0%", area: "None of one"),
            Row(period: "2025-01", numerator: "1", denominator: "2", stated: "70%", area: "Not half"),
            Row(period: "2025-01", numerator: "5", denominator: "5", stated: "100%", area: "All of five"),
            Row(period: "2025-01", numerator: "5", denominator: "5", stated: "20%", area: "Not all of five"),
            Row(period: "2025-01", numerator: "0", denominator: "100", stated: "3.0%", area: "None of a hundred"),
        ]
        let r = try Self.check(rows)
        #expect(Self.findings(r) == [
            "Half 2025-01 ASC008", "Half 2025-01 ASC009",
            "None of a hundred 2025-01 ASC005",
            "None of one 2025-01 ASC008", "None of one 2025-01 ASC009",
            "Not all of five 2025-01 ASC005",
            "Not half 2025-01 ASC005", "Not half 2025-01 ASC008", "Not half 2025-01 ASC009",
        ])
        func asc005(_ area: String) throws -> Finding { try #require(r.findings.first { $0.group == area && $0.ruleID == "ASC005" }) }
        let notHalf = try asc005("Not half")
        #expect(notHalf.message == "ASCOF 1F for Not half, 2025-01: stated 70%, but 1 ÷ 2 = 50%.")
        #expect(notHalf.expected == "50%")
        #expect(try asc005("Not all of five").expected == "100% (33.33% to 100% allowing for rounded counts)")
        #expect(try asc005("None of a hundred").expected == "0% (0% to 2.56% allowing for rounded counts)")
        // Unrounded counts (published_rounding = 1): the same verdicts on the stated values.
        let unrounded = try Self.check(rows, settings: ["published_rounding": "1"])
        #expect(Self.findings(unrounded).filter { $0.hasSuffix("ASC005") } == [
            "None of a hundred 2025-01 ASC005", "Not all of five 2025-01 ASC005", "Not half 2025-01 ASC005",
        ])
    }

    // MARK: - One defect per series

    @Test func eachDefectItsOwnFinding() throws {
        let rows = [
            Row(period: "2024-04", numerator: "1,100", denominator: "1,000", area: "Above"),
            Row(period: "2024-04", numerator: "-5", denominator: "100", area: "Negative"),
            Row(period: "2024-04", numerator: "1,234", denominator: "12,000", area: "Unrounded"),
            Row(period: "2024-04", numerator: "3", denominator: "100", area: "Unsuppressed"),
            Row(period: "2024-04", numerator: "0", denominator: "0", stated: "0.0%", area: "Zero"),
            Row(period: "2024-04", numerator: "Unavailable", denominator: "Unavailable", stated: "Unavailable", area: "Unavailable"),
            Row(period: "2024-04", numerator: "100", denominator: "", area: "Blank"),
            Row(period: "2024-04", numerator: "Unavailable", denominator: "1,000", area: "No numerator"),
            Row(period: "2024-04", numerator: "*", denominator: "100", stated: "3%", area: "Suppressed"),
            Row(period: "2024-04", numerator: "N/A", denominator: "N/A", area: "Not applicable"),
            Row(period: "", numerator: "10", denominator: "100", area: "No period"),
        ]
        let r = try Self.check(rows)
        #expect(Self.findings(r) == [
            "No period  ASC013",
            "Above 2024-04 ASC003",
            "Blank 2024-04 ASC001",
            "Negative 2024-04 ASC004",
            "No numerator 2024-04 ASC011",
            "Not applicable 2024-04 ASC001",
            "Unavailable 2024-04 ASC001",
            "Unrounded 2024-04 ASC008",
            "Unsuppressed 2024-04 ASC008",
            "Unsuppressed 2024-04 ASC009",
            "Zero 2024-04 ASC002",
        ].sorted())
        let zero = try #require(r.findings.first { $0.ruleID == "ASC002" })
        #expect(zero.message == "ASCOF 1F for Zero, 2024-04: the denominator is 0 (no cases), yet the stated value is 0.0%: it should read no cases.")
        let unsuppressed = try #require(r.findings.first { $0.ruleID == "ASC009" })
        #expect(unsuppressed.severity == .fail)
        #expect(unsuppressed.observed == "numerator 3, denominator 100")
        // A return of unrounded counts (published_rounding = 1) is not held to multiples of 5.
        let unrounded = try Self.check(rows, settings: ["published_rounding": "1"])
        #expect(!unrounded.findings.contains { $0.ruleID == "ASC008" })
        #expect(unrounded.findings.contains { $0.ruleID == "ASC009" })
    }

    @Test func missingPeriods() throws {
        var rows = [Self.row("2024-01", 100, 1000), Self.row("Feb-24", 100, 1000), Self.row("April 2024", 100, 1000),
                    Self.row("2024-07", 100, 1000)]
        rows += [Self.row("Q1 2023/24", 300, 3000, area: "Quarterly"), Self.row("Q2 2023/24", 300, 3000, area: "Quarterly"),
                 Self.row("Q4 2023/24", 300, 3000, area: "Quarterly")]
        let r = try Self.check(rows)
        #expect(Self.flagged(r) == ["2024-04": ["ASC010"], "2024-07": ["ASC010"]])
        #expect(Self.flagged(r, area: "Quarterly") == ["FY2023/24 Q4": ["ASC010"]])
        let july = try #require(r.findings.first { $0.period == "2024-07" })
        #expect(july.message == "ASCOF 1F for Shire: 2 period(s) missing between 2024-04 and 2024-07.")
        #expect(r.findings.count == 3)
    }

    /// Rows with no area or no measure are in no series (ASC013 says so): they could be any area's, so they are
    /// not put together and judged as one (a 90% fall, a missing period), only reported as unplaceable.
    @Test func rowsWithABlankAreaOrMeasureAreInNoSeries() throws {
        let rows = [Self.row("2023-01", 500, 1000, area: ""), Self.row("2023-03", 50, 100, area: ""),
                    Self.row("2023-01", 60, 100, measure: ""), Self.row("2023-02", 600, 1000, measure: "")]
        let r = try Self.check(rows)
        #expect(Set(r.findings.map(\.ruleID)) == ["ASC013"])
        #expect(r.findings.count == 4)
    }

    @Test func samePeriodTwiceInAnySpelling() throws {
        let r = try Self.check([Self.row("Apr-23", 100, 1000), Self.row("2023-04", 100, 1000), Self.row("May-23", 100, 1000)])
        #expect(r.findings.map(\.ruleID) == ["ASC012", "ASC012"])
        #expect(Set(r.findings.map(\.row)) == [2, 3])
    }

    // MARK: - Thresholds as data

    @Test func denominatorChangeLimitIsASetting() throws {
        func flags(_ second: Int, _ settings: [String: String] = [:]) throws -> [String] {
            let r = try Self.check([Self.row("2024-01", 100, 1000), Self.row("2024-02", 100, second)], settings: settings)
            return r.findings.map(\.ruleID).filter { $0 == "ASC006" }
        }
        #expect(try flags(1200) == [])                    // exactly 20%: not beyond the limit
        #expect(try flags(800) == [])
        #expect(try flags(1205) == ["ASC006"])
        #expect(try flags(795) == ["ASC006"])
        #expect(try flags(1400, ["denominator_change_limit": "0.5"]) == [])
        #expect(try flags(1400, ["denominator_change_limit": "0.3"]) == ["ASC006"])
    }

    @Test func aSettingOfTheWrongKindIsRefused() throws {
        let e = captureError { _ = try Self.check([Self.row("2024-01", 100, 1000)], settings: ["denominator_change_limit": "twenty"]) }
        #expect(e?.message == "setting denominator_change_limit = \"twenty\": pack ascof needs a number (its default is 0.2)")
        #expect(e?.exitCode == 2)
    }
}
