// Reads a CSV file's records on a second thread while the caller stages the ones already read.

import Foundation

/// Runs a `CSVReader` on its own thread, a batch of rows at a time, so parsing the next rows overlaps
/// staging (and validating) the previous ones. Rows reach the caller in file order, by swapping
/// `RawRow` buffers (nothing is copied); an error the reader throws reaches the caller after the rows
/// read before it, exactly where reading on one thread would have thrown it. A few batches of rows is
/// all the memory it adds.
final class CSVPrefetcher: @unchecked Sendable {
    private struct Batch {
        var rows: [RawRow]
        var count = 0
    }

    private let lock = NSCondition()
    // Guarded by `lock`.
    private var ready: [Batch] = []
    private var spare: [Batch]
    private var finished = false
    private var failure: Error?
    private var stopping = false
    private var exited = false
    // The reader belongs to the thread until it has exited.
    private var reader: CSVReader
    // The caller's side.
    private var current = Batch(rows: [])
    private var position = 0

    private let batchRows: Int

    /// Batches of a thousand rows keep the threads' hand-overs rare; rows start small and grow to the
    /// file's widest (a few megabytes in all for typical extracts). Rows are made as the reader first
    /// fills them, so a small file (a code list, a return) costs only the rows it has.
    init(reader: CSVReader, batchRows: Int = 1024, batches: Int = 4) {
        self.reader = reader
        self.batchRows = batchRows
        spare = (0 ..< batches).map { _ in Batch(rows: []) }
    }

    func start() {
        let thread = Thread { [self] in produce() }
        thread.name = "mhdq CSV reader"
        thread.start()
    }

    private func produce() {
        while true {
            lock.lock()
            while spare.isEmpty && !stopping { lock.wait() }
            if stopping {
                exited = true
                lock.broadcast()
                lock.unlock()
                return
            }
            var batch = spare.removeLast()
            lock.unlock()

            batch.count = 0
            var end = false
            var error: Error?
            while batch.count < batchRows {
                if batch.count == batch.rows.count { batch.rows.append(RawRow(bytes: 128, fields: 16)) }
                do {
                    guard try reader.next(into: &batch.rows[batch.count]) else { end = true; break }
                    batch.count += 1
                } catch let e {
                    error = e
                    end = true
                    break
                }
            }

            lock.lock()
            if batch.count > 0 { ready.append(batch) } else { spare.append(batch) }
            if end {
                finished = true
                failure = error
                exited = true
            }
            lock.broadcast()
            lock.unlock()
            if end { return }
        }
    }

    /// The next row, in file order; false at the end; the reader's error where it occurred.
    func next(into row: inout RawRow) throws -> Bool {
        if position < current.count {
            swap(&row, &current.rows[position])
            position += 1
            return true
        }
        lock.lock()
        defer { lock.unlock() }
        if current.count > 0 {
            spare.append(current)
            current = Batch(rows: [])
            lock.broadcast()
        }
        while ready.isEmpty && !finished { lock.wait() }
        if ready.isEmpty {
            if let failure {
                self.failure = nil
                throw failure
            }
            return false
        }
        current = ready.removeFirst()
        position = 1
        swap(&row, &current.rows[0])
        return true
    }

    /// Stops the thread if it is still reading (the caller gave up early) and hands back the reader,
    /// with its counts (blank lines, re-encoded fields) as of the last row read.
    func finish() -> CSVReader {
        lock.lock()
        stopping = true
        lock.broadcast()
        while !exited { lock.wait() }
        lock.unlock()
        return reader
    }
}
