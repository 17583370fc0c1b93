// The history part of summary.json: what this run is compared with and what changed since.

extension HistoryOutcome {
    public var json: JSON {
        .object([
            ("file", .string(file)),
            ("schema_version", .int(HistorySchema.currentVersion)),
            ("runs", .int(runsInHistory)),
            ("bytes", .int(fileBytes)),
            ("previous_run", previous.map { .string($0.runID) } ?? .null),
            ("new", .int(run.opened)),
            ("persisting", .int(run.persisting)),
            ("resolved", .int(run.resolved)),
            ("error", .null),
        ])
    }

    /// When the history could not be used: the file and why (the run's outputs were still written).
    public static func failureJSON(file: String, error: String) -> JSON {
        .object([("file", .string(file)), ("error", .string(error))])
    }
}

extension JSON {
    /// An object with `key` set to `value` (replaced in place if present, added at the end if not).
    public func setting(_ key: String, _ value: JSON) -> JSON {
        guard case .object(var pairs) = self else { return self }
        if let i = pairs.firstIndex(where: { $0.0 == key }) { pairs[i].1 = value } else { pairs.append((key, value)) }
        return .object(pairs)
    }
}
