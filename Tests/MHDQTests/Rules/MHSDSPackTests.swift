// The mhsds-v6 pack, one official rule of each kind: a record that trips it and one that does not,
// with the official code, level and message text (official-rules.csv, the published list's
// "Validation Text with Action", placeholders filled in).

import Testing
@testable import MHDQ

@Suite struct MHSDSPackTests {
    typealias S = RuleTestSupport

    static let mpiHeader = "LocalPatientID,OrgIDLocalPatientID,NHSNumber,NHSNumberStatus,PersonBirthDate,Postcode,GenderIDCode,EthnicCategory\n"
    /// A record every MPI rule below accepts.
    static let goodMPI = "P001,RXX,9434765919,01,1980-01-01,LS1 4AP,1,A\n"

    func run(_ tables: [(String, String)]) throws -> CheckResult {
        try S.check(TempDir(), tables: tables, packs: ["mhsds-v6"])
    }

    /// Exactly one finding of `rule`, on the record with `key`, with the official level and message.
    func expectOfficial(_ result: CheckResult, _ rule: String, key: String, _ values: [String: String],
                        sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let found = result.findings(rule)
        #expect(found.count == 1, "\(rule): \(found.map(\.recordKey))", sourceLocation: sourceLocation)
        guard let f = found.first else { return }
        let official = S.officialRules[rule]!
        #expect(f.recordKey == key, sourceLocation: sourceLocation)
        #expect(f.severity.rawValue == official.level, sourceLocation: sourceLocation)
        #expect(f.message == (try S.officialMessage(rule, values)), sourceLocation: sourceLocation)
        // A finding names the file and row the steward must open.
        #expect(f.file.hasSuffix("-\(f.table).csv"), "source file \"\(f.file)\"", sourceLocation: sourceLocation)
        #expect(f.row != nil, sourceLocation: sourceLocation)
    }

    // MARK: Blank

    @Test func blankLocalPatientIDRejectsTheRecord() throws {
        let r = try run([("MHS001MPI", Self.mpiHeader + Self.goodMPI + ",RXX,9434765005,01,1980-01-01,LS1 4AP,1,A\n")])
        try expectOfficial(r, "MHS00103", key: "", ["NHSNumber": "9434765005"])
        #expect(r.findings("MHS00103").first?.severity == .recordRejected)
        #expect(r.outcome("MHS001MPI")?.rejected == [false, true])
    }

    @Test func blankNHSNumberIsASeverity1Warning() throws {
        let r = try run([("MHS001MPI", Self.mpiHeader + Self.goodMPI + "P002,RXX,,07,1980-01-01,LS1 4AP,1,A\n")])
        try expectOfficial(r, "MHS00111", key: "P002", ["LocalPatientID": "P002"])
        #expect(r.findings("MHS00111").first?.severity == .severity1Warning)
        #expect(r.findings("MHS00119").isEmpty)            // status 07 is what a blank number needs
        #expect(r.outcome("MHS001MPI")?.rejected == [false, false])
    }

    // MARK: Format

    @Test func nhsNumberFormat() throws {
        let r = try run([("MHS001MPI", Self.mpiHeader + Self.goodMPI + "P002,RXX,12345,01,1980-01-01,LS1 4AP,1,A\n")])
        try expectOfficial(r, "MHS00165", key: "P002", ["LocalPatientID": "P002", "NHSNumber": "12345"])
        #expect(r.outcome("MHS001MPI")?.rejected == [false, true])
    }

    /// NHS NUMBER's format (Data Dictionary) includes its Modulus 11 check digit, whose use is mandatory: ten digits
    /// that fail it are an incorrect format too (9434765005 is the good record's; 9434765006 fails its check).
    @Test func nhsNumberCheckDigit() throws {
        let r = try run([("MHS001MPI", Self.mpiHeader + Self.goodMPI + "P002,RXX,9434765006,01,1980-01-01,LS1 4AP,1,A\n")])
        try expectOfficial(r, "MHS00165", key: "P002", ["LocalPatientID": "P002", "NHSNumber": "9434765006"])
        #expect(r.findings("MHS00165").count == 1)
        #expect(r.outcome("MHS001MPI")?.rejected == [false, true])
    }

    @Test func birthDateFormat() throws {
        let r = try run([("MHS001MPI", Self.mpiHeader + Self.goodMPI + "P002,RXX,9434765005,01,1980-13-01,LS1 4AP,1,A\n")])
        try expectOfficial(r, "MHS00167", key: "P002", ["LocalPatientID": "P002", "PersonBirthDate": "1980-13-01"])
        #expect(r.findings("MHS00168").isEmpty)            // not a date: no date comparison fires
    }

    // MARK: National code

    @Test func ethnicCategoryNationalCode() throws {
        let r = try run([("MHS001MPI", Self.mpiHeader + Self.goodMPI
                + "P002,RXX,9434765005,01,1980-01-01,LS1 4AP,1,Q\n"
                + "P003,RXX,9434765072,01,1980-01-01,LS1 4AP,1,99\n"
                + "P004,RXX,9434765145,01,1980-01-01,LS1 4AP,1,Z\n"
                + "P005,RXX,9434765218,01,1980-01-01,LS1 4AP,1,\n")])
        try expectOfficial(r, "MHS00133", key: "P002", ["LocalPatientID": "P002", "EthnicCategory": "Q"])
        #expect(r.findings("MHS00133").first?.severity == .warning)
    }

    @Test func genderIdentityNationalCode() throws {
        let r = try run([("MHS001MPI", Self.mpiHeader + Self.goodMPI
                + "P002,RXX,9434765005,01,1980-01-01,LS1 4AP,9,A\n"
                + "P003,RXX,9434765072,01,1980-01-01,LS1 4AP,X,A\n")])
        try expectOfficial(r, "MHS00164", key: "P002", ["LocalPatientID": "P002", "GenderIDCode": "9"])
    }

    // MARK: Cross-field (AV)

    @Test func birthDateAfterPeriodEnd() throws {
        let r = try run([("MHS001MPI", Self.mpiHeader + Self.goodMPI
                + "P002,RXX,9434765005,01,2026-10-01,LS1 4AP,1,A\n"
                + "P003,RXX,9434765072,01,2026-09-01,LS1 4AP,1,A\n"     // born on the first day: age 0 at the start
                + "P004,RXX,9434765145,01,2026-09-30,LS1 4AP,1,A\n")])  // within the period: MHS00171, not MHS00168
        try expectOfficial(r, "MHS00168", key: "P002",
                           ["LocalPatientID": "P002", "PersonBirthDate": "2026-10-01", "ReportingPeriodEndDate": "2026-09-30"])
        // "outside 0-130 years at the start of the reporting period" (the official guidance): born after the start,
        // within the period or after it (then MHS00168 as well, as the portal reports both).
        #expect(r.findings("MHS00171").map(\.recordKey) == ["P002", "P004"])
        #expect(r.findings("MHS00171").last?.message
            == (try S.officialMessage("MHS00171", ["LocalPatientID": "P004", "PersonBirthDate": "2026-09-30"])))
        #expect(r.outcome("MHS001MPI")?.rejected == [false, true, false, true])
    }

    static let header = "DatSetVer,OrgIDProvider,OrgIDSubmit,PrimSystemInUse,ReportingPeriodStartDate,ReportingPeriodEndDate,DateTimeDatSetCreate\n"

    /// MHS00025: a second header in one submission rejects every header (a key of no fields); one is fine.
    @Test func moreThanOneHeader() throws {
        let one = "6.0,RX4,RX4,SysOne,2026-09-01,2026-09-30,2026-10-03T10:00:00\n"
        #expect(try run([("MHS000Header", Self.header + one)]).findings("MHS00025").isEmpty)
        let r = try run([("MHS000Header", Self.header + one + "6.0,RX4,RX4,SysTwo,2026-09-01,2026-09-30,2026-10-04T10:00:00\n")])
        let found = r.findings("MHS00025")
        #expect(found.map(\.row) == [2, 3])
        #expect(found.allSatisfy { $0.severity.rawValue == S.officialRules["MHS00025"]!.level })
        #expect(found.first?.message == (try S.officialMessage("MHS00025")))
        #expect(r.outcome("MHS000Header")?.rejected == [true, true])
    }

    /// MHS00027: a file created after the portal's upload date, from midnight of the next day on.
    @Test func fileCreatedAfterTheUploadDate() throws {
        for (created, fires) in [("2026-10-15T23:59:59", false), ("2026-10-16T00:00:00", true), ("2026-10-16T09:00:00", true)] {
            let dir = TempDir()
            let file = dir.write("hdr.csv", Self.header + "6.0,RX4,RX4,Sys,2026-09-01,2026-09-30,\(created)\n")
            var check = CheckRun(catalogue: S.catalogue, sources: try CheckRun.adHocSources(["MHS000Header=" + file], catalogue: S.catalogue,
                                                                                              read: ReadOptions()),
                                 period: S.period, packs: ["mhsds-v6"])
            check.reference.settings["upload_date"] = "2026-10-15"
            #expect(try check.run().findings("MHS00027").count == (fires ? 1 : 0), "\(created)")
        }
    }

    @Test func nhsNumberStatusWhenNumberBlank() throws {
        let r = try run([("MHS001MPI", Self.mpiHeader + Self.goodMPI
                + "P002,RXX,,03,1980-01-01,LS1 4AP,1,A\n"
                + "P003,RXX,,07,1980-01-01,LS1 4AP,1,A\n")])
        try expectOfficial(r, "MHS00119", key: "P002", ["LocalPatientID": "P002", "NHSNumberStatus": "03", "NHSNumber": ""])
    }

    static let referralHeader = "ServiceRequestID,LocalPatientID,OrgIDComm,ReferralRequestReceivedDate,ServDischDate\n"

    @Test func dischargeBeforeReferral() throws {
        let r = try run([
            ("MHS001MPI", Self.mpiHeader + Self.goodMPI),
            ("MHS101Referral", Self.referralHeader
                + "R1,P001,RXX,2026-09-10,2026-09-09\n"
                + "R2,P001,RXX,2026-09-10,2026-09-10\n"       // same day: fine
                + "R3,P001,RXX,2026-09-10,\n"),
        ])
        try expectOfficial(r, "MHS10128", key: "R1", ["ServiceRequestID": "R1", "LocalPatientID": "P001",
                                                      "ServDischDate": "2026-09-09", "ReferralRequestReceivedDate": "2026-09-10"])
        #expect(r.outcome("MHS101Referral")?.rejected == [true, false, false])
    }

    @Test func gpRegistrationBeforeBirthUsesTheMPI() throws {
        let r = try run([
            ("MHS001MPI", Self.mpiHeader + Self.goodMPI),
            ("MHS002GP", "LocalPatientID,GMPReg,StartDateGMPRegistration,EndDateGMPRegistration\n"
                + "P001,A81001,1979-12-31,\n"
                + "P001,A81002,1980-01-01,\n"
                + "P999,A81003,1900-01-01,\n"),                // no MPI: nothing to compare with
        ])
        try expectOfficial(r, "MHS00212", key: "P001+A81001+1979-12-31",
                           ["LocalPatientID": "P001", "StartDateGMPRegistration": "1979-12-31", "PersonBirthDate": "1980-01-01"])
    }

    // MARK: Group (_n)

    @Test func duplicateNHSNumberNamesEachPatient() throws {
        let r = try run([("MHS001MPI", Self.mpiHeader + Self.goodMPI
                + "P002,RXX,9434765919,01,1980-01-01,LS1 4AP,1,A\n"
                + "P003,RXX,9434765005,01,1980-01-01,LS1 4AP,1,A\n")])
        let found = r.findings("MHS00147")
        #expect(found.map(\.message) == [try S.officialMessage("MHS00147", ["LocalPatientID": "P001"]),
                                         try S.officialMessage("MHS00147", ["LocalPatientID": "P002"])])
        #expect(found.allSatisfy { $0.severity == .groupRejected && $0.recordKey == "9434765919" && $0.row != nil })
        #expect(r.outcome("MHS001MPI")?.rejected == [true, true, false])
    }

    // MARK: No false positives

    @Test func aCleanRecordHasNoFindings() throws {
        let r = try run([("MHS001MPI", Self.mpiHeader + Self.goodMPI)])
        let official = r.findings.filter { $0.ruleID.hasPrefix("MHS") }
        #expect(official.map(\.ruleID) == [], "\(official.map(\.message))")
    }
}
