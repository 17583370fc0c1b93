// Benchmark route: builds exceptions.xlsx from an exceptions.csv as `mhdq run` does after a run.
// Built by worklist_bench.py against the release build of the MHDQ library; the run id and period
// are those worklist_bench.py writes into its exceptions.csv.

import MHDQ
#if canImport(Glibc)
import Glibc
#endif

let args = CommandLine.arguments
guard args.count >= 3 else {
    fputs("usage: worklist_write EXCEPTIONS.csv OUT.xlsx [LEVEL]\n", stderr)
    exit(2)
}
do {
    var options = XLSXWriter.Options()
    if args.count >= 4, let level = Int32(args[3]) { options.zip.compressionLevel = level }
    let report = try ExceptionsWorkbook.write(exceptionsCSV: args[1], to: args[2], runID: "20240401T060000Z", period: "2024-03",
                                              options: options)
    let rows = report.sheets.reduce(0) { $0 + $1.dataRows }
    fputs("findings: \(report.findings) sheets: \(report.sheets.count) rows: \(rows) cut: \(report.truncatedCells)\n", stderr)
} catch let error as MHDQError {
    fputs("mhdq: \(error)\n", stderr)
    exit(error.exitCode)
}
