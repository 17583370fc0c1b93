// report.html on the demo run and on a hand-built board pack: self-contained, no identifiers, small counts
// suppressed, accessible charts whose data tables carry the same numbers, RAG in words, hostile text escaped.

import Foundation
import Testing
@testable import MHDQ

@Suite struct HTMLReportTests {
    static let forbidden = ["http:", "https:", "src=", "url(", "<link", "<script", "@import", "xlink:href", "<iframe", "<object", "<img"]

    @Test func demoReportIsSelfContained() {
        let html = ReportFixtures.demo.html.lowercased()
        for f in Self.forbidden { #expect(!html.contains(f), "report.html contains \(f)") }
        let board = HTMLReport.render(ReportFixtures.boardInput()).lowercased()
        for f in Self.forbidden { #expect(!board.contains(f), "board report contains \(f)") }
        #expect(html.hasPrefix("<!doctype html>"))
        #expect(html.contains("<html lang=\"en-gb\">"))
    }

    @Test func demoReportHasNoPatientIdentifier() throws {
        let html = ReportFixtures.demo.html
        // Every identifying value of the demo extracts: NHS numbers, local patient ids, referral and contact
        // ids, postcodes, dates of birth.
        let columns: [String: [String]] = ["mpi.csv": ["Patient ID", "NHS No", "Postcode", "DOB"],
                                           "referrals.csv": ["Referral ID", "Patient ID"], "contacts.csv": ["Contact ID", "Referral ID"],
                                           "gp.csv": ["Patient ID"], "accommodation.csv": ["Patient ID"], "employment.csv": ["Patient ID"],
                                           "other_services.csv": ["Referral ID"]]
        var identifiers = Set<String>()
        for (file, names) in columns {
            var reader = try CSVReader(path: TestPaths.packageRoot + "/Samples/demo/" + file, encoding: .utf8)
            var row = RawRow()
            _ = try reader.next(into: &row)
            let header = row.fields
            let indices = names.map { header.firstIndex(of: $0)! }
            while try reader.next(into: &row) {
                for i in indices where i < row.count {
                    let v = row.string(i).trimmingCharacters(in: .whitespaces)
                    if v.count >= 5 { identifiers.insert(v) }
                }
            }
        }
        #expect(identifiers.count > 10_000)
        // Words of the page (runs of letters and digits), single and in pairs (postcodes have a space), and
        // every date-like text.
        let words = html.split { !($0.isLetter || $0.isNumber) }.map(String.init)
        var found = Set(words)
        for i in words.indices.dropLast() { found.insert(words[i] + " " + words[i + 1]) }
        for m in HTMLScan.matches("[0-9]{1,4}[/-][0-9]{1,2}[/-][0-9]{2,4}", in: html) { found.insert(m[0]) }
        let leaked = identifiers.filter { found.contains($0) || found.contains($0.replacingOccurrences(of: " ", with: "")) }
        #expect(leaked.isEmpty, "identifiers in report.html: \(leaked.sorted().prefix(10))")
    }

    @Test func demoReportSuppressesSmallCounts() {
        let (input, html) = (ReportFixtures.demo.input, ReportFixtures.demo.html)
        // A rule with 4 findings (MHS00171) shows "<5", never its count.
        let rules = HTMLScan.tableRows(html, caption: "Findings by rule")
        let aggregateRules = Set(input.metrics.map(\.ruleID))
        let small = input.byRule.filter { SmallCounts.isSmall($0.count) && $0.countsPeople && !aggregateRules.contains($0.rule) }
        #expect(!small.isEmpty)
        for r in small {
            let row = rules.first { $0.first == r.rule }
            #expect(row?.last == "<5", "\(r.rule): \(row?.joined(separator: " | ") ?? "no row")")
        }
        // No numeric cell of any other table holds a count from 1 to 4.
        let tables = HTMLScan.matches("<table[^>]*>\\s*<caption>([^<]*)</caption>(.*?)</table>", in: html)
        #expect(tables.count > 5)
        for t in tables where !t[1].hasPrefix("Findings by rule") {
            for cell in HTMLScan.matches("<td class=\"num\">([^<]*)</td>", in: t[2]) {
                #expect(!["1", "2", "3", "4"].contains(cell[1]), "\(t[1]): a count under 5 is shown")
            }
        }
        // Team-by-month shares: most months of a small team are too small to show; they are "<5", "*" or bounds.
        let eth021 = HTMLScan.tableRows(html, caption: "Share of referred patients with a valid ethnic category, by team and month of referral")
        #expect(eth021.contains { $0.count == 5 && $0[2] == "<5" && $0[3] == "<5" })
        #expect(eth021.contains { $0.count == 5 && $0[2] == "*" && $0[3] == "*" })
    }

    @Test func suppressedFindingsCannotBeWorkedOutFromTheirSeverity() throws {
        // The demo's warnings: ETH002 and MHS00133 have 1 finding each ("<5"); the rules beside them whose
        // counts are periods or KPIs flagged (ASC..., KPI...) are shown, 1 and 2 among them. The Warning total
        // less the rows shown must leave each "<5" or "*" row more than one value: what a row of "<5" (1 to 4)
        // or "*" (5 or more; 1 or more for a rule that counts no people) can take, given the other rows.
        let (input, html) = (ReportFixtures.demo.input, ReportFixtures.demo.html)
        let byRule = HTMLScan.tableRows(html, caption: "Findings by rule")
        let bySeverity = HTMLScan.tableRows(html, caption: "Findings by severity")
        let groupRules = Set(input.metrics.map(\.ruleID)).union(input.series.flatMap { $0.points.flatMap(\.flags) })
            .union(input.byRule.filter { !$0.countsPeople }.map(\.rule))
        let warning = try #require(byRule.first { $0[0] == "ETH002" })
        #expect(warning.last == "<5")
        #expect(byRule.first { $0[0] == "MHS00133" }?.last == "<5")
        var checked = 0
        for severity in bySeverity {
            guard let total = Int(severity[1].replacingOccurrences(of: ",", with: "")) else { continue }
            let rows = byRule.filter { $0[2].hasSuffix(" " + severity[0]) && String($0[2].dropFirst(2)) == severity[0] }
            let shown = rows.compactMap { Int($0.last!.replacingOccurrences(of: ",", with: "")) }.reduce(0, +)
            let ranges = rows.filter { Int($0.last!.replacingOccurrences(of: ",", with: "")) == nil }.map { row -> (rule: String, lo: Int, hi: Int) in
                row.last == "<5" ? (row[0], 1, 4) : (row[0], groupRules.contains(row[0]) ? 1 : 5, Int.max / 4)
            }
            let left = total - shown
            for (i, r) in ranges.enumerated() {
                let others = ranges.enumerated().filter { $0.offset != i }.map(\.element)
                let lo = max(r.lo, left - others.map(\.hi).reduce(0, +)), hi = min(r.hi, left - others.map(\.lo).reduce(0, +))
                checked += 1
                #expect(lo < hi, "\(severity[0]): \(r.rule) is \(lo) ... \(hi) (total \(total), shown \(shown))")
            }
        }
        #expect(checked >= 6)
    }

    @Test func findingsTotalIsHiddenWhenItWouldGiveTheInformationCountBack() {
        // 20 + 10 findings at a failing level and 30 warnings (both in the headline), 3 for information: the
        // total, 63, less 30 and 30 is the 3. The total is hidden, in the findings and in the run-by-run table.
        var input = ReportInput(name: "Small trust", runID: "R2", started: "2026-09-22T06:00:00Z")
        input.byRule = [.init(rule: "A", title: "a", severity: .recordRejected, count: 20), .init(rule: "B", title: "b", severity: .fail, count: 10),
                        .init(rule: "C", title: "c", severity: .warning, count: 30), .init(rule: "D", title: "d", severity: .info, count: 3)]
        input.bySeverity = [(.recordRejected, 20), (.fail, 10), (.warning, 30), (.info, 3)]
        input.totalFindings = 63
        input.failingFindings = 30
        input.trend = [RunTrendPoint(runID: "R1", started: "2026-09-21T06:00:00Z", period: "2026-09", findings: 70, opened: 0, resolved: 0, metrics: [:]),
                       RunTrendPoint(runID: "R2", started: "2026-09-22T06:00:00Z", period: "2026-09", findings: 63, opened: 0, resolved: 7, metrics: [:])]
        let html = HTMLReport.render(input)
        #expect(html.contains("30 findings are at a failing level"))
        #expect(HTMLScan.tableRows(html, caption: "Findings by severity").map { $0[1] } == ["20", "10", "30", "<5"])
        #expect(html.contains("<tfoot><tr><th scope=\"row\">Total</th><td class=\"num\">*</td></tr></tfoot>"))
        for leak in [">63<", "Total 63", ": 63"] { #expect(!html.contains(leak), "\(leak)") }
        #expect(html.contains("Total *."))
        #expect(HTMLScan.tableRows(html, caption: "Findings per run").map { $0[2] } == ["70", "*"])
    }

    @Test func suppressedMonthsCannotBeRecoveredFromTotals() {
        // Every line (a team's months, a month's teams, the provider's months) hides either no cell or at least two.
        let metrics = ReportFixtures.demo.input.metrics
        for rule in ["ETH021", "ETH022", "ETH020"] {
            let cells = MetricDisclosure.protect(metrics.filter { $0.ruleID == rule })
            #expect(!cells.isEmpty)
            var lines: [String: [MetricCell]] = [:]
            for c in cells {
                lines["row " + c.parts.dropLast().joined(separator: "/"), default: []].append(c)
                if c.parts.count > 1 { lines["column " + c.parts.last!, default: []].append(c) }
            }
            if cells.first!.parts.count == 1 { lines = ["all": cells] }
            for (name, line) in lines where line.count > 1 {
                let hiddenDenominators = line.filter { $0.shown == .small || $0.shown == .hidden }.count
                let inexactNumerators = line.filter { $0.shown != .exact }.count
                #expect(hiddenDenominators != 1, "\(rule) \(name)")
                #expect(inexactNumerators != 1, "\(rule) \(name)")
            }
        }
    }

    @Test func everyChartIsAnImageWithATitleAndEveryTableHasHeaders() {
        for html in [ReportFixtures.demo.html, HTMLReport.render(ReportFixtures.boardInput())] {
            let svgs = HTMLScan.svgs(html)
            #expect(svgs.count >= 4)
            for svg in svgs {
                let open = HTMLScan.matches("<svg[^>]*>", in: svg)[0][0]
                #expect(HTMLScan.attribute("role", in: open) == "img")
                let id = HTMLScan.attribute("id", in: open) ?? ""
                #expect(HTMLScan.attribute("aria-labelledby", in: open) == "\(id)-title \(id)-desc")
                #expect(svg.contains("<title id=\"\(id)-title\">"))
                #expect(svg.contains("<desc id=\"\(id)-desc\">"))
                let title = HTMLScan.matches("<title[^>]*>([^<]*)</title>", in: svg).first?[1] ?? ""
                #expect(!title.isEmpty)
            }
            let ids = HTMLScan.matches("\\bid=\"([^\"]+)\"", in: html).map { $0[1] }
            #expect(Set(ids).count == ids.count, "duplicate ids")
            let tables = HTMLScan.matches("<table\\b(.*?)</table>", in: html)
            #expect(tables.count >= 5)
            for t in tables {
                #expect(t[1].contains("<caption>"))
                #expect(t[1].contains("<th scope=\"col\">") || t[1].contains("<th scope=\"col\" class=\"num\">"))
                for header in HTMLScan.matches("<th\\b[^>]*>", in: t[1]) {
                    #expect(header[0].contains("scope=\"col\"") || header[0].contains("scope=\"row\""), "\(header[0])")
                }
            }
            // Every chart is followed by a data table with the same numbers.
            #expect(html.components(separatedBy: "<summary>Data table</summary>").count - 1 >= HTMLScan.matches("<figure>", in: html).count)
        }
    }

    @Test func barChartMatchesItsDataTable() throws {
        let (input, html) = (ReportFixtures.demo.input, ReportFixtures.demo.html)
        let title = "Share of referred patients with a valid ethnic category, by team"
        let svg = try #require(HTMLScan.svgs(html).first { $0.contains("<title id=\"chart-") && $0.contains(">\(title)</title>") })
        let rows = HTMLScan.tableRows(html, caption: title).filter { $0.count == 6 }
        let teams = input.metrics.filter { $0.ruleID == "ETH020" }
        #expect(rows.count == teams.count)
        for m in teams {
            let row = try #require(rows.first { $0[0] == m.group })
            #expect(row[1] == HTMLText.count(Int(m.numerator)))
            #expect(row[2] == HTMLText.count(Int(m.denominator)))
            #expect(row[3] == HTMLText.percent(m.value!))
            #expect(row[5].hasSuffix("Fail"))
        }
        // Geometry: 0% and 100% are the first and last gridlines; each bar's width is its share of that span,
        // and the bars come in the table's order (worst first).
        let grid = HTMLScan.matches("<line x1=\"([0-9.]+)\"[^>]*class=\"gridline\"", in: svg).map { Double($0[1])! }
        let span = grid.last! - grid.first!
        let bars = HTMLScan.matches("<rect class=\"bar\" x=\"([0-9.]+)\" y=\"[0-9.]+\" width=\"([0-9.]+)\"", in: svg)
        let labels = HTMLScan.matches("<text class=\"label\"[^>]*>([^<]*)</text>", in: svg).map { $0[1] }
        #expect(bars.count == teams.count)
        #expect(labels == rows.map { $0[0] })
        let values = rows.map { Double($0[3].dropLast())! / 100 }
        #expect(values == values.sorted())
        for (bar, value) in zip(bars, values) {
            #expect(Double(bar[1])! == grid.first!)
            #expect(abs(Double(bar[2])! / span - value) < 0.002)
        }
        #expect(svg.contains(">fail below 90%</text>"))
        #expect(svg.contains(">warn below 95%</text>"))
    }

    @Test func boardPackShowsSeriesKPIsAndTrends() throws {
        let input = ReportFixtures.boardInput()
        let html = HTMLReport.render(input)
        // Verdict and headline numbers come before every section.
        let verdict = try #require(html.range(of: "class=\"verdict fail\""))
        let firstSection = try #require(html.range(of: "id=\"measures\""))
        #expect(verdict.lowerBound < firstSection.lowerBound)
        #expect(html.contains("69 findings are at a failing level"))
        // KPIs: RAG as a word and a symbol as well as a colour, worst first, with the gap.
        let kpis = HTMLScan.tableRows(html, caption: "KPI verdicts")
        #expect(kpis.map { $0[6] } == ["✕ Red", "▲ Amber", "? Not reported", "✓ Green", "✓ Green"])
        #expect(kpis[0][5] == "−5.5 pts worse")
        #expect(kpis[2][4] == "Information unavailable")
        #expect(html.contains("<td class=\"rag fail\"><span class=\"status fail\"><span aria-hidden=\"true\">✕ </span>Red</span></td>"))
        // Indicator series: flagged periods are diamonds on both charts, and named in the table with the rule.
        let series = HTMLScan.tableRows(html, caption: "ASCOF 1F")
        let sep = try #require(series.first { $0.first == "Sep-23" })
        #expect(sep[1] == "<5")                      // numerator 3 of 310
        #expect(sep[2] == "310")
        #expect(sep[4] == "<1.62%")                  // 5 / 310 rounded up: never the exact rate
        #expect(sep[3] == "–")                       // nor the stated one (0.97% of 310 is the 3 again)
        #expect(sep[5].contains("IND010 Denominator changed by more than 50% month on month"))
        let jan = try #require(series.first { $0.first == "Jan-24" })
        #expect(jan[5].contains("IND011"))
        #expect(jan[3].hasPrefix("7.4"))             // a stated rate that may be shown is
        let ascofCharts = HTMLScan.svgs(html).filter { $0.contains("ASCOF 1F") }
        #expect(ascofCharts.count == 2)
        // Sep-23's rate is suppressed (no marker); Oct-23 and Jan-24 are flagged: two diamonds on the rate chart,
        // and the legend's own diamond.
        #expect(HTMLScan.matches("class=\"flagged\"", in: ascofCharts[0]).count == 2)
        #expect(ascofCharts[0].contains("class=\"legend-flagged\""))
        // Across runs: opened/closed with small counts suppressed, and a measure's line per team.
        let runs = HTMLScan.tableRows(html, caption: "Findings per run")
        #expect(runs[2] == ["19 Sep", "2026-09", "142", "<5", "15"])
        var twice = input.trend
        twice[1].started = "2026-09-17T18:30:00Z"
        twice[5].started = "2027-01-02T06:00:00Z"
        #expect(ReportPage.runLabels(twice) == ["17 Sep 2026 06:00", "17 Sep 2026 18:30", "19 Sep 2026", "20 Sep 2026", "21 Sep 2026", "2 Jan 2027"])
        #expect(html.contains("Share of referred patients with a valid ethnic category, by team, run by run"))
        // A team whose denominator is under 5 is not in the trend (its value would describe fewer than 5 people).
        #expect(!HTMLScan.tableRows(html, caption: "Share of referred patients with a valid ethnic category, by team, run by run", part: "thead")[0].contains("NEW-TEAM"))
    }

    @Test func measuresJudgedByConditionsNeedAttentionToo() throws {
        // ETH030 judges each team against its own recent runs (warn_when / fail_when), not a band: a team whose
        // share fell is as much a failure as one below a threshold, in what needs attention and in the count.
        var input = ReportFixtures.boardInput()
        let title = "Share of referred patients with a valid ethnic category fell against the team's recent runs"
        for (team, num, status) in [("RUG-CMHT", 147.0, "fail"), ("WAR-CMHT", 290.0, "warn"), ("COV-CMHT", 248.0, "pass"), ("STR-EIP", 165.0, "pass")] {
            input.metrics.append(ReportFixtures.metric("ETH030", title, group: team, numerator: num, denominator: num + 40, band: false, status: status))
        }
        let html = HTMLReport.render(input)
        let points = HTMLScan.matches("<ul class=\"points\">(.*?)</ul>", in: html).first.map { HTMLScan.matches("<li[^>]*>(.*?)</li>", in: $0[1]).map { HTMLScan.strip($0[1]) } } ?? []
        let point = try #require(points.first { $0.contains(title) }, "\(points)")
        #expect(point.hasPrefix("✕ Fail"))
        #expect(point.contains("1 of 4 failing, 1 of 4 warning; RUG-CMHT at 78.6%, WAR-CMHT at 87.9%"))
        #expect(!point.contains("threshold"))
        // Board: ETH010 (fail) and ETH020's five judged teams (three fail) as before, and ETH030's four.
        #expect(html.contains("<span class=\"card-value\">6</span> <span class=\"card-label\">of 10 measures"))
        // The measures section: failing and warning first, each with its status.
        let rows = HTMLScan.tableRows(html, caption: title)
        #expect(rows.map { $0[0] } == ["RUG-CMHT", "WAR-CMHT", "COV-CMHT", "STR-EIP"])
        #expect(rows.map { $0[5] } == ["✕ Fail", "▲ Warn", "✓ Pass", "✓ Pass"])
    }

    @Test func boundedAndSmallTeamsAreShownAsBounds() {
        let html = HTMLReport.render(ReportFixtures.boardInput())
        let rows = HTMLScan.tableRows(html, caption: "Share of referred patients with a valid ethnic category, by team")
        // 248 of 250: 2 without a valid category would be given away by the exact numerator or rate.
        #expect(rows.first { $0[0] == "COV-CMHT" }.map { Array($0[1 ... 3]) } == [">245", "250", ">98%"])
        #expect(rows.first { $0[0] == "NEW-TEAM" }.map { Array($0[1 ... 3]) } == ["<5", "<5", "suppressed"])
        // The bound is drawn (within 5 points), the small team is not.
        #expect(html.contains(">&gt;98%  ✓ Pass</text>"))
        #expect(html.contains(">fewer than 5 records: not shown</text>"))
    }

    @Test func hostileTextIsEscapedEverywhere() {
        let html = HTMLReport.render(ReportFixtures.boardInput())
        #expect(!html.lowercased().contains("<script"))
        #expect(html.contains("&lt;script&gt;alert(&quot;team&quot;)&lt;/script&gt;"))
        #expect(html.contains("<h1>Warwickshire &amp; Coventry &lt;Partnership&gt;</h1>"))
        #expect(html.contains("Ethnicity invalid &amp; &lt;odd&gt;"))
        // Inside the chart too (a text label and the description).
        let chart = HTMLScan.svgs(html).first { $0.contains("by team</title>") } ?? ""
        #expect(chart.contains(">&lt;script&gt;alert(&quot;team&quot;)&lt;/script&gt;</text>"))
        #expect(!chart.contains("<script"))
        #expect(HTMLText.escape("a\u{0}b\u{1B}c\u{85}") == "a\u{FFFD}b\u{FFFD}c\u{FFFD}")
        #expect(HTMLText.escape("'\"&<>") == "&#39;&quot;&amp;&lt;&gt;")
    }

    @Test func sectionsWithoutDataAreLeftOut() {
        var input = ReportFixtures.boardInput()
        input.series = []
        input.kpis = []
        input.trend = Array(input.trend.prefix(1))
        let html = HTMLReport.render(input)
        for id in ["indicators", "kpis", "trends"] {
            #expect(!html.contains("id=\"\(id)\""), "\(id)")
            #expect(!html.contains("href=\"#\(id)\""), "\(id)")
        }
        #expect(HTMLReport.render(ReportFixtures.boardInput()).contains("id=\"trends\""))
        // The demo carries an indicator return and a KPI return.
        #expect(ReportFixtures.demo.html.contains("id=\"kpis\""))
        #expect(ReportFixtures.demo.html.contains("id=\"indicators\""))
    }

    @Test func manyGroupsDrawTheWorstFortyAndTableThemAll() throws {
        var input = ReportInput(name: "Many teams", runID: "R", started: "2026-09-22T06:00:00Z")
        input.metrics = (1 ... 60).map { i in
            ReportFixtures.metric("ETH020", "Share valid by team", group: String(format: "T%02d", i), numerator: Double(40 + i), denominator: 100)
        }
        let html = HTMLReport.render(input)
        let svg = try #require(HTMLScan.svgs(html).first { $0.contains(">Share valid by team</title>") })
        let labels = HTMLScan.matches("<text class=\"label\"[^>]*>([^<]*)</text>", in: svg).map { $0[1] }
        #expect(labels == (1 ... 40).map { String(format: "T%02d", $0) })
        #expect(HTMLScan.tableRows(html, caption: "Share valid by team").count == 60)
        #expect(html.contains("The chart shows 40 of 60 groups, lowest first; the data table has all of them."))
    }

    @Test func paletteMeetsWCAGContrast() {
        for pair in ReportPalette.textPairs {
            let ratio = ReportPalette.contrastRatio(pair.foreground, pair.background)
            #expect(ratio >= 4.5, "\(pair.name): \(pair.foreground) on \(pair.background) is \(ratio):1")
        }
        for mark in ReportPalette.marks {
            let ratio = ReportPalette.contrastRatio(mark.colour, ReportPalette.page)
            #expect(ratio >= 3, "\(mark.name): \(mark.colour) is \(ratio):1 on the page")
        }
        // Known values: black on white is 21:1, and #767676 is the classic 4.54:1.
        #expect(abs(ReportPalette.contrastRatio("#000000", "#ffffff") - 21) < 1e-9)
        #expect(abs(ReportPalette.contrastRatio("#767676", "#ffffff") - 4.54) < 0.01)
        // Every colour the page uses is one of the checked ones (gridlines and borders are decoration).
        let checked = Set(ReportPalette.textPairs.flatMap { [$0.foreground, $0.background] } + ReportPalette.marks.map(\.colour)
                          + [ReportPalette.grid, ReportPalette.border, ReportPalette.panel, ReportPalette.page])
        let used = Set(HTMLScan.matches("#[0-9a-fA-F]{6}\\b", in: HTMLReport.render(ReportFixtures.boardInput())).map { $0[0].lowercased() })
        #expect(used.subtracting(checked).isEmpty, "unchecked colours: \(used.subtracting(checked).sorted())")
    }
}

@Suite("mhdq run writes report.html", .enabled(if: FileManager.default.isExecutableFile(atPath: mhdqBinary), "build mhdq first"))
struct RunReportTests {
    @Test func runWritesTheReport() throws {
        let dir = try makeTemporaryDirectory()
        let r = try mhdq("run", TestPaths.packageRoot + "/Samples/demo/pipeline.toml", "--out", dir, "--run-id", "R1")
        #expect(r.status == 1)
        let html = try String(contentsOfFile: dir + "/R1/report.html", encoding: .utf8)
        #expect(html.contains("<h1>Demo Mental Health Trust (synthetic)</h1>"))
        #expect(html.contains("Share of referred patients with a valid ethnic category, by month of referral"))
        #expect(r.stdout.contains("report.html"))
    }
}
