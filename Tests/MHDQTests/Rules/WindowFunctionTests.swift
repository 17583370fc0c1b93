// The generic series machinery on its own: [[series]] grouping and period order, the window functions'
// values at every point, and loud errors for series and kpi rules that cannot work.

import Foundation
import Testing
@testable import MHDQ

@Suite struct WindowFunctionTests {
    typealias S = RuleTestSupport

    static let packToml = """
    name = "probe"
    title = "Probe"
    version = "0"
    tables = ["IndicatorReturn"]

    [settings]
    window = 3

    """

    static let probe = #"""
    table = "IndicatorReturn"

    [[series]]
    name = "by-area"
    by = ["Area"]
    numerator = "Numerator"
    denominator = "Denominator"

    [[rule]]
    id = "P001"
    kind = "series"
    when = "true"
    message = '{Period}|{prev(Numerator)}|{next(Numerator)}|{trailing_median(Numerator, setting("window"))}|{periods_missing_before(Period)}|{prev(prev(Numerator))}|{period_months(Period)}|{as_typed(Period)}|{last_reported(Numerator)}|{last_reported(Numerator, Period)}'

    [[rule]]
    id = "P002"
    kind = "series"
    where = 'Area = "B"'
    when = "Numerator > prev(Numerator)"
    observed = "{Numerator}"
    expected = "at most {prev(Numerator)}"
    message = "rose"
    """#

    @Test func windowFunctionsAtEveryPoint() throws {
        let (catalogue, dir) = try S.rules(packToml: Self.packToml, files: ["probe.toml": Self.probe])
        // Rows out of order and in mixed spellings: the series orders them by the normalised period.
        let csv = """
        Period,Area,Measure,Numerator,Denominator
        2024-06,A,m,5,100
        Jan-24,A,m,10,100
        April 2024,A,m,40,100
        2024-02,A,m,20,100
        2024-05,A,m,*,100
        2024-02,B,m,7,100
        2024-01,B,m,9,100
        2024-03,B,m,8,100

        """
        let path = dir.write("r.csv", csv)
        let sources = try CheckRun.adHocSources(["IndicatorReturn=" + path], catalogue: catalogue, read: ReadOptions())
        let r = try CheckRun(catalogue: catalogue, sources: sources, period: nil, packs: ["probe"]).run()
        let a = r.findings.filter { $0.ruleID == "P001" && $0.group == "A" }.map(\.message)
        #expect(a == [
            "2024-01||20||||1|Jan-24||",
            "2024-02|10|40|10|0||1|2024-02|10|2024-01",
            "2024-04|20|*|15|1|10|1|April 2024|20|2024-02",
            "2024-05|40|5|20|0|20|1|2024-05|40|2024-04",           // median of 10, 20, 40 (the three before)
            "2024-06|*||30|0|40|1|2024-06|40|2024-04",             // median of 20, 40 ("*" has no number); last number 40
        ])
        // where limits the periods a rule looks at; the window still holds the whole series.
        let b = r.findings.filter { $0.ruleID == "P002" }
        #expect(b.map(\.period) == ["2024-03"])      // B: 9, 7, 8 (in period order): only 8 after 7 is a rise
        #expect(b.first?.observed == "8" && b.first?.expected == "at most 7" && b.first?.recordKey == "B / 2024-03")
        // The series the report draws: ordered points, labels as typed, flags per period.
        let seriesA = try #require(r.series.first { $0.area == "A" })
        #expect(seriesA.points.map(\.period) == ["2024-01", "2024-02", "2024-04", "2024-05", "2024-06"])
        #expect(seriesA.points.map(\.numerator) == [10, 20, 40, nil, 5])
        #expect(seriesA.points.allSatisfy { $0.flags == ["P001"] && $0.denominator == 100 && $0.rate == nil && $0.stated == nil })
        #expect(seriesA.measure == "" && seriesA.unit == "")
        #expect(r.series.map(\.area) == ["A", "B"])
    }

    /// A count of periods past the series' start (1e300 included) is every period before: no crash.
    @Test func trailingMedianOfAHugeCountReadsEveryEarlierPeriod() throws {
        let rules = Self.probe.replacingOccurrences(of: #"setting("window")"#, with: "99999999999999999999")
        let (catalogue, dir) = try S.rules(packToml: Self.packToml, files: ["probe.toml": rules])
        let path = dir.write("r.csv", "Period,Area,Measure,Numerator,Denominator\n2024-01,A,m,10,1\n2024-02,A,m,20,1\n2024-03,A,m,60,1\n2024-04,A,m,1,1\n")
        let sources = try CheckRun.adHocSources(["IndicatorReturn=" + path], catalogue: catalogue, read: ReadOptions())
        let r = try CheckRun(catalogue: catalogue, sources: sources, period: nil, packs: ["probe"]).run()
        let medians = r.findings.filter { $0.ruleID == "P001" }.map { $0.message.split(separator: "|", omittingEmptySubsequences: false)[3] }
        #expect(medians == ["", "10", "15", "20"])
    }

    /// A setting a rule uses as a whole count (trailing_median()'s periods) that is not one is refused before
    /// the run reads any data, naming the setting and where the manifest sets it; a pack default, when it loads.
    @Test func settingsUsedAsWholeCountsMustBeWholeCounts() throws {
        let (catalogue, dir) = try S.rules(packToml: Self.packToml, files: ["probe.toml": Self.probe])
        let path = dir.write("r.csv", "Period,Area,Measure,Numerator,Denominator\n2024-01,A,m,5,10\n")
        let sources = try CheckRun.adHocSources(["IndicatorReturn=" + path], catalogue: catalogue, read: ReadOptions())
        var run = CheckRun(catalogue: catalogue, sources: sources, period: nil, packs: ["probe"])
        for bad in ["1e300", "2.5", "-1", "0", "1001"] {
            run.reference.settings["window"] = bad
            let e = try #require(throws: MHDQError.self) { try run.run() }
            #expect(e.exitCode == 2)
            #expect(e.message == "--setting window=\(bad): the number of periods of trailing_median() must be a whole number from 1 to 1000")
        }
        run.reference.settings["window"] = "1000000000000000000000000000000000000000"
        run.reference.settingLocations["window"] = SourceLocation(file: "pipeline.toml", row: 9, offset: 10)
        let e = try #require(throws: MHDQError.self) { try run.run() }
        #expect(e.location?.file == "pipeline.toml" && e.location?.row == 9 && e.location?.offset == 10)
        #expect(e.message.hasPrefix("setting window = 1e+39: "))
        run.reference.settings["window"] = "2"
        #expect(try run.run().findings.count == 1)
        // The pack's own default.
        let d = try loadError(Self.probe, packToml: Self.packToml.replacingOccurrences(of: "window = 3", with: "window = 2.5"))
        #expect(d.message == "setting(\"window\") is 2.5 in pack.toml [settings], but the number of periods of trailing_median() must be a whole number from 1 to 1000")
        #expect(d.location?.row == 13 && d.location?.file.hasSuffix("probe.toml") == true)
    }

    /// Through the command line: a manifest's [settings] and --setting.
    @Test func wholeCountSettingsFromTheManifestAreRefusedWithTheirPlace() throws {
        let dir = TempDir()
        let manifest = dir.write("pipeline.toml", """
        [pipeline]
        period = "2026-09"
        packs = ["ascof"]
        [[source]]
        table = "IndicatorReturn"
        file = "\(TestPaths.packageRoot)/Samples/demo/indicator_return.csv"
        [source.columns]
        "Month" = "Period"
        "Local Authority" = "Area"
        "Measure" = "Measure"
        "Numerator" = "Numerator"
        "Denominator" = "Denominator"
        [settings]
        trailing_periods = 1e300

        """)
        var m = try Manifest.load(path: manifest, catalogue: S.catalogue)
        var run = CheckRun(catalogue: S.catalogue, sources: m.sources, period: nil, packs: m.packs)
        run.reference = try ReferenceLoader.load(m.context, settings: m.settings)
        run.reference.settingLocations = m.settingLocations
        let e = try #require(throws: MHDQError.self) { try run.run() }
        #expect(e.location?.file == manifest && e.location?.row == 14)
        #expect(e.message.hasPrefix("setting trailing_periods = 1e+300: the number of periods of trailing_median()"))
        m.settings["trailing_periods"] = "6"
        run.reference = try ReferenceLoader.load(m.context, settings: m.settings)
        #expect(try run.run().findings.isEmpty == false)
    }

    // MARK: - Loud errors

    func loadError(_ rules: String, packToml: String = WindowFunctionTests.packToml, extra: [String: String] = [:]) throws -> MHDQError {
        let (catalogue, dir) = try S.rules(packToml: packToml, files: ["probe.toml": rules].merging(extra) { a, _ in a })
        _ = dir
        do {
            _ = try CheckRun.loadPacks(["probe"], tables: catalogue.tableNames, catalogue: catalogue)
        } catch let e as MHDQError {
            #expect(e.exitCode == 2)
            return e
        }
        throw TestFailure("the pack loaded")
    }

    @Test func windowFunctionsOnlyInSeriesRules() throws {
        var e = try loadError("""
        table = "IndicatorReturn"
        [[rule]]
        id = "P1"
        when = "Numerator > prev(Numerator)"
        message = "m"
        """)
        #expect(e.message == "prev() reads other periods of a series: it works only in series rules (kind = \"series\")")
        #expect(e.location?.row == 4)
        e = try loadError("""
        table = "IndicatorReturn"
        [[derive]]
        name = "Shift"
        expr = "trailing_median(Numerator, 3)"
        """)
        #expect(e.message.hasPrefix("trailing_median() reads other periods of a series"))
        e = try loadError("""
        table = "IndicatorReturn"
        [[rule]]
        id = "P1"
        when = "Numerator > 0"
        message = '{kpi("gap")}'
        """)
        #expect(e.message == "kpi() works only in kpi rules (kind = \"kpi\")")
    }

    @Test func seriesRulesNeedTheirSeries() throws {
        var e = try loadError("""
        table = "IndicatorReturn"
        [[rule]]
        id = "P1"
        kind = "series"
        when = "Numerator > 0"
        message = "m"
        """)
        #expect(e.message.hasPrefix("a series rule needs a [[series]] for IndicatorReturn"))
        e = try loadError("""
        table = "IndicatorReturn"
        [[series]]
        name = "s"
        by = ["Area"]
        [[rule]]
        id = "P1"
        kind = "series"
        series = "t"
        when = "Numerator > 0"
        message = "m"
        """)
        #expect(e.message.hasPrefix("no [[series]] named \"t\" for IndicatorReturn (declared: s)"))
        #expect(e.location?.row == 8)
        e = try loadError("""
        table = "IndicatorReturn"
        [[series]]
        name = "s"
        """)
        #expect(e.message.hasPrefix("a [[series]] needs by = [\"Area\", \"Measure\"]"))
        e = try loadError("""
        table = "IndicatorReturn"
        [[series]]
        name = "s"
        by = ["Area"]
        numerator = "Numeratr"
        """)
        #expect(e.message == "\"Numeratr\" is not a field of IndicatorReturn (did you mean Numerator?)")
        e = try loadError("""
        table = "IndicatorReturn"
        [[series]]
        name = "s"
        by = ["Area"]
        [[series]]
        name = "s"
        by = ["Measure"]
        """)
        #expect(e.message.hasPrefix("series \"s\" is declared twice"))
        e = try loadError("""
        table = "IndicatorReturn"
        [[series]]
        name = "s"
        by = ["Area"]
        history_periods = -1
        """)
        #expect(e.message == "history_periods takes a whole number of periods (0 to 1000)")
        #expect(e.location?.row == 2)
    }

    @Test func kpiRulesNeedAKpiShapedTableAndAKnownVerdict() throws {
        var e = try loadError("""
        table = "IndicatorReturn"
        [[rule]]
        id = "P1"
        kind = "kpi"
        verdict = "red"
        message = "m"
        """)
        #expect(e.message == "kpi rules read Indicator, Organisation, Period, Target, Actual; IndicatorReturn has no Indicator, Organisation, Target, Actual")
        e = try loadError("""
        table = "KpiReturn"
        [[rule]]
        id = "P1"
        kind = "kpi"
        verdict = "crimson"
        message = "m"
        """)
        #expect(e.message.hasPrefix("verdict must be one of \"red\", \"amber\", \"green\", \"no target\", \"not reported\", \"not comparable\", \"not in catalogue\""))
        #expect(e.location?.row == 5)
    }

    @Test func packFilesAndSettingsAreChecked() throws {
        var e = try loadError("table = \"IndicatorReturn\"\n", packToml: "files = [\"probe.toml\", \"gone.toml\"]\n" + Self.packToml)
        #expect(e.message.hasPrefix("pack probe lists \"gone.toml\", which is not a rule file"))
        e = try loadError("table = \"IndicatorReturn\"\n", packToml: "files = [\"probe.toml\"]\n" + Self.packToml,
                          extra: ["other.toml": "table = \"IndicatorReturn\"\n"])
        #expect(e.message.hasPrefix("pack probe lists its files but not other.toml"))
        e = try loadError("table = \"IndicatorReturn\"\n", packToml: "name = \"probe\"\n[settings]\nlimits = [1, 2]\n")
        #expect(e.message.contains("limits"))
        // setting() of a name the pack has no default for (a misspelt one) made the rule need a reference list of
        // that name, and it never ran: it is refused where it stands. Only the manifest's [context] values
        // (portal_org, upload_date) have none.
        e = try loadError("table = \"IndicatorReturn\"\n[[rule]]\nid = \"P1\"\nwhen = 'Numerator > setting(\"undeclared\")'\nmessage = \"m\"\n")
        #expect(e.message.hasPrefix("no setting \"undeclared\": give it a default in pack.toml [settings] (undeclared = ...)"))
        #expect(e.location?.row == 4 && e.location?.offset == 29)
        let (catalogue, dir) = try S.rules(packToml: Self.packToml, files: ["probe.toml": """
        table = "IndicatorReturn"
        [[rule]]
        id = "P1"
        when = 'AreaCode != setting("portal_org")'
        message = "m"
        """])
        let path = dir.write("r.csv", "Period,Area,AreaCode,Measure,Numerator,Denominator\n2024-01,A,RX5,m,5,10\n")
        let sources = try CheckRun.adHocSources(["IndicatorReturn=" + path], catalogue: catalogue, read: ReadOptions())
        var run = CheckRun(catalogue: catalogue, sources: sources, period: nil, packs: ["probe"])
        #expect(try run.run().notRun.map(\.rule) == ["P1"])
        run.reference.settings["portal_org"] = "RX4"
        let given = try run.run()
        #expect(given.notRun.isEmpty)
        #expect(given.findings.count == 1)
    }
}
