// report.html: one self-contained page for a board (no script, no external file): the verdict and headline
// numbers first, then measures against thresholds, trends, indicators, KPIs, findings by rule, and the
// reconciliation. Aggregate numbers only, counts under 5 suppressed (SmallCounts), every text escaped.

import Foundation

public enum HTMLReport {
    public static func write(_ input: ReportInput, to path: String) throws {
        let out = try OutputBuffer(creating: path)
        out.write(render(input))
        try out.close()
    }

    public static func render(_ input: ReportInput) -> String {
        var page = ReportPage(input: input)
        return page.render()
    }
}

/// One rendering of the page: section by section, numbering the charts as it goes.
struct ReportPage {
    static let maxBars = 40
    let input: ReportInput
    var chartCount = 0
    let rules: [RuleMetrics]

    init(input: ReportInput) {
        self.input = input
        var order: [String] = []
        var byRule: [String: [Metric]] = [:]
        for m in input.metrics {
            if byRule[m.ruleID] == nil { order.append(m.ruleID) }
            byRule[m.ruleID, default: []].append(m)
        }
        rules = order.map { RuleMetrics(byRule[$0]!) }
    }

    mutating func nextID(_ prefix: String = "chart") -> String {
        chartCount += 1
        return "\(prefix)-\(chartCount)"
    }

    func e(_ s: String) -> String { HTMLText.escape(s) }

    // MARK: - Page

    mutating func render() -> String {
        let title = "Data quality report: " + input.name
        var h = "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n"
        h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        h += "<title>\(e(title))\(input.period.map { " (" + e(HTMLText.monthName($0)) + ")" } ?? "")</title>\n"
        h += "<style>\n\(ReportStyle.css)</style>\n</head>\n<body>\n"
        h += "<header class=\"masthead\">\n<p class=\"kicker\">Data quality report</p>\n<h1>\(e(input.name))</h1>\n"
        h += metadata() + "</header>\n<main>\n"
        h += verdict()
        h += contents()
        h += measuresSection()
        h += overTimeSection()
        h += seriesSection()
        h += kpiSection()
        h += findingsSection()
        h += trendSection()
        h += reconciliationSection()
        h += notRunSection()
        h += aboutSection()
        h += "</main>\n</body>\n</html>\n"
        return h
    }

    func metadata() -> String {
        var items: [(String, String)] = []
        if let p = input.provider { items.append(("Provider", p)) }
        if let p = input.period { items.append(("Reporting period", HTMLText.monthName(p))) }
        items.append(("Run", input.runID))
        items.append(("Started", ReportPage.readableTime(input.started)))
        if !input.packs.isEmpty { items.append(("Rule packs", input.packs.map { "\($0.name) \($0.version)" }.joined(separator: ", "))) }
        items.append(("Produced by", "mhdq \(input.toolVersion)"))
        return "<dl class=\"meta\">" + items.map { "<div><dt>\(e($0.0))</dt><dd>\(e($0.1))</dd></div>" }.joined() + "</dl>\n"
    }

    static func readableTime(_ iso: String) -> String {
        // "2026-09-22T06:00:00Z" → "2026-09-22 06:00 UTC"
        guard iso.count >= 16, iso.dropFirst(10).first == "T" else { return iso }
        return String(iso.prefix(10)) + " " + String(iso.dropFirst(11).prefix(5)) + (iso.hasSuffix("Z") ? " UTC" : "")
    }

    // MARK: - Verdict and headline numbers

    var warnings: Int { input.bySeverity.filter { !$0.severity.isFailing && $0.severity != .info }.map(\.count).reduce(0, +) }
    var infos: Int { input.bySeverity.filter { $0.severity == .info }.map(\.count).reduce(0, +) }

    mutating func verdict() -> String {
        let failing = input.failingFindings
        let read = input.tables.map(\.read).reduce(0, +)
        let rejected = input.tables.map(\.rejected).reduce(0, +)
        // The headline counts are totals of the tables below: suppressed the same way.
        let counts = [read, rejected, input.totalFindings, failing, warnings, infos]
        let shown = SmallCounts.protect(counts, lines: [])
        func c(_ i: Int) -> String { SmallCounts.text(counts[i], shown[i]) }

        let css: String, word: String, symbol: String, sentence: String
        if failing > 0 {
            (css, word, symbol) = ("fail", "FAIL", "✕")
            sentence = "\(c(3)) \(failing == 1 ? "finding is" : "findings are") at a failing level: records or groups the national portal would reject, or measures below their fail threshold."
        } else if warnings > 0 {
            (css, word, symbol) = ("warn", "PASS with warnings", "▲")
            sentence = "Nothing is at a failing level; \(c(4)) \(warnings == 1 ? "warning needs" : "warnings need") attention."
        } else {
            (css, word, symbol) = ("pass", "PASS", "✓")
            sentence = "Nothing is at a failing level and there are no warnings."
        }
        var h = "<section class=\"verdict \(css)\" aria-labelledby=\"verdict-heading\">\n"
        h += "<h2 id=\"verdict-heading\"><span class=\"verdict-label\">Verdict</span> <span aria-hidden=\"true\">\(symbol)</span> \(e(word))</h2>\n"
        h += "<p>\(e(sentence))</p>\n</section>\n"

        h += "<section class=\"headline\" aria-label=\"Headline numbers\">\n<ul class=\"cards\">\n"
        var cards: [(String, String, String, String)] = [
            (c(0), "records read", "across \(input.tables.count) \(input.tables.count == 1 ? "table" : "tables")", "none"),
            (c(1), "records rejected", read > 0 && shown[1] == .shown && shown[0] == .shown ? HTMLText.percent(Double(rejected) / Double(read)) + " of records read" : "left out of the submission files", rejected > 0 ? "fail" : "pass"),
            (c(3), "findings at a failing level", "rejections and failed thresholds", failing > 0 ? "fail" : "pass"),
            (c(4), "warnings", "to check, not rejections", warnings > 0 ? "warn" : "pass"),
        ]
        // Every group judged pass, warn or fail, by a band or by conditions (ETH030: a team's share fell against
        // its recent runs), as "What needs attention" lists them.
        let measured = rules.filter(\.isJudged)
        if !measured.isEmpty {
            let cells = measured.flatMap { r in r.cells.filter { $0.metric.status == "fail" || $0.metric.status == "warn" || $0.metric.status == "pass" } }
            let below = cells.filter { $0.metric.status != "pass" }.count
            let byConditions = measured.contains { !$0.hasBand || $0.hasConditions }
            cards.append((HTMLText.count(below), "of \(HTMLText.count(cells.count)) measures \(byConditions ? "failing or warning" : "below threshold")",
                          byConditions ? "provider and team, by a threshold or conditions" : "provider and team measures with a threshold", below > 0 ? "fail" : "pass"))
        }
        if !input.kpis.isEmpty {
            let red = input.kpis.filter { $0.rag == .red }.count
            cards.append((HTMLText.count(red), "of \(HTMLText.count(input.kpis.count)) KPIs red", "against their targets", red > 0 ? "fail" : "pass"))
        }
        for (value, label, note, css) in cards {
            h += "<li class=\"card \(css)\"><span class=\"card-value\">\(e(value))</span> <span class=\"card-label\">\(e(label))</span> <span class=\"card-note\">\(e(note))</span></li>\n"
        }
        h += "</ul>\n"
        let points = keyPoints()
        if !points.isEmpty {
            h += "<h2 class=\"points-heading\">What needs attention</h2>\n<ul class=\"points\">\n"
            for p in points { h += "<li class=\"\(p.css)\">\(StatusText.badge((p.symbol, p.word, p.css))) \(p.html)</li>\n" }
            h += "</ul>\n"
        }
        h += "</section>\n"
        return h
    }

    /// Sentences for the top of the page: every measure that fails or warns (below its threshold, or failing
    /// its conditions), KPIs not green, flagged periods.
    func keyPoints() -> [(symbol: String, word: String, css: String, html: String)] {
        var points: [(symbol: String, word: String, css: String, html: String, rank: Int)] = []
        for r in rules where r.isJudged {
            let failing = r.cells.filter { $0.metric.status == "fail" }
            let warning = r.cells.filter { $0.metric.status == "warn" }
            guard !failing.isEmpty || !warning.isEmpty else { continue }
            let worst = StatusText.metric(failing.isEmpty ? "warn" : "fail", hasBand: true)
            // A band says why in its numbers. Conditions say it in the rule's title (ETH030: the share "fell
            // against the team's recent runs") and in each finding's message, in the exceptions file.
            // (A group that fails or warns without a band was judged by conditions, whether or not they came with it.)
            let byBand = r.hasBand && !r.hasConditions
            let why = byBand ? r.band : r.hasBand ? "\(r.band), or its conditions" : "judged against its conditions"
            let section = r.overTime ? "<a href=\"#over-time\">measures by month</a>" : "<a href=\"#measures\">measures</a>"
            let more = byBand ? "" : ": see \(section) and the exceptions file for why"
            func place(_ c: MetricCell) -> String { c.metric.group.isEmpty ? "all records" : c.metric.group }
            if r.isSingle {
                let c = r.cells[0]
                points.append((worst.symbol, worst.word, worst.css,
                               "<strong>\(e(r.title))</strong>: \(e(c.valueText)) for \(e(place(c))) (\(e(why)))\(more)",
                               failing.isEmpty ? 1 : 0))
            } else {
                let judged = r.cells.filter { ["pass", "warn", "fail"].contains($0.metric.status) }.count
                var text = "<strong>\(e(r.title))</strong>: "
                var parts: [String] = []
                if !byBand {
                    if !failing.isEmpty { parts.append("\(failing.count) of \(judged) failing") }
                    if !warning.isEmpty { parts.append("\(warning.count) of \(judged) warning") }
                } else {
                    if !failing.isEmpty { parts.append("\(failing.count) of \(judged) below the fail threshold") }
                    if !warning.isEmpty { parts.append("\(warning.count) of \(judged) in the warning band") }
                }
                text += e(parts.joined(separator: ", "))
                if !byBand {
                    // Which groups, failing first: a condition need not flag the lowest.
                    let named = (failing + warning).prefix(3).map { c in
                        place(c) + (c.shown != .small && c.shown != .hidden && c.metric.value != nil ? " at " + c.valueText : "")
                    }
                    text += "; " + e(named.joined(separator: ", ")) + (failing.count + warning.count > 3 ? " and \(failing.count + warning.count - 3) more" : "")
                } else {
                    let lowest = (failing + warning).filter { $0.shown == .exact && $0.metric.value != nil }
                        .min { ($0.metric.value!, $0.metric.group) < ($1.metric.value!, $1.metric.group) }
                    if let lowest { text += "; lowest \(e(lowest.metric.group)) at \(e(lowest.valueText))" }
                }
                text += " (\(e(why)))\(more)"
                points.append((worst.symbol, worst.word, worst.css, text, failing.isEmpty ? 1 : 0))
            }
        }
        let rejected = input.tables.map(\.rejected).reduce(0, +)
        if rejected > 0 {
            let read = input.tables.map(\.read).reduce(0, +)
            let shown = SmallCounts.protect([read, rejected], lines: [])
            var text = "\(e(SmallCounts.text(rejected, shown[1]))) records would be left out of the submission"
            if shown == [.shown, .shown] { text += " (\(e(HTMLText.percent(Double(rejected) / Double(read)))) of \(e(HTMLText.count(read))) read)" }
            text += ": see <a href=\"#findings\">findings by rule</a>."
            points.append(("✕", "Rejections", "fail", text, 2))
        }
        let notGreen = input.kpis.filter { $0.rag == .red || $0.rag == .amber || $0.rag == .notReported || $0.rag == .notComparable }
        if !notGreen.isEmpty {
            let red = notGreen.filter { $0.rag == .red }.count, amber = notGreen.filter { $0.rag == .amber }.count
            let missing = notGreen.filter { $0.rag == .notReported }.count, incomparable = notGreen.filter { $0.rag == .notComparable }.count
            var parts: [String] = []
            if red > 0 { parts.append("\(red) red") }
            if amber > 0 { parts.append("\(amber) amber") }
            if missing > 0 { parts.append("\(missing) not reported") }
            if incomparable > 0 { parts.append("\(incomparable) not comparable with the target") }
            let t = red > 0 ? StatusText.rag(.red) : StatusText.rag(.amber)
            points.append((t.symbol, "KPIs", t.css, "<strong>KPIs</strong>: \(e(parts.joined(separator: ", "))) of \(input.kpis.count): see <a href=\"#kpis\">KPIs</a>.", 3))
        }
        let flagged = input.series.map { s in s.points.filter { !$0.flags.isEmpty }.count }
        if flagged.reduce(0, +) > 0 {
            let inSeries = flagged.filter { $0 > 0 }.count
            points.append(("◆", "Flagged", "warn",
                           "<strong>Indicator returns</strong>: \(flagged.reduce(0, +)) \(flagged.reduce(0, +) == 1 ? "period" : "periods") flagged in \(inSeries) of \(input.series.count) series: see <a href=\"#indicators\">indicators</a>.", 4))
        }
        if !input.notRun.isEmpty {
            points.append(("?", "Not run", "none",
                           "\(input.notRun.count) \(input.notRun.count == 1 ? "rule" : "rules") could not run: \(input.notRun.count == 1 ? "it needs" : "they need") reference data this run did not have (<a href=\"#not-run\">which</a>).", 5))
        }
        return points.sorted { $0.rank < $1.rank }.map { ($0.symbol, $0.word, $0.css, $0.html) }
    }

    func contents() -> String {
        var items: [(String, String)] = []
        if rules.contains(where: { !$0.overTime }) { items.append(("measures", "Measures against thresholds")) }
        if rules.contains(where: { $0.overTime }) { items.append(("over-time", "Measures by month")) }
        if !input.series.isEmpty { items.append(("indicators", "Indicator returns")) }
        if !input.kpis.isEmpty { items.append(("kpis", "KPIs")) }
        items.append(("findings", "Findings by rule and severity"))
        if input.trend.count > 1 { items.append(("trends", "Across runs")) }
        if !input.tables.isEmpty { items.append(("tables", "Records read and rejected")) }
        if !input.notRun.isEmpty { items.append(("not-run", "Rules not run")) }
        items.append(("about", "About this report"))
        return "<nav aria-label=\"Contents\" class=\"contents\"><h2>Contents</h2><ol>"
            + items.map { "<li><a href=\"#\($0.0)\">\(e($0.1))</a></li>" }.joined() + "</ol></nav>\n"
    }

    // MARK: - Measures

    mutating func measuresSection() -> String {
        let flat = rules.filter { !$0.overTime }
        guard !flat.isEmpty else { return "" }
        var h = "<section id=\"measures\" aria-labelledby=\"measures-heading\">\n<h2 id=\"measures-heading\">Measures against thresholds</h2>\n"
        h += "<p class=\"lead\">Each bar is a measure for one provider or team. Solid lines mark fail thresholds, dashed lines warn thresholds; the status is written next to each value.</p>\n"
        // Measures with one group each (the provider) share one chart, labelled by measure.
        let singles = flat.filter(\.isSingle)
        if !singles.isEmpty {
            let id = nextID()
            let bars = singles.map { r -> BarChart.Bar in
                let c = r.cells[0]
                let st = StatusText.metric(c.metric.status, hasBand: r.isJudged)
                return BarChart.Bar(label: r.title + (c.metric.group.isEmpty ? "" : " (\(c.metric.group))"), value: c.chartValue,
                                    valueText: c.chartValue == nil ? c.valueText : "\(c.valueText)  \(st.symbol) \(st.word)",
                                    status: r.status(c), thresholds: r.thresholds)
            }
            var chart = BarChart(id: id, title: "Headline measures", description: describe(singles.map { ($0, $0.cells[0]) }),
                                 bars: bars, axisMax: singles.allSatisfy(\.percent) ? 1 : nil,
                                 tickText: { singles.allSatisfy(\.percent) ? HTMLText.percent($0, decimals: 0) : HTMLText.number($0) })
            chart.labelsAbove = true
            h += "<figure>\n<figcaption><h3>Headline measures</h3></figcaption>\n" + chart.svg() + "\n"
            h += dataTable(caption: "Headline measures", rows: singles.map { ($0, $0.cells[0]) }, groupHeader: "Group", showRule: true)
            h += "</figure>\n"
        }
        for r in flat where !r.isSingle {
            h += barFigure(r)
        }
        return h + "</section>\n"
    }

    mutating func barFigure(_ r: RuleMetrics) -> String {
        let id = nextID()
        // Worst first when the rule has a band (what a board looks for); failing, then warning, first when it is
        // judged by conditions only; otherwise in group order.
        var cells = r.cells
        if !r.hasBand && r.isJudged {
            let rank = ["fail": 0, "warn": 1]
            cells.sort { (rank[$0.metric.status] ?? 2, $0.metric.group) < (rank[$1.metric.status] ?? 2, $1.metric.group) }
        }
        if r.hasBand {
            let above = r.thresholds.contains { $0.label.contains("above") }
            cells.sort { a, b in
                switch (a.chartValue, b.chartValue) {
                case let (x?, y?): return above ? (x, a.metric.group) > (y, b.metric.group) : (x, a.metric.group) < (y, b.metric.group)
                case (nil, nil): return a.metric.group < b.metric.group
                case (nil, _): return false
                case (_, nil): return true
                }
            }
        }
        // A chart of hundreds of bars helps nobody: the first 40 (the worst, when there is a band) are drawn,
        // every group is in the data table.
        let drawn = cells.prefix(ReportPage.maxBars)
        let bars = drawn.map { c -> BarChart.Bar in
            let st = StatusText.metric(c.metric.status, hasBand: r.isJudged)
            let text = c.chartValue == nil ? notDrawn(c) : (r.isJudged ? "\(c.valueText)  \(st.symbol) \(st.word)" : c.valueText)
            return BarChart.Bar(label: c.metric.group, value: c.chartValue, valueText: text, status: r.status(c))
        }
        let chart = BarChart(id: id, title: r.title, description: describe(drawn.map { (r, $0) }), bars: Array(bars),
                             thresholds: r.thresholds, axisMax: r.percent ? 1 : nil, tickText: r.tick)
        var h = "<figure>\n<figcaption><h3>\(e(r.title))</h3>"
        h += "<p class=\"rule-id\">Rule \(e(r.ruleID))\(r.heldTo.isEmpty ? "" : "; held to: " + e(r.heldTo))</p></figcaption>\n"
        h += chart.svg() + "\n"
        if cells.count > drawn.count {
            h += "<p class=\"note\">The chart shows \(drawn.count) of \(cells.count) groups\(r.hasBand ? ", lowest first" : r.isJudged ? ", failing and warning first" : ""); the data table has all of them.</p>\n"
        }
        h += dataTable(caption: r.title, rows: cells.map { (r, $0) }, groupHeader: groupHeader(r), showRule: false)
        return h + "</figure>\n"
    }

    func notDrawn(_ c: MetricCell) -> String {
        switch c.shown {
        case .small: return "fewer than 5 records: not shown"
        case .hidden: return "hidden (see note): not shown"
        case .below, .above: return "\(c.valueText) (small count): not drawn"
        case .exact: return c.valueText
        }
    }

    func groupHeader(_ r: RuleMetrics) -> String {
        let labels = r.dimensions.map { input.dimensionLabels[$0] ?? $0 }
        return labels.isEmpty ? "Group" : labels.joined(separator: " / ")
    }

    /// The text alternative of a measures chart: every value in words.
    /// Conditions, long as they are, are said once for their rule, after its values.
    func describe(_ rows: [(RuleMetrics, MetricCell)]) -> String {
        var conditioned: [String] = []
        let values = rows.map { r, c in
            let who = r.isSingle ? r.title + (c.metric.group.isEmpty ? "" : " for " + c.metric.group) : c.metric.group
            let st = StatusText.metric(c.metric.status, hasBand: r.isJudged)
            if r.hasConditions, !conditioned.contains(r.ruleID) { conditioned.append(r.ruleID) }
            return "\(who): \(c.valueText)" + (r.isJudged ? " (\(st.word.lowercased())\(r.hasBand ? "; " + r.band : ""))" : "")
        }.joined(separator: ". ") + "."
        let held = conditioned.compactMap { id in rows.first { $0.0.ruleID == id }.map { "\($0.0.title) is held to: \($0.0.heldTo)." } }
        return ([values] + held).joined(separator: " ")
    }

    func dataTable(caption: String, rows: [(RuleMetrics, MetricCell)], groupHeader: String, showRule: Bool) -> String {
        var h = "<details><summary>Data table</summary>\n<table class=\"data\">\n<caption>\(e(caption)): the numbers in the chart</caption>\n<thead><tr>"
        if showRule { h += "<th scope=\"col\">Measure</th>" }
        h += "<th scope=\"col\">\(e(groupHeader))</th><th scope=\"col\" class=\"num\">Numerator</th><th scope=\"col\" class=\"num\">Denominator</th>"
        h += "<th scope=\"col\" class=\"num\">Value</th><th scope=\"col\">Threshold</th><th scope=\"col\">Status</th></tr></thead>\n<tbody>\n"
        for (r, c) in rows {
            h += "<tr>"
            if showRule { h += "<th scope=\"row\">\(e(r.title)) <span class=\"rule-id\">\(e(r.ruleID))</span></th><td>\(e(c.metric.group))</td>" }
            else { h += "<th scope=\"row\">\(e(c.metric.group.isEmpty ? "(all)" : c.metric.group))</th>" }
            h += "<td class=\"num\">\(e(c.numeratorText))</td><td class=\"num\">\(e(c.denominatorText))</td><td class=\"num\">\(e(c.valueText))</td>"
            h += "<td>\(e(r.heldTo.isEmpty ? "none" : r.heldTo))</td><td>\(StatusText.badge(StatusText.metric(c.metric.status, hasBand: r.isJudged)))</td></tr>\n"
        }
        return h + "</tbody>\n</table>\n</details>\n"
    }

    // MARK: - Measures by month

    mutating func overTimeSection() -> String {
        let timed = rules.filter(\.overTime)
        guard !timed.isEmpty else { return "" }
        var h = "<section id=\"over-time\" aria-labelledby=\"over-time-heading\">\n<h2 id=\"over-time-heading\">Measures by month</h2>\n"
        h += "<p class=\"lead\">How each measure has moved month by month within this run's records. Gaps are months with fewer than 5 records (or hidden so that such a month cannot be worked out from a total).</p>\n"
        for r in timed { h += lineFigures(r) }
        return h + "</section>\n"
    }

    mutating func lineFigures(_ r: RuleMetrics) -> String {
        let months = ReportPage.monthRange(r.cells.map { $0.parts.last ?? "" }.filter(HTMLText.isMonth))
        var prefixes: [String] = []
        var byPrefix: [String: [String: MetricCell]] = [:]
        for c in r.cells {
            let prefix = c.parts.dropLast().joined(separator: " / ")
            if byPrefix[prefix] == nil { prefixes.append(prefix) }
            byPrefix[prefix, default: [:]][c.parts.last ?? ""] = c
        }
        prefixes.sort()
        let categories = months.map(HTMLText.shortMonth)
        let groupLabel = r.dimensions.dropLast().map { input.dimensionLabels[$0] ?? $0 }.joined(separator: " / ")
        var h = "<figure>\n<figcaption><h3>\(e(r.title))</h3><p class=\"rule-id\">Rule \(e(r.ruleID))\(r.heldTo.isEmpty ? "" : "; held to: " + e(r.heldTo))</p></figcaption>\n"
        let small = prefixes.count > 1
        // A group whose months are mostly too small to show makes an empty chart: it is named instead, and its
        // numbers stay in the data table.
        let sparse = small ? prefixes.filter { p in months.filter { byPrefix[p]![$0]?.chartValue != nil }.count * 2 < months.count } : []
        let drawn = prefixes.filter { !sparse.contains($0) }
        if small && !drawn.isEmpty { h += "<div class=\"multiples\">\n" }
        for prefix in drawn {
            let cells = byPrefix[prefix]!
            let values = months.map { cells[$0]?.chartValue }
            let id = nextID()
            let name = prefix.isEmpty ? r.title : prefix
            let shownMonths = months.filter { cells[$0]?.chartValue != nil }
            var desc = "\(name): \(r.title.lowercased()) by month, \(HTMLText.monthName(months.first ?? "")) to \(HTMLText.monthName(months.last ?? ""))"
            if let lo = shownMonths.min(by: { cells[$0]!.chartValue! < cells[$1]!.chartValue! }),
               let hi = shownMonths.max(by: { cells[$0]!.chartValue! < cells[$1]!.chartValue! }) {
                desc += "; lowest \(cells[lo]!.valueText) in \(HTMLText.monthName(lo)), highest \(cells[hi]!.valueText) in \(HTMLText.monthName(hi))"
                if let last = shownMonths.last { desc += "; latest \(cells[last]!.valueText) in \(HTMLText.monthName(last))" }
            }
            desc += ". \(months.count - shownMonths.count) of \(months.count) months not shown (too few records). The data table has every month."
            var chart = LineChart(id: id, title: name, description: desc, categories: categories,
                                  series: [LineChart.Series(name: name, values: values)], thresholds: r.thresholds,
                                  axisMax: r.percent ? 1 : nil, tickText: r.tick)
            if small {
                chart.width = 480
                chart.height = 200
                chart.maxTicks = 3
                h += "<div class=\"multiple\"><h4>\(e(prefix))</h4>" + chart.svg() + "</div>\n"
            } else {
                h += chart.svg() + "\n"
            }
        }
        if small && !drawn.isEmpty { h += "</div>\n" }
        if !sparse.isEmpty {
            h += "<p class=\"note\">Not drawn, because fewer than half their months have enough records to show: "
                + e(sparse.joined(separator: ", ")) + ". Their numbers are in the data table.</p>\n"
        }
        // One data table for the figure: every group and month, in order.
        h += "<details><summary>Data table</summary>\n<table class=\"data\">\n<caption>\(e(r.title)): the numbers in the chart\(small ? "s" : "")</caption>\n<thead><tr>"
        if small { h += "<th scope=\"col\">\(e(groupLabel.isEmpty ? "Group" : groupLabel))</th>" }
        h += "<th scope=\"col\">Month</th><th scope=\"col\" class=\"num\">Numerator</th><th scope=\"col\" class=\"num\">Denominator</th><th scope=\"col\" class=\"num\">Value</th></tr></thead>\n<tbody>\n"
        for prefix in prefixes {
            let cells = byPrefix[prefix]!
            for key in cells.keys.sorted(by: { ($0.isEmpty ? "9999" : $0) < ($1.isEmpty ? "9999" : $1) }) {
                let c = cells[key]!
                h += "<tr>"
                if small { h += "<td>\(e(prefix))</td>" }
                h += "<th scope=\"row\">\(e(key.isEmpty ? "no date" : HTMLText.monthName(key)))</th>"
                h += "<td class=\"num\">\(e(c.numeratorText))</td><td class=\"num\">\(e(c.denominatorText))</td><td class=\"num\">\(e(c.valueText))</td></tr>\n"
            }
        }
        h += "</tbody>\n</table>\n</details>\n"
        return h + "</figure>\n"
    }

    /// Every month from the first to the last given (gaps become missing points, not closed-up axes).
    static func monthRange(_ months: [String]) -> [String] {
        guard let first = months.min(), let last = months.max() else { return [] }
        func parse(_ m: String) -> Int { Int(m.prefix(4))! * 12 + Int(m.suffix(2))! - 1 }
        let a = parse(first), b = parse(last)
        guard b - a < 1200 else { return months.sorted() }
        return (a ... b).map { i in
            let y = i / 12, m = i % 12 + 1
            return "\(y)-\(m < 10 ? "0" : "")\(m)"
        }
    }

    // MARK: - Indicator series

    /// A series point after suppression: counts under 5 hidden, and the rate bounded when it would give one back.
    struct ProtectedPoint {
        var numerator: String
        var denominator: String
        var rate: String
        var chartRate: Double?
        var chartNumerator: Double?
        var chartDenominator: Double?
    }

    static func protect(_ p: SeriesPoint, unit: String) -> ProtectedPoint {
        func rateText(_ v: Double) -> String { HTMLText.number(v, decimals: 2) + unit }
        let num = p.numerator.map { Int($0.rounded()) }
        let den = p.denominator.map { Int($0.rounded()) }
        var out = ProtectedPoint(numerator: num.map { SmallCounts.text($0, SmallCounts.isSmall($0) ? .small : .shown) } ?? "not given",
                                 denominator: den.map { SmallCounts.text($0, SmallCounts.isSmall($0) ? .small : .shown) } ?? "not given",
                                 rate: p.rate.map(rateText) ?? (den == 0 ? "no cases" : "–"), chartRate: p.rate,
                                 chartNumerator: num.flatMap { SmallCounts.isSmall($0) ? nil : Double($0) },
                                 chartDenominator: den.flatMap { SmallCounts.isSmall($0) ? nil : Double($0) })
        guard let n = num, let d = den, d > 0 else { return out }
        let scale = unit == "%" ? 100.0 : 1.0
        if SmallCounts.isSmall(d) {
            out.numerator = SmallCounts.smallText
            out.rate = "suppressed"
            out.chartRate = nil
            out.chartNumerator = nil
        } else if SmallCounts.isSmall(n) {
            out.rate = "<" + rateText(ceil(Double(SmallCounts.threshold) / Double(d) * scale * 100) / 100)
            out.chartRate = nil
        } else if SmallCounts.isSmall(d - n) {
            out.numerator = ">" + HTMLText.count(d - SmallCounts.threshold)
            out.rate = ">" + rateText(floor(Double(d - SmallCounts.threshold) / Double(d) * scale * 100) / 100)
            out.chartRate = nil
            out.chartNumerator = nil
        }
        return out
    }

    mutating func seriesSection() -> String {
        guard !input.series.isEmpty else { return "" }
        var h = "<section id=\"indicators\" aria-labelledby=\"indicators-heading\">\n<h2 id=\"indicators-heading\">Indicator returns</h2>\n"
        h += "<p class=\"lead\">Each return's rate, numerator and denominator by period. A diamond marks a period a rule flagged (the table says which rule and why).</p>\n"
        for s in input.series {
            let title = "\(s.measure): \(s.area)"
            let points = s.points.sorted { $0.period < $1.period }
            let shown = points.map { ReportPage.protect($0, unit: s.unit) }
            let flagged = points.map { !$0.flags.isEmpty }
            let categories = points.map(\.label)
            let flaggedNames = points.filter { !$0.flags.isEmpty }.map(\.label)
            let flagText = flaggedNames.isEmpty ? "No period is flagged." : "Flagged: \(flaggedNames.joined(separator: ", "))."
            h += "<figure>\n<figcaption><h3>\(e(title))</h3></figcaption>\n"
            let rateID = nextID()
            let rates = shown.map(\.chartRate)
            // The stated value is drawn only where it parts from the computed rate (a copied-down percentage),
            // and only where the rate itself may be shown.
            let stated = zip(points, shown).map { p, v -> Double? in v.chartRate == nil ? nil : p.stated }
            let statedDiffers = zip(stated, rates).contains { s, r in s != nil && r != nil && abs(s! - r!) >= 0.05 }
            let rateDesc = "\(s.measure) for \(s.area), \(points.first?.label ?? "") to \(points.last?.label ?? ""): "
                + zip(points, shown).map { "\($0.label) \($1.rate)" }.joined(separator: ", ") + ". " + flagText
            let unit = s.unit
            h += "<div class=\"pair\">"
            var rateChart = LineChart(id: rateID, title: "\(title): rate", description: rateDesc, categories: categories,
                                      series: [LineChart.Series(name: "Rate", values: rates, flagged: flagged)]
                                          + (statedDiffers ? [LineChart.Series(name: "Stated", values: stated)] : []),
                                      tickText: { HTMLText.number($0) + unit })
            rateChart.width = 500
            h += "<div><h4>Rate\(statedDiffers ? " (computed, and as stated)" : "")</h4>" + rateChart.svg() + "</div>"
            let countID = nextID()
            let countDesc = "Numerator and denominator of \(s.measure) for \(s.area): "
                + zip(points, shown).map { "\($0.label) \($1.numerator) of \($1.denominator)" }.joined(separator: ", ") + ". " + flagText
            var countChart = LineChart(id: countID, title: "\(title): numerator and denominator", description: countDesc,
                                       categories: categories,
                                       series: [LineChart.Series(name: "Denominator", values: shown.map(\.chartDenominator), flagged: flagged),
                                                LineChart.Series(name: "Numerator", values: shown.map(\.chartNumerator), flagged: flagged)],
                                       tickText: { HTMLText.number($0, decimals: 0) })
            countChart.width = 500
            h += "<div><h4>Numerator and denominator</h4>" + countChart.svg() + "</div>"
            h += "</div>\n"
            h += "<details><summary>Data table</summary>\n<table class=\"data\">\n<caption>\(e(title)): the numbers in the charts</caption>\n<thead><tr>"
            h += "<th scope=\"col\">Period</th><th scope=\"col\" class=\"num\">Numerator</th><th scope=\"col\" class=\"num\">Denominator</th>"
            h += "<th scope=\"col\" class=\"num\">Stated</th><th scope=\"col\" class=\"num\">Rate</th><th scope=\"col\">Flagged by</th></tr></thead>\n<tbody>\n"
            // As in the chart, a stated rate is shown only where the rate may be: times the denominator it would
            // give back a count the table shows only as a bound (<5).
            for (p, v, statedShown) in zip(zip(points, shown), stated).map({ ($0.0, $0.1, $1) }) {
                let flags = p.flags.map { id in input.ruleTitles[id].map { "\(id) \($0)" } ?? id }.joined(separator: "; ")
                h += "<tr\(p.flags.isEmpty ? "" : " class=\"flagged-row\"")><th scope=\"row\">\(e(p.label))</th><td class=\"num\">\(e(v.numerator))</td>"
                h += "<td class=\"num\">\(e(v.denominator))</td><td class=\"num\">\(e(statedShown.map { HTMLText.number($0, decimals: 2) + s.unit } ?? "–"))</td>"
                h += "<td class=\"num\">\(e(v.rate))</td><td>\(p.flags.isEmpty ? "–" : "<span aria-hidden=\"true\">◆ </span>" + e(flags))</td></tr>\n"
            }
            h += "</tbody>\n</table>\n</details>\n</figure>\n"
        }
        return h + "</section>\n"
    }

    // MARK: - KPIs

    func kpiSection() -> String {
        guard !input.kpis.isEmpty else { return "" }
        let order: [RAG] = [.red, .amber, .notReported, .notComparable, .noTarget, .green]
        let kpis = input.kpis.enumerated().sorted { a, b in
            (order.firstIndex(of: a.element.rag)!, a.offset) < (order.firstIndex(of: b.element.rag)!, b.offset)
        }.map(\.element)
        var h = "<section id=\"kpis\" aria-labelledby=\"kpis-heading\">\n<h2 id=\"kpis-heading\">KPIs</h2>\n"
        let counts = order.compactMap { rag -> String? in
            let n = input.kpis.filter { $0.rag == rag }.count
            return n == 0 ? nil : StatusText.badge(StatusText.rag(rag)) + " \(n)"
        }
        h += "<p class=\"lead\">Each KPI return row against its target, worst first. Gap is actual minus target, signed so that a positive gap is better than target. \(counts.joined(separator: " &nbsp; "))</p>\n"
        h += "<table class=\"data kpi\">\n<caption>KPI verdicts (RAG) with the gap to target</caption>\n<thead><tr>"
        h += "<th scope=\"col\">Indicator</th><th scope=\"col\">Organisation</th><th scope=\"col\">Period</th><th scope=\"col\" class=\"num\">Target</th>"
        h += "<th scope=\"col\" class=\"num\">Actual</th><th scope=\"col\" class=\"num\">Gap</th><th scope=\"col\">RAG</th><th scope=\"col\">Why</th></tr></thead>\n<tbody>\n"
        for k in kpis {
            let rag = StatusText.rag(k.rag)
            var gap = "–"
            if let g = k.gap {
                let unit = k.unit == "%" ? " pts" : (k.unit.isEmpty ? "" : " " + k.unit)
                gap = (g > 0 ? "+" : "") + HTMLText.number(g, decimals: 2) + unit + (g > 0 ? " better" : g < 0 ? " worse" : " on target")
            }
            h += "<tr><th scope=\"row\">\(e(k.title.isEmpty ? k.indicator : k.title))<span class=\"rule-id\"> \(e(k.indicator))</span></th>"
            h += "<td>\(e(k.organisation))</td><td>\(e(k.period))</td><td class=\"num\">\(e(k.target.isEmpty ? "–" : k.target))</td>"
            h += "<td class=\"num\">\(e(k.actual.isEmpty ? "–" : k.actual))</td><td class=\"num\">\(e(gap))</td>"
            h += "<td class=\"rag \(rag.css)\">\(StatusText.badge(rag))</td><td>\(e(k.note))</td></tr>\n"
        }
        return h + "</tbody>\n</table>\n</section>\n"
    }

    // MARK: - Findings

    mutating func findingsSection() -> String {
        var h = "<section id=\"findings\" aria-labelledby=\"findings-heading\">\n<h2 id=\"findings-heading\">Findings by rule and severity</h2>\n"
        guard input.totalFindings > 0 else { return h + "<p>No findings.</p>\n</section>\n" }
        let rules = input.byRule
        let severities = input.bySeverity
        let (ruleShown, sevShown, totalShown) = findingsDisclosure()
        let totalText = SmallCounts.text(input.totalFindings, totalShown)

        h += "<p class=\"lead\">Rejections (record and group) take records out of the submission; a failed threshold is a breach; warnings and information are for data stewards. The exceptions file in the same folder lists each finding.</p>\n"
        let id = nextID()
        let bars = severities.enumerated().map { i, s -> BarChart.Bar in
            let st = StatusText.severity(s.severity)
            let drawn = sevShown[i] == .shown
            return BarChart.Bar(label: s.severity.rawValue, value: drawn ? Double(s.count) : nil,
                                valueText: drawn ? HTMLText.count(s.count) : SmallCounts.text(s.count, sevShown[i]) + " (not drawn)",
                                status: st.css == "fail" ? .fail : st.css == "warn" ? .warn : .neutral)
        }
        let desc = severities.enumerated().map { "\($1.severity.rawValue): \(SmallCounts.text($1.count, sevShown[$0]))" }.joined(separator: ", ")
            + ". Total \(totalText)."
        h += "<figure>\n<figcaption><h3>Findings by severity</h3></figcaption>\n"
        h += BarChart(id: id, title: "Findings by severity", description: desc, bars: bars, tickText: { HTMLText.number($0, decimals: 0) }).svg() + "\n"
        h += "<details><summary>Data table</summary>\n<table class=\"data\">\n<caption>Findings by severity</caption>\n<thead><tr><th scope=\"col\">Severity</th><th scope=\"col\" class=\"num\">Findings</th></tr></thead>\n<tbody>\n"
        for (i, s) in severities.enumerated() {
            h += "<tr><th scope=\"row\">\(e(s.severity.rawValue))</th><td class=\"num\">\(e(SmallCounts.text(s.count, sevShown[i])))</td></tr>\n"
        }
        h += "</tbody>\n<tfoot><tr><th scope=\"row\">Total</th><td class=\"num\">\(e(totalText))</td></tr></tfoot>\n</table>\n</details>\n</figure>\n"

        h += "<table class=\"data rules\">\n<caption>Findings by rule, most severe first</caption>\n<thead><tr><th scope=\"col\">Rule</th>"
        h += "<th scope=\"col\">What it checks</th><th scope=\"col\">Severity</th><th scope=\"col\" class=\"num\">Findings</th></tr></thead>\n<tbody>\n"
        for (i, r) in rules.enumerated() {
            let st = StatusText.severity(r.severity)
            h += "<tr><th scope=\"row\">\(e(r.rule))</th><td>\(e(r.title))</td>"
            h += "<td>\(StatusText.badge((st.symbol, r.severity.rawValue, st.css)))</td><td class=\"num\">\(e(SmallCounts.text(r.count, ruleShown[i])))</td></tr>\n"
        }
        return h + "</tbody>\n</table>\n</section>\n"
    }

    /// How the findings' counts may appear: by rule, by severity, and their total. Rules within a severity add
    /// up to the severity's count, the severities to the total; the failing ones add up to the failing count
    /// and the warning ones to the warnings, both in the headline (where a count under 5 is "<5", and a
    /// severity alone in its kind is published as it is, so is never hidden for another). Each is a line that
    /// must not give a suppressed count back: the information count, for one, is the total less the failing
    /// count and the warnings, so while it is small the total is hidden (here and in the run-by-run table).
    /// Findings of aggregate and series rules count groups and periods, not people's records; so does a
    /// severity that only such rules reach (Fail, usually).
    func findingsDisclosure() -> (rules: [Disclosure], severities: [Disclosure], total: Disclosure) {
        let rules = input.byRule
        let severities = input.bySeverity
        guard !rules.isEmpty || !severities.isEmpty else { return ([], [], .shown) }
        let groupRules = Set(input.metrics.map(\.ruleID)).union(input.series.flatMap { $0.points.flatMap(\.flags) })
            .union(rules.filter { !$0.countsPeople }.map(\.rule))
        // Cells: the rules', then the severities', then the total. The lines make a tree (total, kinds of
        // severity, severities, rules), so that what follows from several of them together follows from one.
        let n = rules.count, total = rules.count + severities.count
        var lines = severities.indices.map { s in CountLine(parts: rules.indices.filter { rules[$0].severity == severities[s].severity }, whole: n + s) }
        let failing = severities.indices.filter { severities[$0].severity.isFailing }
        let warning = severities.indices.filter { !severities[$0].severity.isFailing && severities[$0].severity != .info }
        var published = Set<Int>(), inTotal: [Int] = [], offset = 0
        for (kind, count) in [(failing, input.failingFindings), (warning, warnings), (severities.indices.filter { severities[$0].severity == .info }, -1)] {
            guard count >= 0, !kind.isEmpty, !SmallCounts.isSmall(count) else {
                inTotal += kind.map { n + $0 }
                continue
            }
            if kind.count == 1 { published.insert(n + kind[0]) }
            lines.append(CountLine(parts: kind.map { n + $0 }))
            offset += count
        }
        lines.append(CountLine(parts: inTotal, whole: total, offset: offset))
        let people = rules.map { !groupRules.contains($0.rule) }
        let state = SmallCounts.protect(rules.map(\.count) + severities.map(\.count) + [input.totalFindings], totals: lines, countsPeople: { i in
            if i < n { return people[i] }
            if i < total { return rules.indices.contains { rules[$0].severity == severities[i - n].severity && people[$0] } }
            return people.contains(true)
        }, canHide: { !published.contains($0) })
        return (Array(state[..<n]), Array(state[n ..< total]), state[total])
    }

    // MARK: - Across runs

    mutating func trendSection() -> String {
        let trend = input.trend
        guard trend.count > 1 else { return "" }
        var h = "<section id=\"trends\" aria-labelledby=\"trends-heading\">\n<h2 id=\"trends-heading\">Across runs</h2>\n"
        h += "<p class=\"lead\">The last \(trend.count) runs, oldest first: findings opened (first seen) and closed (gone since the run before), and each measure's value run by run.</p>\n"
        let labels = ReportPage.runLabels(trend)
        func value(_ n: Int) -> Double? { SmallCounts.isSmall(n) ? nil : Double(n) }
        func text(_ n: Int) -> String { SmallCounts.text(n, SmallCounts.isSmall(n) ? .small : .shown) }
        // This run's findings as the findings section shows their total (hidden there, hidden here).
        let thisRun = findingsDisclosure().total
        func findings(_ t: RunTrendPoint) -> (value: Double?, text: String) {
            guard t.runID == input.runID, t.findings == input.totalFindings, thisRun != .shown else { return (value(t.findings), text(t.findings)) }
            return (nil, SmallCounts.text(t.findings, thisRun))
        }
        let totalID = nextID()
        h += "<figure>\n<figcaption><h3>Findings per run</h3></figcaption>\n<div class=\"pair\">"
        var total = LineChart(id: totalID, title: "Findings per run",
                              description: zip(labels, trend).map { "\($0): \(findings($1).text)" }.joined(separator: ", ") + ".",
                              categories: labels, series: [LineChart.Series(name: "Findings", values: trend.map { findings($0).value })],
                              tickText: { HTMLText.number($0, decimals: 0) })
        total.width = 500
        h += "<div><h4>All findings</h4>" + total.svg() + "</div>"
        let id = nextID()
        let desc = zip(labels, trend).map { "\($0): \(text($1.opened)) opened, \(text($1.resolved)) closed" }.joined(separator: "; ") + "."
        var openedClosed = LineChart(id: id, title: "Findings opened and closed per run", description: desc, categories: labels,
                       series: [LineChart.Series(name: "Opened", values: trend.map { value($0.opened) }),
                                LineChart.Series(name: "Closed", values: trend.map { value($0.resolved) })],
                       tickText: { HTMLText.number($0, decimals: 0) })
        openedClosed.width = 500
        h += "<div><h4>Opened and closed</h4>" + openedClosed.svg() + "</div></div>\n"
        h += "<details><summary>Data table</summary>\n<table class=\"data\">\n<caption>Findings per run</caption>\n<thead><tr><th scope=\"col\">Run</th><th scope=\"col\">Period</th>"
        h += "<th scope=\"col\" class=\"num\">Findings</th><th scope=\"col\" class=\"num\">Opened</th><th scope=\"col\" class=\"num\">Closed</th></tr></thead>\n<tbody>\n"
        for (label, t) in zip(labels, trend) {
            h += "<tr><th scope=\"row\">\(e(label))</th><td>\(e(t.period))</td><td class=\"num\">\(e(findings(t).text))</td>"
            h += "<td class=\"num\">\(e(text(t.opened)))</td><td class=\"num\">\(e(text(t.resolved)))</td></tr>\n"
        }
        h += "</tbody>\n</table>\n</details>\n</figure>\n"

        // Measures across runs: only rules drawn above (not by month), and only groups this run shows unsuppressed.
        for r in rules where !r.overTime {
            let groups = r.cells.filter { $0.shown == .exact }.map(\.metric.group).sorted()
            let keyed = groups.filter { g in trend.contains { $0.metrics[r.ruleID + "|" + g] != nil } }
            guard !keyed.isEmpty else { continue }
            let id = nextID()
            let series = keyed.map { g in LineChart.Series(name: g.isEmpty ? r.title : g, values: trend.map { $0.metrics[r.ruleID + "|" + g] }) }
            let descriptions = keyed.map { g in
                (g.isEmpty ? r.title : g) + ": " + zip(labels, trend).map { l, t in "\(l) " + (t.metrics[r.ruleID + "|" + g].map { r.percent ? HTMLText.percent($0) : HTMLText.number($0, decimals: 2) } ?? "no value") }.joined(separator: ", ") + "."
            }
            let desc = descriptions.joined(separator: " ")
            h += "<figure>\n<figcaption><h3>\(e(r.title)), run by run</h3></figcaption>\n"
            if series.count <= 4 {
                h += LineChart(id: id, title: "\(r.title), run by run", description: desc, categories: labels, series: series,
                               thresholds: r.thresholds, axisMax: r.percent ? 1 : nil, tickText: r.tick).svg() + "\n"
            } else {
                h += "<div class=\"multiples\">\n"
                for (k, s) in series.enumerated() {
                    var chart = LineChart(id: k == 0 ? id : nextID(), title: "\(r.title): \(s.name), run by run",
                                          description: descriptions[k], categories: labels, series: [s],
                                          thresholds: r.thresholds, axisMax: r.percent ? 1 : nil, tickText: r.tick)
                    chart.width = 480
                    chart.height = 200
                    chart.maxTicks = 3
                    h += "<div class=\"multiple\"><h4>\(e(s.name))</h4>" + chart.svg() + "</div>\n"
                }
                h += "</div>\n"
            }
            h += "<details><summary>Data table</summary>\n<table class=\"data\">\n<caption>\(e(r.title)), run by run</caption>\n<thead><tr><th scope=\"col\">Run</th>"
            for s in series { h += "<th scope=\"col\" class=\"num\">\(e(s.name))</th>" }
            h += "</tr></thead>\n<tbody>\n"
            for (i, label) in labels.enumerated() {
                h += "<tr><th scope=\"row\">\(e(label))</th>"
                for s in series { h += "<td class=\"num\">\(e(s.values[i].map { r.percent ? HTMLText.percent($0) : HTMLText.number($0, decimals: 2) } ?? "–"))</td>" }
                h += "</tr>\n"
            }
            h += "</tbody>\n</table>\n</details>\n</figure>\n"
        }
        return h + "</section>\n"
    }

    /// Runs by day ("22 Sep"; "22 Sep 2026" when the runs span years), with the time where two share a day.
    static func runLabels(_ trend: [RunTrendPoint]) -> [String] {
        let days = trend.map { String($0.started.prefix(10)) }
        let years = Set(days.map { $0.prefix(4) })
        return trend.enumerated().map { i, t in
            let d = days[i]
            guard d.count == 10, let day = Int(d.suffix(2)) else { return readableTime(t.started) }
            var label = "\(day) " + HTMLText.shortMonth(String(d.prefix(7))).prefix(3)
            if years.count > 1 { label += " " + d.prefix(4) }
            if days.filter({ $0 == d }).count > 1 { label += " " + String(t.started.dropFirst(11).prefix(5)) }
            return label
        }
    }

    // MARK: - Reconciliation and rules not run

    func reconciliationSection() -> String {
        guard !input.tables.isEmpty else { return "" }
        let t = input.tables
        // Cells: exported and rejected per table. Each table's pair adds up to its rows read, and the rejected
        // column to the headline's total (the exported column then follows from the rows): those are the lines.
        var counts: [Int] = []
        for r in t { counts += [r.exported, r.rejected] }
        let lines = t.indices.map { [2 * $0, 2 * $0 + 1] } + [t.indices.map { 2 * $0 + 1 }]
        let shown = SmallCounts.protect(counts, lines: lines)
        var h = "<section id=\"tables\" aria-labelledby=\"tables-heading\">\n<h2 id=\"tables-heading\">Records read and rejected</h2>\n"
        h += "<p class=\"lead\">Nothing is lost: for every table, records read = records exported + records rejected.</p>\n"
        h += "<table class=\"data\">\n<caption>Records by table</caption>\n<thead><tr><th scope=\"col\">Table</th><th scope=\"col\" class=\"num\">Read</th>"
        h += "<th scope=\"col\" class=\"num\">Exported</th><th scope=\"col\" class=\"num\">Rejected</th><th scope=\"col\">Balanced</th></tr></thead>\n<tbody>\n"
        for (i, r) in t.enumerated() {
            let read = SmallCounts.text(r.read, SmallCounts.isSmall(r.read) ? .small : .shown)
            let balanced = r.balanced ? StatusText.badge(("✓", "Yes", "pass")) : StatusText.badge(("✕", "NOT BALANCED", "fail"))
            h += "<tr><th scope=\"row\">\(e(r.table))</th><td class=\"num\">\(e(read))</td>"
            h += "<td class=\"num\">\(e(SmallCounts.text(r.exported, shown[2 * i])))</td><td class=\"num\">\(e(SmallCounts.text(r.rejected, shown[2 * i + 1])))</td><td>\(balanced)</td></tr>\n"
        }
        return h + "</tbody>\n</table>\n</section>\n"
    }

    func notRunSection() -> String {
        guard !input.notRun.isEmpty else { return "" }
        var h = "<section id=\"not-run\" aria-labelledby=\"not-run-heading\">\n<h2 id=\"not-run-heading\">Rules not run</h2>\n"
        h += "<p class=\"lead\">These rules need reference data this run did not have. They have not passed: they were not checked.</p>\n"
        var byNeed: [String: [String]] = [:]
        for n in input.notRun { byNeed[n.needs, default: []].append(n.rule) }
        h += "<table class=\"data\">\n<caption>Rules not run, by what they need</caption>\n<thead><tr><th scope=\"col\">Needs</th><th scope=\"col\">Rules</th></tr></thead>\n<tbody>\n"
        for (need, rules) in byNeed.sorted(by: { $0.key < $1.key }) {
            h += "<tr><th scope=\"row\">\(e(need))</th><td>\(e(rules.joined(separator: ", ")))</td></tr>\n"
        }
        return h + "</tbody>\n</table>\n</section>\n"
    }

    func aboutSection() -> String {
        """
        <section id="about" aria-labelledby="about-heading">
        <h2 id="about-heading">About this report</h2>
        <p>This page holds aggregate numbers and rule-level information only: no NHS numbers, local patient
        identifiers, record keys or recorded values. The exceptions file in the same folder has those, for data
        stewards inside the organisation; it should not travel with this report.</p>
        <p><strong>Small numbers.</strong> Counts from 1 to 4 are shown as &ldquo;&lt;5&rdquo;; zero is shown as 0.
        Where a count shown as &ldquo;&lt;5&rdquo; could be worked out by subtracting the other counts from a total
        (a team&rsquo;s months from the team&rsquo;s total, rules from their severity&rsquo;s total, rejected from
        read), alone or with the other hidden counts of that total, further counts in that total are hidden too and
        shown as &ldquo;*&rdquo;, until none can be. Counts of groups, periods or KPIs flagged by rules on
        aggregate returns are not counts of people and are shown as they are. A rate whose numerator,
        or denominator minus numerator, is under 5 is shown only as a bound (&ldquo;&lt;2%&rdquo;, &ldquo;&gt;98%&rdquo;),
        and a rate over fewer than 5 records is not shown. Charts leave such values out (a bar is drawn at a bound
        only where the bound is within 5 percentage points).</p>
        <p><strong>Reading the charts.</strong> Solid lines are fail thresholds, dashed lines warn thresholds; every
        value also carries its status in words (&#10005; Fail, &#9650; Warn, &#10003; Pass). A diamond marks a period a rule
        flagged. Each chart has a data table with the same numbers under &ldquo;Data table&rdquo;.</p>
        <p class="muted">Produced by mhdq \(e(input.toolVersion)), run \(e(input.runID)).</p>
        </section>

        """
    }
}
