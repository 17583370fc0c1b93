// `mhdq run` progress on standard error, only when it is a terminal: per source, rows, MB/s and elapsed time.
// Under cron or a scheduler standard error is a file or a pipe, and the run stays quiet.

import MHDQ
import Foundation
#if canImport(Glibc)
import Glibc
#endif

final class RunProgress: StagedRecordConsumer {
    private let started = Date()
    private var sourceStarted = Date()
    private var lastDraw = Date.distantPast
    private var label = ""
    private var rows = 0
    private var table = ""
    private var tableStarted = Date()

    /// A progress line when standard error is a terminal; nil otherwise.
    static func ifTerminal() -> RunProgress? {
        isatty(2) == 1 ? RunProgress() : nil
    }

    func begin(table: Dataset, source: SourceSpec) {
        finishLine()
        let files = source.files.map { ($0 as NSString).lastPathComponent }
        label = "\(table.table) \(files.count == 1 ? files[0] : "\(files.count) files")"
        rows = 0
        sourceStarted = Date()
        if table.table != self.table {
            self.table = table.table
            tableStarted = sourceStarted
        }
        draw(force: true)
    }

    func consume(_ record: StagedRecord, table: Dataset) {
        rows += 1
        // Looking at the clock every record would cost more than the record.
        if rows & 0x3FFF == 0 { draw(force: false) }
    }

    func end(table: Dataset, stats: StagingStats) {
        let seconds = max(Date().timeIntervalSince(tableStarted), 0.001)
        let megabytes = Double(stats.bytesRead) / 1_048_576
        let rate = String(format: "%.1f MB/s", megabytes / seconds)
        write("\r\u{1B}[K  \(table.table): \(CheckReport.number(stats.rowsRead)) rows, \(String(format: "%.1f", megabytes)) MB in \(String(format: "%.1f", seconds)) s (\(rate))   [\(elapsed())]\n")
        label = ""
    }

    /// Called when validation and exporting begin, after the last table.
    func stage(_ text: String) {
        finishLine()
        write("  \(text)   [\(elapsed())]\n")
    }

    private func finishLine() {
        if !label.isEmpty { write("\n"); label = "" }
    }

    private func draw(force: Bool) {
        let now = Date()
        guard force || now.timeIntervalSince(lastDraw) >= 0.25 else { return }
        lastDraw = now
        let seconds = max(now.timeIntervalSince(sourceStarted), 0.001)
        write("\r\u{1B}[K  \(label): \(CheckReport.number(rows)) rows, \(CheckReport.number(Int(Double(rows) / seconds))) rows/s   [\(elapsed())]")
    }

    private func elapsed() -> String { String(format: "%.1f s", Date().timeIntervalSince(started)) }

    private func write(_ s: String) {
        _ = s.withCString { Glibc.write(2, $0, strlen($0)) }
    }
}
