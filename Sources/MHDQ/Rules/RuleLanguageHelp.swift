// The rule language reference, printed by `mhdq help rules`: built from the same tables the parser uses.

public enum RuleLanguageHelp {
    public static var text: String {
        var s = """
        RULE FILES
          A rule pack is a folder under Rules/packs/ with a pack.toml (name, title, version, description,
          tables) and any number of rule files (*.toml, a TOML subset). A rule file may set a default
          table = "MHS001MPI" and holds [[derive]], [[rule]] and [[not_implemented]] entries.

          [[derive]]                 a field computed for every record, usable by later rules
            name, expr, description

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
            message     text with {placeholders}: a field, MHS000Header.Field, or any expression
            needs       extra context the rule needs: ods, postcodes, portal_org, upload_date
            duplicate:  key = [fields]            more than one record with the same key
            orphan:     key = [fields], references = "TABLE", references_key = [fields]
                        a record whose key has no valid (not rejected) record in TABLE
            aggregate:  measure = \(AggregateMeasure.allCases.map(\.rawValue).joined(separator: " | ")),
                        numerator = "condition", value = "expression" (mean), defaults = "condition" (dqmi),
                        default_allowance, by = ["expression", ...], warn_below, fail_below, warn_above,
                        fail_above, min_denominator,
                        warn_when = "condition", fail_when = "condition": judge the measured group by an
                        expression of value, numerator and denominator, its own past included (previous,
                        history_median: blank before there are earlier runs, so nothing fires); such a
                        rule's message may use them too: "{round(value * 100, 1)}%"

          [[not_implemented]]  id, reason: an official rule the pack does not run, and why

        EXPRESSIONS
          literals     "text" or 'text', 12, 3.5, true, false, blank, date("2024-04-01")
          fields       EthnicCategory, a derived field, MHS000Header.ReportingPeriodEndDate
          compare      =  !=  <  <=  >  >=    (values of the same kind: text, number, date, time)
          logic        and  or  not           (three-valued: see BLANKS)
          arithmetic   +  -  *  /             date + n days, date - date = days
          tests        x is blank, x is not blank
                       x in ["A", "B"], x not in codes("ethnic-category")
                       x matches "^[0-9]{10}$"   (POSIX extended regular expression)

        BLANKS
          A blank (empty) value is unknown. Comparing it with anything gives unknown, never true or
          false, so "EthnicCategory != 'Z'" does not fire on a blank: write "is blank" to test for it.
          not unknown = unknown; false and unknown = false; true or unknown = true. A rule fires only
          when its condition is true. A value that could not be staged (a date that is not a date) is
          text: is_date() is false for it and date comparisons with it are unknown.

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
