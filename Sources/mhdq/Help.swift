// Help text: commands, options and exit codes.

import MHDQ

enum Help {
    static let overview = """
    mhdq \(MHDQVersion.string): data-quality and outcomes validation for mental health services data (MHSDS v6)

    usage:
      mhdq run MANIFEST [--out DIR] [--history DB] [--redact]   the nightly job: read, stage, validate, export, remember
                 [--no-history] [--history-wait SECONDS] [--run-id ID] [--period YYYY-MM]
                 [--delimiter , | tab ;]                        delimiter of the MHSDS flat files (default ,)
      mhdq check MANIFEST | --table NAME=FILE ...              ad hoc precheck, summary per table
                 [--period YYYY-MM] [--pack NAME ...] [--no-rules] [--findings FILE [--redact]] [--json]
                 [--setting NAME=VALUE ...]                    override a pack threshold (pack.toml [settings])
      mhdq inspect FILE [--sheet NAME|N] [--records csv|json]  look at a source: columns, types, blanks, samples
      mhdq rules list | lint | coverage --pack NAME [--json]   the rule catalogue
      mhdq generate --out DIR --patients N [--seed S]          deterministic synthetic extracts and a manifest
                 [--referrals-per-patient R] [--contacts-per-patient C]   (means; default 1.5 and 5)
      mhdq worklist [--new-since RUN|DATE] [--rule ID] [--group G] [--limit N] [--csv | --json]
                                                               what to fix today: the last run's open findings
      mhdq history list | show RUN | trend METRIC [--group G] | prune --keep N   [--json] [--last N]
                                                               the run history (RUN: id, prefix, #N or latest;
                                                               METRIC: a rule id such as ETH020, or findings)
      mhdq help [rules | manifest]                             this text, the rule language, the manifest format

    reading options (check, inspect): --delimiter , | tab ; --encoding auto|utf-8|windows-1252
                                      --format csv|xlsx|spreadsheetml --sheet NAME|N --range B3:K500
                                      (--sheet N: the sheet named N if there is one, else the Nth sheet)
    other options: --rules DIR (default ./Rules, or $MHDQ_RULES)
    history, worklist: --history FILE | --out DIR (its history.sqlite) | --manifest FILE
    --run-id ID names the run's folder DIR/ID: a plain name (not empty, no / or \\, not starting with a dot, not
    latest or the history's file name); with --no-history a run given an earlier run's id replaces that run, never
    anything else; with a history, a completed run's id is refused (exit 2) and a failed run's id may be retried.
    --redact masks identifiers (fields marked identifier in Rules/datasets) as ID-<12 hex digits>, an HMAC-SHA-256
    keyed by $MHDQ_REDACT_KEY (stable from run to run) or, when it is unset, by a random key for this run.

    exit codes:
      0  nothing at a failing level
      1  findings at a failing level (record or group rejections, failed thresholds, KPI breaches)
      2  invalid invocation, manifest or rule files
      3  an input could not be read; for run also: the history database could not be used (locked past
         --history-wait, damaged, not an mhdq history): the outputs are written, without statuses
      130, 143  run interrupted by SIGINT, SIGTERM (the unfinished run is removed, history included; earlier runs
                are untouched; a signal once the run is being recorded waits, and the run is saved whole)
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
