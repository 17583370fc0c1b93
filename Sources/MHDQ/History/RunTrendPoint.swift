// One earlier run as the report's trend charts see it (filled from the history database).

public struct RunTrendPoint: Sendable, Equatable {
    public var runID: String
    /// ISO 8601 start time.
    public var started: String
    public var period: String
    public var findings: Int
    /// Findings first seen in this run, and findings of the previous run gone in this one.
    public var opened: Int
    public var resolved: Int
    /// Aggregate metric values keyed "RULEID|group" (ethnicity share valid by team, say).
    public var metrics: [String: Double]

    public init(runID: String, started: String, period: String, findings: Int, opened: Int, resolved: Int, metrics: [String: Double]) {
        self.runID = runID
        self.started = started
        self.period = period
        self.findings = findings
        self.opened = opened
        self.resolved = resolved
        self.metrics = metrics
    }
}
