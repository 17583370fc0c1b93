// Identifier masks: keyed, stable, short, and applied wherever an identifier shows in a finding.

import Testing
@testable import MHDQ

@Suite struct RedactorTests {
    let redactor = Redactor(key: Array("test-key".utf8))

    @Test func maskIsTheKeyedHashOfTheText() {
        // HMAC-SHA-256("test-key", text), first 12 hex digits (Python's hmac module).
        #expect(redactor.mask("9434765919") == "ID-ac2d566b999f")
        #expect(redactor.mask("P00000001") == "ID-4196138afc47")
        #expect(redactor.mask("") == "")
        #expect(redactor.mask(.null) == .null)
        #expect(redactor.mask(.date(CivilDate(year: 1980, month: 1, day: 1).days)) == .text(redactor.mask("1980-01-01")))
    }

    @Test func keyComesFromTheEnvironmentOrIsRandom() {
        let a = Redactor.fromEnvironment([Redactor.keyVariable: "test-key"])
        #expect(a.mask("P00000001") == redactor.mask("P00000001"))
        // No key: a fresh random one each time, so two runs do not share masks.
        let r1 = Redactor.fromEnvironment([:]), r2 = Redactor.fromEnvironment([Redactor.keyVariable: ""])
        #expect(r1.mask("P00000001") != r2.mask("P00000001"))
        #expect(r1.mask("P00000001") != redactor.mask("P00000001"))
    }

    @Test func redactReplacesEveryOccurrenceOnce() {
        let text = "[M001901]LocalPatientID=P001 [M001040]NHSNumber=9434765919 (P001, again: P0011)"
        let out = redactor.redact(text, identifiers: ["P001", "9434765919", "P0011", ""])
        let p001 = redactor.mask("P001"), p0011 = redactor.mask("P0011"), nhs = redactor.mask("9434765919")
        #expect(out == "[M001901]LocalPatientID=\(p001) [M001040]NHSNumber=\(nhs) (\(p001), again: \(p0011))")
        // A mask is never masked again, even when an identifier is part of one.
        #expect(redactor.redact("x", identifiers: ["ID"]) == "x")
        #expect(redactor.redact("ID ID-1", identifiers: ["ID", "ID-1"]) == redactor.mask("ID") + " " + redactor.mask("ID-1"))
    }

    @Test func shortIdentifiersOnlyWhereTheyStandAlone() {
        let m = redactor.mask("12")
        #expect(redactor.redact("[M001901]LocalPatientID=12, row 120", identifiers: ["12"]) == "[M001901]LocalPatientID=\(m), row 120")
        // Three characters and more are masked even inside a word: a leak costs more than an odd message.
        #expect(redactor.redact("X123Y", identifiers: ["123"]) == "X\(redactor.mask("123"))Y")
    }

    @Test func findingIsMaskedInKeyValueAndMessage() {
        var f = Finding(ruleID: "MHS00120", title: "t", findingClass: .missing, severity: .warning, table: "MHS001MPI",
                        message: "PersonBirthDate \"31/02/1980\" is not a date. [M001901]LocalPatientID=P9")
        f.recordKey = "P9"
        f.value = "31/02/1980"
        f.identifiers = ["P9", "31/02/1980"]
        f.group = "Team A"
        let r = redactor.redact(f)
        #expect(r.recordKey == redactor.mask("P9"))
        #expect(r.value == redactor.mask("31/02/1980"))
        #expect(r.message == "PersonBirthDate \"\(redactor.mask("31/02/1980"))\" is not a date. [M001901]LocalPatientID=\(redactor.mask("P9"))")
        #expect(r.group == "Team A")
        #expect(r.identifiers.isEmpty, "the raw identifiers must not travel on")
    }

    /// What the engine and stager report as identifiers, end to end through a check run.
    @Test func checkRunMasksFindingsAndExamples() throws {
        let dir = TempDir()
        let mpi = dir.write("mpi.csv", """
        LocalPatientID,OrgIDLocalPatientID,NHSNumber,NHSNumberStatus,PersonBirthDate,Postcode,GenderIDCode,EthnicCategory
        P001,RXX,9434765919,01,1980-01-01,LS1 4AP,1,A
        P001,RXX,9434765919,01,31/02/1980,LS1 4AP,1,A
        P003,RXX,12345,01,1981-05-05,LS2 9ZZ,1,Q
        """ + "\n")
        let sources = try CheckRun.adHocSources(["MHS001MPI=\(mpi)"], catalogue: sharedCatalogue, read: ReadOptions())
        var check = CheckRun(catalogue: sharedCatalogue, sources: sources, period: ReportingPeriod("2026-09"), packs: ["mhsds-v6", "ethnicity"])
        check.redactor = redactor
        let result = try check.run()
        #expect(result.findings.contains { $0.ruleID == "MHS00144" }, "duplicate LocalPatientID is reported")
        #expect(result.findings.contains { $0.ruleID == "STG-DATE" })
        #expect(result.findings.contains { $0.ruleID == "MHS00165" }, "bad NHS number format is reported")
        let raw = ["P001", "P003", "9434765919", "12345", "1980-01-01", "31/02/1980", "1981-05-05", "LS1 4AP", "LS2 9ZZ"]
        for f in result.findings {
            for text in [f.recordKey, f.value, f.message] {
                for id in raw { #expect(!text.contains(id), "\(f.ruleID) shows \(id): \(text)") }
            }
            #expect(f.identifiers.isEmpty)
        }
        let dup = result.findings.filter { $0.ruleID == "MHS00144" }
        #expect(dup.count == 2 && dup.allSatisfy { $0.recordKey == redactor.mask("P001") })
        let examples = result.stats[0].examples.values.flatMap { $0 }
        #expect(!examples.isEmpty)
        for e in examples { #expect(!e.contains("31/02/1980") && !e.contains("P001"), "\(e)") }
    }
}
