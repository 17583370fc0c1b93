// `mhdq run` end to end: the demo run's exceptions.xlsx holds every finding of its exceptions.csv.

import Foundation
import Testing
@testable import MHDQ

@Suite("Run writes exceptions.xlsx", .enabled(if: FileManager.default.isExecutableFile(atPath: mhdqBinary), "build mhdq first"))
struct RunWorkbookTests {
    @Test func demoRunWorklistMatchesItsCSV() throws {
        let out = try makeTemporaryDirectory()
        let r = try mhdq("run", "Samples/demo/pipeline.toml", "--out", out, "--run-id", "20240401T060000Z")
        #expect(r.status == 1, "the demo has rejections: \(r.stderr)")
        #expect(r.stdout.contains("exceptions.xlsx"))
        let folder = out + "/20240401T060000Z"
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(files.contains("exceptions.xlsx"))
        #expect(!files.contains { $0.hasPrefix(".") }, "no spool files left behind: \(files)")
        let sheets = try readWorkbook(folder + "/exceptions.xlsx")
        // The demo's rules with findings decide the layout: a sheet per rule up to the limit, per table past it.
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/summary.json"))) as? [String: Any]
        let byRule = (summary?["findings"] as? [String: Any])?["by_rule"] as? [Any]
        let rulesWithFindings = try #require(byRule).count
        let perTable = rulesWithFindings > ExceptionsWorkbook.maxRuleSheets
        let findings = try WorklistCheck.verify(sheets, csv: folder + "/exceptions.csv", perTable: perTable)
        #expect(findings > 1_000)
        #expect(WorklistCheck.value(sheets[0].rows, "Run") == "20240401T060000Z")
        #expect(WorklistCheck.value(sheets[0].rows, "Verdict")?.hasPrefix("FAIL") == true)
        // The run keeps a history, so the first run's findings are all new, and the sheets say so.
        #expect(WorklistCheck.table(sheets[0].rows, heading: ["Status", "Findings"]).map { $0[0] } == ["new"])
        let header = sheets[1].rows[0]
        #expect(header.contains("Status") && header.contains("First seen"), "\(header)")
    }
}
