// Errors are values that carry where they came from; the CLI renders them once.

public struct MHDQError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        /// Bad command line, manifest or rule file: exit code 2.
        case invocation
        /// An input could not be read: exit code 3.
        case input
    }

    public var kind: Kind
    public var location: SourceLocation?
    public var message: String
    /// Optional extra lines (a source line with a caret under the error).
    public var detail: String?

    public init(_ kind: Kind, _ message: String, at location: SourceLocation? = nil, detail: String? = nil) {
        self.kind = kind
        self.message = message
        self.location = location
        self.detail = detail
    }

    public static func input(_ message: String, at location: SourceLocation? = nil) -> MHDQError {
        MHDQError(.input, message, at: location)
    }

    public static func invocation(_ message: String, at location: SourceLocation? = nil, detail: String? = nil) -> MHDQError {
        MHDQError(.invocation, message, at: location, detail: detail)
    }

    public var exitCode: Int32 {
        switch kind {
        case .invocation: return ExitCode.invalidInvocation
        case .input: return ExitCode.unreadableInput
        }
    }

    public var description: String {
        let head = location.map { "\($0): \(message)" } ?? message
        if let detail { return head + "\n" + detail }
        return head
    }
}

/// Exit codes, stable across versions (DESIGN.md).
public enum ExitCode {
    public static let ok: Int32 = 0
    public static let failingFindings: Int32 = 1
    public static let invalidInvocation: Int32 = 2
    public static let unreadableInput: Int32 = 3
}
