// The demo trust's community teams: local codes named after Coventry and Warwickshire towns.

struct SyntheticTeam: Sendable {
    let code: String
    /// MHSDS service or team type (ServTeamTypeRefToMH) the team delivers.
    let serviceType: String
    /// Relative share of the trust's referrals.
    let weight: Int
    /// GP practice code prefix for the team's area (Coventry M84, Warwickshire M83).
    let practicePrefix: String
    /// Postcode districts the team covers.
    let districts: [Int]
    /// ODS code of the sub-ICB location that commissions the team's care (OrgIDComm):
    /// 05A Coventry and Rugby, 05H Warwickshire North, 05R South Warwickshire.
    let commissioner: String

    var ethnicityGap: Double { SyntheticDefectRates.ethnicityGapByTeam[code]! }

    static let all: [SyntheticTeam] = [
        SyntheticTeam(code: "COV-CMHT", serviceType: "A06", weight: 26, practicePrefix: "M84", districts: [1, 2, 3, 4, 5, 6], commissioner: "05A"),
        SyntheticTeam(code: "COV-CRHT", serviceType: "A02", weight: 10, practicePrefix: "M84", districts: [2, 3, 6], commissioner: "05A"),
        SyntheticTeam(code: "NUN-CMHT", serviceType: "A06", weight: 14, practicePrefix: "M83", districts: [10, 11, 13], commissioner: "05H"),
        SyntheticTeam(code: "BED-CMHT", serviceType: "A06", weight: 8, practicePrefix: "M83", districts: [7, 12], commissioner: "05H"),
        SyntheticTeam(code: "WAR-CMHT", serviceType: "A06", weight: 10, practicePrefix: "M83", districts: [34, 35], commissioner: "05R"),
        SyntheticTeam(code: "LEA-CMHT", serviceType: "A06", weight: 12, practicePrefix: "M83", districts: [31, 32, 33], commissioner: "05R"),
        SyntheticTeam(code: "STR-EIP", serviceType: "A14", weight: 8, practicePrefix: "M83", districts: [37, 47], commissioner: "05R"),
        SyntheticTeam(code: "RUG-CMHT", serviceType: "A06", weight: 12, practicePrefix: "M83", districts: [21, 22, 23], commissioner: "05A"),
    ]
}
