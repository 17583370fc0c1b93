// One aggregate rule's metrics as the report draws them: suppressed, with the rule's band as threshold lines.

/// One aggregate rule's metrics after suppression, with what the report needs to draw them.
struct RuleMetrics {
    var ruleID: String
    var title: String
    var cells: [MetricCell]
    var percent: Bool
    var measure: String
    var dimensions: [String]
    var thresholds: [ChartThreshold]
    var band: String
    /// The rule's warn_when / fail_when in words ("fail if ..., warn if ..."); empty when it has none.
    var conditions: String
    /// The last part of every group is a month: drawn against time.
    var overTime: Bool

    init(_ metrics: [Metric]) {
        let m = metrics[0]
        ruleID = m.ruleID
        title = m.title
        percent = m.percent
        measure = m.measure
        dimensions = m.dimensions
        cells = MetricDisclosure.protect(metrics)
        func show(_ v: Double) -> String { m.percent ? HTMLText.percent(v) : HTMLText.number(v, decimals: 2) }
        var t: [ChartThreshold] = []
        var words: [String] = []
        if let v = m.warnBelow { t.append(ChartThreshold(value: v, label: "warn below \(show(v))", kind: .warn)); words.append("warn below \(show(v))") }
        if let v = m.failBelow { t.append(ChartThreshold(value: v, label: "fail below \(show(v))", kind: .fail)); words.append("fail below \(show(v))") }
        if let v = m.warnAbove { t.append(ChartThreshold(value: v, label: "warn above \(show(v))", kind: .warn)); words.append("warn above \(show(v))") }
        if let v = m.failAbove { t.append(ChartThreshold(value: v, label: "fail above \(show(v))", kind: .fail)); words.append("fail above \(show(v))") }
        thresholds = t
        band = words.joined(separator: ", ")
        conditions = [m.failWhen.map { "fail if " + $0 }, m.warnWhen.map { "warn if " + $0 }].compactMap { $0 }.joined(separator: "; ")
        // A group whose month is blank ("(no month(...))") is in no month: it does not stop the rest being drawn over time.
        let lasts = cells.map { $0.parts.last ?? "" }.filter { !$0.isEmpty && !Metric.isMissingPart($0) }
        overTime = !lasts.isEmpty && lasts.allSatisfy(HTMLText.isMonth) && Set(lasts).count > 1
    }

    var hasBand: Bool { !thresholds.isEmpty }
    var hasConditions: Bool { !conditions.isEmpty }
    /// Groups are judged pass, warn or fail: by a band, by conditions, or both (a group that fails or warns
    /// was judged, whatever the metric says of how).
    var isJudged: Bool { hasBand || hasConditions || cells.contains { $0.metric.status == "fail" || $0.metric.status == "warn" } }
    /// What the groups are held to, in words: the band, the conditions, or both ("" for neither).
    var heldTo: String { [band, conditions].filter { !$0.isEmpty }.joined(separator: "; ") }
    var isSingle: Bool { cells.count == 1 }

    func status(_ cell: MetricCell) -> ChartStatus {
        switch cell.metric.status {
        case "fail": return .fail
        case "warn": return .warn
        case "pass": return isJudged ? .pass : .neutral
        default: return .neutral
        }
    }

    func tick(_ v: Double) -> String { percent ? HTMLText.percent(v, decimals: 0) : HTMLText.number(v) }
}
