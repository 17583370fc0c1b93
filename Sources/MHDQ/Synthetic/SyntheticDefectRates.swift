// Every injected defect rate in one place, with the unit it applies to and why it is set where it is.

/// Rates are probabilities per row (or per cell for dates), drawn independently.
/// They are set to what published trust and national data-quality reports show for
/// community mental health extracts, so a demo run looks like a real morning worklist.
enum SyntheticDefectRates {
    // MARK: MPI (per MPI row)

    /// Share of MPI rows with no usable ethnicity (blank, not stated or not known), by the
    /// patient's home team. Combined 30–45% (NHS England's ethnicity DQ measure puts many
    /// trusts there); Rugby is the team the demo worklist is about, with almost half missing
    /// or worse, as one published trust's access hubs had.
    static let ethnicityGapByTeam: [String: Double] = [
        "COV-CMHT": 0.33, "COV-CRHT": 0.36, "NUN-CMHT": 0.31, "BED-CMHT": 0.34,
        "WAR-CMHT": 0.30, "LEA-CMHT": 0.32, "STR-EIP": 0.28, "RUG-CMHT": 0.62,
    ]
    /// How a gap splits: blank / "Z, Not stated" / "99, Not known, Not recorded" (sums to 1).
    static let ethnicityGapMissingShare = 0.40
    static let ethnicityGapNotStatedShare = 0.25
    /// Codes outside the national list among rows that have an ethnicity.
    static let ethnicityInvalid = 0.002

    static let nhsNumberBlank = 0.02
    /// Split evenly between a wrong check digit and a dropped digit.
    static let nhsNumberInvalid = 0.01
    static let birthDateInFuture = 0.003
    static let ageOver130 = 0.001
    /// Chance that a patient's MPI row is written twice with the same Patient ID.
    static let duplicatePatient = 0.005
    static let postcodeMalformed = 0.002

    /// Per patient: the GP registration or every referral missing from the extract, so
    /// the MPI row has nothing to hang on (MHS00145, MHS00146 reject the patient).
    static let patientWithoutGP = 0.003
    static let patientWithoutReferral = 0.003

    // MARK: Referrals, contacts (per row)

    /// Per referral after a patient's first (the first always carries the right ID, so a
    /// mis-keyed referral never also leaves its patient without one).
    static let referralUnknownPatient = 0.01
    static let dischargeBeforeReferral = 0.005
    static let contactUnknownReferral = 0.003
    static let attendanceInvalid = 0.004
    /// Contacts dated in the month before the period or after its end (MHS20167, MHS20168).
    static let contactOutsidePeriod = 0.003

    // MARK: Dates (per date cell)

    static let dateMalformed = 0.002

    // MARK: Not defects: shape of the extract

    /// Patients whose records come from a second system that writes yyyy-mm-dd.
    static let secondSystemShare = 0.12
    /// Ethnicity written as a description rather than a code.
    static let ethnicityAsDescription = 0.60
    /// Descriptions typed with an en-dash rather than a hyphen.
    static let ethnicityEnDash = 0.25

    /// A monthly submission carries the referrals open in the period: those received in
    /// it, and those discharged in it (the rest stay open).
    static let referralReceivedInPeriod = 0.10
    static let referralDischargedInPeriod = 0.08
    /// Patients who moved GP practice during the period: the old registration ends in
    /// it and a new one starts the next day.
    static let gpMovedInPeriod = 0.02
    /// Blank NHS numbers whose status says so (07); the rest leave the status blank too.
    static let nhsNumberAbsentStatusRecorded = 0.7
    /// Commissioned by someone other than the team's own sub-ICB location.
    static let otherCommissioner = 0.04
    /// Other services (MHS102) for a referral, and the share of those closed in the period.
    static let otherService = 0.15
    static let otherServiceClosedInPeriod = 0.10
}
