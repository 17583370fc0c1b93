// `mhdq run`'s history: begun before validation, recorded after it. A history that is locked, damaged or
// unwritable is reported (and makes the run exit 3), but never stops the run's outputs being written.

import MHDQ

final class RunHistory {
    /// nil when the run keeps no history (--no-history).
    let path: String?
    private(set) var session: HistorySession?
    private(set) var outcome: HistoryOutcome?
    private(set) var error: MHDQError?

    /// Throws only when the history refuses the run itself: the --run-id it was given (`chosenID`) is a completed
    /// run's (exit 2). A run of that id may have been recorded since `mhdq run` asked, before claiming its folder; the
    /// run then stops, and the earlier run's folder is left as it was. An id mhdq made (the start time) that a run
    /// into another folder sharing this history took in the same second is no fault of the invocation: that run goes
    /// on without the history, as for a history it cannot use (exit 3).
    init(path: String?, info: RunInfo, wait: Double, chosenID: Bool) throws {
        self.path = path
        guard let path else { return }
        do {
            session = try HistorySession(path: path, info: info, wait: wait) { holder in
                Console.error("mhdq: \(path): in use by \(holder); waiting up to \(Value.format(wait)) s")
            }
        } catch let refusal as MHDQError where refusal.kind == .invocation {
            if chosenID { throw refusal }
            fail(MHDQError.input("another run sharing this history started in the same second and took the id \(info.runID) first",
                                 at: SourceLocation(file: path)))
        } catch {
            fail(error)
        }
    }

    var failed: Bool { error != nil }

    /// The findings stream: statuses set when there is a history.
    func sink(forwardingTo next: FindingSink) -> FindingSink {
        session?.statusSink(forwardingTo: next) ?? next
    }

    var metricHistory: MetricHistory? { session?.store }

    /// Records the run, uncommitted until `confirm()`: the outputs written meanwhile see it (resolved.csv, summary.json's
    /// history, the report's trends). A history that cannot take it is reported, and the outputs go on without it.
    func record(_ result: CheckResult, info: RunInfo, inputs: () throws -> [RunInput]) {
        guard let session else { return }
        do {
            outcome = try session.recordUncommitted(result, info: info, inputs: try inputs())
        } catch {
            fail(error)
        }
    }

    /// Commits the recorded run: called once its folder is in place, so the history never holds a run whose outputs
    /// are missing. Throws when the commit fails (the caller then takes the folder back out: the run is not saved).
    func confirm() throws {
        guard let session, outcome != nil else { return }
        do {
            try session.commitRecord()
        } catch {
            let e = error as? MHDQError
            throw MHDQError.input("cannot record the run in the history (\(e?.message ?? "\(error)")): the run was not saved",
                                  at: e?.location ?? path.map { SourceLocation(file: $0) })
        }
    }

    /// Forgets the recorded run: its outputs could not be written or moved into place.
    func abandon() {
        session?.rollbackRecord()
    }

    /// The run could not validate (an input could not be read): list it in the history, then release it.
    func recordFailure(info: RunInfo, error: Error) {
        guard let session else { return }
        let code = (error as? MHDQError)?.exitCode ?? ExitCode.unreadableInput
        try? session.recordFailure(info: info, exitCode: code, error: "\(error)")
        end()
    }

    /// resolved.csv in the run's folder (written only when the run was recorded).
    func writeResolved(to path: String) {
        guard let session, let outcome else { return }
        do {
            try ResolvedCSV.write(store: session.store, run: outcome.run, to: path)
        } catch {
            fail(error)
        }
    }

    /// The completed runs so far (this one included once recorded) for the report's trend charts; [] without a history.
    func trendPoints(limit: Int = 30) -> [RunTrendPoint] {
        (try? session?.store.trendPoints(limit: limit)) ?? []
    }

    /// A redacting run stores record keys as its outputs show them (statuses still follow the unredacted key).
    func storeRecordKeys(_ transform: @escaping (Finding) -> String) {
        session?.tracker.storedRecordKey = transform
    }

    var json: JSON? {
        guard let path else { return nil }
        if let error { return HistoryOutcome.failureJSON(file: path, error: error.description) }
        return outcome?.json
    }

    func end() {
        session?.end()
        session = nil
    }

    private func fail(_ e: Error) {
        guard error == nil else { return }
        let described = e as? MHDQError ?? MHDQError.input("\(e)", at: path.map { SourceLocation(file: $0) })
        error = described
        session?.end()
        session = nil
    }
}
