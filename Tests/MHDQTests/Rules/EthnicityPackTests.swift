// The ethnicity pack against a known answer: DOMAIN.md's ordered classification, the provider share
// and DQMI item score with their thresholds, the by-team share through referrals, the worklist.

import Foundation
import Testing
@testable import MHDQ

@Suite struct EthnicityPackTests {
    typealias S = RuleTestSupport

    /// Code → expected class, in DOMAIN.md's order: trim and upper-case; blank → missing; 99 → default;
    /// first character Z → other; first character A–S without I, O, Q → valid; else invalid.
    static let codes: [(String, String)] = [
        ("A", "valid"), ("A1", "valid"), ("a", "valid"), (" H ", "valid"), ("Z", "other"), ("ZZ", "other"),
        ("99", "default"), ("", "missing"), ("Q", "invalid"), ("I", "invalid"), ("S", "valid"),
    ]

    static func mpi(_ codes: [String]) -> String {
        var csv = "LocalPatientID,EthnicCategory\n"
        for (i, c) in codes.enumerated() { csv += "P\(i + 1),\"\(c)\"\n" }
        return csv
    }

    func run(_ tables: [(String, String)]) throws -> CheckResult {
        try S.check(TempDir(), tables: tables, packs: ["ethnicity"])
    }

    @Test func classifiesEachCodeInOrder() throws {
        let r = try run([("MHS001MPI", Self.mpi(Self.codes.map(\.0)))])
        let byRule = ["ETH001": "missing", "ETH002": "invalid", "ETH003": "default", "ETH004": "other"]
        var classOf: [String: String] = [:]
        for (rule, cls) in byRule { for f in r.findings(rule) { classOf[f.recordKey] = cls } }
        for (i, (code, expected)) in Self.codes.enumerated() {
            #expect(classOf["P\(i + 1)", default: "valid"] == expected, "\"\(code)\"")
        }
        // Counts: valid 5, other 2, default 1, invalid 2, missing 1 of 11.
        #expect(r.metric("ETH010")?.numerator == 5)
        #expect(r.metric("ETH011")?.numerator == 2)
        #expect(r.metric("ETH012")?.numerator == 1)
        #expect(r.findings("ETH002").count == 2)
        #expect(r.findings("ETH001").count == 1)
        #expect(r.metric("ETH010")?.denominator == 11)
    }

    /// ETHNIC CATEGORY is an2: text staging could not map to a code ("Refused to say" is no alias of Z) is invalid,
    /// in the MPI and in the by-team share through referrals, not read by its first letter (R, N, P: valid codes).
    @Test func longTextIsInvalidNotItsFirstLetter() throws {
        let texts = ["Refused to say", "Not stated - patient declined", "Patient declined to state", "Zzz", "A1", "Z"]
        var referrals = "ServiceRequestID,LocalPatientID,CareProfTeamLocalID,ReferralRequestReceivedDate\n"
        for i in texts.indices { referrals += "R\(i + 1),P\(i + 1),T1,2026-09-0\(i + 1)\n" }
        let r = try run([("MHS001MPI", Self.mpi(texts)), ("MHS101Referral", referrals)])
        #expect(r.findings("ETH002").map(\.recordKey) == ["P1", "P2", "P3", "P4"])
        #expect(r.findings("ETH004").map(\.recordKey) == ["P6"])
        #expect(r.metric("ETH010")?.numerator == 1 && r.metric("ETH010")?.denominator == 6)
        #expect(r.metrics.first { $0.ruleID == "ETH020" }?.numerator == 1)
    }

    /// The by-team shares count patients, each once a group (`distinct = "LocalPatientID"`): a team whose one valid
    /// patient has ten referrals is 1 of 5 patients (20%), not 10 of 14 referrals (71.4%). Per month too.
    @Test func teamSharesCountEachPatientOnce() throws {
        let mpi = "LocalPatientID,EthnicCategory\nP1,A\nP2,99\nP3,\nP4,Z\nP5,Q\n"
        var referrals = "ServiceRequestID,LocalPatientID,CareProfTeamLocalID,ReferralRequestReceivedDate\n"
        for k in 1 ... 10 { referrals += "R1-\(k),P1,T1,2026-0\(k <= 5 ? 8 : 9)-0\(k % 9 + 1)\n" }
        for p in 2 ... 5 { referrals += "R\(p),P\(p),T1,2026-09-15\n" }
        let r = try run([("MHS001MPI", mpi), ("MHS101Referral", referrals)])
        let team = try #require(r.metrics.first { $0.ruleID == "ETH020" && $0.group == "T1" })
        #expect(team.numerator == 1 && team.denominator == 5)
        let f = try #require(r.findings("ETH020").first)
        #expect(f.observed == "20%" && f.denominator == "5")
        // By month: P1 is in August (5 referrals) and September (5), once in each.
        let months = r.metrics.filter { $0.ruleID == "ETH021" }.map { "\($0.group) \(Int($0.numerator))/\(Int($0.denominator))" }
        #expect(months.sorted() == ["T1 / 2026-08 1/1", "T1 / 2026-09 1/5"])
    }

    /// Referrals with no team are a group named for what is missing, not "" (which read as the whole table's figure).
    @Test func blankTeamIsNamedNotTheWholeTable() throws {
        let mpi = "LocalPatientID,EthnicCategory\nP1,A\nP2,\nP3,\nP4,B\nP5,\n"
        var referrals = "ServiceRequestID,LocalPatientID,CareProfTeamLocalID,ReferralRequestReceivedDate\n"
        for p in 1 ... 5 { referrals += "R\(p),P\(p),,2026-09-15\n" }
        let r = try run([("MHS001MPI", mpi), ("MHS101Referral", referrals)])
        let f = try #require(r.findings("ETH020").first)
        #expect(f.group == "(no CareProfTeamLocalID)" && f.recordKey == "(no CareProfTeamLocalID)")
        #expect(f.message.contains("40% for (no CareProfTeamLocalID) (2 of 5)"), "\(f.message)")
        #expect(r.metrics.contains { $0.ruleID == "ETH021" && $0.group == "(no CareProfTeamLocalID) / 2026-09" })
    }

    /// The steward's list by team: each referral open in the period whose patient has no usable code, under its team.
    @Test func referralsOfPatientsWithoutAUsableCodeAreListedByTeam() throws {
        let mpi = "LocalPatientID,EthnicCategory\nP1,\nP2,Refused to say\nP3,A\nP4,\n"
        let referrals = """
            ServiceRequestID,LocalPatientID,CareProfTeamLocalID,ReferralRequestReceivedDate,ServDischDate
            R1,P1,RUG-CMHT,2026-01-10,
            R2,P1,LEA-CMHT,2026-02-10,2026-09-05
            R3,P2,RUG-CMHT,2026-03-10,
            R4,P3,RUG-CMHT,2026-03-10,
            R5,P4,RUG-CMHT,2025-03-10,2026-08-31

            """
        let r = try run([("MHS001MPI", mpi), ("MHS101Referral", referrals)])
        let listed = r.findings("ETH005")
        #expect(listed.map(\.recordKey) == ["R1", "R2", "R3"])       // R4: a valid code; R5: discharged before the period
        #expect(listed.map(\.group) == ["RUG-CMHT", "LEA-CMHT", "RUG-CMHT"])
        #expect(listed.allSatisfy { $0.severity == .info && $0.findingClass == .missing })
        #expect(listed[0].message == "Patient P1, referred to RUG-CMHT (R1): no ethnic category recorded: ask the patient and record a code (A-S), or Z if they decline.")
        #expect(listed[2].message.hasPrefix("Patient P2, referred to RUG-CMHT (R3): ethnic category 'REFUSED TO SAY' is not a national code"))
    }

    /// Aggregate rules of one table share their group-by expressions (each made once a record), and a
    /// rule without `by` measures the whole table as one group.
    @Test func aggregateGroupsSharedAndWhole() throws {
        let dir = TempDir()
        try FileManager.default.copyItem(atPath: RuleTestSupport.rulesDirectory, toPath: dir.path + "/Rules")
        dir.write("Rules/packs/whole/pack.toml", "name = \"whole\"\ntitle = \"Whole\"\nversion = \"0\"\n")
        dir.write("Rules/packs/whole/rules.toml", """
            table = "MHS001MPI"

            [[rule]]
            id = "WHL001"
            kind = "aggregate"
            measure = "share"
            numerator = 'EthnicCategory in ["A", "B"]'
            message = "share"

            [[rule]]
            id = "WHL002"
            kind = "aggregate"
            measure = "count"
            numerator = 'EthnicCategory is blank'
            by = ["GenderIDCode"]
            message = "count"

            [[rule]]
            id = "WHL003"
            kind = "aggregate"
            measure = "count"
            numerator = 'EthnicCategory is not blank'
            by = ["GenderIDCode", "OrgIDLocalPatientID"]
            message = "count"
            """)
        let catalogue = try Catalogue.load(rulesDirectory: dir.path + "/Rules")
        let csv = "LocalPatientID,EthnicCategory,GenderIDCode,OrgIDLocalPatientID\nP1,A,1,RX3\nP2,,2,RX3\nP3,B,1,RX4\nP4,Z,1,RX3\n"
        let r = try S.check(dir, tables: [("MHS001MPI", csv)], packs: ["whole"], catalogue: catalogue)
        let whole = r.metrics.filter { $0.ruleID == "WHL001" }
        #expect(whole.count == 1)
        #expect(whole.first?.group == "")
        #expect(whole.first?.numerator == 2 && whole.first?.denominator == 4)
        let byGender = Dictionary(uniqueKeysWithValues: r.metrics.filter { $0.ruleID == "WHL002" }.map { ($0.group, $0.numerator) })
        #expect(byGender == ["1": 0, "2": 1])
        let byTwo = Dictionary(uniqueKeysWithValues: r.metrics.filter { $0.ruleID == "WHL003" }.map { ($0.group, $0.numerator) })
        #expect(byTwo == ["1 / RX3": 2, "2 / RX3": 0, "1 / RX4": 1])
    }

    @Test func shareValidAndDQMIHandComputed() throws {
        let r = try run([("MHS001MPI", Self.mpi(Self.codes.map(\.0)))])
        // Share valid: 5 / 11.
        let share = try #require(r.metric("ETH010"))
        #expect(abs(share.value! - 5.0 / 11.0) < 1e-12)
        #expect(share.status == "fail")
        let f = try #require(r.findings("ETH010").first)
        #expect(f.severity == .fail)
        #expect(f.observed == "45.5%")
        #expect(f.expected == "≥ 95% (warn below), ≥ 90% (fail below)")
        #expect(f.denominator == "11")
        // DQMI: valid and complete includes defaults (5 valid + 1 default = 6); allowance 5% of 11 = 0.55,
        // so 0.45 defaults are in excess: (6 − 0.45) / 11.
        let dqmi = try #require(r.metric("ETH013"))
        #expect(abs(dqmi.value! - 5.55 / 11.0) < 1e-12)
        #expect(r.findings("ETH013").first?.observed == "50.5%")
    }

    @Test func shareThresholds() throws {
        func status(valid: Int, of n: Int) throws -> (String, [Severity]) {
            let codes = Array(repeating: "A", count: valid) + Array(repeating: "Z", count: n - valid)
            let r = try run([("MHS001MPI", Self.mpi(codes))])
            return (r.metric("ETH010")!.status, r.findings("ETH010").map(\.severity))
        }
        #expect(try status(valid: 20, of: 20) == ("pass", []))
        #expect(try status(valid: 19, of: 20) == ("pass", []))            // exactly 95%: not below
        #expect(try status(valid: 37, of: 40) == ("warn", [.warning]))    // 92.5%
        #expect(try status(valid: 18, of: 20) == ("warn", [.warning]))   // exactly 90%: warn, not fail
        #expect(try status(valid: 17, of: 20) == ("fail", [.fail]))      // 85%
        #expect(try status(valid: 4, of: 4) == ("too few records", []))   // under min_denominator 5
    }

    @Test func dqmiThresholdsCountDefaultsOnlyBeyondTheAllowance() throws {
        func dqmi(valid: Int, defaults: Int) throws -> Metric {
            let r = try run([("MHS001MPI", Self.mpi(Array(repeating: "B", count: valid) + Array(repeating: "99", count: defaults)))])
            return r.metric("ETH013")!
        }
        // 1 default in 20 is within the 5% allowance: (20 − 0) / 20.
        let within = try dqmi(valid: 19, defaults: 1)
        #expect(within.value == 1.0)
        #expect(within.status == "pass")
        // 3 defaults in 20: 2 in excess: (20 − 2) / 20 = 90%, a warning, not a failure.
        let over = try dqmi(valid: 17, defaults: 3)
        #expect(abs(over.value! - 0.9) < 1e-12)
        #expect(over.status == "warn")
        // 5 defaults in 20: 4 in excess: 80%.
        let fail = try dqmi(valid: 15, defaults: 5)
        #expect(abs(fail.value! - 0.8) < 1e-12)
        #expect(fail.status == "fail")
    }

    @Test func byTeamThroughReferrals() throws {
        // P1–P5 valid, P6 missing, P7 invalid; T1 sees P1–P5, T2 sees P1, P2, P3, P6, P7 (60%), T3 too few.
        let mpi = Self.mpi(["A", "B", "C", "D", "E", "", "Q"])
        var refs = "ServiceRequestID,LocalPatientID,CareProfTeamLocalID,ReferralRequestReceivedDate\n"
        for (i, (p, team)) in [("P1", "T1"), ("P2", "T1"), ("P3", "T1"), ("P4", "T1"), ("P5", "T1"),
                               ("P1", "T2"), ("P2", "T2"), ("P3", "T2"), ("P6", "T2"), ("P7", "T2"),
                               ("P9", "T3")].enumerated() {
            refs += "R\(i + 1),\(p),\(team),2026-09-0\(i % 9 + 1)\n"
        }
        let r = try run([("MHS001MPI", mpi), ("MHS101Referral", refs)])
        #expect(r.metric("ETH020", group: "T1")?.value == 1.0)
        #expect(r.metric("ETH020", group: "T1")?.status == "pass")
        #expect(r.metric("ETH020", group: "T2")?.numerator == 3)
        #expect(r.metric("ETH020", group: "T2")?.denominator == 5)
        #expect(r.metric("ETH020", group: "T2")?.status == "fail")
        #expect(r.metric("ETH020", group: "T3")?.status == "too few records")
        #expect(r.findings("ETH020").map(\.group) == ["T2"])
        #expect(r.findings("ETH020").first?.observed == "60%")
    }

    @Test func byTeamDoesNotRunWithoutTheMPI() throws {
        // Without the MPI every lookup is blank: the share would be a false 0%, so the rule must not run.
        var refs = "ServiceRequestID,LocalPatientID,CareProfTeamLocalID,ReferralRequestReceivedDate\n"
        for i in 1 ... 6 { refs += "R\(i),P\(i),T1,2026-09-01\n" }
        let r = try run([("MHS101Referral", refs)])
        #expect(r.findings("ETH020").isEmpty)
        #expect(r.metric("ETH020", group: "T1") == nil)
        #expect(r.notRun.contains { $0.rule == "ETH020" })
    }

    @Test func worklistNamesThePatient() throws {
        let r = try run([("MHS001MPI", Self.mpi(["A", "", "Q"]))])
        let missing = try #require(r.findings("ETH001").first)
        #expect(missing.recordKey == "P2")
        #expect(missing.field == "EthnicCategory")
        #expect(missing.message == "Ethnic category is not recorded for patient P2: ask the patient and record a code (A-S), or Z if they decline.")
        let invalid = try #require(r.findings("ETH002").first)
        #expect(invalid.recordKey == "P3")
        #expect(invalid.value == "Q")
        #expect(invalid.message == "Ethnic category \"Q\" for patient P3 is not a national code (first character must be A-S without I, O, Q; Z; or 99).")
        #expect(invalid.row == 4)
    }
}

@Suite struct EthnicityByMonthTests {
    @Test func shareValidByMonthOfReferralForTheProvider() throws {
        // P1–P4 valid, P5 missing. August: P1–P5 (4 of 5); September: P1, P2, P5, P5, P5, P3, each patient once
        // (3 of 4 patients, not 3 of 6 referrals);
        // one referral with no date goes to its own group; a month under 5 records is "too few records".
        let dir = TempDir()
        let mpi = dir.write("mpi.csv", EthnicityPackTests.mpi(["A", "B", "C", "D", ""]))
        var refs = "ServiceRequestID,LocalPatientID,CareProfTeamLocalID,ReferralRequestReceivedDate\n"
        let rows = [("P1", "2026-08-03"), ("P2", "2026-08-04"), ("P3", "2026-08-05"), ("P4", "2026-08-06"), ("P5", "2026-08-07"),
                    ("P1", "2026-09-01"), ("P2", "2026-09-02"), ("P5", "2026-09-03"), ("P5", "2026-09-04"), ("P5", "2026-09-05"),
                    ("P3", "2026-09-06"), ("P1", ""), ("P2", "2026-07-01")]
        for (i, (p, date)) in rows.enumerated() { refs += "R\(i + 1),\(p),T1,\(date)\n" }
        let referrals = dir.write("referrals.csv", refs)
        let sources = try CheckRun.adHocSources(["MHS001MPI=" + mpi, "MHS101Referral=" + referrals],
                                                catalogue: RuleTestSupport.catalogue, read: ReadOptions())
        var check = CheckRun(catalogue: RuleTestSupport.catalogue, sources: sources, period: RuleTestSupport.period, packs: ["ethnicity"])
        check.provider = "RX4"
        let r = try check.run()
        let byMonth = Dictionary(uniqueKeysWithValues: r.metrics.filter { $0.ruleID == "ETH022" }.map { ($0.group, $0) })
        #expect(byMonth.keys.sorted() == ["RX4 / (no month(ReferralRequestReceivedDate))", "RX4 / 2026-07", "RX4 / 2026-08",
                                          "RX4 / 2026-09"])
        #expect(byMonth["RX4 / 2026-08"].map { [$0.numerator, $0.denominator] } == [4, 5])
        #expect(byMonth["RX4 / 2026-08"]?.value == 0.8)
        #expect(byMonth["RX4 / 2026-09"].map { [$0.numerator, $0.denominator] } == [3, 4])
        #expect(byMonth["RX4 / 2026-07"]?.status == "too few records")
        // No thresholds: months are drawn over time, never findings.
        #expect(r.findings("ETH022").isEmpty)
        #expect(byMonth["RX4 / 2026-08"]?.dimensions == ["MHS000Header.OrgIDProvider", "month(ReferralRequestReceivedDate)"])
        #expect(byMonth["RX4 / 2026-08"]?.percent == true)
        // The by-team rule carries its band for the report.
        let team = try #require(r.metric("ETH020", group: "T1"))
        #expect([team.warnBelow, team.failBelow] == [0.95, 0.90])
        #expect(team.minDenominator == 5)
    }

    /// A trust's own pack that derives fields on MHS001MPI beside this pack's: each pack's rules read their
    /// own derived fields, whichever pack loads first. (Each pack once numbered its derived fields from
    /// zero, so the second pack's rules read the first pack's values: "Postcode area A".)
    @Test func anotherPacksDerivedFieldsKeepTheirOwnPlaces() throws {
        let (catalogue, dir) = try RuleTestSupport.rules(packToml: RuleTestSupport.probePack(["MHS001MPI"]), files: ["mpi.toml": #"""
        table = "MHS001MPI"

        [[derive]]
        name = "Area"
        expr = "upper(trim(Postcode))"

        [[derive]]
        name = "AreaLength"
        expr = "length(Area)"

        [[rule]]
        id = "LOC001"
        title = "Area"
        class = "missing"
        severity = "Info"
        when = "Area is not blank"
        message = "{Area} ({AreaLength})"
        """#])
        let mpi = "LocalPatientID,EthnicCategory,Postcode\nP1,a1,ls1 4ap\nP2,99,\nP3,z,m1 1aa\n"
        try withExtendedLifetime(dir) {
            for packs in [["ethnicity", "probe"], ["probe", "ethnicity"]] {
                let r = try RuleTestSupport.check(TempDir(), tables: [("MHS001MPI", mpi)], packs: packs, catalogue: catalogue)
                #expect(r.findings("LOC001").map(\.message) == ["LS1 4AP (7)", "M1 1AA (6)"], "\(packs)")
                #expect(r.findings("ETH003").map(\.recordKey) == ["P2"], "\(packs)")
                #expect(r.findings("ETH004").map(\.recordKey) == ["P3"], "\(packs)")
            }
        }
    }
}
