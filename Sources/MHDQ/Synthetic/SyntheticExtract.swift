// The files a synthetic trust writes: local headers and the MHSDS v6 field each one stages to.

/// One CSV file as the trust's record system exports it. Field names are the v6.0 XML
/// element names (reference/mhsds-v6/validation_rules_v6.0.csv); a column with no v6
/// element is left unmapped and staging keeps it as context.
struct SyntheticExtract {
    let table: String
    let file: String
    let columns: [(header: String, field: String?)]

    var header: [String] { columns.map(\.header) }

    static let mpi = SyntheticExtract(table: "MHS001MPI", file: "mpi.csv", columns: [
        ("Patient ID", "LocalPatientID"), ("NHS No", "NHSNumber"), ("DOB", "PersonBirthDate"),
        ("Postcode", "Postcode"), ("Gender Identity", "GenderIDCode"), ("Ethnicity", "EthnicCategory"),
        ("Org Code", "OrgIDLocalPatientID"), ("NHS No Status", "NHSNumberStatus"),
    ])
    static let gp = SyntheticExtract(table: "MHS002GP", file: "gp.csv", columns: [
        ("Patient ID", "LocalPatientID"), ("GP Practice", "GMPReg"),
        ("Registered From", "StartDateGMPRegistration"), ("Registered To", "EndDateGMPRegistration"),
    ])
    static let accommodation = SyntheticExtract(table: "MHS003AccommStatus", file: "accommodation.csv", columns: [
        ("Patient ID", "LocalPatientID"), ("Accommodation", "AccommodationType"),
        ("Settled", "SettledAccommodationInd"), ("Recorded", "AccommodationTypeDate"),
    ])
    static let employment = SyntheticExtract(table: "MHS004EmpStatus", file: "employment.csv", columns: [
        ("Patient ID", "LocalPatientID"), ("Employment Status", "EmployStatus"), ("Recorded", "EmployStatusRecDate"),
    ])
    /// v6 moved the service type out of MHS101 (no ServTypeRefToMH element): Service stays context.
    static let referrals = SyntheticExtract(table: "MHS101Referral", file: "referrals.csv", columns: [
        ("Referral ID", "ServiceRequestID"), ("Patient ID", "LocalPatientID"),
        ("Received", "ReferralRequestReceivedDate"), ("Source", "SourceOfReferralMH"), ("Service", nil),
        ("Team", "CareProfTeamLocalID"), ("Discharged", "ServDischDate"), ("Priority", "ClinRespPriorityType"),
        ("Commissioner", "OrgIDComm"),
    ])
    /// MHS102 has no start date or service type element in v6: Start and Service stay context.
    static let otherServices = SyntheticExtract(table: "MHS102OtherServiceType", file: "other_services.csv", columns: [
        ("Referral ID", "ServiceRequestID"), ("Team ID", "OtherCareProfTeamLocalID"), ("Service", nil),
        ("Start", nil), ("End", "ReferClosureDate"), ("Closure Reason", "ReferClosReason"),
    ])
    static let contacts = SyntheticExtract(table: "MHS201CareContact", file: "contacts.csv", columns: [
        ("Contact ID", "CareContactID"), ("Referral ID", "ServiceRequestID"), ("Contact Date", "CareContDate"),
        ("Contact Time", "CareContTime"), ("Attendance", "AttendStatus"), ("Mechanism", "ConsMechanismMH"),
        ("Location", "ActLocTypeCode"), ("Minutes", "ClinContDurOfCareCont"),
        ("Commissioner", "OrgIDComm"), ("Admin Category", "AdminCatCode"),
    ])

    static let all: [SyntheticExtract] = [mpi, gp, accommodation, employment, referrals, otherServices, contacts]
}
