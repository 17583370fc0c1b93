// `mhdq run MANIFEST`: the nightly job: read, stage, validate, export (into a folder renamed into place).

import Foundation
import MHDQ

enum RunCommand {
    static func run(_ args: inout Arguments) throws -> Int32 {
        let outOption = try args.value("--out")
        let rulesDir = try args.value("--rules")
        let runIDOption = try args.value("--run-id")
        if let id = runIDOption { try OutputFolder.validate(runID: id) }
        let periodText = try args.value("--period")
        let delimiterText = try args.value("--delimiter")
        let redact = args.flag("--redact")
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
        var delimiter = manifest.exportDelimiter ?? 0x2C
        if let d = delimiterText {
            guard let byte = CSVReader.delimiter(named: d) else { throw MHDQError.invocation("unusable --delimiter \"\(d)\" (, | tab ;)") }
            delimiter = byte
        }
        let now = Date()
        let started = OutputFolder.timestamp()
        var check = CheckRun(catalogue: catalogue, sources: manifest.sources, period: period, packs: manifest.packs)
        check.provider = manifest.provider
        check.submitter = manifest.submitter
        check.reference = try ReferenceLoader.load(manifest.context, settings: manifest.settings, settingLocations: manifest.settingLocations)
        // The header the flat files carry is dated when the data set is made, on the trust's clock.
        check.created = Int(now.timeIntervalSince1970) + TimeZone.current.secondsFromGMT(for: now)
        // Identifiers are masked in every patient-level output: the staging examples here, findings below.
        let redactor = redact ? Redactor.fromEnvironment(ProcessInfo.processInfo.environment) : nil
        check.redactor = redactor
        let historyPath = noHistory ? nil : historyOption ?? manifest.history ?? parent + "/" + OutputFolder.historyFileName
        // A history kept in the output folder under another name is that folder's too: a run id must not be its name.
        if let id = runIDOption, let historyPath,
           URL(fileURLWithPath: historyPath).standardizedFileURL == URL(fileURLWithPath: parent + "/" + id).standardizedFileURL {
            throw MHDQError.invocation("--run-id \"\(id)\" is the run history's file name: give another --run-id")
        }
        // A --run-id that the history holds for a completed run is refused before anything is claimed or written:
        // replacing that run's folder would leave the history describing outputs that are gone (exit 2).
        if let id = runIDOption, let historyPath { try HistoryStore.refuseCompletedRun(id, inHistoryAt: historyPath) }
        // The run's (hidden, partial) folder is claimed first: the claim gives the run its id, which no other run,
        // even one started in the same second, can take; the folder stays locked while this run lives.
        // An id mhdq makes skips one the history holds already (a run into another folder sharing the history,
        // started in the same second).
        let folder = try OutputFolder(parent: parent, runID: runIDOption, date: now) { id in
            historyPath.map { (try? HistoryStore.refuseCompletedRun(id, inHistoryAt: $0)) == nil } ?? false
        }
        let runID = folder.runID
        var committed = false
        defer { if !committed { folder.discard() } }
        // SIGINT/SIGTERM from here on remove the unfinished run instead of leaving it half written.
        Interruption.install(removing: folder.partial)
        // History: statuses as findings stream, metrics of earlier runs for the rules that compare with them.
        // A second run on the same history waits here, its own folder claimed and still empty.
        var info = RunInfo(runID: runID, pipeline: manifest.name, started: started)
        info.manifest = manifest.path
        info.manifestSHA256 = (try? SHA256.hash(file: manifest.path)).map { SHA256.hex($0.digest) } ?? ""
        info.period = period?.description ?? ""
        let history = try RunHistory(path: historyPath, info: info, wait: historyWait, chosenID: runIDOption != nil)
        defer { history.end() }
        let checksums = history.session == nil ? nil : InputChecksums(sources: manifest.sources)
        // Findings stream into exceptions.csv, and staged records into the flat-file spools, inside the partial folder.
        let exceptions = try ExceptionsCSVWriter(path: folder.path("exceptions.csv"), runID: runID)
        // The history fingerprints findings unmasked (statuses follow the record, not the mask) and stores the
        // record key masked; every output after it gets masked findings.
        if let redactor { history.storeRecordKeys { redactor.redact($0.recordKey, identifiers: $0.identifiers) } }
        check.findingSink = history.sink(forwardingTo: redactor.map { RedactingFindingSink($0, forward: exceptions) } ?? exceptions)
        check.metricHistory = history.metricHistory
        let progress = RunProgress.ifTerminal()
        check.observer = progress
        check.keepFindings = false
        let spooler = FlatFileSpooler(folder: folder.partial, delimiter: delimiter, redactor: redactor)
        check.recordConsumer = spooler
        let result: CheckResult
        let flatFiles: [FlatFileSpooler.FlatFile]
        let reconciliation: [ReconciliationRow]
        do {
            result = try check.run()
            try exceptions.close()
            progress?.stage("validated; writing outputs")
            let header = catalogue.dataset("MHS000Header").flatMap { ds in check.syntheticHeader().map { (ds, $0) } }
            flatFiles = try spooler.finish(outcomes: result.outcomes, header: header)
            // Nothing lost: rows exported are the records in the flat files, and must balance.
            reconciliation = try ReconciliationRow.make(result, written: Dictionary(flatFiles.map { ($0.table, $0.written) },
                                                                                    uniquingKeysWith: { a, _ in a }))
        } catch {
            info.finished = OutputFolder.timestamp()
            history.recordFailure(info: info, error: error)
            throw error
        }
        try ExceptionsWorkbook.write(exceptionsCSV: folder.path("exceptions.csv"), to: folder.path("exceptions.xlsx"),
                                     runID: runID, period: period?.description)
        /// The outputs that need the recorded run, then the rename into place, which commits the history record.
        func writeRecordedOutputs() throws -> Int32 {
            history.writeResolved(to: folder.path("resolved.csv"))
            try ReconciliationRow.writeCSV(reconciliation, to: folder.path("reconciliation.csv"))
            let summary = SummaryJSON.make(runID: runID, manifest: manifest.path, period: period, result: result,
                                           reconciliation: reconciliation, started: started,
                                           flatFiles: flatFiles, redacted: redactor != nil)
            let exitCode = history.failed ? ExitCode.unreadableInput : result.exitCode
            let json = try OutputBuffer(creating: folder.path("summary.json"))
            json.write(summary.setting("history", history.json ?? .null).setting("exit_code", .int(Int(exitCode))).render() + "\n")
            try json.close()
            let report = ReportInput.make(name: manifest.name, runID: runID, started: started, period: period, provider: manifest.provider,
                                          result: result, reconciliation: reconciliation, trend: history.trendPoints(),
                                          catalogue: catalogue)
            try HTMLReport.write(report, to: folder.path("report.html"))
            try folder.commit(confirming: history.confirm)
            return exitCode
        }

        // The outputs written last need the recorded run (resolved.csv, summary.json's history, the report's trends),
        // so the run is recorded first, in a transaction committed only once its folder is in place: a run whose
        // outputs cannot be written or moved (a full disk, a permission) is then never in the history, and a run in
        // the history always has its folder. From recording to the rename, SIGINT and SIGTERM wait, so an interrupted
        // run too is saved and recorded whole, or neither.
        let exitCode = try Interruption.commit { () throws -> Int32 in
            info.finished = OutputFolder.timestamp()
            history.record(result, info: info) { try checksums?.wait() ?? [] }
            do {
                return try writeRecordedOutputs()
            } catch {
                history.abandon()
                throw error
            }
        }
        committed = true
        history.end()

        let out = OutputBuffer.standardOutput()
        out.write(RunSummary.text(manifest: manifest, runID: runID, period: period, result: result, reconciliation: reconciliation,
                                  history: history, folder: folder))
        try out.close()
        if let error = history.error { Console.error("mhdq: \(error) (the run's outputs were written without history statuses)") }
        return exitCode
    }
}
