// A series a pack declares ([[series]]): how a table's rows group into series (area and measure) and
// order by period, and what the report draws for each point. Series rules name the series they run over.

public final class SeriesDefinition {
    public var name: String
    public var title: String
    public var table: String
    /// Expressions naming a series: the first is the area, the rest the measure (in the report).
    var by: [Compiled] = []
    public var byNames: [String] = []
    /// The period that orders the series (a field of type period).
    var period: Compiled
    public var periodName: String
    var numerator: Compiled?
    var denominator: Compiled?
    var stated: Compiled?
    var rate: Compiled?
    /// "%" when the rate and stated value are percentages.
    public var unit: String
    /// The dataset fields the by, numerator, denominator and stated expressions name, when each is a plain field
    /// (nil otherwise): earlier periods from the history are rebuilt as records through them.
    public var byFields: [String?] = []
    public var periodField: String?
    public var numeratorField: String?
    public var denominatorField: String?
    public var statedField: String?
    /// How many periods before the return's first the history lends a series (history_periods, default 12).
    public var historyPeriods = 12
    public var location: SourceLocation

    init(name: String, title: String, table: String, period: @escaping Compiled, periodName: String, unit: String, location: SourceLocation) {
        self.name = name
        self.title = title
        self.table = table
        self.period = period
        self.periodName = periodName
        self.unit = unit
        self.location = location
    }

    static let keys: Set<String> = ["name", "title", "table", "by", "period", "numerator", "denominator", "stated", "rate", "unit", "history_periods"]

    /// Reads a [[series]] entry. `compile` compiles the expression at a key of the entry in the table's scope.
    static func load(_ t: TOMLTable, dataset: Dataset, compileText: (String, TOMLTable, String) throws -> Compiled,
                     compile: (TOMLTable, String) throws -> Compiled?) throws -> SeriesDefinition {
        try t.rejectUnknownKeys(keys, context: "a [[series]]")
        let name = try t.requiredString("name")
        let periodName: String
        if let p = try t.string("period") {
            periodName = p
        } else if let f = dataset.fields.first(where: { $0.type == .period }) {
            periodName = f.name
        } else {
            throw MHDQError.invocation("\(dataset.table) has no field of type period: give period = \"expression\"", at: t.location)
        }
        let s = SeriesDefinition(name: name, title: try t.string("title") ?? name, table: dataset.table,
                                 period: try compileText(periodName, t, "period"), periodName: periodName,
                                 unit: try t.string("unit") ?? "", location: t.location)
        guard let by = try t.strings("by"), !by.isEmpty else {
            throw MHDQError.invocation("a [[series]] needs by = [\"Area\", \"Measure\"]: what names one series", at: t.location)
        }
        func plainField(_ text: String?) -> String? {
            guard let name = text?.trimmingSpaces(), let i = dataset.index(of: name) else { return nil }
            return dataset.fields[i].name
        }
        for b in by {
            s.by.append(try compileText(b, t, "by"))
            s.byNames.append(b)
            s.byFields.append(plainField(b))
        }
        s.numerator = try compile(t, "numerator")
        s.denominator = try compile(t, "denominator")
        s.stated = try compile(t, "stated")
        s.rate = try compile(t, "rate")
        s.periodField = plainField(periodName)
        s.numeratorField = plainField(try t.string("numerator"))
        s.denominatorField = plainField(try t.string("denominator"))
        s.statedField = plainField(try t.string("stated"))
        if let n = try t.int("history_periods") {
            guard n >= 0, n <= 1000 else {
                throw MHDQError.invocation("history_periods takes a whole number of periods (0 to 1000)", at: t.location)
            }
            s.historyPeriods = n
        }
        return s
    }
}
