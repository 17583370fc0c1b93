// The values a trust's record system writes: national codes, their descriptions, and local habits.

/// Weights are rough shares for a Coventry and Warwickshire caseload; they shape the demo,
/// they are not statistics.
enum SyntheticCodes {
    /// ETHNIC CATEGORY national codes with the description a record system shows for each.
    static let ethnicity = SyntheticWeighted<(code: String, description: String)>([
        (("A", "White - British"), 640), (("B", "White - Irish"), 12),
        (("C", "White - Any other White background"), 60),
        (("D", "Mixed - White and Black Caribbean"), 10), (("E", "Mixed - White and Black African"), 5),
        (("F", "Mixed - White and Asian"), 10), (("G", "Mixed - Any other mixed background"), 8),
        (("H", "Asian or Asian British - Indian"), 85), (("J", "Asian or Asian British - Pakistani"), 25),
        (("K", "Asian or Asian British - Bangladeshi"), 6),
        (("L", "Asian or Asian British - Any other Asian background"), 20),
        (("M", "Black or Black British - Caribbean"), 12), (("N", "Black or Black British - African"), 40),
        (("P", "Black or Black British - Any other Black background"), 5),
        (("R", "Chinese"), 6), (("S", "Any other ethnic group"), 20),
    ])
    static let ethnicityNotStated = (code: "Z", descriptions: ["Not stated"])
    static let ethnicityNotKnown = (code: "99", descriptions: ["Not known", "Not recorded"])
    /// This trust's own wording, not in the national code list: the manifest maps it.
    static let ethnicityLocalValues: KeyValuePairs<String, String> = ["Not recorded": "99"]
    /// Not in the national list: I, O and Q are never used; X is a local "unknown".
    static let ethnicityInvalid = ["X", "O", "I", "Q", "0"]

    /// GENDER IDENTITY CODE: 1 male, 2 female, 3 non-binary, 4 other, X not known, Z not stated.
    static let genderIdentity = SyntheticWeighted([("1", 480), ("2", 480), ("3", 10), ("4", 5), ("X", 15), ("Z", 10)])

    /// ACCOMMODATION TYPE with whether the trust records it as settled.
    static let accommodation = SyntheticWeighted<(code: String, settled: String)>([
        (("01", "Y"), 180), (("02", "Y"), 260), (("03", "Y"), 150), (("04", "Y"), 180),
        (("09", "Y"), 30), (("11", "Y"), 40), (("12", "N"), 15), (("14", "N"), 30),
        (("16", "N"), 15), (("18", "N"), 20), (("19", "N"), 10),
    ])

    /// EMPLOYMENT STATUS: 01 employed ... 08 retired, ZZ not stated.
    static let employment = SyntheticWeighted([
        ("01", 120), ("02", 100), ("03", 50), ("04", 250), ("05", 50), ("06", 150), ("07", 30), ("08", 150), ("ZZ", 100),
    ])

    /// SOURCE OF REFERRAL FOR MENTAL HEALTH: A1 GP most often.
    static let referralSource = SyntheticWeighted([
        ("A1", 450), ("A2", 40), ("A3", 30), ("B1", 80), ("B2", 30), ("C1", 20), ("D1", 30),
        ("E1", 40), ("F1", 10), ("G1", 20), ("H1", 120), ("H2", 30), ("M1", 40), ("P1", 60),
    ])

    /// CLINICAL RESPONSE PRIORITY TYPE: 1 emergency, 2 urgent, 3 routine, 4 very urgent.
    static let priority = SyntheticWeighted([("3", 70), ("2", 20), ("1", 5), ("4", 5)])

    /// ATTENDANCE STATUS: 5 attended on time, 6 late but seen, 7 late not seen,
    /// 2 cancelled by patient, 3 did not attend, 4 cancelled by provider.
    static let attendance = SyntheticWeighted([("5", 700), ("6", 50), ("7", 10), ("2", 80), ("3", 100), ("4", 60)])
    static let attended: Set<String> = ["5", "6"]
    /// What a free-text or legacy field lets through.
    /// ("DNA" is not among them: the code list takes it as an alias of 3, so it maps.)
    static let attendanceInvalid = ["8", "1", "0", "A", "9"]

    /// CONSULTATION MECHANISM (MENTAL HEALTH): 01 face to face, 02 telephone, 11 video...
    static let mechanism = SyntheticWeighted([("01", 650), ("02", 250), ("11", 80), ("09", 10), ("98", 10)])

    /// ACTIVITY LOCATION TYPE CODE: A01 home, B01 NHS hospital site, E01 GP practice...
    static let location = SyntheticWeighted([
        ("A01", 300), ("B01", 200), ("B02", 150), ("E01", 80), ("D01", 60), ("L01", 40), ("M04", 20),
    ])

    /// Commissioners other than the team's own sub-ICB location: the ICB itself (QWU,
    /// Coventry and Warwickshire), as some teams record it, and out-of-area sub-ICBs
    /// (15E Birmingham and Solihull, 05D and 04V neighbours) for patients placed here.
    static let otherCommissioner = SyntheticWeighted([("QWU", 50), ("15E", 30), ("05D", 10), ("04V", 10)])

    /// NHS NUMBER STATUS INDICATOR CODE: 01 present and verified, 02 present but not traced;
    /// 07 number not present and trace not required (for a blank NHS number).
    static let nhsNumberStatus = SyntheticWeighted([("01", 95), ("02", 5)])
    static let nhsNumberAbsentStatus = "07"

    /// REFERRAL CLOSURE REASON as the trust's system writes it (an2; the pack holds no
    /// code list for it, so only the format is checked).
    static let closureReason = SyntheticWeighted([("01", 70), ("02", 10), ("03", 10), ("04", 5), ("05", 5)])

    /// ADMINISTRATIVE CATEGORY CODE: 01 NHS patient, 02 private patient, 04 overseas visitor charged.
    static let adminCategory = SyntheticWeighted([("01", 990), ("02", 6), ("04", 4)])

    /// Inward-code letters of UK postcodes (never C I K M O V).
    static let postcodeLetters: [Character] = Array("ABDEFGHJLNPQRSTUWXYZ")
}
