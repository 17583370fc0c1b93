// An XLSX workbook's structure: where its parts are, its sheets, date system and styles.

/// Opens the package, follows the relationships from `_rels/.rels` to the workbook part and
/// from there to the sheets, shared strings and styles (part paths vary between writers).
final class XLSXWorkbook {
    struct Sheet {
        var name: String
        var hidden: Bool
        /// Path of the sheet's part in the archive; nil when the relationship is missing.
        var part: String?
        var isChart: Bool
    }

    let path: String
    let archive: ZipArchive
    private(set) var sheets: [Sheet] = []
    private(set) var date1904 = false
    private var workbookPart = "xl/workbook.xml"
    private var sharedStringsPart: String?
    private var stylesPart: String?

    init(path: String, limits: ZipLimits = ZipLimits()) throws {
        self.path = path
        archive = try ZipArchive(path: path, limits: limits)
        try readStructure()
    }

    private var location: SourceLocation { SourceLocation(file: path) }

    private func events(_ part: String) throws -> [XMLEventList.Event]? {
        guard let entry = archive.entry(named: part) else { return nil }
        let bytes = try archive.readAll(entry, maxBytes: 64 << 20)
        return try XMLEventList.parse(bytes, part: entry.name, location: location)
    }

    /// Relationships of a part: id → (type, resolved target).
    private func relationships(of part: String) throws -> [String: (type: String, target: String)] {
        let directory = XLSXWorkbook.directory(of: part)
        let name = part.split(separator: "/").last.map(String.init) ?? part
        let relsPart = (directory.isEmpty ? "" : directory + "/") + "_rels/" + name + ".rels"
        guard let events = try events(relsPart) else { return [:] }
        var rels: [String: (type: String, target: String)] = [:]
        for case .start("Relationship", let attrs) in events {
            guard let id = attrs["Id"], let target = attrs["Target"], attrs["TargetMode"] != "External" else { continue }
            rels[id] = (attrs["Type"] ?? "", XLSXWorkbook.resolve(target, from: directory))
        }
        return rels
    }

    private func readStructure() throws {
        let root = try relationships(of: "")
        if let office = root.values.first(where: { $0.type.hasSuffix("/officeDocument") }) {
            workbookPart = office.target
        }
        guard let workbook = try events(workbookPart) else {
            throw MHDQError.input("not an .xlsx workbook: no workbook part (\(workbookPart)) in the zip", at: location)
        }
        let rels = try relationships(of: workbookPart)
        for (_, rel) in rels {
            if rel.type.hasSuffix("/sharedStrings") { sharedStringsPart = rel.target }
            if rel.type.hasSuffix("/styles") { stylesPart = rel.target }
        }
        for event in workbook {
            switch event {
            case .start("workbookPr", let attrs):
                let v = attrs["date1904"]?.lowercased()
                date1904 = v == "1" || v == "true"
            case .start("sheet", let attrs):
                let rel = attrs["id"].flatMap { rels[$0] }
                let state = attrs["state"] ?? "visible"
                sheets.append(Sheet(name: attrs["name"] ?? "Sheet\(sheets.count + 1)",
                                    hidden: state == "hidden" || state == "veryHidden",
                                    part: rel?.target, isChart: rel?.type.hasSuffix("/chartsheet") ?? false))
            default:
                break
            }
        }
    }

    var sheetInfos: [SheetInfo] { sheets.map { SheetInfo(name: $0.name, hidden: $0.hidden) } }

    /// The index of the sheet a selector names (nil: the first visible worksheet).
    func index(of selector: SheetSelector?) throws -> Int {
        let names = sheets.map { "\"\($0.name)\"" }.joined(separator: ", ")
        switch selector?.resolved(among: sheets.map(\.name)) {
        case nil:
            if let i = sheets.firstIndex(where: { !$0.hidden && !$0.isChart }) { return i }
            throw MHDQError.input("the workbook has no visible worksheet (sheets: \(names.isEmpty ? "none" : names))", at: location)
        case .name(let name)?, .nameOrPosition(let name)?:
            let wanted = name.lowercased()
            if let i = sheets.firstIndex(where: { $0.name.lowercased() == wanted }) { return i }
            throw MHDQError.input("no sheet named \"\(name)\"; the sheets are \(names)", at: location)
        case .position(let p)?:
            if p >= 1 && p <= sheets.count { return p - 1 }
            let named = if case .nameOrPosition = selector { "named \"\(p)\" and no sheet " } else { "" }
            throw MHDQError.input("no sheet \(named)#\(p): the workbook has \(sheets.count) sheet(s): \(names)", at: location)
        }
    }

    func openSheet(_ selector: SheetSelector?, range: CellRange?) throws -> XLSXSheetReader {
        let sheet = sheets[try index(of: selector)]
        let at = SourceLocation(file: path, sheet: sheet.name)
        if sheet.isChart { throw MHDQError.input("this is a chart sheet, not a worksheet", at: at) }
        guard let part = sheet.part, let entry = archive.entry(named: part) else {
            throw MHDQError.input("the sheet's part (\(sheet.part ?? "no relationship")) is missing from the workbook", at: at)
        }
        var strings = SharedStrings()
        if let part = sharedStringsPart, let e = archive.entry(named: part) {
            strings = try SharedStrings(archive: archive, entry: e, location: SourceLocation(file: path))
        }
        var styles = XLSXStyles()
        if let part = stylesPart, let events = try events(part) { styles = XLSXStyles(events: events) }
        return try XLSXSheetReader(archive: archive, entry: entry, file: path, sheet: sheet.name,
                                   strings: strings, styles: styles, date1904: date1904, range: range)
    }

    // MARK: - Part names

    static func directory(of part: String) -> String {
        guard let slash = part.lastIndex(of: "/") else { return "" }
        return String(part[..<slash])
    }

    /// Resolves a relationship target against the source part's folder ("/x" is from the root).
    static func resolve(_ target: String, from directory: String) -> String {
        let joined = target.hasPrefix("/") ? target : (directory.isEmpty ? target : directory + "/" + target)
        var out: [Substring] = []
        for segment in joined.split(separator: "/") {
            if segment == "." { continue }
            if segment == ".." { if !out.isEmpty { out.removeLast() }; continue }
            out.append(segment)
        }
        return out.joined(separator: "/")
    }
}
