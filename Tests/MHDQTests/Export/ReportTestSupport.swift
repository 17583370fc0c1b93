// Inputs for the report tests: the demo run (Samples/demo, the real pipeline end to end) and a hand-built
// board pack with indicator series, KPIs and run history, which the series/KPI rules and the history
// database fill in a real run.

import Foundation
import Testing
@testable import MHDQ

enum ReportFixtures {
    /// The demo pipeline run the way `mhdq run` runs it (findings streamed, not kept), once for all tests.
    static let demo: (input: ReportInput, html: String) = {
        do {
            let manifest = try Manifest.load(path: TestPaths.packageRoot + "/Samples/demo/pipeline.toml", catalogue: sharedCatalogue)
            let period = manifest.period.flatMap(ReportingPeriod.init)
            var check = CheckRun(catalogue: sharedCatalogue, sources: manifest.sources, period: period, packs: manifest.packs)
            check.provider = manifest.provider
            check.submitter = manifest.submitter
            check.reference = try ReferenceLoader.load(manifest.context)
            check.keepFindings = false
            let result = try check.run()
            let input = ReportInput.make(name: manifest.name, runID: "20260922T060000Z", started: "2026-09-22T06:00:00Z",
                                         period: period, provider: manifest.provider, result: result,
                                         reconciliation: ReconciliationRow.make(result), catalogue: sharedCatalogue)
            return (input, HTMLReport.render(input))
        } catch {
            fatalError("the demo pipeline did not run: \(error)")
        }
    }()

    static func metric(_ rule: String, _ title: String, group: String, numerator: Double, denominator: Double,
                       dimensions: [String] = ["CareProfTeamLocalID"], band: Bool = true, status: String? = nil) -> Metric {
        let value = denominator > 0 ? numerator / denominator : nil
        var s = status ?? "pass"
        if status == nil, band, let v = value { s = v < 0.90 ? "fail" : v < 0.95 ? "warn" : "pass" }
        if denominator < 5 { s = "too few records" }
        var m = Metric(ruleID: rule, title: title, table: "MHS101Referral", measure: "share", group: group, value: value,
                       numerator: numerator, denominator: denominator, status: s)
        if band {
            m.warnBelow = 0.95
            m.failBelow = 0.90
        }
        m.percent = true
        m.minDenominator = 5
        m.dimensions = dimensions
        return m
    }

    static let hostileTeam = "<script>alert(\"team\")</script>"

    /// A board pack: teams (one hostile name, one too small, one nearly complete), a team-by-month grid, two
    /// ASCOF series with a denominator collapse and a stated-percentage mismatch, KPIs of every RAG, and six runs.
    static func boardInput() -> ReportInput {
        var input = ReportInput(name: "Warwickshire & Coventry <Partnership>", runID: "20260922T060000Z",
                                started: "2026-09-22T06:00:00Z", period: "2026-09", provider: "RX4")
        input.packs = [("ethnicity", "1.0.0"), ("ascof", "1.0.0")]
        input.tables = [
            ReconciliationRow(table: "MHS001MPI", read: 2_009, exported: 1_947, rejectedInStaging: 0, rejectedByRecordRules: 26, rejectedByGroupRules: 36),
            ReconciliationRow(table: "MHS002GP", read: 500, exported: 497, rejectedInStaging: 0, rejectedByRecordRules: 3, rejectedByGroupRules: 0),
            ReconciliationRow(table: "IndicatorReturn", read: 48, exported: 48, rejectedInStaging: 0, rejectedByRecordRules: 0, rejectedByGroupRules: 0),
        ]
        input.bySeverity = [(.recordRejected, 29), (.groupRejected, 36), (.fail, 4), (.warning, 3), (.info, 40)]
        input.totalFindings = 112
        input.failingFindings = 69
        input.byRule = [
            .init(rule: "MHS00171", title: "PersonBirthDate is outside of the 0-130 years age range", severity: .recordRejected, count: 4),
            .init(rule: "MHS00165", title: "NHSNumber has an incorrect data format", severity: .recordRejected, count: 25),
            .init(rule: "MHS10101", title: "No valid MPI submitted for this LocalPatientID", severity: .groupRejected, count: 36),
            .init(rule: "ETH020", title: "Share valid by team", severity: .fail, count: 3),
            .init(rule: "IND010", title: "Denominator changed by more than 50% month on month", severity: .fail, count: 1),
            .init(rule: "ETH002", title: "Ethnicity invalid & <odd>", severity: .warning, count: 3),
            .init(rule: "ETH003", title: "Ethnicity not known (99)", severity: .info, count: 40),
        ]
        input.ruleTitles = ["IND010": "Denominator changed by more than 50% month on month",
                            "IND011": "Stated percentage does not match numerator ÷ denominator"]
        input.notRun = [("MHS00154", "the national ODS organisation table ([context] ods = FILE)")]
        input.dimensionLabels = ["CareProfTeamLocalID": "Care professional team local identifier", "month(ReferralRequestReceivedDate)": "Month",
                                 "MHS000Header.OrgIDProvider": "Provider"]

        let shareTeam = "Share of referred patients with a valid ethnic category, by team"
        input.metrics = [
            { var m = metric("ETH010", "Share of patients with a valid ethnic category", group: "RX4", numerator: 1_301, denominator: 2_009,
                             dimensions: ["MHS000Header.OrgIDProvider"]); m.table = "MHS001MPI"; return m }(),
            metric("ETH020", shareTeam, group: "RUG-CMHT", numerator: 147, denominator: 345),
            metric("ETH020", shareTeam, group: "COV-CMHT", numerator: 248, denominator: 250),   // 2 without: bounded
            metric("ETH020", shareTeam, group: "WAR-CMHT", numerator: 290, denominator: 304),
            metric("ETH020", shareTeam, group: hostileTeam, numerator: 60, denominator: 100),
            metric("ETH020", shareTeam, group: "NEW-TEAM", numerator: 2, denominator: 3),        // too small
            metric("ETH020", shareTeam, group: "STR-EIP", numerator: 165, denominator: 232),
        ]
        let months = (1 ... 12).map { "2025-\($0 < 10 ? "0" : "")\($0)" } + (1 ... 9).map { "2026-0\($0)" }
        for (i, month) in months.enumerated() {
            let den = Double(60 + (i * 7) % 25)
            let share = 0.62 + Double(i) * 0.012 - (i == 14 ? 0.15 : 0)
            input.metrics.append(metric("ETH022", "Share of referred patients with a valid ethnic category, by month of referral",
                                        group: "RX4 / \(month)", numerator: (den * share).rounded(), denominator: den,
                                        dimensions: ["MHS000Header.OrgIDProvider", "month(ReferralRequestReceivedDate)"], band: false))
        }
        input.metrics.append(metric("ETH022", "Share of referred patients with a valid ethnic category, by month of referral",
                                    group: "RX4 / ", numerator: 1, denominator: 3,
                                    dimensions: ["MHS000Header.OrgIDProvider", "month(ReferralRequestReceivedDate)"], band: false))

        func ascof(_ measure: String, area: String, base: Double, rate: Double, collapse: Bool) -> IndicatorSeries {
            let labels = ["Apr-23", "May-23", "Jun-23", "Jul-23", "Aug-23", "Sep-23", "Oct-23", "Nov-23", "Dec-23", "Jan-24", "Feb-24", "Mar-24"]
            var points: [SeriesPoint] = []
            for (i, label) in labels.enumerated() {
                let period = i < 9 ? "2023-\(i + 4 < 10 ? "0" : "")\(i + 4)" : "2024-0\(i - 8)"
                var den = base + Double(i * 40)
                if collapse && (i == 5 || i == 6) { den = i == 5 ? 310 : 2_900 }
                var num = (den * rate / 100).rounded()
                if collapse && i == 5 { num = 3 }
                let computed = num / den * 100
                var flags: [String] = []
                if collapse && (i == 5 || i == 6) { flags.append("IND010") }
                var stated = (computed * 100).rounded() / 100
                if i == 9 { stated = 7.4; flags.append("IND011") }
                points.append(SeriesPoint(period: period, label: label, numerator: num, denominator: den, stated: stated,
                                          rate: computed, flags: flags))
            }
            return IndicatorSeries(area: area, measure: measure, unit: "%", points: points)
        }
        input.series = [
            ascof("ASCOF 1F: adults in contact with secondary mental health services in paid employment", area: "Coventry", base: 12_000, rate: 6.1, collapse: true),
            ascof("ASCOF 1H: adults in contact with secondary mental health services living independently", area: "Warwickshire", base: 9_000, rate: 58.3, collapse: false),
        ]
        input.kpis = [
            KPIResult(indicator: "KPI-FOLLOWUP72", title: "Follow-up within 72 hours of discharge", organisation: "RX4", period: "Q2 2026/27",
                      target: "80%", actual: "74.5%", targetValue: 80, actualValue: 74.5, unit: "%", direction: "higher", gap: -5.5,
                      rag: .red, note: "5.5 points below target, beyond the 2-point tolerance"),
            KPIResult(indicator: "KPI-EIP2WK", title: "Early intervention in psychosis: treatment within 2 weeks", organisation: "RX4",
                      period: "Q2 2026/27", target: "60%", actual: "58%", targetValue: 60, actualValue: 58, unit: "%", direction: "higher",
                      gap: -2, rag: .amber, note: "within the 5-point tolerance"),
            KPIResult(indicator: "KPI-SICKNESS", title: "Sickness absence", organisation: "RX4", period: "Q2 2026/27",
                      target: "8 days per FTE (+/- 1 day)", actual: "7.2 days per FTE", targetValue: 8, actualValue: 7.2, unit: "days per FTE",
                      direction: "lower", gap: 0.8, rag: .green, note: "better than target"),
            KPIResult(indicator: "KPI-APPRAISAL", title: "Appraisal rate", organisation: "RX4", period: "Q2 2026/27",
                      target: "85%", actual: "Information unavailable", targetValue: 85, actualValue: nil, unit: "%", direction: "higher",
                      gap: nil, rag: .notReported, note: "no actual reported"),
            KPIResult(indicator: "KPI-CED-URGENT", title: "Children's eating disorders, urgent within 1 week", organisation: "RX4",
                      period: "Q2 2026/27", target: "95%", actual: "96.1%", targetValue: 95, actualValue: 96.1, unit: "%", direction: "higher",
                      gap: 1.1, rag: .green, note: "at or beyond target"),
        ]
        let days = ["2026-09-17", "2026-09-18", "2026-09-19", "2026-09-20", "2026-09-21", "2026-09-22"]
        input.trend = days.enumerated().map { i, day in
            RunTrendPoint(runID: day.replacingOccurrences(of: "-", with: "") + "T060000Z", started: day + "T06:00:00Z", period: "2026-09",
                          findings: 160 - i * 9, opened: [0, 12, 3, 9, 7, 6][i], resolved: [0, 20, 15, 2, 16, 14][i],
                          metrics: ["ETH010|RX4": 0.60 + Double(i) * 0.01, "ETH020|RUG-CMHT": 0.35 + Double(i) * 0.015,
                                    "ETH020|WAR-CMHT": 0.93 + Double(i) * 0.004, "ETH020|STR-EIP": 0.70])
        }
        return input
    }
}

/// Small helpers over rendered HTML (regular expressions over our own, well-formed output).
enum HTMLScan {
    static func matches(_ pattern: String, in text: String) -> [[String]] {
        let re = try! NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators])
        let ns = text as NSString
        return re.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { m in
            (0 ..< m.numberOfRanges).map { m.range(at: $0).location == NSNotFound ? "" : ns.substring(with: m.range(at: $0)) }
        }
    }

    /// Every `<svg ...>...</svg>` element.
    static func svgs(_ html: String) -> [String] { matches("<svg\\b.*?</svg>", in: html).map { $0[0] } }

    /// The body rows (or with `part: "thead"` the header rows) of the first table whose caption starts with
    /// `caption`, as cell texts (th and td).
    static func tableRows(_ html: String, caption: String, part: String = "tbody") -> [[String]] {
        let escaped = NSRegularExpression.escapedPattern(for: HTMLText.escape(caption))
        guard let table = matches("<table[^>]*>\\s*<caption>\(escaped)[^<]*</caption>(.*?)</table>", in: html).first,
              let section = matches("<\(part)>(.*?)</\(part)>", in: table[1]).first else { return [] }
        return matches("<tr[^>]*>(.*?)</tr>", in: section[1]).map { row in
            matches("<t[hd][^>]*>(.*?)</t[hd]>", in: row[1]).map { strip($0[1]) }
        }
    }

    /// Text without tags, with the entities the report writes turned back.
    static func strip(_ html: String) -> String {
        var s = html.replacingOccurrences(of: "<[^>]+>", with: "", options: .regularExpression)
        for (entity, char) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
            s = s.replacingOccurrences(of: entity, with: char)
        }
        return s.trimmingCharacters(in: .whitespaces)
    }

    static func attribute(_ name: String, in element: String) -> String? {
        matches("\\b\(name)=\"([^\"]*)\"", in: element).first?[1]
    }
}
