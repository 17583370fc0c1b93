// A dataset table (MHSDS core table or aggregate return) as defined by a file under Rules/datasets/.

public enum FieldType: String, Sendable, CaseIterable {
    case text, code, date, time, datetime, integer, decimal
    /// Aggregate returns: a reporting period in any of the forms returns use, normalised ("Apr-23" → 2023-04).
    case period
    /// Aggregate returns: a number as typed, kept with its unit and remarks ("74.02%", "14.85 days per FTE", "*").
    case amount
}

public struct FieldDefinition: Sendable {
    public var name: String
    /// MHSDS data item id (M001901), when the field is an MHSDS item.
    public var item: String
    public var dataItem: String
    /// Data Dictionary format, e.g. "an10 CCYY-MM-DD", "max an20", "n10".
    public var format: String
    public var type: FieldType
    /// M mandatory, R required, O optional.
    public var mandatory: String
    public var codes: String?
    public var aliases: [String]
    /// Identifies a person (NHS number, local patient id, postcode, birth date): masked by `--redact`.
    public var identifier = false
    public var location: SourceLocation
}

public struct Dataset: Sendable {
    public var table: String
    public var code: String
    public var title: String
    /// Fields naming a record in findings (LocalPatientID, ServiceRequestID, Area+Period...).
    public var key: [String]
    /// Fields naming the reporting group (provider, team, area).
    public var group: [String]
    public var fields: [FieldDefinition]
    /// Rows are aggregate figures (an area's indicator, an organisation's KPI), not people's records:
    /// counts of their findings need no small-number suppression.
    public var isAggregate = false
    public var location: SourceLocation
    private var byLowercasedName: [String: Int]
    /// Positions of the fields marked `identifier = true`.
    public var identifierIndices: [Int] { fields.indices.filter { fields[$0].identifier } }

    public init(table: String, code: String, title: String, key: [String], group: [String],
                fields: [FieldDefinition], location: SourceLocation) {
        self.table = table
        self.code = code
        self.title = title
        self.key = key
        self.group = group
        self.fields = fields
        self.location = location
        var index: [String: Int] = [:]
        for (i, f) in fields.enumerated() { index[f.name.lowercased()] = i }
        self.byLowercasedName = index
    }

    /// Field position by name, case-insensitive.
    public func index(of name: String) -> Int? { byLowercasedName[name.lowercased()] }

    public func field(_ name: String) -> FieldDefinition? { index(of: name).map { fields[$0] } }

    static func load(path: String) throws -> Dataset {
        let doc = try TOML.parse(file: path)
        try doc.rejectUnknownKeys(["table", "code", "title", "key", "group", "aggregate", "field", "note"], context: "a dataset file")
        let table = try doc.requiredString("table")
        var fields: [FieldDefinition] = []
        var seen = Set<String>()
        for f in try doc.tables("field") {
            try f.rejectUnknownKeys(["name", "item", "data_item", "format", "type", "mandatory", "codes", "aliases", "identifier", "note"],
                                    context: "a [[field]] of \(table)")
            let name = try f.requiredString("name")
            guard seen.insert(name.lowercased()).inserted else {
                throw MHDQError.invocation("field \"\(name)\" is defined twice in \(table)", at: f.location)
            }
            let typeName = try f.string("type") ?? "text"
            guard let type = FieldType(rawValue: typeName) else {
                throw MHDQError.invocation("unknown field type \"\(typeName)\" (known: \(FieldType.allCases.map(\.rawValue).joined(separator: ", ")))", at: f["type"]?.location ?? f.location)
            }
            let mandatory = try f.string("mandatory") ?? "O"
            guard ["M", "R", "O"].contains(mandatory) else {
                throw MHDQError.invocation("mandatory must be \"M\", \"R\" or \"O\", not \"\(mandatory)\"", at: f["mandatory"]?.location ?? f.location)
            }
            let format = try f.string("format") ?? ""
            if let problem = FormatSpec.problem(format) {
                throw MHDQError.invocation(problem, at: f["format"]?.location ?? f.location)
            }
            fields.append(FieldDefinition(
                name: name, item: try f.string("item") ?? "", dataItem: try f.string("data_item") ?? "",
                format: format, type: type, mandatory: mandatory,
                codes: try f.string("codes"), aliases: try f.strings("aliases") ?? [],
                identifier: try f.bool("identifier") ?? false, location: f.location))
        }
        guard !fields.isEmpty else { throw MHDQError.invocation("dataset \(table) has no [[field]] entries", at: doc.location) }
        var ds = Dataset(table: table, code: try doc.string("code") ?? table, title: try doc.string("title") ?? table,
                         key: try doc.strings("key") ?? [], group: try doc.strings("group") ?? [],
                         fields: fields, location: doc.location)
        ds.isAggregate = try doc.bool("aggregate") ?? false
        for name in ds.key + ds.group where ds.index(of: name) == nil {
            throw MHDQError.invocation("key or group field \"\(name)\" is not a field of \(table)", at: doc.location)
        }
        return ds
    }
}
