// Help text: commands, options and exit codes.

import MHDQ

enum Help {
    static let overview = """
    mhdq \(MHDQVersion.string): data-quality and outcomes validation for mental health services data (MHSDS v6)

    usage:
      mhdq run MANIFEST [--out DIR] [--history DB] [--redact]   the nightly job: read, stage, validate, export
      mhdq check MANIFEST | --table NAME=FILE ...              ad hoc precheck, summary per table
                 [--period YYYY-MM] [--pack NAME ...] [--no-rules] [--findings FILE] [--json]
      mhdq inspect FILE [--sheet NAME] [--records csv|json]    look at a source: columns, types, blanks, samples
      mhdq rules list | lint | coverage --pack NAME [--json]   the rule catalogue
      mhdq generate --out DIR --patients N [--seed S]          deterministic synthetic extracts and a manifest
                 [--referrals-per-patient R] [--contacts-per-patient C]   (means; default 1.5 and 5)
      mhdq help [rules | manifest]                             this text, the rule language, the manifest format

    reading options (check, inspect): --delimiter , | tab ; --encoding auto|utf-8|windows-1252
                                      --format csv|xlsx|spreadsheetml --sheet NAME|N --range B3:K500
    other options: --rules DIR (default ./Rules, or $MHDQ_RULES)

    exit codes:
      0  nothing at a failing level
      1  findings at a failing level (record or group rejections, failed thresholds, KPI breaches)
      2  invalid invocation, manifest or rule files
      3  an input could not be read
    """

    static func run(_ args: inout Arguments) throws -> Int32 {
        let topic = try args.positionals().first
        switch topic {
        case nil: print(overview)
        case "rules": print(RuleLanguageHelp.text)
        case "manifest": print(ManifestHelp.text)
        default: throw MHDQError.invocation("no help on \"\(topic!)\" (topics: rules, manifest)")
        }
        return ExitCode.ok
    }
}
