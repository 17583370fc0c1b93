// The aggregate returns through the built binary: `check --table IndicatorReturn=FILE --pack ascof` ad hoc,
// thresholds from --setting and a manifest's [settings], the KPI findings in the exceptions file, and the
// demo manifest's returns in `mhdq run`, with the series and KPI sections in the summary.

import Foundation
import Testing
@testable import MHDQ

@Suite("Returns on the command line", .enabled(if: FileManager.default.isExecutableFile(atPath: mhdqBinary), "build mhdq first"))
struct ReturnsCommandLineTests {
    static let indicatorCSV = """
    Period,Area,Measure,Numerator,Denominator,StatedValue
    Jan-24,Shire,ASCOF 1F,"1,000","10,000",10.00%
    Feb-24,Shire,ASCOF 1F,"1,000","10,000",10.00%
    Mar-24,Shire,ASCOF 1F,950,"10,000",10.00%
    Apr-24,Shire,ASCOF 1F,"1,003","10,000",10.03%

    """

    @Test func adHocIndicatorReturn() throws {
        let file = try writeTemporaryFile(Self.indicatorCSV, name: "ascof.csv")
        let r = try mhdq("check", "--table", "IndicatorReturn=\(file)", "--pack", "ascof")
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stdout.contains("indicator series: 1 series, 4 periods, 2 flagged"))
        #expect(r.stdout.contains("  Shire / ASCOF 1F"))
        #expect(r.stdout.contains("    2024-03            950 / 10000  rate 9.5%     stated 10%      ASC005\n"))
        #expect(r.stdout.contains("    2024-04           1003 / 10000  rate 10.03%   stated 10.03%   ASC008\n"))
        #expect(r.stdout.contains("ASC005       Fail                       1  Stated percentage differs from numerator ÷ denominator"))
        // The return is not rounded after all: say so, and the count is no longer a finding.
        let unrounded = try mhdq("check", "--table", "IndicatorReturn=\(file)", "--pack", "ascof", "--setting", "published_rounding=1")
        #expect(unrounded.status == 1)
        #expect(unrounded.stdout.contains("1 flagged") && !unrounded.stdout.contains("ASC008"))
        let bad = try mhdq("check", "--table", "IndicatorReturn=\(file)", "--pack", "ascof", "--setting", "published_rounding=five")
        #expect(bad.status == 2)
        #expect(bad.stderr == "mhdq: setting published_rounding = \"five\": pack ascof needs a number (its default is 5)\n")
        #expect(try mhdq("check", "--table", "IndicatorReturn=\(file)", "--setting", "published_rounding").status == 2)
        // check --json: each series with its flagged periods.
        let json = try mhdq("check", "--table", "IndicatorReturn=\(file)", "--pack", "ascof", "--json")
        let object = try #require(try JSONSerialization.jsonObject(with: json.stdoutBytes) as? [String: Any])
        let series = try #require((object["series"] as? [[String: Any]])?.first)
        #expect(series["area"] as? String == "Shire" && series["periods"] as? Int == 4)
        let flagged = series["flagged"] as? [[String: Any]]
        #expect(flagged?.compactMap { $0["period"] as? String } == ["2024-03", "2024-04"])
        #expect((object["kpis"] as? [Any])?.isEmpty == true)
        // A pack with no official list has no coverage: say so (exit 2), not "cannot open".
        let coverage = try mhdq("rules", "coverage", "--pack", "ascof")
        #expect(coverage.status == 2 && coverage.stderr.contains("has no official rule list"))
    }

    @Test func kpiFindingsInTheExceptionsFile() throws {
        let file = try writeTemporaryFile("""
        Indicator,Organisation,Period,Target,Actual
        Appraisal rate,Trust,Q2 2026/27,85%,74.02%
        72-hour follow-up,Trust,Q2 2026/27,>75%,81.2%

        """, name: "kpi.csv")
        let dir = try makeTemporaryDirectory()
        let r = try mhdq("check", "--table", "KpiReturn=\(file)", "--pack", "kpi", "--findings", dir + "/findings.csv")
        #expect(r.status == 1)
        #expect(r.stdout.contains("KPIs: 2 rows: red 1, green 1"))
        #expect(r.stdout.contains("  red            Appraisal rate"))
        let csv = try String(contentsOfFile: dir + "/findings.csv", encoding: .utf8)
        #expect(csv.contains("KPI001,KPI breached (red),breach,Fail,KpiReturn,"))
        #expect(csv.contains(",Appraisal rate / Trust / FY2026/27 Q2,Actual,74.02%,"))
        #expect(csv.contains(",Trust,FY2026/27 Q2,74.02%,≥ 85% (amber ≥ 80%),"))
        #expect(!csv.contains("72-hour"))     // green: in the KPI table, not an exception
        let json = try mhdq("check", "--table", "KpiReturn=\(file)", "--pack", "kpi", "--json")
        let kpis = try #require((try JSONSerialization.jsonObject(with: json.stdoutBytes) as? [String: Any])?["kpis"] as? [[String: Any]])
        #expect(kpis.compactMap { $0["rag"] as? String } == ["red", "green"])
        #expect(kpis.first?["gap"] as? Double == -10.98 && kpis.first?["target_value"] as? Double == 85)
    }

    @Test func manifestSettingsOverrideThePack() throws {
        let manifest = try writeManifest("""
        [pipeline]
        packs = ["ascof"]

        [settings]
        published_rounding = 1
        denominator_change_limit = 0.01

        [[source]]
        table = "IndicatorReturn"
        file = "ascof.csv"
        """, files: ["ascof.csv": Self.indicatorCSV])
        let r = try mhdq("check", manifest)
        #expect(r.status == 1)
        #expect(!r.stdout.contains("ASC008"))
        #expect(!r.stdout.contains("ASC006"))        // the denominator does not move at all
        #expect(r.stdout.contains("ASC005"))
    }

    @Test func demoReturnsInARun() throws {
        // The demo manifest's return sources, pointed at the demo's files.
        let demo = TestPaths.packageRoot + "/Samples/demo"
        let text = try String(contentsOfFile: demo + "/pipeline.toml", encoding: .utf8)
        let returns = try #require(text.components(separatedBy: "# Aggregate returns (added by make_returns.py)").last)
        let manifest = try writeManifest("[pipeline]\nname = \"Demo returns\"\nperiod = \"2026-09\"\npacks = [\"ascof\", \"kpi\"]\n"
            + returns.replacingOccurrences(of: "file = \"", with: "file = \"\(demo)/"))
        let out = try makeTemporaryDirectory()
        let r = try mhdq("run", manifest, "--out", out)
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stdout.contains("indicator series: 8 series, 192 periods, 18 flagged"))   // Westvale 1F back from 0 in 2026-07 is one
        #expect(r.stdout.contains("  Northshire / ASCOF 1F"))
        #expect(r.stdout.contains("KPIs: 16 rows: red 6, amber 2, green 3, no target 2, not reported 2, not comparable 1"))
        #expect(r.stdout.contains("  IndicatorReturn               192 =       192 +       0\n"))
        let exceptions = try String(contentsOfFile: out + "/latest/exceptions.csv", encoding: .utf8)
        #expect(exceptions.contains(",Northshire / ASCOF 1F / 2025-12,Denominator,310,"))
        #expect(exceptions.contains("the denominator fell by 97% from"))
    }
}
