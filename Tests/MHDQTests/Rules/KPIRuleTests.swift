// The kpi pack and the KPI catalogue: every target and actual form a board's KPI return types, the RAG
// each gets, the findings a board acts on (with target, actual and gap), and loud catalogue errors.

import Foundation
import Testing
@testable import MHDQ

@Suite struct KPIRuleTests {
    typealias S = RuleTestSupport

    struct Case {
        var indicator: String
        var target: String
        var actual: String
        var rag: RAG
        var gap: Double? = nil
        var unit = ""
        var direction = ""
        var note: String? = nil
    }

    /// Each typed form with the verdict it must get (catalogue: appraisal ≥ 85% ±5, sickness days ≤ 8 ±1, ...).
    static let cases: [Case] = [
        // Percentages against a percentage target (appraisal: higher is better, tolerance 5 points).
        Case(indicator: "Appraisal rate", target: "85%", actual: "74.02%", rag: .red, gap: -10.98,
             note: "74.02% against 85%: 10.98 points short, beyond the tolerance of 5 points (red)"),
        Case(indicator: "Appraisal rate", target: "85%", actual: "82%", rag: .amber, gap: -3),
        Case(indicator: "Appraisal rate", target: "85%", actual: "80%", rag: .amber, gap: -5),        // the edge of the band
        Case(indicator: "Appraisal rate", target: "85%", actual: "79.9%", rag: .red),
        Case(indicator: "Appraisal rate", target: "85%", actual: "85%", rag: .green, gap: 0),
        Case(indicator: "APPRAISAL RATE (%)", target: "85%", actual: "91.3%", rag: .green, gap: 6.3),
        Case(indicator: "Appraisals", target: "85%", actual: "74.02", rag: .red, gap: -10.98),     // a bare number is in the KPI's unit
        // Days per FTE against a target with its own tolerance (lower is better).
        Case(indicator: "Sickness absence days per FTE", target: "8 days per FTE (+/- 1 day)", actual: "14.85 days per FTE",
             rag: .red, gap: -6.85, note: "14.85 days per FTE against 8 days per FTE (+/- 1 day): 6.85 days per FTE short, beyond the tolerance of 1 days per FTE (red)"),
        Case(indicator: "Sickness absence days per FTE", target: "8 days per FTE (+/- 1 day)", actual: "8.6 days per FTE", rag: .amber, gap: -0.6),
        Case(indicator: "Sickness absence days per FTE", target: "8 days per FTE (+/- 1 day)", actual: "9 days per FTE", rag: .amber, gap: -1),
        Case(indicator: "Sickness absence days per FTE", target: "8 days per FTE (+/- 1 day)", actual: "9.01 days per FTE", rag: .red),
        Case(indicator: "Sickness absence days per FTE", target: "8 days per FTE (+/- 1 day)", actual: "7.9 days/WTE", rag: .green, gap: 0.1),
        Case(indicator: "Days lost to sickness per FTE", target: "8", actual: "9.5", rag: .red, gap: -1.5, unit: "days per FTE"),
        // A target on a related measure: never compared silently.
        Case(indicator: "Staff turnover", target: "Retention rate is 87%", actual: "39% (rolling 12 months)", rag: .notComparable,
             note: "the target \"Retention rate is 87%\" is on Retention rate (KPI-RETENTION), the actual on Staff turnover: different measures, not compared"),
        Case(indicator: "Staff turnover", target: "Turnover is 12%", actual: "11%", rag: .green, gap: 1),   // a subject that names the KPI itself
        Case(indicator: "Staff turnover", target: "12%", actual: "39% (rolling 12 months)", rag: .red, gap: -27,
             note: "39% (rolling 12 months) against 12%: 27 points short, beyond the tolerance of 2 points (red) (actual rolling 12 months)"),
        // No target, and actuals that are not reported.
        Case(indicator: "Mandatory training", target: "N/A", actual: "88%", rag: .noTarget, note: "target \"N/A\": no target; actual 88% reported"),
        Case(indicator: "Safeguarding enquiry timeliness", target: "", actual: "71%", rag: .noTarget),   // no default target either
        Case(indicator: "EIP two-week wait", target: "60%", actual: "Information unavailable", rag: .notReported,
             note: "actual \"Information unavailable\" (unavailable): not reported"),
        Case(indicator: "EIP two-week wait", target: "60%", actual: "", rag: .notReported, note: "no actual reported"),
        Case(indicator: "EIP two-week wait", target: "60%", actual: "N/A", rag: .notReported),
        Case(indicator: "EIP two-week wait", target: "60%", actual: "*", rag: .notReported),
        // The catalogue's default target when the row leaves it blank.
        Case(indicator: "CPA review within 12 months", target: "", actual: "93.1%", rag: .amber, gap: -1.9),
        // Comparators: a strict target must be beaten; its direction must agree with the catalogue's.
        Case(indicator: "72-hour follow-up", target: ">75%", actual: "81.2%", rag: .green, gap: 6.2),
        Case(indicator: "72-hour follow-up", target: ">75%", actual: "75%", rag: .amber, gap: 0),
        Case(indicator: "72-hour follow-up", target: ">75%", actual: "69%", rag: .red),
        Case(indicator: "72-hour follow-up", target: "<75%", actual: "81%", rag: .notComparable),
        Case(indicator: "CYP eating disorders urgent within 1 week", target: "95%", actual: "96.2%", rag: .green),
        Case(indicator: "Eating disorders routine 4 weeks", target: "95%", actual: "88%", rag: .red),
        // Different units.
        Case(indicator: "Sickness absence rate", target: "4%", actual: "4.3 days", rag: .notComparable,
             note: "the actual is in days, Sickness absence rate is measured in %: not compared"),
        Case(indicator: "Sickness absence rate", target: "4 days", actual: "4.3%", rag: .notComparable,
             note: "the target is in days, the actual in %: different units, not compared"),
        Case(indicator: "Sickness absence rate", target: "4%", actual: "4.3 per cent", rag: .amber),         // spellings of one unit
        // The return's own direction.
        Case(indicator: "Appraisal rate", target: "85%", actual: "90%", rag: .notComparable, direction: "Lower is better"),
        Case(indicator: "Appraisal rate", target: "85%", actual: "90%", rag: .green, direction: "High is good"),
        Case(indicator: "Friends and family test", target: "90%", actual: "92%", rag: .green, direction: "Higher is better"),
        Case(indicator: "Friends and family test", target: "90%", actual: "92%", rag: .notComparable),
        Case(indicator: "Bed occupancy", target: "<90%", actual: "93%", rag: .red, gap: -3),
        // Counts with thousands separators, and "Unavailable" as an actual.
        Case(indicator: "Out of area placement bed days", target: "1,000", actual: "1,234", rag: .red, gap: -234, direction: "lower"),
        Case(indicator: "Vacancy rate", target: "10%", actual: "Unavailable", rag: .notReported),
        // Gaps to the decimals typed on either side: 4.5 against a whole 5.
        Case(indicator: "Sickness absence rate", target: "4.5%", actual: "5%", rag: .amber, gap: -0.5),
        Case(indicator: "Sickness absence rate", target: "4%", actual: "4.49%", rag: .amber, gap: -0.49),
        // A row's tolerance: in the target's unit, or a shortening of it, is a band; in another unit it is not.
        Case(indicator: "Sickness absence days per FTE", target: "8 days per FTE (+/- 1 days)", actual: "8.6 days per FTE", rag: .amber, gap: -0.6),
        Case(indicator: "Sickness absence days per FTE", target: "8 days/WTE (+/- 1 day)", actual: "8.6 days per FTE", rag: .amber, gap: -0.6),
        Case(indicator: "Sickness absence days per FTE", target: "8 (+/- 1 day)", actual: "8.6", rag: .amber, gap: -0.6),
        Case(indicator: "Appraisal rate", target: "85% (+/- 2%)", actual: "84%", rag: .amber, gap: -1),
        Case(indicator: "Appraisal rate", target: "85% (+/- 20 days)", actual: "70%", rag: .notComparable,
             note: "the target's tolerance is in days, the target in %: different units, not compared"),
        Case(indicator: "Sickness absence days per FTE", target: "8 days per FTE (+/- 5%)", actual: "8.6 days per FTE", rag: .notComparable,
             note: "the target's tolerance is in %, the target in days per FTE: different units, not compared"),
        Case(indicator: "Sickness absence days per FTE", target: "8 days per FTE (+/- 1 week)", actual: "8.6 days per FTE", rag: .notComparable,
             note: "the target's tolerance is in weeks, the target in days per FTE: different units, not compared"),
        Case(indicator: "Sickness absence rate", target: "4% ± 1 day", actual: "4.3%", rag: .notComparable),
    ]

    static func csv(_ cases: [Case]) -> String {
        func q(_ s: String) -> String { s.contains(",") || s.contains("\"") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s }
        var out = "Indicator,Organisation,Period,Target,Actual,Unit,Direction\n"
        for (i, c) in cases.enumerated() {
            out += [c.indicator, "Org \(i)", "Q1 2024/25", c.target, c.actual, c.unit, c.direction].map(q).joined(separator: ",") + "\n"
        }
        return out
    }

    /// The check of every case (a fresh run per test: runs are cheap, results are not Sendable).
    static var result: CheckResult { try! S.check(TempDir(), tables: [("KpiReturn", csv(cases))], packs: ["kpi"]) }

    @Test func everyFormGetsItsVerdict() throws {
        let r = Self.result
        #expect(r.kpis.count == Self.cases.count)
        for (i, c) in Self.cases.enumerated() {
            let k = r.kpis[i]
            let what = "\(c.indicator): \(c.target) / \(c.actual)"
            #expect(k.organisation == "Org \(i)")
            #expect(k.rag == c.rag, "\(what): \(k.note)")
            if let gap = c.gap { #expect(k.gap.map { abs($0 - gap) < 1e-9 } == true, "\(what): gap \(String(describing: k.gap))") }
            if let note = c.note { #expect(k.note == note, "\(what)") }
            #expect(k.target == c.target && k.actual == c.actual)
            #expect(k.period == "FY2024/25 Q1")
        }
    }

    @Test func resultCarriesTargetActualAndGap() throws {
        let r = Self.result
        let appraisal = r.kpis[0]
        #expect(appraisal.indicator == "KPI-APPRAISAL" && appraisal.title == "Appraisal rate")
        #expect(appraisal.targetValue == 85 && appraisal.actualValue == 74.02)
        #expect(appraisal.unit == "%" && appraisal.direction == "higher" && appraisal.amberLimit == 80)
        let sickness = r.kpis[7]
        #expect(sickness.indicator == "KPI-SICKNESS-DAYS" && sickness.direction == "lower" && sickness.amberLimit == 9)
        #expect(sickness.unit == "days per FTE")
        // Not in the catalogue: the name as the return gave it.
        let ffp = r.kpis.first { $0.title == "Friends and family test" }
        #expect(ffp?.indicator == "Friends and family test")
    }

    @Test func findingsForWhatABoardActsOn() throws {
        let r = Self.result
        func count(_ rule: String) -> Int { r.findings(rule).count }
        func expected(_ rag: RAG) -> Int { Self.cases.filter { $0.rag == rag }.count }
        #expect(count("KPI001") == expected(.red))
        #expect(count("KPI002") == expected(.amber))
        #expect(count("KPI003") == expected(.notReported))
        #expect(count("KPI004") == expected(.notComparable))
        #expect(count("KPI005") == expected(.noTarget))
        #expect(count("KPI006") == 4)                // Friends and family test twice, bed occupancy, out of area placements
        #expect(r.findings.count == count("KPI001") + count("KPI002") + count("KPI003") + count("KPI004") + count("KPI005") + 4)
        // Green rows are in the KPI table, not in the exceptions.
        let green = Set(r.kpis.filter { $0.rag == .green }.map(\.organisation))
        #expect(r.findings.allSatisfy { !green.contains($0.group) || $0.ruleID == "KPI006" })

        let breach = try #require(r.findings("KPI001").first)
        #expect(breach.severity == .fail && breach.findingClass == .breach)
        #expect(breach.recordKey == "Appraisal rate / Org 0 / FY2024/25 Q1")
        #expect(breach.group == "Org 0" && breach.period == "FY2024/25 Q1")
        #expect(breach.field == "Actual" && breach.value == "74.02%")
        #expect(breach.observed == "74.02%")
        #expect(breach.expected == "≥ 85% (amber ≥ 80%)")
        #expect(breach.message == "Appraisal rate for Org 0, FY2024/25 Q1: 74.02% against 85%: 10.98 points short, beyond the tolerance of 5 points (red).")
        #expect(breach.row == 2)
        let days = try #require(r.findings("KPI001").first { $0.group == "Org 7" })
        #expect(days.expected == "≤ 8 days per FTE (amber ≤ 9 days per FTE)")
        let unreported = try #require(r.findings("KPI003").first)
        #expect(unreported.severity == .warning && unreported.findingClass == .missing)
        #expect(unreported.message == "Early intervention in psychosis: treatment within 2 weeks for Org 18, FY2024/25 Q1: actual \"Information unavailable\" (unavailable): not reported (target 60%).")
        let incomparable = try #require(r.findings("KPI004").first { $0.group == "Org 13" })
        #expect(incomparable.expected == "Retention rate is 87%" && incomparable.field == "Target")
        #expect(r.findings("KPI005").allSatisfy { $0.severity == .info })
        // A red KPI is a breach: the run fails.
        #expect(r.exitCode == 1)
    }

    @Test func amberAloneDoesNotFailTheRun() throws {
        let r = try S.check(TempDir(), tables: [("KpiReturn", Self.csv([Self.cases[1]]))], packs: ["kpi"])
        #expect(r.kpis.map(\.rag) == [.amber])
        #expect(r.exitCode == 0)
    }

    @Test func catalogueShipsTheCommonKPIs() throws {
        let catalogue = try KPICatalogue.load(directory: S.rulesDirectory + "/kpi")
        let expected: [(String, String)] = [
            ("appraisal rate", "KPI-APPRAISAL"), ("sickness absence rate", "KPI-SICKNESS-RATE"),
            ("sickness absence days per FTE", "KPI-SICKNESS-DAYS"), ("staff turnover", "KPI-TURNOVER"),
            ("72-hour follow-up", "KPI-72H-FOLLOWUP"), ("EIP two-week wait", "KPI-EIP-2WW"),
            ("eating disorders urgent 1 week", "KPI-CYPED-URGENT"), ("eating disorders routine 4 weeks", "KPI-CYPED-ROUTINE"),
            ("CPA review within 12 months", "KPI-CPA-REVIEW"), ("care plan review", "KPI-CPA-REVIEW"),
            ("safeguarding enquiry timeliness", "KPI-SAFEGUARDING-TIMELINESS"),
        ]
        for (name, id) in expected { #expect(catalogue.kpi(named: name)?.id == id, "\(name)") }
        #expect(catalogue.kpi(named: "72-hour follow-up")?.target == 80)
        #expect(catalogue.kpi(named: "EIP 2WW")?.target == 60)
        #expect(catalogue.kpi(named: "CYP ED urgent")?.target == 95)
        #expect(catalogue.unit("Per Cent") == "%")
        #expect(catalogue.direction("↓") == "lower")
        #expect(catalogue.direction("sideways") == nil)
    }

    /// KPI007 keys on the KPI a row means (kpi_id(Indicator), else the name trimmed and in lower case): the same
    /// KPI under two of its names or in two cases is reported twice; another period or organisation is not.
    @Test func reportedTwiceUnderAnotherNameOrCase() throws {
        let csv = """
            Indicator,Organisation,Period,Target,Actual,Unit,Direction
            Ethnicity recording,Trust A,Q1 2024/25,90%,91%,,Higher is better
            ETHNICITY RECORDING,Trust A,Q1 2024/25,90%,92%,,Higher is better
            Ethnicity recording,Trust A,Q2 2024/25,90%,91%,,Higher is better
            Appraisal rate,Trust A,Q1 2024/25,85%,80%,,
            Appraisals,Trust A,Q1 2024/25,85%,81%,,
            Appraisal rate,Trust A,Q2 2024/25,85%,80%,,
            Appraisal rate,Trust B,Q1 2024/25,85%,80%,,
            Staff turnover,Trust A,Q1 2024/25,12%,11%,,

            """
        let r = try S.check(TempDir(), tables: [("KpiReturn", csv)], packs: ["kpi"])
        let twice = r.findings("KPI007")
        #expect(twice.compactMap(\.row) == [2, 3, 5, 6])
        #expect(twice.map(\.value) == ["Ethnicity recording", "ETHNICITY RECORDING", "Appraisal rate", "Appraisals"])
        #expect(twice.map(\.recordKey) == ["ethnicity recording+Trust A+FY2024/25 Q1", "ethnicity recording+Trust A+FY2024/25 Q1",
                                            "KPI-APPRAISAL+Trust A+FY2024/25 Q1", "KPI-APPRAISAL+Trust A+FY2024/25 Q1"])
        #expect(twice.last?.message == "Appraisals for Trust A, FY2024/25 Q1 is reported more than once (under this or another of its names).")
    }

    /// The return's own RAG column against the verdict its figures give: rated better (a breach shown as green) fails,
    /// rated worse warns, anything not a rating is reported; a row that agrees, or gives no RAG, is not.
    @Test func typedRAGAgainstTheFigures() throws {
        let csv = """
            Indicator,Organisation,Period,Target,Actual,RAG
            Appraisal rate,Org 1,Q1 2024/25,85%,74.02%,Green
            Appraisal rate,Org 2,Q1 2024/25,85%,82%,g
            Appraisal rate,Org 3,Q1 2024/25,85%,74.02%, RED
            Appraisal rate,Org 4,Q1 2024/25,85%,91%,Red
            Appraisal rate,Org 5,Q1 2024/25,85%,91%,Amber
            Appraisal rate,Org 6,Q1 2024/25,85%,82%,Amber
            Appraisal rate,Org 7,Q1 2024/25,85%,91%,Blue
            Appraisal rate,Org 8,Q1 2024/25,85%,74.02%,B
            Appraisal rate,Org 9,Q1 2024/25,85%,91%,TBC
            Appraisal rate,Org 10,Q1 2024/25,85%,74.02%,
            Appraisal rate,Org 11,Q1 2024/25,85%,Information unavailable,Green

            """
        let r = try S.check(TempDir(), tables: [("KpiReturn", csv)], packs: ["kpi"])
        #expect(r.findings("KPI008").map(\.group) == ["Org 1", "Org 2", "Org 8"])
        #expect(r.findings("KPI009").map(\.group) == ["Org 4", "Org 5"])
        #expect(r.findings("KPI010").map(\.group) == ["Org 9"])
        let better = try #require(r.findings("KPI008").first)
        #expect(better.severity == .fail && better.findingClass == .inconsistent && better.field == "RAG" && better.value == "G")
        #expect(better.message == "Appraisal rate for Org 1, FY2024/25 Q1: the return rates it green but the figures make it red: 74.02% against 85%: 10.98 points short, beyond the tolerance of 5 points (red).")
        #expect(r.findings("KPI009").allSatisfy { $0.severity == .warning })
        #expect(r.findings("KPI010").first?.message == "RAG \"TBC\" for Appraisal rate, Org 9, FY2024/25 Q1 is not a rating (Red, Amber, Green or Blue).")
    }

    @Test func kpiIDReadsTheCatalogue() throws {
        #expect(try S.eval("kpi_id(Indicator)", table: "KpiReturn", ["Indicator": .text("staff TURNOVER rate")]) == .text("KPI-TURNOVER"))
        #expect(try S.eval("kpi_id(Indicator)", table: "KpiReturn", ["Indicator": .text("Ethnicity recording")]) == .null)
        #expect(try S.eval("kpi_id(Indicator)", table: "KpiReturn") == .null)
    }

    /// A tolerance's unit is the value's unit, or a shortening of it (its leading words, singular or plural);
    /// any other unit is another measure, never read as a band in the value's unit.
    @Test func toleranceUnitIsTheValuesUnitOrAShortening() throws {
        let catalogue = try KPICatalogue.load(directory: S.rulesDirectory + "/kpi")
        let same: [(String, String, [String])] = [
            ("", "%", []), ("%", "%", []), ("per cent", "%", []), ("day", "days per FTE", []), ("days", "days per FTE", []),
            ("Day", "days per FTE", ["days/WTE"]), ("days per WTE", "days per FTE", []), ("day per FTE", "days per FTE", []),
            ("day", "days", []), ("wk", "weeks", []),
            // A shortening of a catalogue spelling of the unit, with or without the row's own spelling of it.
            ("day per WTE", "days per FTE", []), ("day/WTE", "days per FTE", ["days per WTE"]),
        ]
        for (typed, unit, spellings) in same {
            #expect(catalogue.tolerance(unit: typed, isIn: unit, spellings: spellings), "\(typed) in \(unit)")
        }
        let other: [(String, String)] = [
            ("days", "%"), ("day", "%"), ("%", "days"), ("%", "days per FTE"), ("week", "days per FTE"), ("FTE", "days per FTE"),
            ("days per month", "days per FTE"), ("points", "%"), ("pts", "%"), ("days", ""),
        ]
        for (typed, unit) in other {
            #expect(!catalogue.tolerance(unit: typed, isIn: unit), "\(typed) in \(unit)")
        }
    }

    /// The same red row, its unit typed beside the figures or in the Unit column: red either way (a tolerance in
    /// the unit's singular "day per WTE" was "not comparable" when the unit stood in the Unit column).
    @Test func unitColumnRowsKeepTheirVerdict() throws {
        let csv = """
            Indicator,Organisation,Period,Target,Actual,Unit,Direction
            Sickness absence days per FTE,Org 1,2026-04,8 (+/- 1 day per WTE),11.2,days per WTE,
            Sickness absence days per FTE,Org 2,2026-04,8 days per WTE (+/- 1 day per WTE),11.2 days per WTE,,
            Sickness absence days per FTE,Org 3,2026-04,8 (+/- 1 day/WTE),8.6,days/WTE,

            """
        let r = try S.check(TempDir(), tables: [("KpiReturn", csv)], packs: ["kpi"])
        #expect(r.kpis.map(\.rag) == [.red, .red, .amber], "\(r.kpis.map(\.note))")
    }

    // MARK: - Catalogue errors

    func catalogueError(_ file: String) throws -> MHDQError {
        let dir = TempDir()
        try FileManager.default.copyItem(atPath: S.rulesDirectory + "/kpi", toPath: dir.path + "/kpi")
        dir.write("kpi/zz-bad.toml", file)
        do {
            _ = try KPICatalogue.load(directory: dir.path + "/kpi")
        } catch let e as MHDQError {
            #expect(e.exitCode == 2)
            return e
        }
        throw TestFailure("the catalogue loaded")
    }

    @Test func catalogueErrorsAreLocated() throws {
        var e = try catalogueError("[[kpi]]\nid = \"X\"\ntitle = \"X\"\ndirection = \"up\"\nunit = \"%\"\n")
        #expect(e.message == "direction must be \"higher\" or \"lower\" (is better), not \"up\"")
        #expect(e.location?.row == 4 && e.location?.file.hasSuffix("zz-bad.toml") == true)
        e = try catalogueError("[[kpi]]\nid = \"X\"\ntitle = \"Staff leavers\"\ndirection = \"lower\"\nunit = \"%\"\nnames = [\"Turnover\"]\n")
        #expect(e.message.hasPrefix("the name \"Turnover\" of X is already a name of KPI-TURNOVER"))
        e = try catalogueError("[[kpi]]\nid = \"X\"\ntitle = \"X\"\ndirection = \"lower\"\nunit = \"furlongs\"\n")
        #expect(e.message == "unit \"furlongs\" of X is not a [[unit]] of the catalogue (add it with its spellings)")
        e = try catalogueError("[[kpi]]\nid = \"X\"\ntitle = \"X\"\ndirection = \"lower\"\nunit = \"%\"\ntarget = \"ten\"\n")
        #expect(e.location?.row == 6)
        e = try catalogueError("[[kpi]]\nid = \"X\"\ntitle = \"X\"\ndirection = \"lower\"\nunit = \"%\"\ncolour = \"red\"\n")
        #expect(e.message.contains("colour"))
        e = try catalogueError("[directions]\nhigher = [\"down\"]\n")
        #expect(e.message == "direction spelling \"down\" is listed under both higher and lower")
    }
}
