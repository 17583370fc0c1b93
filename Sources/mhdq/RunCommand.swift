// `mhdq run MANIFEST`: the nightly job: read, stage, validate, export (into a folder renamed into place).

import MHDQ

enum RunCommand {
    static func run(_ args: inout Arguments) throws -> Int32 {
        let outOption = try args.value("--out")
        let rulesDir = try args.value("--rules")
        let runIDOption = try args.value("--run-id")
        let periodText = try args.value("--period")
        let historyOption = try args.value("--history")
        let noHistory = args.flag("--no-history")
        let historyWait = try args.value("--history-wait").map { text -> Double in
            guard let d = Double(text), d >= 0 else { throw MHDQError.invocation("--history-wait takes seconds, not \"\(text)\"") }
            return d
        } ?? 60
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
        // History: statuses as findings stream, metrics of earlier runs for the rules that compare with them.
        // Taken first: a second run on the same history waits here, before it touches the output folder.
        var info = RunInfo(runID: runID, pipeline: manifest.name, started: started)
        info.manifest = manifest.path
        info.manifestSHA256 = (try? SHA256.hash(file: manifest.path)).map { SHA256.hex($0.digest) } ?? ""
        info.period = period?.description ?? ""
        let history = RunHistory(path: noHistory ? nil : historyOption ?? manifest.history ?? parent + "/history.sqlite",
                                 info: info, wait: historyWait)
        defer { history.end() }
        let checksums = history.session == nil ? nil : InputChecksums(sources: manifest.sources)
        // Findings stream into exceptions.csv inside the partial folder as they are found.
        let folder = try OutputFolder(parent: parent, runID: runID)
        let exceptions = try ExceptionsCSVWriter(path: folder.path("exceptions.csv"), runID: runID)
        check.findingSink = history.sink(forwardingTo: exceptions)
        check.metricHistory = history.metricHistory
        let progress = RunProgress.ifTerminal()
        check.observer = progress
        check.keepFindings = false
        let result: CheckResult
        do {
            result = try check.run()
        } catch {
            info.finished = OutputFolder.timestamp()
            history.recordFailure(info: info, error: error)
            throw error
        }
        try exceptions.close()
        progress?.stage("validated; writing outputs")
        try ExceptionsWorkbook.write(exceptionsCSV: folder.path("exceptions.csv"), to: folder.path("exceptions.xlsx"),
                                     runID: runID, period: period?.description)
        info.finished = OutputFolder.timestamp()
        history.record(result, info: info) { try checksums?.wait() ?? [] }
        history.writeResolved(to: folder.path("resolved.csv"))
        let reconciliation = ReconciliationRow.make(result)
        try ReconciliationRow.writeCSV(reconciliation, to: folder.path("reconciliation.csv"))
        let summary = SummaryJSON.make(runID: runID, manifest: manifest.path, period: period, result: result,
                                       reconciliation: reconciliation, started: started)
        let exitCode = history.failed ? ExitCode.unreadableInput : result.exitCode
        let json = try OutputBuffer(creating: folder.path("summary.json"))
        json.write(summary.setting("history", history.json ?? .null).setting("exit_code", .int(Int(exitCode))).render() + "\n")
        try json.close()
        let report = ReportInput.make(name: manifest.name, runID: runID, started: started, period: period, provider: manifest.provider,
                                      result: result, reconciliation: reconciliation, trend: history.trendPoints(),
                                      catalogue: catalogue)
        try HTMLReport.write(report, to: folder.path("report.html"))
        try folder.commit()
        history.end()

        let out = OutputBuffer.standardOutput()
        out.write(RunSummary.text(manifest: manifest, runID: runID, period: period, result: result, reconciliation: reconciliation,
                                  history: history, folder: folder))
        try out.close()
        if let error = history.error { Console.error("mhdq: \(error) (the run's outputs were written without history statuses)") }
        return exitCode
    }
}
