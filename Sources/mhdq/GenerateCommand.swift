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
        _ = try args.positionals()
        let trust = SyntheticTrust(patients: patients, seed: seed, period: period, provider: provider)
        let summary = try trust.write(to: out)
        print("generated in \(out) (seed \(seed), period \(period)):")
        print(summary)
        print("stage it with: mhdq check \(out)/pipeline.toml")
        return ExitCode.ok
    }
}
