// mhdq-stage-bench MANIFEST: reads and stages every source of a manifest as `mhdq check` does before
// its rules run, and runs no rules. Prints the rows staged.
//
// `mhdq check --no-rules` is not that baseline: with nothing to read the records it makes no Value
// for a code or a date (it only checks them) and leaves text columns for when a problem needs the
// row's key. The rule engine needs every value, so rules_bench.py times this beside `mhdq check` to
// tell what evaluating the rules costs from what staging the values for them costs.

import Foundation
import MHDQ

/// Takes each staged record (so every value is made, as for the engine) and drops it.
final class Discard: StagedRecordConsumer {
    var records = 0
    func begin(table: Dataset, source: SourceSpec) {}
    func consume(_ record: StagedRecord, table: Dataset) { records += 1 }
    func end(table: Dataset, stats: StagingStats) {}
}

let args = CommandLine.arguments
guard args.count == 2 else {
    FileHandle.standardError.write(Data("usage: mhdq-stage-bench MANIFEST (run from the mhdq folder, or set MHDQ_RULES)\n".utf8))
    exit(2)
}
do {
    let catalogue = try Catalogue.load(rulesDirectory: try Catalogue.locateRulesDirectory(explicit: nil))
    let manifest = try Manifest.load(path: args[1], catalogue: catalogue)
    var check = CheckRun(catalogue: catalogue, sources: manifest.sources, period: manifest.period.flatMap(ReportingPeriod.init),
                         packs: [])
    let discard = Discard()
    check.recordConsumer = discard
    check.keepFindings = false
    let result = try check.run()
    print("staged \(discard.records) records; \(result.stats.reduce(0) { $0 + $1.rowsRead }) rows read")
} catch {
    FileHandle.standardError.write(Data("mhdq-stage-bench: \(error)\n".utf8))
    exit(2)
}
