// `mhdq check`: the ad hoc precheck (a stable interface: change it only by adding options).

import Foundation
import MHDQ

enum CheckCommand {
    static func run(_ args: inout Arguments) throws -> Int32 {
        let json = args.flag("--json")
        let noRules = args.flag("--no-rules")
        let redact = args.flag("--redact")
        let tables = try args.values("--table")
        let periodText = try args.value("--period")
        let packs = try args.values("--pack")
        let settingPairs = try args.values("--setting")
        let findingsPath = try args.value("--findings")
        let rulesDir = try args.value("--rules")
        let read = try ReadOptionArguments.parse(&args)
        let positionals = try args.positionals()

        let catalogue = try Catalogue.load(rulesDirectory: try Catalogue.locateRulesDirectory(explicit: rulesDir))
        var period = try periodText.map { text -> ReportingPeriod in
            guard let p = ReportingPeriod(text) else { throw MHDQError.invocation("--period takes YYYY-MM, not \"\(text)\"") }
            return p
        }
        var sources: [SourceSpec] = []
        var manifest: Manifest?
        if !positionals.isEmpty {
            guard positionals.count == 1 else { throw MHDQError.invocation("check takes one manifest, or --table NAME=FILE options") }
            let m = try Manifest.load(path: positionals[0], catalogue: catalogue)
            sources = m.sources
            if period == nil, let p = m.period { period = ReportingPeriod(p) }
            manifest = m
        }
        sources += try CheckRun.adHocSources(tables, catalogue: catalogue, read: read)
        guard !sources.isEmpty else {
            throw MHDQError.invocation("nothing to check: give a manifest or --table NAME=FILE (see mhdq help check)")
        }
        var check = CheckRun(catalogue: catalogue, sources: sources, period: period,
                             packs: noRules ? [] : packs.isEmpty ? manifest?.packs : packs)
        check.provider = manifest?.provider
        check.submitter = manifest?.submitter
        if let manifest { check.reference = try ReferenceLoader.load(manifest.context, settings: manifest.settings, settingLocations: manifest.settingLocations) }
        for pair in settingPairs {
            guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
                throw MHDQError.invocation("--setting takes NAME=VALUE, not \"\(pair)\"")
            }
            check.reference.settings[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
            check.reference.settingLocations[String(pair[..<eq])] = nil
        }
        if let findingsPath {
            try refuseOverwritingInputs(findingsPath, inputs: (manifest.map { [$0.path] } ?? []) + sources.flatMap(\.files))
        }
        let writer = try findingsPath.map { try ExceptionsCSVWriter(path: $0, runID: "check") }
        check.keepFindings = false
        // --redact masks the findings file and the examples printed.
        let redactor = redact ? Redactor.fromEnvironment(ProcessInfo.processInfo.environment) : nil
        check.redactor = redactor
        check.findingSink = writer.map { w -> FindingSink in redactor.map { RedactingFindingSink($0, forward: w) } ?? w }
        let result = try check.run()
        try writer?.close()
        let out = OutputBuffer.standardOutput()
        if json {
            out.write(CheckReport.json(result, period: period).render() + "\n")
        } else {
            out.write(CheckReport.text(result, period: period))
            if let findingsPath { out.write("findings written to \(findingsPath.visible)\n") }
        }
        try out.close()
        return result.exitCode
    }
}

/// The findings file is created (truncated) before any input is read: one that is the manifest or an input extract
/// (`--findings mpi.csv`) destroyed it, and the check then failed on "the file is empty". Refused (exit 2) when it is
/// the same file as an input: the same device and inode, or, when either does not exist yet, the same resolved path
/// (links and `..` followed, so `./mpi.csv` and a link to it count too).
func refuseOverwritingInputs(_ output: String, inputs: [String]) throws {
    func identity(_ path: String) -> (dev: UInt64, ino: UInt64)? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return (UInt64(st.st_dev), UInt64(st.st_ino))
    }
    func resolved(_ path: String) -> String { URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path }
    let outputID = identity(output)
    for input in inputs {
        let same: Bool
        if let o = outputID, let i = identity(input) {
            same = o.dev == i.dev && o.ino == i.ino
        } else {
            same = resolved(output) == resolved(input)
        }
        if same {
            throw MHDQError.invocation("--findings would overwrite an input of the check (\(input)): give another file",
                                       at: SourceLocation(file: output))
        }
    }
}

/// Reading options shared by check and inspect.
enum ReadOptionArguments {
    static func parse(_ args: inout Arguments) throws -> ReadOptions {
        var read = ReadOptions()
        if let d = try args.value("--delimiter") {
            guard let byte = CSVReader.delimiter(named: d) else { throw MHDQError.invocation("unusable --delimiter \"\(d)\"") }
            read.delimiter = byte
        }
        if let e = try args.value("--encoding") {
            guard let enc = TextEncoding(name: e) else { throw MHDQError.invocation("unknown --encoding \"\(e)\" (auto, utf-8, windows-1252)") }
            read.encoding = enc
        }
        if let f = try args.value("--format") {
            guard let format = SourceFormat(name: f) else { throw MHDQError.invocation("unknown --format \"\(f)\" (csv, xlsx, spreadsheetml)") }
            read.format = format
        }
        if let s = try args.value("--sheet") {
            read.sheet = SheetSelector(typed: s)
        }
        if let r = try args.value("--range") {
            guard let range = CellRange(r) else { throw MHDQError.invocation("--range takes A1 notation such as B3:K5000") }
            read.range = range
        }
        return read
    }
}
