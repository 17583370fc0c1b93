// What `SyntheticTrust.write(to:)` produced: files with their row counts and each defect injected.

public struct SyntheticSummary: Sendable, CustomStringConvertible {
    public struct File: Sendable, Equatable {
        public var name: String
        /// Data rows, not counting the header; nil for the manifest.
        public var rows: Int?
    }

    public var patients: Int
    public var files: [File] = []
    public var defects: [SyntheticDefect: Int] = [:]

    init(patients: Int) { self.patients = patients }

    public func count(_ defect: SyntheticDefect) -> Int { defects[defect, default: 0] }

    public func rows(in file: String) -> Int? { files.first { $0.name == file }?.rows }

    mutating func add(_ defect: SyntheticDefect) { defects[defect, default: 0] += 1 }

    public var description: String {
        var lines = ["patients: \(patients)"]
        for file in files {
            lines.append(file.rows.map { "\(file.name): \($0) rows" } ?? "\(file.name): manifest")
        }
        for defect in SyntheticDefect.allCases {
            lines.append("defect \(defect.rawValue): \(count(defect))")
        }
        return lines.joined(separator: "\n")
    }
}
