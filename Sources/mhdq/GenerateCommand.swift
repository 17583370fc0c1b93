// `mhdq generate`: deterministic synthetic extracts with local column names, realistic defects and a manifest.

import MHDQ

enum GenerateCommand {
    static func run(_ args: inout Arguments) throws -> Int32 {
        guard let out = try args.value("--out") else { throw MHDQError.invocation("generate needs --out DIR") }
        guard let patientsText = try args.value("--patients"), let patients = Int(patientsText), patients > 0 else {
            throw MHDQError.invocation("generate needs --patients N (a whole number above 0)")
        }
        let seedText = try args.value("--seed") ?? "1"
        guard let seed = UInt64(seedText) else { throw MHDQError.invocation("--seed takes a whole number") }
        let period = try args.value("--period") ?? "2026-09"
        let provider = try args.value("--provider") ?? "RX4"
        // The shape of a bigger trust (e.g. 3 referrals and 10 contacts a patient); the library checks the ranges.
        func mean(_ name: String, _ fallback: Double) throws -> Double {
            guard let text = try args.value(name) else { return fallback }
            guard let v = Double(text), v.isFinite else { throw MHDQError.invocation("\(name) takes a number, not \"\(text)\"") }
            return v
        }
        let referrals = try mean("--referrals-per-patient", 1.5)
        let contacts = try mean("--contacts-per-patient", 5)
        _ = try args.positionals()
        let trust = SyntheticTrust(patients: patients, seed: seed, period: period, provider: provider,
                                   referralsPerPatient: referrals, contactsPerPatient: contacts)
        let summary = try trust.write(to: out)
        print("generated in \(out) (seed \(seed), period \(period)):")
        print(summary)
        print("stage it with: mhdq check \(out)/pipeline.toml")
        return ExitCode.ok
    }
}
