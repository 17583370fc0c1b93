// Hands every staged record to several consumers in turn (the rule engine and the flat-file spooler),
// so each sees the same records in the same order and their record indices agree.

public final class StagedRecordFanOut: StagedRecordConsumer {
    let consumers: [StagedRecordConsumer]

    public init(_ consumers: [StagedRecordConsumer]) {
        self.consumers = consumers
    }

    public func begin(table: Dataset, source: SourceSpec) {
        for c in consumers { c.begin(table: table, source: source) }
    }

    public func consume(_ record: StagedRecord, table: Dataset) {
        for c in consumers { c.consume(record, table: table) }
    }

    public func end(table: Dataset, stats: StagingStats) {
        for c in consumers { c.end(table: table, stats: stats) }
    }
}
