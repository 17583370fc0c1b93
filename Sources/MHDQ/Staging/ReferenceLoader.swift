// Loads the reference data a manifest's [context] names: ODS organisations, active postcodes, portal settings.

public enum ReferenceLoader {
    /// Context keys that are plain values; every other key names a file.
    public static let settingKeys: Set<String> = ["portal_org", "upload_date"]

    /// `context`: ods = FILE (CSV with code and optional open/close dates), postcodes = FILE (CSV, first column),
    /// portal_org and upload_date are plain settings, and any other NAME = FILE is a reference list (first column).
    /// `settings`: the manifest's [settings], thresholds that override the packs' defaults.
    public static func load(_ context: [String: String], settings: [String: String] = [:],
                            settingLocations: [String: SourceLocation] = [:]) throws -> ReferenceData {
        var ref = ReferenceData()
        ref.settings = settings
        ref.settingLocations = settingLocations
        for (key, value) in context {
            switch key {
            case "ods": ref.ods = try loadODS(value)
            case "postcodes": ref.postcodes = try loadPostcodes(value)
            default:
                if settingKeys.contains(key) { ref.settings[key] = value } else { ref.lists[key] = try loadList(value) }
            }
        }
        return ref
    }

    static func loadODS(_ path: String) throws -> [String: (open: Int?, close: Int?)] {
        var reader = try CSVReader(path: path)
        var row = RawRow()
        guard try reader.next(into: &row) else { throw MHDQError.input("the ODS table is empty", at: SourceLocation(file: path)) }
        let header = row.fields.map { $0.lowercased() }
        let codeIndex = header.firstIndex { $0.contains("code") } ?? 0
        let openIndex = header.firstIndex { $0.contains("open") || $0.contains("start") }
        let closeIndex = header.firstIndex { $0.contains("close") || $0.contains("end") }
        var out: [String: (open: Int?, close: Int?)] = [:]
        func date(_ i: Int?) -> Int? {
            guard let i, i < row.count, !row.isBlank(i) else { return nil }
            return row.withField(i) { b in DateFormat.defaults.lazy.compactMap { $0.parse(b) }.first ?? DateFormat(pattern: "yyyymmdd")!.parse(b) }
        }
        while try reader.next(into: &row) {
            let code = row.string(codeIndex).trimmingSpaces().uppercased()
            guard !code.isEmpty else { continue }
            out[code] = (date(openIndex), date(closeIndex))
        }
        return out
    }

    static func loadList(_ path: String) throws -> Set<String> {
        var reader = try CSVReader(path: path)
        var row = RawRow()
        var out = Set<String>()
        while try reader.next(into: &row) {
            let v = row.string(0).trimmingSpaces()
            if !v.isEmpty { out.insert(v); out.insert(v.uppercased()) }
        }
        return out
    }

    static func loadPostcodes(_ path: String) throws -> Set<String> {
        var reader = try CSVReader(path: path)
        var row = RawRow()
        var out = Set<String>()
        var first = true
        while try reader.next(into: &row) {
            let pc = Identifiers.normalisePostcode(row.string(0))
            if first { first = false; if !Identifiers.postcodeValid(row.string(0)) { continue } }
            if !pc.isEmpty { out.insert(pc) }
        }
        return out
    }
}
