// The KPI catalogue (Rules/kpi/*.toml): what each KPI is, which way is better, its unit, default target,
// tolerance and RAG bands, the names returns use for it, and the spellings of units and directions.

import Foundation

public struct KPIDefinition: Sendable {
    public var id: String
    public var title: String
    public var description: String
    /// "higher" or "lower" (is better).
    public var direction: String
    /// The unit as the catalogue names it ("%", "days per FTE").
    public var unit: String
    /// Used when a return row gives no target at all (a blank cell; "N/A" means no target).
    public var target: Double?
    /// Amber band: a miss of at most this much (in the KPI's unit) is amber, beyond it red.
    public var tolerance: Double
    /// Green band: a miss of at most this much still counts as green (0: the target must be met).
    public var greenWithin: Double
    /// Names a return may use for the KPI (the title and id also match).
    public var names: [String]
    public var source: String
    public var location: SourceLocation
}

public struct KPICatalogue: Sendable {
    public private(set) var kpis: [KPIDefinition] = []
    private var byName: [String: Int] = [:]
    /// Unit spelling (see `unitKey`) → the unit's name.
    private var units: [String: String] = [:]
    /// Direction spelling (normalised) → "higher" or "lower".
    private var directions: [String: String] = [:]
    public var directory: String

    public static let directionNames = ["higher", "lower"]

    init(directory: String) { self.directory = directory }

    /// The KPI a return's indicator name means, if the catalogue knows it.
    public func kpi(named name: String) -> KPIDefinition? {
        byName[CodeList.normalise(name)].map { kpis[$0] }
    }

    /// Whether `name` is one of the names of `kpi`.
    public func names(_ name: String, _ kpi: KPIDefinition) -> Bool {
        byName[CodeList.normalise(name)].map { kpis[$0].id == kpi.id } ?? false
    }

    /// The unit a spelling means ("per cent" → "%"); a spelling the catalogue does not list is its own unit.
    public func unit(_ spelling: String) -> String {
        let key = KPICatalogue.unitKey(spelling)
        return units[key] ?? spelling.trimmingSpaces()
    }

    /// "higher" or "lower" for a direction as a return types it ("Higher is better", "↓"); nil if neither.
    public func direction(_ spelling: String) -> String? {
        directions[CodeList.normalise(spelling)] ?? directions[spelling.trimmingSpaces()]
    }

    /// Units compare case-insensitively with spaces collapsed ("Days per FTE" = "days  per fte").
    static func unitKey(_ s: String) -> String {
        s.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    /// Whether a tolerance typed with the unit `typed` ("day" in "8 days per FTE (+/- 1 day)") is a band in
    /// `unit`, the unit the row's values are in; `spellings` are how the row typed that unit ("days/WTE").
    ///
    /// It is when it names no unit, when the catalogue reads it as `unit` ("days per WTE" for "days per FTE"),
    /// or when it shortens `unit`, one of the catalogue's spellings of it or one of `spellings` to its leading
    /// words, singular or plural: "1 day" of "days per FTE" is a day per FTE, the rest of the unit understood,
    /// and "1 day per WTE" is a day per FTE too, whether the row typed its unit beside the figures or in its Unit
    /// column. Anything else is another unit, and the tolerance is not a band around the target: "20 days"
    /// against "85%", "5%" against "8 days". "points" is not read as "%": the catalogue lists no such spelling.
    public func tolerance(unit typed: String, isIn unit: String, spellings: [String] = []) -> Bool {
        if typed.trimmingSpaces().isEmpty || self.unit(typed) == unit { return true }
        let short = KPICatalogue.unitWords(typed)
        let catalogued = units.filter { $0.value == unit }.map(\.key)
        return ([unit] + catalogued + spellings).contains { spelling in
            let words = KPICatalogue.unitWords(spelling)
            return !short.isEmpty && short.count <= words.count && zip(short, words).allSatisfy(==)
        }
    }

    /// A unit's words for telling a shortening: lower case, split at spaces and "/", each singular
    /// ("Days/WTE" → ["day", "wte"]).
    static func unitWords(_ s: String) -> [String] {
        unitKey(s).split(whereSeparator: { $0 == " " || $0 == "/" }).map { word in
            word.count > 2 && word.hasSuffix("s") && !word.hasSuffix("ss") ? String(word.dropLast()) : String(word)
        }
    }

    /// Loads every *.toml under `directory`; any error names file:line:column.
    public static func load(directory: String) throws -> KPICatalogue {
        var catalogue = KPICatalogue(directory: directory)
        guard FileManager.default.fileExists(atPath: directory) else {
            throw MHDQError.invocation("kpi rules need the KPI catalogue, but \(directory) does not exist")
        }
        var names: [String: (id: String, location: SourceLocation)] = [:]
        for file in try Catalogue.files(in: directory, ext: "toml") {
            let doc = try TOML.parse(file: file)
            try doc.rejectUnknownKeys(["kpi", "unit", "directions"], context: "a KPI catalogue file")
            for u in try doc.tables("unit") {
                try u.rejectUnknownKeys(["name", "spellings"], context: "a [[unit]]")
                let name = try u.requiredString("name")
                for s in [name] + (try u.strings("spellings") ?? []) {
                    let key = unitKey(s)
                    if let other = catalogue.units[key], other != name {
                        throw MHDQError.invocation("unit spelling \"\(s)\" is already a spelling of \"\(other)\"", at: u["spellings"]?.location ?? u.location)
                    }
                    catalogue.units[key] = name
                }
            }
            if let d = try doc.table("directions") {
                try d.rejectUnknownKeys(Set(directionNames), context: "[directions]")
                for direction in directionNames {
                    for s in try d.strings(direction) ?? [] {
                        let key = CodeList.normalise(s).isEmpty ? s.trimmingSpaces() : CodeList.normalise(s)
                        if let other = catalogue.directions[key], other != direction {
                            throw MHDQError.invocation("direction spelling \"\(s)\" is listed under both higher and lower", at: d[direction]?.location)
                        }
                        catalogue.directions[key] = direction
                    }
                }
            }
            for k in try doc.tables("kpi") {
                try k.rejectUnknownKeys(["id", "title", "description", "direction", "unit", "target", "tolerance", "green_within",
                                         "names", "source"], context: "a [[kpi]]")
                let id = try k.requiredString("id")
                let direction = try k.requiredString("direction")
                guard directionNames.contains(direction) else {
                    throw MHDQError.invocation("direction must be \"higher\" or \"lower\" (is better), not \"\(direction)\"", at: k["direction"]?.location)
                }
                let tolerance = try k.number("tolerance") ?? 0
                let greenWithin = try k.number("green_within") ?? 0
                guard tolerance >= 0, greenWithin >= 0, greenWithin <= tolerance || tolerance == 0 else {
                    throw MHDQError.invocation("tolerance and green_within are misses from the target (0 or more), and green_within is inside the tolerance",
                                               at: k["tolerance"]?.location ?? k.location)
                }
                let def = KPIDefinition(id: id, title: try k.requiredString("title"), description: try k.string("description") ?? "",
                                        direction: direction, unit: try k.requiredString("unit"), target: try k.number("target"),
                                        tolerance: tolerance, greenWithin: greenWithin, names: try k.strings("names") ?? [],
                                        source: try k.string("source") ?? "", location: k.location)
                if catalogue.kpis.contains(where: { $0.id == id }) {
                    throw MHDQError.invocation("KPI id \(id) is defined twice", at: k["id"]?.location)
                }
                let index = catalogue.kpis.count
                catalogue.kpis.append(def)
                for name in [def.id, def.title] + def.names {
                    let key = CodeList.normalise(name)
                    guard !key.isEmpty else { continue }
                    if let other = names[key], other.id != id {
                        throw MHDQError.invocation("the name \"\(name)\" of \(id) is already a name of \(other.id) (at \(other.location)): a return could not say which KPI it means",
                                                   at: k["names"]?.location ?? k.location)
                    }
                    names[key] = (id, k.location)
                    catalogue.byName[key] = index
                }
            }
        }
        for k in catalogue.kpis where catalogue.units[unitKey(k.unit)] == nil {
            throw MHDQError.invocation("unit \"\(k.unit)\" of \(k.id) is not a [[unit]] of the catalogue (add it with its spellings)", at: k.location)
        }
        return catalogue
    }
}
