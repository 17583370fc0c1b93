// A synthetic mental health trust: deterministic CSV extracts with realistic recording defects.

/// Writes one reporting period of patient-level extracts (MPI, GP, accommodation,
/// employment, referrals, other services, care contacts) and the manifest that stages
/// them, as a trust's record system would export them: local column names, local
/// values, two date formats and the defects in `SyntheticDefectRates`.
///
/// The same `seed` and parameters give byte-identical files on every machine: the
/// random stream is our own and every date derives from `period`, never the clock.
/// Files are streamed, so memory stays constant however many patients are asked for.
public struct SyntheticTrust: Sendable {
    /// NHS numbers are drawn without repeats from a 10-million block (see `SyntheticTrustWriter`).
    public static let maximumPatients = 9_000_000

    public var patients: Int
    public var seed: UInt64
    /// Reporting period, YYYY-MM.
    public var period: String
    public var provider: String
    /// Mean referrals per patient (at least 1 each).
    public var referralsPerPatient: Double
    /// Mean care contacts per patient, spread over their referrals.
    public var contactsPerPatient: Double

    public init(patients: Int, seed: UInt64, period: String, provider: String = "RX4",
                referralsPerPatient: Double = 1.5, contactsPerPatient: Double = 5) {
        self.patients = patients
        self.seed = seed
        self.period = period
        self.provider = provider
        self.referralsPerPatient = referralsPerPatient
        self.contactsPerPatient = contactsPerPatient
    }

    /// Writes the extracts and `pipeline.toml` into `directory` (created if missing),
    /// replacing files of the same names.
    public func write(to directory: String) throws -> SyntheticSummary {
        guard (1 ... Self.maximumPatients).contains(patients) else {
            throw MHDQError.invocation("patients must be between 1 and \(Self.maximumPatients), not \(patients)")
        }
        guard referralsPerPatient >= 1, referralsPerPatient <= 20, contactsPerPatient >= 0, contactsPerPatient <= 200 else {
            throw MHDQError.invocation("referrals per patient must be 1–20 and contacts per patient 0–200")
        }
        let periodEnd = try Self.lastDay(ofPeriod: period)
        let providerBytes = Array(provider.utf8)
        guard (3 ... 5).contains(providerBytes.count),
              providerBytes.allSatisfy({ (0x30 ... 0x39).contains($0) || (0x41 ... 0x5A).contains($0) }) else {
            throw MHDQError.invocation("provider must be an ODS code of 3 to 5 capital letters and digits, not \"\(provider)\"")
        }
        try FileSystem.makeDirectory(directory)
        let writer = try SyntheticTrustWriter(trust: self, periodEnd: periodEnd, directory: directory)
        var summary = try writer.run()
        let manifest = SyntheticManifest(patients: patients, seed: seed, period: period, provider: provider,
                                         referralsPerPatient: referralsPerPatient, contactsPerPatient: contactsPerPatient)
        let out = try BufferedFileWriter(path: directory + "/" + SyntheticManifest.fileName)
        try out.write(manifest.text)
        try out.close()
        summary.files.append(.init(name: SyntheticManifest.fileName, rows: nil))
        return summary
    }

    /// The last day of a YYYY-MM period.
    static func lastDay(ofPeriod period: String) throws -> CivilDate {
        let bytes = Array(period.utf8)
        let isDigit = { (b: UInt8) in (0x30 ... 0x39).contains(b) }
        guard bytes.count == 7, bytes[4] == 0x2D, bytes[0 ..< 4].allSatisfy(isDigit), bytes[5 ..< 7].allSatisfy(isDigit),
              let year = Int(period.prefix(4)), let month = Int(period.suffix(2)),
              (1900 ... 9999).contains(year), (1 ... 12).contains(month) else {
            throw MHDQError.invocation("period must be YYYY-MM, not \"\(period)\"")
        }
        return CivilDate(year: year, month: month, day: CivilDate.daysIn(month: month, year: year))
    }
}
