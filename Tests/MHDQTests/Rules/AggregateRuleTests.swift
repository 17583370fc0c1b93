// Aggregate rules' measures against hand-computed answers, and when a group has too few to judge.

import Testing
@testable import MHDQ

@Suite struct AggregateRuleTests {
    typealias S = RuleTestSupport

    static let rules = """
    table = "MHS101Referral"

    [[rule]]
    id = "PRB010"
    title = "Mean days to discharge"
    kind = "aggregate"
    class = "breach"
    measure = "mean"
    value = "days_between(ReferralRequestReceivedDate, ServDischDate)"
    by = ["CareProfTeamLocalID"]
    fail_above = 5
    min_denominator = 2
    message = "mean days to discharge"
    """

    /// A mean is over the values it averages (referrals with a discharge date), and so is its minimum: team
    /// T1 has five referrals but one discharge, too few to judge; T2's two discharges average 7 days.
    @Test func meanIsJudgedOnTheValuesItAverages() throws {
        let (catalogue, dir) = try S.rules(packToml: S.probePack(["MHS101Referral"]), files: ["ref.toml": Self.rules])
        var csv = "ServiceRequestID,LocalPatientID,CareProfTeamLocalID,ReferralRequestReceivedDate,ServDischDate\n"
        csv += "S1,P1,T1,2026-09-01,2026-09-11\n"
        for i in 2 ... 5 { csv += "S\(i),P\(i),T1,2026-09-01,\n" }
        csv += "S6,P6,T2,2026-09-01,2026-09-05\nS7,P7,T2,2026-09-01,2026-09-11\nS8,P8,T2,2026-09-01,\n"
        let r = try withExtendedLifetime(dir) {
            try S.check(TempDir(), tables: [("MHS101Referral", csv)], packs: ["probe"], catalogue: catalogue)
        }
        let t1 = try #require(r.metric("PRB010", group: "T1"))
        #expect(t1.value == 10 && t1.denominator == 1 && t1.status == "too few records")
        let t2 = try #require(r.metric("PRB010", group: "T2"))
        #expect(t2.value == 7 && t2.numerator == 14 && t2.denominator == 2 && t2.status == "fail")
        #expect(r.findings("PRB010").map(\.group) == ["T2"])
        #expect(r.findings("PRB010").first?.message == "Mean days to discharge: 7 for T2 (2 of 2); expected ≤ 5 (fail above)")
    }
}
