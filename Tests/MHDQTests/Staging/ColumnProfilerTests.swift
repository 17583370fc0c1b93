// `mhdq inspect`'s column profile: what it renders for unusual headers.

import Testing
@testable import MHDQ

@Suite struct ColumnProfilerTests {
    private func profile(_ text: String) throws -> SourceProfile {
        var source = try CSVReader(path: try writeTemporaryFile(text, name: "profile.csv"))
        return try ColumnProfiler.profile(&source)
    }

    /// Every header cell empty: rendering cut names to a width of 0 and trapped (exit 132). Unnamed columns are named
    /// by their position, as staging names them.
    @Test func headerOfEmptyCellsRenders() throws {
        let text = try profile(",\n1,2\n").render()
        #expect(text.contains("1 data rows, 2 columns"))
        #expect(text.contains("(column 1)") && text.contains("(column 2)"))
        let oneByte = try profile(",").render()
        #expect(oneByte.contains("0 data rows, 2 columns"))
        #expect(oneByte.contains("(column 2)"))
    }

    @Test func longAndUnnamedHeadersShareAWidth() throws {
        let text = try profile("a,,\(String(repeating: "x", count: 40))\n1,2,3\n").render()
        let lines = text.split(separator: "\n").dropFirst()
        #expect(lines.count == 3)
        #expect(lines.contains { $0.hasPrefix("  a           ") })
        #expect(lines.contains { $0.hasPrefix("  (column 2)  ") })
        #expect(lines.contains { $0.hasPrefix("  \(String(repeating: "x", count: 31))…") })
    }
}
