// One failing record, group or metric: a row of the exceptions report (DESIGN.md, "The finding").

public enum Severity: String, Sendable, CaseIterable, Comparable, Codable {
    case recordRejected = "Record rejected"
    case groupRejected = "Group rejected"
    case fail = "Fail"
    case severity1Warning = "Severity 1 Warning"
    case warning = "Warning"
    case info = "Info"

    public init?(name: String) {
        let n = name.lowercased().filter { $0.isLetter || $0.isNumber }
        switch n {
        case "recordrejected", "reject", "rejected", "record": self = .recordRejected
        case "grouprejected", "group": self = .groupRejected
        case "fail", "error", "red", "breach": self = .fail
        case "severity1warning", "severity1", "sev1": self = .severity1Warning
        case "warning", "warn", "amber": self = .warning
        case "info", "information", "note": self = .info
        default: return nil
        }
    }

    /// Findings at a failing level make the run exit 1.
    public var isFailing: Bool { self == .recordRejected || self == .groupRejected || self == .fail }

    /// Rejections take the record out of the MHSDS flat files.
    public var rejectsRecord: Bool { self == .recordRejected || self == .groupRejected }

    var rank: Int { Severity.allCases.firstIndex(of: self)! }
    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

public enum FindingClass: String, Sendable, CaseIterable, Codable {
    case missing, invalid, inconsistent, orphan, duplicate, historical, breach
}

public struct Finding: Sendable {
    public var ruleID: String
    public var title: String
    public var findingClass: FindingClass
    public var severity: Severity
    public var table: String
    public var file: String = ""
    public var sheet: String?
    public var row: Int?
    public var recordKey: String = ""
    public var field: String = ""
    public var value: String = ""
    public var message: String
    /// Reporting group: provider, team or area.
    public var group: String = ""
    public var period: String = ""
    /// Aggregate findings: the measured value, the band it was held to, and the denominator.
    public var observed: String = ""
    public var expected: String = ""
    public var denominator: String = ""
    /// From the run history: "new" or "persisting", and the date the finding was first seen.
    public var status: String = ""
    public var firstSeen: String = ""
    /// The identifier values (fields marked `identifier` in the dataset) shown anywhere in this finding, as shown:
    /// what a `Redactor` masks in record_key, value and message. Never written out.
    public var identifiers: [String] = []

    public init(ruleID: String, title: String, findingClass: FindingClass, severity: Severity, table: String, message: String) {
        self.ruleID = ruleID
        self.title = title
        self.findingClass = findingClass
        self.severity = severity
        self.table = table
        self.message = message
    }
}

/// Where findings go: the engine writes, exporters and summaries read.
public protocol FindingSink: AnyObject {
    func add(_ finding: Finding)
    /// False when the sink reads nothing of a finding but the rule that made it (`mhdq check` printing counts by
    /// rule, with no findings file): the engine then reports record and group findings through `count` and
    /// builds none of them (no message rendered, no record key or group text made).
    var readsFindings: Bool { get }
    /// `n` findings of one rule, reported without their details (only when `readsFindings` is false).
    func count(_ n: Int, ruleID: String, title: String, severity: Severity, table: String)
}

extension FindingSink {
    public var readsFindings: Bool { true }
    /// A sink that reads findings is never asked to count; were it asked, it gets the findings with what is known.
    public func count(_ n: Int, ruleID: String, title: String, severity: Severity, table: String) {
        for _ in 0 ..< n { add(Finding(ruleID: ruleID, title: title, findingClass: .invalid, severity: severity, table: table, message: "")) }
    }
}

/// Keeps every finding in memory (tests, small runs, and the exporters' input).
public final class FindingCollector: FindingSink {
    public private(set) var findings: [Finding] = []
    public init() {}
    public func add(_ finding: Finding) { findings.append(finding) }
}
