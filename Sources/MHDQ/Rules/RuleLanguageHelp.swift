// The rule language reference, printed by `mhdq help rules`: built from the same tables the parser uses.

public enum RuleLanguageHelp {
    public static var text: String {
        var s = """
        RULE FILES
          A rule pack is a folder under Rules/packs/ with a pack.toml (name, title, version, description,
          tables, files = the rule files in load order (default: every *.toml, by name)) and any number of
          rule files (*.toml, a TOML subset). A rule file may set a default table = "MHS001MPI" and holds
          [[derive]], [[series]], [[rule]] and [[not_implemented]] entries. The history functions (previous,
          history_median, ...) compare a rule only with runs of the same pack version: change the version
          when a rule comes to measure something else.

          [settings] in pack.toml    thresholds as data: name = 0.2 (a number, text or true/false) that
                                     rules read with setting("name"); a manifest's [settings] or
                                     check --setting NAME=VALUE overrides them for a run. A name
                                     given no default here is refused, in a rule or a manifest
                                     (portal_org and upload_date come from a manifest's [context]).
                                     A setting a rule uses as a whole number, such as
                                     trailing_median()'s periods, must be one: see LIMITS

          [[derive]]                 a field computed for every record, usable by later rules
            name, expr, description

          [[series]]                 how a table's rows form series ordered by period, for series rules
            name, title, by = ["Area", "Measure"] (the first names the area in the report, the rest the
            measure), period (default: the table's field of type period), numerator, denominator, stated,
            rate (expressions the report draws for each period), unit ("%" for percentages),
            history_periods (default 12: under mhdq run, how many earlier periods the history lends each
            series for prev() and trailing_median(); 0 for none)

          [[rule]]
            id          stable id; official MHSDS rules use their error code (MHS00103)
            title       plain-English title
            class       \(FindingClass.allCases.map(\.rawValue).joined(separator: " | "))
            severity    \(Severity.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: " | "))
            kind        \(RuleKind.allCases.map(\.rawValue).joined(separator: " | ")) (default record)
            table       the dataset table (default: the file's table)
            field       the field the finding is about (its value goes in the report)
            when        record rules: the condition that IS a finding
            where       only records for which this is true are considered
            message     text with {placeholders}: a field, MHS000Header.Field, or any expression (group
                        rules: fields of the record by name, or what reads no record)
            needs       extra context the rule needs: ods, postcodes, portal_org, upload_date
            duplicate:  key = [fields]            more than one record with the same key; a key may name
                        derived fields ([[derive]]) to compare what values mean rather than how they are
                        typed (KPI007 keys on the KPI a row means: kpi_id(Indicator), else its name)
            orphan:     key = [fields], references = "TABLE", references_key = [fields]
                        a record whose key has no valid (not rejected) record in TABLE
            aggregate:  measure = \(AggregateMeasure.allCases.map(\.rawValue).joined(separator: " | ")),
                        numerator = "condition", value = "expression" (mean), defaults = "condition" (dqmi),
                        default_allowance, by = ["expression", ...], warn_below, fail_below, warn_above,
                        fail_above, min_denominator, distinct = "expression" (a group counts each value once,
                        at its first record: distinct = "LocalPatientID" counts patients, not their referrals; a
                        record whose value is blank counts on its own),
                        warn_when = "condition", fail_when = "condition": judge the measured group by an
                        expression of value, numerator and denominator, its own past included (previous,
                        history_median: blank before there are earlier runs, so nothing fires); such a
                        rule's message may use them too: "{round(value * 100, 1)}%"
            series:     series = "NAME" (default: the table's only [[series]]), when = "condition on one
                        period", where = "..." (periods considered); the window functions below read
                        other periods of the same series (prev() the series' period before this one, whatever
                        it holds; last_reported() the latest before it that holds a number, so that a period
                        typed Unavailable in between hides no change); a finding names area / measure / period.
                        A row whose period is blank or unreadable, or whose by value (area, measure) is
                        blank, is in no series (staging reports an unreadable period; a record rule can
                        report a blank)
            kpi:        verdict = \(KPIEvaluator.verdicts.map { "\"\($0)\"" }.joined(separator: " | ")):
                        the KPI return rows whose verdict against the KPI catalogue (Rules/kpi/README.md)
                        is that (or a list: verdict = ["red", "amber"], rows with either); kpi("part") reads
                        the row's verdict in where and in messages
            series and kpi rules may set observed, expected, denominator = "text with {placeholders}"
            (a denominator that is one {placeholder} is written as a plain number: 8330 where the return typed 8,330)

          [[not_implemented]]  id, reason: an official rule the pack does not run, and why

        EXPRESSIONS
          literals     "text" or 'text', 12, 3.5, true, false, blank, date("2024-04-01")
          fields       EthnicCategory, a derived field, MHS000Header.ReportingPeriodEndDate
          compare      =  !=  <  <=  >  >=    (values of the same kind: text, number, date, time; numbers
                                              equal within a relative 1e-12, so 0.8 - 0.7 = 0.1)
          logic        and  or  not           (three-valued: see BLANKS)
          arithmetic   +  -  *  /             date + n days, date - date = days
          tests        x is blank, x is not blank
                       x in ["A", "B"], x not in codes("ethnic-category")
                       x matches "^[0-9]{10}$"   (POSIX extended regular expression)

        BLANKS
          A blank (empty) value is unknown. Comparing it with anything gives unknown, never true or
          false, so "EthnicCategory != 'Z'" does not fire on a blank: write "is blank" to test for it.
          A comparison with blank ("x = blank", "x != ''") is refused when the rules load: write
          "x is blank", "x is not blank". So is one that could never compare (a date with a number, text
          with a number) and arithmetic on text: rules lint names the part and what to write instead.
          not unknown = unknown; false and unknown = false; true or unknown = true. A rule fires only
          when its condition is true. A value that could not be staged (a date that is not a date) is
          text: is_date() is false for it and date comparisons with it are unknown.

        LIMITS
          A number too large for what it counts is blank, never an error in the middle of a run: a date
          outside the years 1 to 9999 (add_days(d, n) or d + n with n of 1e20 days) is blank, and
          substr() past the end of the text stops there. A setting a rule uses where a whole number is
          needed (trailing_median()'s periods: 1 to 1000; round()'s places: 0 to 12; substr()'s start
          and count; add_days()'s days; add_months()'s months) must be one: pack.toml's default is refused
          when the pack loads, a manifest's [settings] or --setting (2.5, -1, 1e300) when the run starts.
          An expression nests brackets, function calls, lists, not and - at most 256 levels deep, and
          operators at most 1000 (each link of a chain a or b or c ... is one: split a longer one into
          derived fields); arrays and inline tables in a TOML file nest at most 256 levels. Deeper is
          refused when the file loads, with its line and column.
          A matches pattern repeats at most 255 times in one count ({0,255}) and 1000 times in counts
          nested in each other ((a{10}){100}), and has no back-references (\\1): the C library copies
          what a count repeats, so a larger pattern could take hours to compile or to match. It is
          refused when the rule loads.

        RETURN VALUES
          A field of type period holds a normalised period (Apr-23, April 2023 and 2023-04 are one month;
          Q1 2023/24 is "FY2023/24 Q1"): periods compare in time order, also with text ("2024-04").
          A field of type amount holds a number as typed ("1,234", "74.02%", ">75%", "*", "Unavailable"):
          it compares and computes as its number; a marker (* Unavailable N/A) has none, so arithmetic
          with it is unknown. status(), unit(), precision() and as_typed() read what was typed.

        FUNCTIONS

        """
        let width = RuleFunctions.all.map(\.signature.count).max() ?? 20
        for f in RuleFunctions.all {
            s += "  " + f.signature + String(repeating: " ", count: width - f.signature.count + 2) + f.summary
            if let n = f.needs, n != "period" { s += " (needs \(n))" }
            s += "\n"
        }
        return s
    }
}
