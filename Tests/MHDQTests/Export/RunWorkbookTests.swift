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
        #expect(files == ["exceptions.csv", "exceptions.xlsx", "reconciliation.csv", "summary.json"], "no spool files left behind")
        let sheets = try readWorkbook(folder + "/exceptions.xlsx")
        let findings = try WorklistCheck.verify(sheets, csv: folder + "/exceptions.csv", perTable: false)
        #expect(findings > 1_000)
        #expect(WorklistCheck.value(sheets[0].rows, "Run") == "20240401T060000Z")
        #expect(WorklistCheck.value(sheets[0].rows, "Verdict")?.hasPrefix("FAIL") == true)
    }
}
