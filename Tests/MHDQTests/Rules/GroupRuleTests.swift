// Group rules across tables: duplicates, orphans, and the portal's cascade of group rejections.

import Testing
@testable import MHDQ

@Suite struct GroupRuleTests {
    typealias S = RuleTestSupport

    // P1 has two MPI records (MHS00144); P2 is fine; P3 has no referral (MHS00146).
    static let mpi = """
        LocalPatientID,OrgIDLocalPatientID,NHSNumber,NHSNumberStatus,PersonBirthDate,Postcode,GenderIDCode,EthnicCategory
        P1,RXX,9434765005,01,1980-01-01,LS1 4AP,1,A
        P1,RXX,9434765072,01,1980-01-01,LS1 4AP,1,A
        P2,RXX,9434765145,01,1980-01-01,LS1 4AP,1,A
        P3,RXX,9434765218,01,1980-01-01,LS1 4AP,1,A

        """
    static let gp = """
        LocalPatientID,GMPReg,StartDateGMPRegistration,EndDateGMPRegistration
        P1,A81001,2000-01-01,
        P2,A81001,2000-01-01,
        P3,A81001,2000-01-01,

        """
    // R1 belongs to P1 (rejected); R4 is submitted twice (MHS10103); R5's patient P9 has no MPI.
    static let referrals = """
        ServiceRequestID,LocalPatientID,OrgIDComm,CareProfTeamLocalID,ReferralRequestReceivedDate
        R1,P1,RXX,T1,2026-09-01
        R2,P2,RXX,T1,2026-09-02
        R4,P2,RXX,T1,2026-09-03
        R4,P2,RXX,T1,2026-09-04
        R5,P9,RXX,T1,2026-09-05

        """
    static let contacts = """
        CareContactID,ServiceRequestID,CareContDate
        C1,R1,2026-09-10
        C2,R2,2026-09-10
        C3,R4,2026-09-10
        C4,R99,2026-09-10
        C5,R2,2026-09-11

        """

    func run() throws -> CheckResult {
        try S.check(TempDir(), tables: [("MHS001MPI", Self.mpi), ("MHS002GP", Self.gp),
                                        ("MHS101Referral", Self.referrals), ("MHS201CareContact", Self.contacts)],
                    packs: ["mhsds-v6"])
    }

    func keys(_ r: CheckResult, _ rule: String) -> [String] { r.findings(rule).map(\.recordKey) }
    func rows(_ r: CheckResult, _ rule: String) -> [Int] { r.findings(rule).compactMap(\.row) }

    /// Key parts are joined with byte 0x1F inside the engine: a value that holds that byte is still one value.
    /// A one-field key comes back as written (record key and message name the patient read), and in a key of
    /// several fields the byte is escaped, so ("A\u{1F}B", "C") and ("A", "B\u{1F}C") stay two keys.
    @Test func aKeyValueHoldingTheSeparatorByteStaysOneValue() throws {
        let mpi = "LocalPatientID,OrgIDLocalPatientID,NHSNumber\nP1\u{1F}X,RXX,9434765005\nP2,RXX,9434765072\n"
        let referrals = """
            ServiceRequestID,LocalPatientID,OrgIDComm,CareProfTeamLocalID,ReferralRequestReceivedDate
            R1,P2,RXX,T1,2026-09-01
            R2,P2,RXX,T1,2026-09-02
            R2\u{1F},P2,RXX,T1,2026-09-03

            """
        let r = try S.check(TempDir(), tables: [("MHS001MPI", mpi), ("MHS101Referral", referrals)], packs: ["mhsds-v6"])
        let noReferral = try #require(r.findings("MHS00146").first)
        #expect(noReferral.recordKey == "P1\u{1F}X")
        #expect(noReferral.message.hasSuffix("LocalPatientID=P1\u{1F}X"), "\(noReferral.message)")
        #expect(keys(r, "MHS10103").isEmpty, "R2 and R2<0x1F> are two referrals: \(keys(r, "MHS10103"))")

        var column = KeyColumn()
        column.append(fields: [0, 1], of: [.text("A\u{1F}B"), .text("C")])
        column.append(fields: [0, 1], of: [.text("A"), .text("B\u{1F}C")])
        column.append(fields: [0, 1], of: [.text("\u{1E}"), .text("\u{1E}\u{1F}")])
        #expect(column.parts(0) == ["A\u{1F}B", "C"])
        #expect(column.parts(1) == ["A", "B\u{1F}C"])
        #expect(column.parts(2) == ["\u{1E}", "\u{1E}\u{1F}"])
        #expect(column.withKey(0) { !column.equals(1, $0) }, "two different keys, two different byte strings")
    }

    @Test func noRecordRuleRejectsTheFixture() throws {
        let r = try run()
        let rejecting = r.findings.filter { $0.severity == .recordRejected }
        #expect(rejecting.isEmpty, "\(rejecting.map(\.message))")
        // Every table a group rule reads is in the run: only national reference data is missing.
        #expect(!r.notRun.contains { $0.needs.hasPrefix("table ") }, "\(r.notRun.filter { $0.needs.hasPrefix("table ") })")
    }

    @Test func duplicateMPIRejectsBothRecords() throws {
        let r = try run()
        #expect(keys(r, "MHS00144") == ["P1", "P1"])
        #expect(rows(r, "MHS00144") == [2, 3])
        #expect(r.findings("MHS00144").allSatisfy {
            $0.severity == .groupRejected
                && $0.message == "Group rejected - More than one [MHS001]MPI submitted for this [M001901]LocalPatientID. [M001901]LocalPatientID=P1"
        })
    }

    @Test func patientWithNoReferral() throws {
        let r = try run()
        // P3 has none; P1's only referral is rejected (its MPI is), so P1 has no valid referral either.
        #expect(keys(r, "MHS00146") == ["P1", "P1", "P3"])
        #expect(r.findings("MHS00146").last?.message == (try S.officialMessage("MHS00146", ["LocalPatientID": "P3"])))
    }

    @Test func referralWhosePatientIsMissingOrRejected() throws {
        let r = try run()
        // A group finding's record key is the rule's key (the patient); the row names the referral.
        #expect(keys(r, "MHS10101") == ["P1", "P9"])
        #expect(rows(r, "MHS10101") == [2, 6])
        #expect(r.findings("MHS10101").map(\.message) == [
            try S.officialMessage("MHS10101", ["LocalPatientID": "P1"]),
            try S.officialMessage("MHS10101", ["LocalPatientID": "P9"]),
        ])
    }

    @Test func duplicateReferralRejectsEveryCopy() throws {
        let r = try run()
        #expect(keys(r, "MHS10103") == ["R4", "R4"])
        #expect(rows(r, "MHS10103") == [4, 5])
        #expect(r.findings("MHS10103").first?.message == (try S.officialMessage("MHS10103", ["ServiceRequestID": "R4"])))
    }

    @Test func contactsOfRejectedOrMissingReferrals() throws {
        let r = try run()
        // C1: R1 rejected by the cascade (MPI → referral); C3: R4 rejected as a duplicate; C4: R99 never sent.
        #expect(rows(r, "MHS20142") == [2, 4, 5])
        #expect(keys(r, "MHS20142") == ["R1", "R4", "R99"])
        #expect(r.findings("MHS20142").map(\.message) == [
            try S.officialMessage("MHS20142", ["ServiceRequestID": "R1"]),
            try S.officialMessage("MHS20142", ["ServiceRequestID": "R4"]),
            try S.officialMessage("MHS20142", ["ServiceRequestID": "R99"]),
        ])
    }

    @Test func rejectionCountsAndNoFalsePositives() throws {
        let r = try run()
        #expect(r.outcome("MHS001MPI")?.rejected == [true, true, false, true])
        #expect(r.outcome("MHS002GP")?.rejected == [true, false, true])      // P1 and P3 have no valid MPI
        #expect(r.outcome("MHS101Referral")?.rejected == [true, false, true, true, true])
        #expect(r.outcome("MHS201CareContact")?.rejected == [true, false, true, true, false])
        #expect(r.outcome("MHS001MPI")?.rejectedByGroupRules == 3)
        #expect(r.outcome("MHS201CareContact")?.rejectedCount == 3)
        // P2, R2, C2 and C5 are named by no group rule.
        let named = Set(r.findings.filter { $0.severity == .groupRejected }.map(\.recordKey))
        #expect(named.isDisjoint(with: ["P2", "R2", "C2", "C5"]), "\(named)")
    }

    /// An orphan rule's `where` keeps records out of it: only referrals of team T2 are checked, so PX's
    /// referral (team T1) is neither reported nor rejected though its patient is missing too.
    @Test func orphanRuleChecksOnlyTheRecordsItsWhereKeeps() throws {
        let (catalogue, dir) = try S.rules(packToml: S.probePack(["MHS001MPI", "MHS101Referral"]), files: ["ref.toml": """
        table = "MHS101Referral"

        [[rule]]
        id = "PRB001"
        title = "No MPI record for the patient (team T2)"
        kind = "orphan"
        class = "orphan"
        severity = "Group rejected"
        key = ["LocalPatientID"]
        references = "MHS001MPI"
        where = 'CareProfTeamLocalID = "T2"'
        message = "{LocalPatientID} in team {CareProfTeamLocalID}"
        """])
        let mpi = "LocalPatientID,OrgIDLocalPatientID\nP1,RXX\n"
        let refs = "ServiceRequestID,LocalPatientID,CareProfTeamLocalID\nS1,P1,T2\nS2,PX,T1\nS3,PY,T2\n"
        let r = try withExtendedLifetime(dir) {
            try S.check(TempDir(), tables: [("MHS001MPI", mpi), ("MHS101Referral", refs)], packs: ["probe"], catalogue: catalogue)
        }
        #expect(r.findings("PRB001").map(\.message) == ["PY in team T2"])
        #expect(r.outcomes.first { $0.table == "MHS101Referral" }?.rejected == [false, false, true])
    }

    @Test func aCleanSubmissionHasNoGroupFindings() throws {
        let r = try S.check(TempDir(), tables: [
            ("MHS001MPI", "LocalPatientID,OrgIDLocalPatientID,NHSNumber,PersonBirthDate\nP2,RXX,9434765145,1980-01-01\n"),
            ("MHS002GP", "LocalPatientID,GMPReg,StartDateGMPRegistration\nP2,A81001,2000-01-01\n"),
            ("MHS101Referral", "ServiceRequestID,LocalPatientID,OrgIDComm,ReferralRequestReceivedDate\nR2,P2,RXX,2026-09-02\n"),
            ("MHS201CareContact", "CareContactID,ServiceRequestID,CareContDate\nC2,R2,2026-09-10\n"),
        ], packs: ["mhsds-v6"])
        #expect(r.findings.filter { $0.severity.rejectsRecord }.map(\.ruleID) == [])
        #expect(r.outcomes.allSatisfy { $0.rejectedCount == 0 })
    }
}
