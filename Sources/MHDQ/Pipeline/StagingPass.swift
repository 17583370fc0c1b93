// Runs staging over every source of a run, table by table, handing each staged record on.

/// The staged records of a run flow through this: the rule engine in `check` and `run`,
/// a counter when only staging is asked for.
public protocol StagedRecordConsumer: AnyObject {
    func begin(table: Dataset, source: SourceSpec)
    func consume(_ record: StagedRecord, table: Dataset)
    func end(table: Dataset, stats: StagingStats)
}

public struct StagingPass {
    public let catalogue: Catalogue
    public let sources: [SourceSpec]

    public init(catalogue: Catalogue, sources: [SourceSpec]) {
        self.catalogue = catalogue
        self.sources = sources
    }

    /// Tables in MHSDS order (parents before children: MPI before referrals before contacts).
    public var tables: [String] {
        let named = Set(sources.map(\.table))
        return catalogue.tableNames.filter { named.contains($0) }
    }

    /// Stages every source; returns per-table counts in table order.
    public func run(findings: FindingSink, consumer: StagedRecordConsumer?) throws -> [StagingStats] {
        var all: [StagingStats] = []
        for table in tables {
            let dataset = catalogue.datasets[table]!
            var stats = StagingStats(table: table)
            for spec in sources where spec.table == table {
                consumer?.begin(table: dataset, source: spec)
                var stager = Stager(dataset: dataset, spec: spec, catalogue: catalogue, findings: findings)
                stager.keepsValues = consumer != nil
                try stager.run(stats: &stats) { record in
                    consumer?.consume(record, table: dataset)
                }
            }
            consumer?.end(table: dataset, stats: stats)
            all.append(stats)
        }
        return all
    }
}
