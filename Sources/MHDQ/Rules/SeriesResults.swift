// What the series and KPI rules hand to the exporters besides findings: the ordered indicator series
// (so the report can draw them with the flagged periods marked) and one RAG verdict per KPI return row.

/// One period of an (area, measure) indicator series.
public struct SeriesPoint: Sendable, Equatable {
    /// Normalised period ("2023-04", "FY2023/24 Q1", "2023 Q2", "FY2023/24"); points are in period order.
    public var period: String
    /// The period as the return typed it ("Apr-23").
    public var label: String
    public var numerator: Double?
    public var denominator: Double?
    /// The stated value as a number (74.02 for "74.02%"), when the return gives one.
    public var stated: Double?
    /// numerator / denominator (as a percentage when the measure is a percentage), when both are known.
    public var rate: Double?
    /// Ids of the rules that flagged this period.
    public var flags: [String]

    public init(period: String, label: String, numerator: Double? = nil, denominator: Double? = nil,
                stated: Double? = nil, rate: Double? = nil, flags: [String] = []) {
        self.period = period
        self.label = label
        self.numerator = numerator
        self.denominator = denominator
        self.stated = stated
        self.rate = rate
        self.flags = flags
    }
}

/// An indicator series over ordered periods (ASCOF 1F for one council, say).
public struct IndicatorSeries: Sendable, Equatable {
    public var area: String
    public var measure: String
    /// "%" for a percentage, "" for a plain ratio or count.
    public var unit: String
    public var points: [SeriesPoint]

    public init(area: String, measure: String, unit: String, points: [SeriesPoint]) {
        self.area = area
        self.measure = measure
        self.unit = unit
        self.points = points
    }
}

/// The RAG verdict of one KPI return row against the KPI catalogue.
public enum RAG: String, Sendable, CaseIterable {
    case red, amber, green
    case noTarget = "no target"
    case notReported = "not reported"
    /// Target and actual cannot be compared (different units or measures): a finding, never a silent comparison.
    case notComparable = "not comparable"
}

public struct KPIResult: Sendable, Equatable {
    /// Catalogue id ("KPI-APPRAISAL"), or the name as the return gave it when nothing in the catalogue matched.
    public var indicator: String
    public var title: String
    public var organisation: String
    public var period: String
    /// Target and actual as typed.
    public var target: String
    public var actual: String
    public var targetValue: Double?
    public var actualValue: Double?
    public var unit: String
    /// "higher" or "lower" (is better).
    public var direction: String
    /// actual - target, signed so that a positive gap is better than target; nil when not comparable.
    public var gap: Double?
    public var rag: RAG
    /// Why the verdict is what it is, in a sentence.
    public var note: String
    /// The worst actual that is still amber (target ∓ tolerance), when the KPI has a tolerance.
    public var amberLimit: Double? = nil

    public init(indicator: String, title: String, organisation: String, period: String, target: String, actual: String,
                targetValue: Double?, actualValue: Double?, unit: String, direction: String, gap: Double?, rag: RAG, note: String) {
        self.indicator = indicator
        self.title = title
        self.organisation = organisation
        self.period = period
        self.target = target
        self.actual = actual
        self.targetValue = targetValue
        self.actualValue = actualValue
        self.unit = unit
        self.direction = direction
        self.gap = gap
        self.rag = rag
        self.note = note
    }
}
