// MHSDS-style flat files: one per table of the run, records in v6 field order, rejected records left out.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Which records the portal would reject is known only when the group rules finish, at the end of the
/// run. So each staged record is spooled, already encoded, to a temporary file as the engine sees it;
/// `finish` then copies each spool to its flat file, skipping the records the engine rejected. Memory stays
/// flat: nothing per record is kept here (the engine keeps its one rejected flag per record).
public final class FlatFileSpooler: StagedRecordConsumer {
    /// The folder the flat files go into (the run's partial folder); spools are hidden files inside it.
    public let folder: String
    public let delimiter: UInt8
    let redactor: Redactor?

    final class Spool {
        let dataset: Dataset
        let path: String
        let output: OutputBuffer
        let encoder: FlatFileRecordEncoder
        /// Records spooled: the index of the next one, as the engine counts them (across every source of the table).
        var count = 0

        init(dataset: Dataset, path: String, encoder: FlatFileRecordEncoder) throws {
            self.dataset = dataset
            self.path = path
            self.encoder = encoder
            output = try OutputBuffer(creating: path)
        }
    }

    private var spools: [Spool] = []
    private var current: Spool?
    private let scratch = ByteBuffer(capacity: 1 << 12)
    /// The first write error, reported by `finish` (the consumer interface cannot throw).
    private var failure: Error?

    public init(folder: String, delimiter: UInt8 = 0x2C, redactor: Redactor? = nil) {
        self.folder = folder
        self.delimiter = delimiter
        self.redactor = redactor
    }

    /// `MHS001MPI.csv`; `.tsv` for tabs and `.txt` for other delimiters, so a pipe file does not pose as CSV.
    public static func fileName(table: String, delimiter: UInt8) -> String {
        table + (delimiter == 0x2C ? ".csv" : delimiter == 0x09 ? ".tsv" : ".txt")
    }

    public func begin(table: Dataset, source: SourceSpec) {
        if current?.dataset.table == table.table { return }
        if let spool = spools.first(where: { $0.dataset.table == table.table }) {
            current = spool
            return
        }
        do {
            let spool = try Spool(dataset: table, path: folder + "/." + table.table + ".spool",
                                  encoder: FlatFileRecordEncoder(dataset: table, delimiter: delimiter, redactor: redactor))
            spools.append(spool)
            current = spool
        } catch {
            failure = failure ?? error
            current = nil
        }
    }

    public func consume(_ record: StagedRecord, table: Dataset) {
        guard let spool = current else { return }
        scratch.removeAll()
        spool.encoder.encode(record.values, into: scratch)
        var length = UInt32(scratch.count).littleEndian
        withUnsafeBytes(of: &length) { spool.output.write(bytes: $0.bindMemory(to: UInt8.self)) }
        spool.output.write(bytes: UnsafeBufferPointer(start: scratch.base, count: scratch.count))
        spool.count += 1
    }

    public func end(table: Dataset, stats: StagingStats) {
        do { try current?.output.flush() } catch { failure = failure ?? error }
    }

    /// One flat file written.
    public struct FlatFile: Sendable {
        public var table: String
        public var path: String
        /// Records written, and records left out as rejected.
        public var written: Int
        public var leftOut: Int
    }

    /// Writes every flat file, leaving out the records `outcomes` mark rejected, and removes the spools.
    /// `header`: a generated MHS000Header record, written when the run staged no header of its own.
    public func finish(outcomes: [TableOutcome], header: (dataset: Dataset, values: [Value])? = nil) throws -> [FlatFile] {
        if let failure { throw failure }
        var files: [FlatFile] = []
        if let header, !spools.contains(where: { $0.dataset.table == header.dataset.table }) {
            let path = folder + "/" + FlatFileSpooler.fileName(table: header.dataset.table, delimiter: delimiter)
            let encoder = FlatFileRecordEncoder(dataset: header.dataset, delimiter: delimiter, redactor: redactor)
            let bytes = ByteBuffer(capacity: 1 << 10)
            encoder.header(header.dataset, into: bytes)
            encoder.encode(header.values, into: bytes)
            let out = try OutputBuffer(creating: path)
            out.write(bytes: UnsafeBufferPointer(start: bytes.base, count: bytes.count))
            try out.close()
            files.append(FlatFile(table: header.dataset.table, path: path, written: 1, leftOut: 0))
        }
        for spool in spools {
            try spool.output.close()
            let rejected = outcomes.first { $0.table == spool.dataset.table }?.rejected
            if let rejected, rejected.count != spool.count {
                // The engine and the spool must count the same records, or the wrong ones would be left out.
                throw MHDQError.input("\(spool.count) records spooled for \(spool.dataset.table) but the rule engine saw \(rejected.count): the flat file would leave out the wrong records",
                                      at: SourceLocation(file: spool.path))
            }
            files.append(try copy(spool, leavingOut: rejected))
            unlink(spool.path)
        }
        spools = []
        current = nil
        return files
    }

    func copy(_ spool: Spool, leavingOut rejected: [Bool]?) throws -> FlatFile {
        let path = folder + "/" + FlatFileSpooler.fileName(table: spool.dataset.table, delimiter: delimiter)
        let out = try OutputBuffer(creating: path)
        let header = ByteBuffer(capacity: 1 << 12)
        spool.encoder.header(spool.dataset, into: header)
        out.write(bytes: UnsafeBufferPointer(start: header.base, count: header.count))
        var bytes: [UInt8] = []
        var reader = try SpoolReader(path: spool.path)
        var index = 0, written = 0
        while try reader.next(into: &bytes) {
            defer { index += 1 }
            if let rejected, rejected[index] { continue }
            bytes.withUnsafeBufferPointer { out.write(bytes: $0) }
            written += 1
        }
        guard index == spool.count else {
            throw MHDQError.input("the spool of \(spool.dataset.table) holds \(index) records, \(spool.count) were written to it",
                                  at: SourceLocation(file: spool.path))
        }
        try out.close()
        return FlatFile(table: spool.dataset.table, path: path, written: written, leftOut: index - written)
    }
}

/// Reads back the length-prefixed records of a spool (4 bytes little-endian, then the record's bytes).
struct SpoolReader {
    let input: ByteInput
    var position = 0
    var available = 0

    init(path: String) throws {
        input = try ByteInput(path: path, bufferSize: 1 << 20)
    }

    /// Replaces `record` with the next record's bytes; false at the end of the spool.
    mutating func next(into record: inout [UInt8]) throws -> Bool {
        record.removeAll(keepingCapacity: true)
        guard try take(4, into: &record) else {
            if record.isEmpty { return false }
            throw MHDQError.input("the spool ends inside a record's length", at: SourceLocation(file: input.path))
        }
        let length = Int(record[0]) | Int(record[1]) << 8 | Int(record[2]) << 16 | Int(record[3]) << 24
        record.removeAll(keepingCapacity: true)
        guard try take(length, into: &record) else {
            throw MHDQError.input("the spool ends inside a record", at: SourceLocation(file: input.path))
        }
        return true
    }

    /// Appends exactly `count` bytes, refilling as needed; false if the spool ends first.
    mutating func take(_ count: Int, into out: inout [UInt8]) throws -> Bool {
        var needed = count
        while needed > 0 {
            if position == available {
                available = try input.refill()
                position = 0
                if available == 0 { return false }
            }
            let n = min(needed, available - position)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: input.bytes[position ..< position + n]))
            position += n
            needed -= n
        }
        return true
    }
}
