// Everything under Rules/ that staging needs: dataset tables and national code lists.

import Foundation

public struct Catalogue: Sendable {
    public var rulesDirectory: String
    public var datasets: [String: Dataset] {
        didSet { identifierFieldNames = Catalogue.identifierFields(of: datasets) }
    }
    public var codeLists: [String: CodeList]
    /// Lowercased names of the fields any dataset marks as an identifier (kept, not worked out per call:
    /// every message placeholder of every rule asks).
    public private(set) var identifierFieldNames: Set<String>

    public init(rulesDirectory: String, datasets: [String: Dataset], codeLists: [String: CodeList]) {
        self.rulesDirectory = rulesDirectory
        self.datasets = datasets
        self.codeLists = codeLists
        identifierFieldNames = Catalogue.identifierFields(of: datasets)
    }

    static func identifierFields(of datasets: [String: Dataset]) -> Set<String> {
        Set(datasets.values.flatMap { $0.fields.filter(\.identifier).map { $0.name.lowercased() } })
    }

    /// Tables in load order: the MHSDS order (MHS000, MHS001, ...) then aggregate returns.
    public var tableNames: [String] {
        func order(_ d: Dataset) -> (Int, String, String) { (d.code.hasPrefix("MHS") ? 0 : 1, d.code, d.table) }
        return datasets.values.sorted { order($0) < order($1) }.map(\.table)
    }

    public func dataset(_ name: String) -> Dataset? {
        datasets[name] ?? datasets.values.first { $0.table.lowercased() == name.lowercased() || $0.code.lowercased() == name.lowercased() }
    }

    public static func load(rulesDirectory: String) throws -> Catalogue {
        var datasets: [String: Dataset] = [:]
        for path in try Catalogue.files(in: rulesDirectory + "/datasets", ext: "toml") {
            let ds = try Dataset.load(path: path)
            if datasets[ds.table] != nil {
                throw MHDQError.invocation("dataset \(ds.table) is defined twice", at: ds.location)
            }
            datasets[ds.table] = ds
        }
        var codeLists: [String: CodeList] = [:]
        for path in try Catalogue.files(in: rulesDirectory + "/codes", ext: "csv") {
            let name = String(path.split(separator: "/").last!.dropLast(4))
            codeLists[name] = try CodeList.load(path: path, name: name)
        }
        for ds in datasets.values {
            for f in ds.fields {
                if let c = f.codes, codeLists[c] == nil {
                    throw MHDQError.invocation("field \(f.name) names code list \"\(c)\", which is not in \(rulesDirectory)/codes", at: f.location)
                }
            }
        }
        return Catalogue(rulesDirectory: rulesDirectory, datasets: datasets, codeLists: codeLists)
    }

    /// Sorted paths of files with extension `ext` directly inside `directory`.
    static func files(in directory: String, ext: String) throws -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            throw MHDQError.invocation("cannot read the folder \(directory)")
        }
        return names.filter { $0.hasSuffix("." + ext) && !$0.hasPrefix(".") }.sorted().map { directory + "/" + $0 }
    }

    /// Finds Rules/: $MHDQ_RULES, ./Rules, or Rules/ beside the installed binary's package.
    public static func locateRulesDirectory(explicit: String? = nil) throws -> String {
        if let explicit { return explicit }
        let fm = FileManager.default
        if let env = ProcessInfo.processInfo.environment["MHDQ_RULES"], !env.isEmpty { return env }
        if fm.fileExists(atPath: "Rules/datasets") { return "Rules" }
        var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0 ..< 5 {
            let candidate = dir.appendingPathComponent("Rules")
            if fm.fileExists(atPath: candidate.appendingPathComponent("datasets").path) { return candidate.path }
            for share in ["share/mhdq/Rules"] {
                let c = dir.appendingPathComponent(share)
                if fm.fileExists(atPath: c.appendingPathComponent("datasets").path) { return c.path }
            }
            dir = dir.deletingLastPathComponent()
        }
        throw MHDQError.invocation("cannot find the Rules folder: run from the mhdq folder, set MHDQ_RULES, or pass --rules DIR")
    }
}
