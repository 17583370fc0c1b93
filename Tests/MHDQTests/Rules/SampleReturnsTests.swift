// The demo's aggregate returns (Samples/demo/make_returns.py) through the demo manifest: every defect the
// script plants is found where it was planted and nowhere else, and the KPI workbook (openpyxl, title rows,
// percentage-formatted cells) reads exactly as its CSV twin.

import Foundation
import Testing
@testable import MHDQ

@Suite struct SampleReturnsTests {
    typealias S = RuleTestSupport

    static let demo = TestPaths.packageRoot + "/Samples/demo"

    /// The demo manifest's return sources only (the MHSDS extracts are other tests' business).
    static func returnSources() throws -> [SourceSpec] {
        let manifest = try Manifest.load(path: demo + "/pipeline.toml", catalogue: S.catalogue)
        #expect(manifest.packs?.contains("ascof") == true && manifest.packs?.contains("kpi") == true)
        return manifest.sources.filter { $0.table == "IndicatorReturn" || $0.table == "KpiReturn" }
    }

    static func run(_ sources: [SourceSpec]) throws -> CheckResult {
        try CheckRun(catalogue: S.catalogue, sources: sources, period: ReportingPeriod("2026-09"), packs: ["ascof", "kpi"]).run()
    }

    @Test func indicatorReturnDefectsWhereTheyWerePlanted() throws {
        let r = try Self.run(try Self.returnSources())
        var flags: [String: [String: [String]]] = [:]
        for s in r.series {
            for p in s.points where !p.flags.isEmpty { flags["\(s.area) / \(s.measure)", default: [:]][p.period] = p.flags }
        }
        #expect(flags == [
            // The outage: the collapse in December and the return in July; 1H's rate steps down, then climbs back
            // as the numerator recovers more slowly than the denominator.
            "Northshire / ASCOF 1F": ["2025-12": ["ASC006"], "2026-07": ["ASC006"]],
            "Northshire / ASCOF 1H": ["2025-12": ["ASC006", "ASC007"], "2026-07": ["ASC006", "ASC007"],
                                      "2026-08": ["ASC007"], "2026-09": ["ASC007"]],
            // February's 60.8% copied down for four months.
            "Eastborough / ASCOF 1H": ["2026-03": ["ASC005"], "2026-04": ["ASC005"], "2026-05": ["ASC005"], "2026-06": ["ASC005"]],
            "Riverside / ASCOF 1F": ["2026-01": ["ASC008"], "2026-02": ["ASC008"], "2026-03": ["ASC008"]],
            // A count of 3 not suppressed; June's 0 (no cases: a feed that did not arrive), and the return to 155 in July.
            "Westvale / ASCOF 1F": ["2026-02": ["ASC008", "ASC009"], "2026-06": ["ASC002", "ASC006"], "2026-07": ["ASC006"]],
            "Westvale / ASCOF 1H": ["2026-05": ["ASC010"], "2026-09": ["ASC001"]],
        ])
        // Eastborough 1F: January 2026 twice, as "2026-01" and "Jan-26".
        #expect(r.findings("ASC012").map(\.recordKey) == ["Eastborough+ASCOF 1F+2026-01", "Eastborough+ASCOF 1F+2026-01"])
        #expect(r.series.count == 8 && r.series.allSatisfy { $0.points.count >= 23 })
        #expect(r.stats.first { $0.table == "IndicatorReturn" }?.problems.isEmpty == true)
        let copied = try #require(r.findings("ASC005").first)
        #expect(copied.message.hasSuffix("(the same as the previous period: copied down?)."))
        #expect(copied.file.hasSuffix("Samples/demo/indicator_return.csv"))
    }

    @Test func kpiWorkbookVerdicts() throws {
        let r = try Self.run(try Self.returnSources())
        let verdicts = r.kpis.map { "\($0.indicator) \($0.organisation) \($0.period): \($0.rag.rawValue)" }
        #expect(verdicts == [
            "KPI-APPRAISAL Demo MH Trust FY2026/27 Q1: red",
            "KPI-APPRAISAL Demo MH Trust FY2026/27 Q2: red",
            "KPI-MANDATORY-TRAINING Demo MH Trust FY2026/27 Q2: green",
            "KPI-SICKNESS-RATE Demo MH Trust FY2026/27 Q1: amber",
            "KPI-SICKNESS-RATE Demo MH Trust FY2026/27 Q2: red",
            "KPI-TURNOVER Demo MH Trust FY2026/27 Q2: not comparable",
            "KPI-VACANCY Demo MH Trust FY2026/27 Q2: amber",
            "KPI-72H-FOLLOWUP Demo MH Trust FY2026/27 Q2: green",
            "KPI-EIP-2WW Demo MH Trust FY2026/27 Q2: not reported",
            "KPI-CYPED-URGENT Demo MH Trust FY2026/27 Q2: not reported",
            "KPI-CYPED-ROUTINE Demo MH Trust FY2026/27 Q2: red",
            "KPI-CPA-REVIEW Demo MH Trust FY2026/27 Q2: no target",
            "Out of area placements (bed days) Demo MH Trust FY2026/27 Q2: red",
            "KPI-APPRAISAL Demo County Council FY2025/26: green",
            "KPI-SICKNESS-DAYS Demo County Council FY2025/26: red",
            "KPI-SAFEGUARDING-TIMELINESS Demo County Council Jul-Sep 26: no target",
        ])
        // A percentage-formatted cell reads as the sheet shows it: 0.913 is 91.3%.
        #expect(r.kpis[2].actual == "91.3%" && r.kpis[2].actualValue == 91.3)
        // The period typed as "Jul-Sep 26" is a staging finding naming sheet, row and column; the row is still judged.
        let period = try #require(r.findings.first { $0.ruleID == "STG-PERIOD" })
        #expect(period.sheet == "KPIs" && period.row == 19 && period.field == "Period")
        // The RAG column is mapped; left empty, it is neither better nor worse than the figures, nor a bad rating.
        #expect(r.stats.first { $0.table == "KpiReturn" }?.unmappedColumns == [])
        #expect(r.findings("KPI008").isEmpty && r.findings("KPI009").isEmpty && r.findings("KPI010").isEmpty)
        #expect(r.findings("KPI001").count == 6 && r.findings("KPI006").count == 1)
    }

    @Test func kpiWorkbookReadsAsItsCSVTwin() throws {
        var xlsx = try #require(try Self.returnSources().first { $0.table == "KpiReturn" })
        var csv = SourceSpec(table: "KpiReturn", file: Self.demo + "/kpi_return.csv")
        csv.columns = xlsx.columns
        let a = try Self.run([xlsx]), b = try Self.run([csv])
        #expect(a.kpis == b.kpis)
        #expect(a.findings.map(\.message) == b.findings.map(\.message))
        // Rows line up too: the workbook's header is on row 3, the CSV's on line 1.
        #expect(a.findings.compactMap(\.row) == b.findings.compactMap { $0.row.map { $0 + 2 } })
        xlsx.headerRow = 1
        #expect(throws: MHDQError.self) { _ = try Self.run([xlsx]) }   // the title row is not a header
    }
}
