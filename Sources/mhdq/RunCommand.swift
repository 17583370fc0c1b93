// `mhdq run MANIFEST`: the nightly job: read, stage, validate, export (into a folder renamed into place).

import Foundation
import MHDQ

enum RunCommand {
    static func run(_ args: inout Arguments) throws -> Int32 {
        let outOption = try args.value("--out")
        let rulesDir = try args.value("--rules")
        let runIDOption = try args.value("--run-id")
        let periodText = try args.value("--period")
        let delimiterText = try args.value("--delimiter")
        let redact = args.flag("--redact")
        let positionals = try args.positionals()
        guard positionals.count == 1 else { throw MHDQError.invocation("run takes one manifest: mhdq run MANIFEST [--out DIR]") }
        let catalogue = try Catalogue.load(rulesDirectory: try Catalogue.locateRulesDirectory(explicit: rulesDir))
        let manifest = try Manifest.load(path: positionals[0], catalogue: catalogue)
        let periodSource = periodText ?? manifest.period
        let period = try periodSource.map { text -> ReportingPeriod in
            guard let p = ReportingPeriod(text) else { throw MHDQError.invocation("--period takes YYYY-MM, not \"\(text)\"") }
            return p
        }
        guard let parent = outOption ?? manifest.out else {
            throw MHDQError.invocation("run needs --out DIR (or out = \"DIR\" in the manifest's [pipeline])")
        }
        var delimiter = manifest.exportDelimiter ?? 0x2C
        if let d = delimiterText {
            guard let byte = CSVReader.delimiter(named: d) else { throw MHDQError.invocation("unusable --delimiter \"\(d)\" (, | tab ;)") }
            delimiter = byte
        }
        let now = Date()
        let started = OutputFolder.timestamp()
        let runID = runIDOption ?? OutputFolder.newRunID(in: parent, date: now)
        var check = CheckRun(catalogue: catalogue, sources: manifest.sources, period: period, packs: manifest.packs)
        check.provider = manifest.provider
        check.submitter = manifest.submitter
        check.reference = try ReferenceLoader.load(manifest.context)
        // The header the flat files carry is dated when the data set is made, on the trust's clock.
        check.created = Int(now.timeIntervalSince1970) + TimeZone.current.secondsFromGMT(for: now)
        // Identifiers are masked in front of every patient-level output (findings, flat files, examples).
        let redactor = redact ? Redactor.fromEnvironment(ProcessInfo.processInfo.environment) : nil
        check.redactor = redactor
        // SIGINT/SIGTERM from here on remove the unfinished run instead of leaving it half written.
        Interruption.install(removing: OutputFolder.partialPath(parent: parent, runID: runID))
        // Findings stream into exceptions.csv, and staged records into the flat-file spools, inside the partial folder.
        let folder = try OutputFolder(parent: parent, runID: runID)
        var committed = false
        defer { if !committed { folder.discard() } }
        let exceptions = try ExceptionsCSVWriter(path: folder.path("exceptions.csv"), runID: runID)
        check.findingSink = exceptions
        check.keepFindings = false
        let spooler = FlatFileSpooler(folder: folder.partial, delimiter: delimiter, redactor: redactor)
        check.recordConsumer = spooler
        let result = try check.run()
        try exceptions.close()
        let headerDataset = catalogue.dataset("MHS000Header")
        let header = headerDataset.flatMap { ds in check.syntheticHeader().map { (ds, $0) } }
        let flatFiles = try spooler.finish(outcomes: result.outcomes, header: header)
        // Nothing lost: rows exported are the records in the flat files, and must balance.
        let reconciliation = try ReconciliationRow.make(result, written: Dictionary(flatFiles.map { ($0.table, $0.written) }, uniquingKeysWith: { a, _ in a }))
        try ReconciliationRow.writeCSV(reconciliation, to: folder.path("reconciliation.csv"))
        let summary = SummaryJSON.make(runID: runID, manifest: manifest.path, period: period, result: result,
                                       reconciliation: reconciliation, started: started,
                                       flatFiles: flatFiles, redacted: redactor != nil)
        let json = try OutputBuffer(creating: folder.path("summary.json"))
        json.write(summary.render() + "\n")
        try json.close()
        try Interruption.commit { try folder.commit() }
        committed = true

        let out = OutputBuffer.standardOutput()
        out.write("\(manifest.name)\n")
        out.write(CheckReport.text(result, period: period))
        out.write("\nreconciliation (rows read = exported + rejected):\n")
        for r in reconciliation {
            out.write("  \(r.table.padding(23)) read \(CheckReport.number(r.read).leftPadding(7))  exported \(CheckReport.number(r.exported).leftPadding(7))  rejected \(CheckReport.number(r.rejected).leftPadding(7))  \(r.balanced ? "balanced" : "NOT BALANCED")\n")
        }
        let names = flatFiles.map { ($0.path as NSString).lastPathComponent }
        out.write("\noutputs: \(folder.final)/ (\(names.joined(separator: ", ")), exceptions.csv, reconciliation.csv, summary.json)\(redactor == nil ? "" : ", identifiers masked"); \(folder.latest) points to it\n")
        try out.close()
        return result.exitCode
    }
}
