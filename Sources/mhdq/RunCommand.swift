// `mhdq run MANIFEST`: the nightly job: read, stage, validate, export (into a folder renamed into place).

import MHDQ

enum RunCommand {
    static func run(_ args: inout Arguments) throws -> Int32 {
        let outOption = try args.value("--out")
        let rulesDir = try args.value("--rules")
        let runIDOption = try args.value("--run-id")
        let periodText = try args.value("--period")
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
        let started = OutputFolder.timestamp()
        let runID = runIDOption ?? OutputFolder.newRunID()
        var check = CheckRun(catalogue: catalogue, sources: manifest.sources, period: period, packs: manifest.packs)
        check.provider = manifest.provider
        check.submitter = manifest.submitter
        check.reference = try ReferenceLoader.load(manifest.context, settings: manifest.settings)
        // Findings stream into exceptions.csv inside the partial folder as they are found.
        let folder = try OutputFolder(parent: parent, runID: runID)
        let exceptions = try ExceptionsCSVWriter(path: folder.path("exceptions.csv"), runID: runID)
        check.findingSink = exceptions
        check.keepFindings = false
        let result = try check.run()
        try exceptions.close()
        let reconciliation = ReconciliationRow.make(result)
        try ReconciliationRow.writeCSV(reconciliation, to: folder.path("reconciliation.csv"))
        let summary = SummaryJSON.make(runID: runID, manifest: manifest.path, period: period, result: result,
                                       reconciliation: reconciliation, started: started)
        let json = try OutputBuffer(creating: folder.path("summary.json"))
        json.write(summary.render() + "\n")
        try json.close()
        try folder.commit()

        let out = OutputBuffer.standardOutput()
        out.write("\(manifest.name)\n")
        out.write(CheckReport.text(result, period: period))
        out.write("\nreconciliation (rows read = exported + rejected):\n")
        for r in reconciliation {
            out.write("  \(r.table.padding(23)) read \(CheckReport.number(r.read).leftPadding(7))  exported \(CheckReport.number(r.exported).leftPadding(7))  rejected \(CheckReport.number(r.rejected).leftPadding(7))  \(r.balanced ? "balanced" : "NOT BALANCED")\n")
        }
        out.write("\noutputs: \(folder.final)/ (exceptions.csv, reconciliation.csv, summary.json); \(folder.latest) points to it\n")
        try out.close()
        return result.exitCode
    }
}
