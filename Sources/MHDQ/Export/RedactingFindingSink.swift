// The output boundary of `--redact`: every exporter behind this sink sees findings with identifiers masked.

public final class RedactingFindingSink: FindingSink {
    let redactor: Redactor
    let forward: FindingSink

    public init(_ redactor: Redactor, forward: FindingSink) {
        self.redactor = redactor
        self.forward = forward
    }

    public func add(_ finding: Finding) {
        forward.add(redactor.redact(finding))
    }
}
