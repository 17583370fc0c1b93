// Rules that use the history: ETH030 (a team's completeness against its recent runs' median) over five nights
// recorded in a real history; warn_when / fail_when checked when rule files load; indicator series points kept
// for next month's comparison.

import Foundation
import Testing
@testable import MHDQ

@Suite struct HistoryRuleTests {
    typealias H = HistoryTestSupport

    /// An MPI of 80 patients and one referral each: T1 sees P1–P40 (the first `validInT1` valid), T2 P41–P80 (all valid).
    func extract(_ dir: TempDir, night: Int, validInT1: Int) -> [(String, String)] {
        var mpi = "LocalPatientID,EthnicCategory\n"
        var refs = "ServiceRequestID,LocalPatientID,CareProfTeamLocalID,ReferralRequestReceivedDate\n"
        for p in 1 ... 80 {
            mpi += "P\(p),\(p <= 40 && p > validInT1 ? "" : "A")\n"
            refs += "R\(p),P\(p),\(p <= 40 ? "T1" : "T2"),2026-09-01\n"
        }
        return [("MHS001MPI", dir.write("n\(night)/mpi.csv", mpi)), ("MHS101Referral", dir.write("n\(night)/refs.csv", refs))]
    }

    @Test func teamCompletenessAgainstItsRecentMedian() throws {
        let dir = TempDir()
        let db = dir.path + "/history.sqlite"
        func night(_ n: Int, valid: Int) throws -> H.Night {
            try H.run(history: db, runID: "n\(n)", started: "2026-01-0\(n)T02:00:00Z", tables: extract(dir, night: n, validInT1: valid))
        }
        // Nights 1–3: no judgement yet (fewer than three earlier runs), even for night 3's collapse to 50%.
        for (n, valid) in [(1, 38), (2, 39), (3, 20)] {
            let r = try night(n, valid: valid)
            #expect(r.result.findings("ETH030").isEmpty, "night \(n)")
            #expect(r.result.metric("ETH030", group: "T1")?.value == Double(valid) / 40)
            #expect(!r.result.notRun.contains { $0.rule == "ETH030" })
        }
        // Night 4: 87.5% against a median of 95% (95, 97.5, 50): 7.5 points down, a warning; T2 is steady.
        let n4 = try night(4, valid: 35)
        let warn = try #require(n4.result.findings("ETH030").first)
        #expect(n4.result.findings("ETH030").count == 1)
        #expect(warn.severity == .warning)
        #expect(warn.group == "T1")
        #expect(warn.findingClass == .historical)
        #expect(warn.observed == "87.5%")
        #expect(warn.message == "Valid ethnic category for 87.5% of referred patients (35 of 40), down from a median of 95% over the team's last runs (up to 6).")
        #expect(warn.expected.contains("warn if history_count() >= 3 and history_median(value, 6) - value > 0.05"))
        #expect(n4.findings.first { $0.ruleID == "ETH030" }?.status == "new")
        // ETH020's fixed band (90% fail) catches the same night only as a failure of the band, not as a fall.
        #expect(n4.result.findings("ETH020").map(\.group) == ["T1"])
        // Night 5: 75% against a median of 91.25% (95, 97.5, 50, 87.5): a failure, persisting since night 4.
        let n5 = try night(5, valid: 30)
        let fail = try #require(n5.result.findings("ETH030").first)
        #expect(fail.severity == .fail)
        #expect(fail.message.contains("down from a median of 91.3%"))
        let tracked = try #require(n5.findings.first { $0.ruleID == "ETH030" })
        #expect(tracked.status == "persisting")
        #expect(tracked.firstSeen == "2026-01-04")
        #expect(n5.result.metric("ETH030", group: "T1")?.status == "fail")
        #expect(n5.result.metric("ETH030", group: "T2")?.status == "pass")
        // The report's top: T1's fall is among what needs attention and counted in the headline, held to the
        // rule's conditions (the metric carries them).
        #expect(n5.result.metric("ETH030", group: "T1")?.failWhen == "history_count() >= 3 and history_median(value, 6) - value > 0.10")
        let input = ReportInput.make(name: "History", runID: "n5", started: "2026-01-05T02:00:00Z", period: nil, provider: nil,
                                     result: n5.result, reconciliation: ReconciliationRow.make(n5.result), catalogue: sharedCatalogue)
        let html = HTMLReport.render(input)
        let attention = try #require(HTMLScan.matches("<ul class=\"points\">(.*?)</ul>", in: html).first?[1])
        #expect(HTMLScan.strip(attention).contains("fell against the team's recent runs: 1 of 2 failing; T1 at 75% (judged against its conditions)"))
        #expect(html.contains("measures failing or warning"))
        #expect(html.contains("Rule ETH030; held to: fail if history_count() &gt;= 3 and history_median(value, 6) - value &gt; 0.10; warn if"))
    }

    /// A rule's past is what the same version of its pack measured: after an upgrade that changes what a share counts
    /// (referrals, then patients), earlier runs' figures are not compared with (a fall of 37.5 points is not one).
    @Test func anotherPackVersionIsNotTheRulesPast() throws {
        let dir = TempDir()
        let db = dir.path + "/history.sqlite"
        for (n, valid) in [(1, 39), (2, 39), (3, 39)] {
            _ = try H.run(history: db, runID: "n\(n)", started: "2026-01-0\(n)T02:00:00Z", tables: extract(dir, night: n, validInT1: valid))
        }
        try FileManager.default.copyItem(atPath: RuleTestSupport.rulesDirectory, toPath: dir.path + "/Rules")
        let packFile = dir.path + "/Rules/packs/ethnicity/pack.toml"
        let toml = try String(contentsOfFile: packFile, encoding: .utf8)
        try toml.replacingOccurrences(of: "\nversion = \"", with: "\nversion = \"9.").write(toFile: packFile, atomically: true, encoding: .utf8)
        let upgraded = try Catalogue.load(rulesDirectory: dir.path + "/Rules")
        let night4 = { (catalogue: Catalogue, id: String) in
            try H.run(history: db, runID: id, started: "2026-01-04T02:00:00Z", tables: self.extract(dir, night: 4, validInT1: 24),
                      catalogue: catalogue)
        }
        // The same version: 60% against a median of 97.5% is a failure.
        #expect(try night4(RuleTestSupport.catalogue, "n4").result.findings("ETH030").map(\.severity) == [.fail])
        // Another version of the pack: every earlier night (n4 too) was measured by the old one, so no past, no judgement.
        #expect(try night4(upgraded, "n4b").result.findings("ETH030").isEmpty)
    }

    @Test func withoutAHistoryTheRuleSaysWhatItNeeds() throws {
        let dir = TempDir()
        let r = try RuleTestSupport.check(dir, tables: [("MHS001MPI", "LocalPatientID,EthnicCategory\nP1,A\n"),
                                                        ("MHS101Referral", "ServiceRequestID,LocalPatientID,CareProfTeamLocalID\nR1,P1,T1\n")],
                                          packs: ["ethnicity"])
        let entry = try #require(r.notRun.first { $0.rule == "ETH030" })
        #expect(entry.needs == "earlier runs (mhdq run keeps them in its history database)")
        #expect(r.metric("ETH030", group: "T1") == nil)
    }

    func loadError(_ body: String, kind: String = "aggregate") throws -> MHDQError {
        let dir = TempDir()
        try FileManager.default.copyItem(atPath: RuleTestSupport.rulesDirectory, toPath: dir.path + "/Rules")
        dir.write("Rules/packs/broken/pack.toml", "name = \"broken\"\ntitle = \"Broken\"\nversion = \"0\"\n")
        dir.write("Rules/packs/broken/bad.toml", "table = \"MHS001MPI\"\n\n[[rule]]\nid = \"BAD001\"\nkind = \"\(kind)\"\n" + body)
        let catalogue = try Catalogue.load(rulesDirectory: dir.path + "/Rules")
        do {
            _ = try CheckRun.loadPacks(["broken"], tables: catalogue.tableNames, catalogue: catalogue)
        } catch let e as MHDQError {
            #expect(e.exitCode == 2)
            return e
        }
        throw TestFailure("the broken pack loaded")
    }

    @Test func conditionsAreCheckedWhenRulesLoad() throws {
        let share = "measure = \"share\"\nnumerator = 'EthnicCategory is blank'\nmessage = \"m\"\n"
        var e = try loadError(share + "warn_when = \"EthnicCategory = 'A'\"\n")
        #expect(e.message == "\"EthnicCategory\" is not known here: warn_when and fail_when judge the measured group, named value, numerator and denominator")
        #expect(e.location?.row == 9)
        e = try loadError(share + "fail_when = \"history_median(value, 0) > value\"\n")
        #expect(e.message == "history_median() takes a whole number of runs (1 to 1000) second")
        e = try loadError(share + "fail_when = \"previous(NHSNumber) > value\"\n")
        #expect(e.message == "previous() takes value, numerator or denominator first")
        e = try loadError("when = \"history_median(value, 3) > 0\"\nmessage = \"m\"\n", kind: "record")
        #expect(e.message == "history_median() works on an aggregate rule's measure: use it in warn_when or fail_when")
        e = try loadError("when = \"EthnicCategory is blank\"\nwarn_when = \"value > 1\"\nmessage = \"m\"\n", kind: "record")
        #expect(e.message == "warn_when and fail_when judge an aggregate rule's measure; this is a record rule")
    }

    /// Indicator series points are kept per (measure, area, period): next month's run, holding only its own
    /// period, finds last month's figure to compare with.
    @Test func seriesPointsAreKeptForNextMonth() throws {
        let dir = TempDir()
        let db = dir.path + "/history.sqlite"
        func record(_ runID: String, _ series: [IndicatorSeries]) throws {
            let session = try HistorySession(path: db, info: RunInfo(runID: runID, pipeline: "returns", started: "2026-01-0\(runID.suffix(1))T02:00:00Z"), wait: 0)
            defer { session.end() }
            var result = CheckResult(stats: [], findings: [], tally: FindingTally(keep: false))
            result.series = series
            try session.record(result, info: session.info, inputs: [])
        }
        try record("m1", [IndicatorSeries(area: "Warwickshire", measure: "ASCOF1H", unit: "%", points: [
            SeriesPoint(period: "2024-02", label: "Feb-24", numerator: 7_000, denominator: 12_100, rate: 57.9),
            SeriesPoint(period: "2024-03", label: "Mar-24", numerator: 7_050, denominator: 12_000, rate: 58.75),
        ])])
        // A resubmitted March replaces the first figure.
        try record("m2", [IndicatorSeries(area: "Warwickshire", measure: "ASCOF1H", unit: "%", points: [
            SeriesPoint(period: "2024-03", label: "Mar-24", numerator: 7_060, denominator: 12_010, rate: 58.79),
        ])])
        let store = try HistoryStore(path: db, create: false)
        let earlier = store.earlierSeriesPoints(measure: "ASCOF1H", area: "Warwickshire", before: "2024-04", limit: 3)
        #expect(earlier.map(\.period) == ["2024-03", "2024-02"])
        #expect(earlier.first?.denominator == 12_010)
        #expect(store.earlierSeriesPoints(measure: "ASCOF1F", area: "Warwickshire", before: "2024-04", limit: 3).isEmpty)

        // April's return holds April only; with the history the series runs March → April, where the
        // denominator collapse shows.
        let april = IndicatorSeries(area: "Warwickshire", measure: "ASCOF1H", unit: "%", points: [
            SeriesPoint(period: "2024-04", label: "Apr-24", numerator: 180, denominator: 310, rate: 58.06),
        ])
        let extended = april.withEarlierPeriods(from: store, limit: 1)
        #expect(extended.points.map(\.period) == ["2024-03", "2024-04"])
        #expect(extended.points.first?.flags == ["history"])
        #expect(extended.points.last?.denominator == 310)
        // Periods the return already holds are not doubled.
        let both = IndicatorSeries(area: "Warwickshire", measure: "ASCOF1H", unit: "%", points: [
            SeriesPoint(period: "2024-03", label: "Mar-24", denominator: 12_000), SeriesPoint(period: "2024-04", label: "Apr-24", denominator: 310),
        ])
        #expect(both.withEarlierPeriods(from: store, limit: 2).points.map(\.period) == ["2024-02", "2024-03", "2024-04"])
    }
}
