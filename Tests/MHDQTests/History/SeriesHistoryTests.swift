// Series rules over the run history: a monthly indicator return holds one period, so the month-on-month rules
// (ASC006 denominator collapse, ASC007 rate shift, ASC010 gap) compare it with the periods earlier runs recorded.
// The earlier periods are context only: judged and recorded once, in their own run.

import Foundation
import Testing
@testable import MHDQ

@Suite struct SeriesHistoryTests {
    typealias H = HistoryTestSupport

    /// An ascof return of one area and measure, one row per (period, numerator, denominator, stated).
    func indicatorReturn(_ dir: TempDir, _ name: String, _ rows: [(String, String, String, String)]) -> [(String, String)] {
        let csv = "Period,Area,Measure,Numerator,Denominator,StatedValue\n"
            + rows.map { "\($0.0),Shire,ASCOF 1F,\"\($0.1)\",\"\($0.2)\",\($0.3)" }.joined(separator: "\n") + "\n"
        return [("IndicatorReturn", dir.write(name, csv))]
    }

    func night(_ db: String, _ n: Int, _ tables: [(String, String)]) throws -> H.Night {
        try H.run(history: db, runID: "n\(n)", started: "2026-10-0\(n)T02:00:00Z", tables: tables, packs: ["ascof"])
    }

    func findings(_ r: CheckResult) -> [String] { r.findings.map { "\($0.period) \($0.ruleID)" }.sorted() }

    @Test func denominatorCollapseAgainstLastMonthsReturn() throws {
        let dir = TempDir()
        let db = dir.path + "/history.sqlite"
        let august = try night(db, 1, indicatorReturn(dir, "aug.csv", [("Aug-26", "1,200", "12,000", "10.00%")]))
        #expect(august.result.findings.isEmpty, "\(findings(august.result))")

        // September's return holds September only: the outage shows against August from the history.
        let september = try night(db, 2, indicatorReturn(dir, "sep.csv", [("Sep-26", "90", "300", "30.00%")]))
        #expect(findings(september.result) == ["2026-09 ASC006", "2026-09 ASC007"])
        let collapse = try #require(september.result.findings.first { $0.ruleID == "ASC006" })
        #expect(collapse.recordKey == "Shire / ASCOF 1F / 2026-09")
        #expect(collapse.value == "300" && collapse.row == 2 && collapse.file.hasSuffix("sep.csv"))
        #expect(collapse.observed == "300 (12,000 in 2026-08)")
        #expect(collapse.expected == "within 20% of 12,000")
        #expect(collapse.message == "ASCOF 1F for Shire, 2026-09: the denominator fell by 98% from 12,000 in 2026-08 to 300: a system outage or a change in what is counted?")
        // The rate of the history point is derived as for a row of the return: 1,200 of 12,000.
        let shift = try #require(september.result.findings.first { $0.ruleID == "ASC007" })
        #expect(shift.message.contains("moved from 10% in 2026-08 to 30%"))
        #expect(september.findings.allSatisfy { $0.status == "new" })

        // The series the report draws is this return's: August is not plotted, judged or recorded again.
        let series = try #require(september.result.series.first)
        #expect(series.points.map(\.period) == ["2026-09"])
        #expect(series.points[0].flags == ["ASC006", "ASC007"])
        let store = try HistoryStore(path: db, create: false)
        #expect(try store.db.integer("SELECT count(*) FROM metrics WHERE rule_id = 'series:ASCOF 1F'") == 2)
        #expect(try store.db.integer("SELECT count(*) FROM metrics WHERE rule_id = 'series:ASCOF 1F' AND period = '2026-08'") == 1)
        let kept = store.earlierSeriesPoints(measure: "ASCOF 1F", area: "Shire", before: "2026-10", limit: 12)
        #expect(kept.map(\.period) == ["2026-09", "2026-08"] && kept.map(\.denominator) == [300, 12_000])
    }

    @Test func steadyDenominatorAgainstLastMonthIsNoFinding() throws {
        let dir = TempDir()
        let db = dir.path + "/history.sqlite"
        _ = try night(db, 1, indicatorReturn(dir, "aug.csv", [("Aug-26", "1,200", "12,000", "10.00%")]))
        let september = try night(db, 2, indicatorReturn(dir, "sep.csv", [("Sep-26", "1,190", "11,900", "10.00%")]))
        #expect(september.result.findings.isEmpty, "\(findings(september.result))")
        #expect(september.result.series.first?.points.map(\.period) == ["2026-09"])
    }

    /// `mhdq check` (and `mhdq run --no-history`) hands the rules no history: August is recorded, but not read.
    @Test func withoutHistoryThereIsNothingToCompare() throws {
        let dir = TempDir()
        _ = try night(dir.path + "/history.sqlite", 1, indicatorReturn(dir, "aug.csv", [("Aug-26", "1,200", "12,000", "10.00%")]))
        let sep = indicatorReturn(dir, "sep.csv", [("Sep-26", "90", "300", "30.00%")])[0]
        let r = try RuleTestSupport.check(dir, tables: [(sep.0, try String(contentsOfFile: sep.1, encoding: .utf8))], packs: ["ascof"])
        #expect(r.findings.isEmpty, "\(findings(r))")
        #expect(r.series.first?.points.map(\.period) == ["2026-09"])
    }

    @Test func monthsMissingSinceTheLastReturnAreAGap() throws {
        let dir = TempDir()
        let db = dir.path + "/history.sqlite"
        _ = try night(db, 1, indicatorReturn(dir, "jun.csv", [("Jun-26", "1,200", "12,000", "10.00%")]))
        let september = try night(db, 2, indicatorReturn(dir, "sep.csv", [("Sep-26", "1,190", "11,900", "10.00%")]))
        let gap = try #require(september.result.findings.first)
        #expect(findings(september.result) == ["2026-09 ASC010"])
        #expect(gap.message == "ASCOF 1F for Shire: 2 period(s) missing between 2026-06 and 2026-09.")
    }

    /// A trend of a series is run by run: each run's latest period, whatever earlier periods its return holds. It listed
    /// every period of every run (five points for three runs), so its last two points were two months of one run.
    @Test func seriesTrendIsRunByRun() throws {
        let dir = TempDir()
        let db = dir.path + "/history.sqlite"
        _ = try night(db, 1, indicatorReturn(dir, "aug.csv", [("Jul-26", "1,000", "10,000", ""), ("Aug-26", "1,100", "10,000", "")]))
        _ = try night(db, 2, indicatorReturn(dir, "sep.csv", [("Aug-26", "1,100", "10,000", ""), ("Sep-26", "1,200", "10,000", "")]))
        _ = try night(db, 3, indicatorReturn(dir, "sep2.csv", [("Sep-26", "1,300", "10,000", "")]))
        let store = try HistoryStore(path: db, create: false)
        for group in [nil, "Shire"] {
            let points = try store.trend(rule: "series:ASCOF 1F", group: group)
            #expect(points.map(\.runID) == ["n1", "n2", "n3"])
            #expect(points.map(\.period) == ["2026-08", "2026-09", "2026-09"])
            #expect(points.map(\.value) == [11, 12, 13])
            #expect(points.map(\.numerator) == [1_100, 1_200, 1_300])
        }
        #expect(try store.trend(rule: "series:ASCOF 1F", limit: 2).map(\.runID) == ["n2", "n3"])
    }

    /// A resubmitted earlier month in this month's file is the return's own figure, not the history's.
    @Test func periodsTheReturnHoldsComeFromTheReturn() throws {
        let dir = TempDir()
        let db = dir.path + "/history.sqlite"
        _ = try night(db, 1, indicatorReturn(dir, "aug.csv", [("Aug-26", "1,200", "12,000", "10.00%")]))
        let both = try night(db, 2, indicatorReturn(dir, "sep.csv", [("Aug-26", "30", "300", "10.00%"), ("Sep-26", "30", "300", "10.00%")]))
        #expect(both.result.findings.isEmpty, "\(findings(both.result))")
        #expect(both.result.series.first?.points.map(\.period) == ["2026-08", "2026-09"])
    }
}
