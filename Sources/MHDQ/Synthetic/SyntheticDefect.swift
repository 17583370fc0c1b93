// The kinds of recording defect the synthetic trust injects, each counted in the summary.

public enum SyntheticDefect: String, CaseIterable, Sendable {
    /// Ethnicity blank or spaces only (NHS England DQ measure: Missing).
    case ethnicityMissing = "ethnicity-missing"
    /// "Z" / "Not stated": asked and declined.
    case ethnicityNotStated = "ethnicity-not-stated"
    /// "99" / "Not known" / "Not recorded": not asked.
    case ethnicityNotKnown = "ethnicity-not-known"
    /// A code outside the national list (I, O, Q, X...).
    case ethnicityInvalid = "ethnicity-invalid"
    /// Ten digits whose Modulus 11 check digit is wrong.
    case nhsNumberBadCheckDigit = "nhs-number-bad-check-digit"
    /// Nine digits (one dropped).
    case nhsNumberWrongLength = "nhs-number-wrong-length"
    case nhsNumberBlank = "nhs-number-blank"
    /// Birth date after the end of the reporting period.
    case birthDateInFuture = "birth-date-in-future"
    /// Age over 130 at the end of the reporting period.
    case ageOver130 = "age-over-130"
    /// A second MPI row with a Patient ID already written.
    case duplicatePatient = "duplicate-patient"
    case postcodeMalformed = "postcode-malformed"
    /// A referral whose Patient ID is not in the MPI.
    case referralUnknownPatient = "referral-unknown-patient"
    case dischargeBeforeReferral = "discharge-before-referral"
    /// A contact whose Referral ID is not in the referrals file.
    case contactUnknownReferral = "contact-unknown-referral"
    case attendanceInvalid = "attendance-invalid"
    /// A care contact dated outside the reporting period (a late-keyed contact from the
    /// month before, or a booked one after the period end).
    case contactOutsidePeriod = "contact-outside-period"
    /// A patient in the MPI with no GP registration row.
    case patientWithoutGP = "patient-without-gp"
    /// A patient in the MPI with no referral row.
    case patientWithoutReferral = "patient-without-referral"
    /// A date cell that is no calendar date ("31/02/2023", "2023-13-01").
    case dateMalformed = "date-malformed"
}
