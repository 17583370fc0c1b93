// A broken rule file is a loud, located error (exit 2), never a run with no findings.
// Each test copies the real Rules/ folder to a temp dir and adds one bad pack.

import Foundation
import Testing
@testable import MHDQ

@Suite struct BrokenRuleFileTests {
    typealias S = RuleTestSupport

    /// Loads every pack of a copy of Rules/ with `files` added under packs/broken/; returns the error.
    func loadError(_ files: [String: String], packToml: String? = nil) throws -> MHDQError {
        let dir = TempDir()
        try FileManager.default.copyItem(atPath: S.rulesDirectory, toPath: dir.path + "/Rules")
        dir.write("Rules/packs/broken/pack.toml", packToml ?? "name = \"broken\"\ntitle = \"Broken\"\nversion = \"0\"\n")
        for (name, text) in files { dir.write("Rules/packs/broken/" + name, text) }
        let catalogue = try Catalogue.load(rulesDirectory: dir.path + "/Rules")
        do {
            _ = try CheckRun.loadPacks(nil, tables: catalogue.tableNames, catalogue: catalogue)
        } catch let e as MHDQError {
            #expect(e.kind == .invocation)
            #expect(e.exitCode == 2)
            return e
        }
        throw TestFailure("the broken pack loaded")
    }

    /// The ids of the rules a probe pack holding `rules` (TOML after `table = "MHS001MPI"`) loads with.
    func loadedIDs(_ rules: String) throws -> [String] {
        let (catalogue, dir) = try S.rules(packToml: S.probePack(["MHS001MPI"]), files: ["ok.toml": "table = \"MHS001MPI\"\n\n" + rules])
        let packs = try withExtendedLifetime(dir) { try CheckRun.loadPacks(["probe"], tables: catalogue.tableNames, catalogue: catalogue) }
        return packs.first?.rules.map(\.id) ?? []
    }

    func rule(_ body: String, table: String = "MHS001MPI") -> [String: String] {
        ["bad.toml": "table = \"\(table)\"\n\n[[rule]]\nid = \"BAD001\"\ntitle = \"Bad\"\n" + body]
    }

    /// "…/packs/broken/bad.toml:LINE:COLUMN"
    func at(_ e: MHDQError) -> String {
        guard let loc = e.location else { return "(no location)" }
        return "bad.toml:" + loc.description.components(separatedBy: "bad.toml:").last!
    }

    @Test func syntaxError() throws {
        let e = try loadError(rule("when = \"EthnicCategory is blank and\"\nmessage = \"m\"\n"))
        #expect(e.message == "expected a value, a field or a function, found end of expression")
        #expect(at(e) == "bad.toml:6:36")
        #expect(e.detail == "    when = \"EthnicCategory is blank and\"\n" + String(repeating: " ", count: 39) + "^")
    }

    /// A rule file saved with Windows line ends points at the same line and column, and shows the line
    /// without its carriage return.
    @Test func syntaxErrorInAFileWithCRLFLineEnds() throws {
        let text = rule("when = \"EthnicCategory is blank and\"\nmessage = \"m\"\n")["bad.toml"]!
        let e = try loadError(["bad.toml": text.replacingOccurrences(of: "\n", with: "\r\n")])
        #expect(e.message == "expected a value, a field or a function, found end of expression")
        #expect(at(e) == "bad.toml:6:36")
        #expect(e.detail == "    when = \"EthnicCategory is blank and\"\n" + String(repeating: " ", count: 39) + "^")
    }

    @Test func unknownField() throws {
        let e = try loadError(rule("when = 'EthnicCategory is blank or NHSNumbr is blank'\nmessage = \"m\"\n"))
        #expect(e.message == "\"NHSNumbr\" is not a field of MHS001MPI (did you mean NHSNumber?)")
        #expect(at(e) == "bad.toml:6:36")
    }

    @Test func unknownFieldAfterAnEscapedQuote() throws {
        // The caret points into the line as written, escapes and all.
        let e = try loadError(rule("when = \"EthnicCategory = \\\"A\\\" or NHSNumbr is blank\"\nmessage = \"m\"\n"))
        #expect(at(e) == "bad.toml:6:35")
        #expect(e.detail?.hasSuffix("\n" + String(repeating: " ", count: 4 + 34) + "^") == true)
    }

    /// A condition that is unknown on every record would never fire: a broken rule, not a quiet one.
    @Test func aValueWhereAConditionIsNeeded() throws {
        for (when, column) in [("EthnicCategory", 9), ("age(PersonBirthDate, period_end())", 9),
                               ("EthnicCategory is blank or length(NHSNumber)", 36), ("not (1 + 2)", 16),
                               ("MHS000Header.OrgIDProvider", 9), ("date(\"2020-01-01\")", 9)] {
            let e = try loadError(rule("when = '\(when)'\nmessage = \"m\"\n"))
            #expect(e.message.hasPrefix("this is a value, not a condition"), "\(when)")
            #expect(at(e) == "bad.toml:6:\(column)", "\(when)")
        }
        let e = try loadError(rule("when = 'PersonBirthDate < \"2020-01-01\"'\nmessage = \"m\"\n"))
        #expect(e.message == "a date compared with text is never true or false: write date(\"2020-01-01\")")
        #expect(at(e) == "bad.toml:6:27")
        // Where a value may be true or false (an if() of conditions, a derived field) it passes.
        #expect(try loadedIDs("""
        [[rule]]
        id = "OK001"
        title = "Ok"
        when = 'if(EthnicCategory is blank, NHSNumber is blank, PersonBirthDate < date("2000-01-01"))'
        message = "m"
        """) == ["OK001"])
    }

    /// Conditions that are unknown on every record passed lint and ran as "no findings": a comparison with
    /// blank, values that never compare, arithmetic on text. Each is refused where it stands, saying what to
    /// write instead.
    @Test func conditionsThatAreUnknownOnEveryRecord() throws {
        for (when, message, column) in [
            ("EthnicCategory = blank", "a comparison with blank is never true or false (a blank is unknown, and equals nothing): write \"EthnicCategory is blank\"", 26),
            ("EthnicCategory != \"\"", "a comparison with blank is never true or false (a blank is unknown, and equals nothing): write \"EthnicCategory is not blank\"", 27),
            ("PersonBirthDate > 5", "a date compared with a number is never true or false: compare with a date (date(\"CCYY-MM-DD\"), period_end()), or compare numbers such as days_between() or age()", 25),
            ("LocalPatientID + 1 > 3", "arithmetic on text is blank on every record: read it as a number with number(LocalPatientID), or use length() or days_between()", 9),
            ("LocalPatientID > 3", "text compared with a number is never true or false: read the text as a number with number(...), or put the number in quotes to compare text", 24),
            ("EthnicCategory is blank or age(PersonBirthDate * 2, period_end()) > 3", "a date cannot be multiplied or divided: this is blank on every record (days_between() gives days)", 56),
        ] {
            let e = try loadError(rule("when = '\(when)'\nmessage = \"m\"\n"))
            #expect(e.message == message, "\(when)")
            #expect(at(e) == "bad.toml:6:\(column)", "\(when)")
        }
        // An aggregate's warn_when and fail_when are conditions too; a mean needs a number.
        let aggregate = "kind = \"aggregate\"\nmeasure = \"share\"\nnumerator = 'EthnicCategory is blank'\nmessage = \"m\"\n"
        let value = try loadError(rule(aggregate + "warn_when = \"value\"\n"))
        #expect(value.message.hasPrefix("this is a value, not a condition"))
        #expect(at(value) == "bad.toml:10:14")
        let previous = try loadError(rule(aggregate + "fail_when = \"value < 0.5 or previous(value)\"\n"))
        #expect(previous.message.hasPrefix("this is a value, not a condition"))
        #expect(at(previous) == "bad.toml:10:29")
        let mean = try loadError(rule("kind = \"aggregate\"\nmeasure = \"mean\"\nvalue = 'LocalPatientID'\nwarn_below = 1\nmessage = \"m\"\n"))
        #expect(mean.message.hasPrefix("this is text, never a number: a mean needs a number on each record"))
        #expect(at(mean) == "bad.toml:8:10")
        // What can be known (dates with dates, periods with text, amounts with numbers, a mean of days) loads.
        #expect(try loadedIDs("""
        [[rule]]
        id = "OK001"
        title = "Ok"
        when = 'PersonBirthDate > add_days(period_end(), 1) or length(LocalPatientID) + 1 > 3 or EthnicCategory is not blank'
        message = "m"

        [[rule]]
        id = "OK002"
        kind = "aggregate"
        measure = "mean"
        value = 'days_between(PersonBirthDate, period_end())'
        warn_when = 'value > 3 and previous(value) < 2'
        message = "m"
        """) == ["OK001", "OK002"])
    }

    /// A group rule's findings are made once every record is read: its message shows the records' fields by
    /// name; a placeholder that reads a record another way (a function of a field, a derived field) had
    /// rendered blank or another record's value, and is now refused where it stands.
    @Test func groupMessagePlaceholderThatReadsARecord() throws {
        let e = try loadError(["bad.toml": """
        table = "MHS101Referral"

        [[rule]]
        id = "BAD002"
        title = "Bad"
        kind = "duplicate"
        class = "duplicate"
        severity = "Group rejected"
        key = ["ServiceRequestID"]
        message = "{ServiceRequestID} {MHS000Header.OrgIDProvider} {lower(CareProfTeamLocalID)}"
        """])
        #expect(e.message == "a group rule's message shows fields of its records by name ({Field}); {lower(CareProfTeamLocalID)} reads a record another way")
        #expect(at(e) == "bad.toml:10:61")
    }

    /// An aggregate's group-by expressions are located one by one, at the text of the broken one.
    @Test func unknownFieldInAGroupBy() throws {
        let e = try loadError(rule("""
        kind = "aggregate"
        measure = "share"
        numerator = 'EthnicCategory is blank'
        by = ["OrgIDLocalPatientID", 'upper(Nope)']
        message = "m"

        """))
        #expect(e.message.hasPrefix("\"Nope\" is not a field of MHS001MPI"))
        #expect(at(e) == "bad.toml:9:37")
        #expect(e.detail?.hasSuffix("\n" + String(repeating: " ", count: 4 + 36) + "^") == true)
    }

    /// lookup() finds records of tables read before the rule's own: one into a later table (here from a
    /// derived field) could never answer, and had loaded cleanly only to be "not run" in every check.
    @Test func lookupIntoALaterTable() throws {
        let e = try loadError(["bad.toml": """
        table = "MHS001MPI"

        [[derive]]
        name = "Team"
        expr = "lookup(MHS101Referral.CareProfTeamLocalID, LocalPatientID)"

        [[rule]]
        id = "BAD003"
        title = "Bad"
        when = "Team is blank"
        message = "m"
        """])
        #expect(e.message == "lookup() reads a table read before MHS001MPI: MHS101Referral is read after it")
        #expect(at(e) == "bad.toml:5:8")
    }

    @Test func unknownTable() throws {
        let e = try loadError(rule("when = 'LocalPatientID is blank'\nmessage = \"m\"\n", table: "MHS999Nothing"))
        #expect(e.message.hasPrefix("unknown table \"MHS999Nothing\" (known: "))
        #expect(at(e) == "bad.toml:3:1")                  // the rule that uses the file's table
    }

    @Test func unknownCodeList() throws {
        let e = try loadError(rule("when = 'EthnicCategory not in codes(\"ethnicity\")'\nmessage = \"m\"\n"))
        #expect(e.message.hasPrefix("unknown code list \"ethnicity\""))
        #expect(at(e) == "bad.toml:6:31")
    }

    @Test func duplicateIDWithinAPack() throws {
        let body = "when = 'LocalPatientID is blank'\nmessage = \"m\"\n"
        let e = try loadError(["bad.toml": "table = \"MHS001MPI\"\n\n[[rule]]\nid = \"BAD001\"\n\(body)\n[[rule]]\nid = \"BAD001\"\n\(body)"])
        #expect(e.message.hasPrefix("rule id BAD001 is used twice (first at "))
        #expect(e.message.contains("bad.toml:4:"))
        #expect(at(e) == "bad.toml:9:6")
    }

    @Test func duplicateIDAcrossPacks() throws {
        // ETH001 is the ethnicity pack's; a second pack may not reuse it.
        let e = try loadError(["bad.toml": "table = \"MHS001MPI\"\n\n[[rule]]\nid = \"ETH001\"\nwhen = 'LocalPatientID is blank'\nmessage = \"m\"\n"])
        #expect(e.message.contains("ETH001"))
        #expect(e.message.contains("ethnicity") && e.message.contains("broken"))
        // Packs load in name order (broken, ethnicity): the second use is the error, the first is named.
        #expect(e.location?.description.hasSuffix("/packs/ethnicity/classify.toml:35:1") == true)
        #expect(e.message.hasPrefix("rule id ETH001 is in both packs broken and ethnicity (first at "))
        #expect(e.message.hasSuffix("/packs/broken/bad.toml:3:1)"))
    }

    /// Two pack folders whose pack.toml give one name were taken for one pack: a rule id in both was never
    /// reported, and the two shared one history. Both folders are named; so is a pack listed twice, which ran
    /// twice and reported every finding twice.
    @Test func onePackNameForTwoFoldersOrOnePackTwice() throws {
        let e = try loadError(["bad.toml": "table = \"MHS001MPI\"\n\n[[rule]]\nid = \"ETH001\"\nwhen = 'LocalPatientID is blank'\nmessage = \"m\"\n"],
                              packToml: "name = \"ethnicity\"\ntitle = \"Broken\"\nversion = \"0\"\n")
        #expect(e.message.hasPrefix("pack folders "))
        #expect(e.message.contains("/packs/broken and ") && e.message.contains("/packs/ethnicity both have name = \"ethnicity\" in pack.toml"))
        #expect(e.location?.file.hasSuffix("/packs/ethnicity/pack.toml") == true)
        let twice = #expect(throws: MHDQError.self) {
            _ = try CheckRun.loadPacks(["ethnicity", "ethnicity"], tables: S.catalogue.tableNames, catalogue: S.catalogue)
        }
        #expect(twice?.message == "pack ethnicity is listed twice: list each pack once")
        #expect(twice?.exitCode == 2)
        let ethnicity = try RulePackLoader.load(name: "ethnicity", catalogue: S.catalogue)
        let listed = #expect(throws: MHDQError.self) { try RulePackLoader.checkUniqueIDs([ethnicity, ethnicity]) }
        #expect(listed?.message == "pack ethnicity is listed twice: list each pack once")
    }

    /// A duplicate rule may key on a derived field; an orphan rule's key is matched with another table's fields.
    @Test func keyNamesFieldsOrDerivedFields() throws {
        let derive = "table = \"MHS001MPI\"\n\n[[derive]]\nname = \"Ethnic\"\nexpr = 'upper(trim(EthnicCategory))'\n\n"
        var e = try loadError(["bad.toml": derive + "[[rule]]\nid = \"BAD001\"\nkind = \"orphan\"\nkey = [\"Ethnic\"]\nreferences = \"MHS101Referral\"\nreferences_key = [\"LocalPatientID\"]\nmessage = \"m\"\n"])
        #expect(e.message == "key field \"Ethnic\" is not a field of MHS001MPI")
        e = try loadError(["bad.toml": derive + "[[rule]]\nid = \"BAD001\"\nkind = \"duplicate\"\nkey = [\"Ethnc\"]\nmessage = \"m\"\n"])
        #expect(e.message == "key field \"Ethnc\" is not a field of MHS001MPI or a derived field")
    }

    @Test func placeholderAfterAnEscapedQuote() throws {
        let e = try loadError(rule("when = 'LocalPatientID is blank'\nmessage = \"\\\"{Nope}\\\"\"\n"))
        #expect(at(e) == "bad.toml:7:15")                  // the placeholder's name, past the \"
    }

    @Test func messagePlaceholderThatDoesNotExist() throws {
        let e = try loadError(rule("when = 'LocalPatientID is blank'\nmessage = \"Patient {LocalPatientId} has {Nope}\"\n"))
        #expect(e.message == "\"Nope\" is not a field of MHS001MPI")
        #expect(at(e) == "bad.toml:7:42")
    }

    /// Message templates are scanned as bytes; columns still count characters ("£" and "é" are two bytes).
    @Test func placeholderColumnsCountCharactersAndBracesMustClose() throws {
        let e = try loadError(rule("when = 'LocalPatientID is blank'\nmessage = \"£5 café {{x}} {Nope}\"\n"))
        #expect(e.message == "\"Nope\" is not a field of MHS001MPI")
        #expect(at(e) == "bad.toml:7:27")
        let open = try loadError(rule("when = 'LocalPatientID is blank'\nmessage = \"£ é {LocalPatientID\"\n"))
        #expect(open.message == "a { in the message is never closed (write {{ for a literal brace)")
        #expect(at(open) == "bad.toml:7:16")
    }

    /// Columns count Unicode scalars, as the TOML reader counts them, and the caret stands under the character
    /// a terminal shows there (a letter and its combining marks take one place). A title of "Cafe" and 40
    /// combining accents before the error on its line had the caret read past the end of the line and trap.
    @Test func combiningMarksBeforeAnErrorOnItsLine() throws {
        let accents = String(repeating: "\u{301}", count: 40)
        let line = "rule = [{ title = \"Cafe\(accents)\", id = \"BAD001\", when = \"LocalPatientID = = 1\", message = \"m\" }]"
        let e = try loadError(["bad.toml": "table = \"MHS001MPI\"\n" + line + "\n"])
        #expect(e.message == "expected a value, a field or a function, found \"=\"")
        #expect(at(e) == "bad.toml:2:107")                  // 40 columns further than the caret's place
        #expect(e.detail == "    \(line)\n" + String(repeating: " ", count: 4 + 66) + "^")
        // A message's placeholder, and an expression in a '...' string, take the same path.
        let message = "rule = [{ title = \"Cafe\(accents)\", id = \"BAD001\", when = 'LocalPatientID is blank', message = \"é\(accents) {Nope}\" }]"
        let m = try loadError(["bad.toml": "table = \"MHS001MPI\"\n" + message + "\n"])
        #expect(m.message == "\"Nope\" is not a field of MHS001MPI")
        #expect(at(m) == "bad.toml:2:170")
        #expect(m.detail == "    \(message)\n" + String(repeating: " ", count: 4 + 169 - 80) + "^")
        let literal = "rule = [{ title = \"Cafe\(accents)\", id = \"BAD001\", when = 'e\(accents) = 1 or Nope is blank', message = \"m\" }]"
        let l = try loadError(["bad.toml": "table = \"MHS001MPI\"\n" + literal + "\n"])
        #expect(l.message == "\"e\(accents)\" is not a field of MHS001MPI")
        #expect(at(l) == "bad.toml:2:90")
        // An escaped combining mark in a "..." string is one column of the decoded text, six of the line.
        let escaped = try loadError(rule("when = \"EthnicCategory = \\\"e\\u0301\\\" or Nope is blank\"\nmessage = \"m\"\n"))
        #expect(escaped.message == "\"Nope\" is not a field of MHS001MPI")
        #expect(at(escaped) == "bad.toml:6:41")
        #expect(escaped.detail?.hasSuffix("\n" + String(repeating: " ", count: 4 + 40) + "^") == true)
    }

    @Test func unknownKindSeverityClass() throws {
        let base = "when = 'LocalPatientID is blank'\nmessage = \"m\"\n"
        let kind = try loadError(rule("kind = \"sequence\"\n" + base))
        #expect(kind.message.hasPrefix("unknown kind \"sequence\" (record, duplicate, orphan, aggregate"))
        #expect(at(kind) == "bad.toml:6:8")
        let severity = try loadError(rule("severity = \"Critical\"\n" + base))
        #expect(severity.message.hasPrefix("unknown severity \"Critical\""))
        #expect(at(severity) == "bad.toml:6:12")
        let cls = try loadError(rule("class = \"wrong\"\n" + base))
        #expect(cls.message.hasPrefix("unknown class \"wrong\" (missing, invalid"))
        #expect(at(cls) == "bad.toml:6:9")
    }

    @Test func recordRuleWithoutWhen() throws {
        let e = try loadError(rule("message = \"m\"\n"))
        #expect(e.message == "a record rule needs when = \"condition that is a finding\"")
        #expect(at(e).hasPrefix("bad.toml:3:"))
    }

    /// Settings of a rule that could only misfire or never fire: a blank id, a band in the wrong order, a
    /// threshold that is no finite number, a min_denominator under 1, an orphan rule with no key.
    @Test func idsThresholdsAndKeysThatCannotWork() throws {
        let blankID = try loadError(["bad.toml": "table = \"MHS001MPI\"\n\n[[rule]]\nid = \"\"\nwhen = 'LocalPatientID is blank'\nmessage = \"m\"\n"])
        #expect(blankID.message == "a rule needs an id that is not blank")
        #expect(at(blankID) == "bad.toml:4:6")
        let share = "kind = \"aggregate\"\nmeasure = \"share\"\nnumerator = 'EthnicCategory is blank'\nmessage = \"m\"\n"
        for (settings, message, line) in [
            ("warn_below = 0.90\nfail_below = 0.95\n", "fail_below (0.95) is above warn_below (0.9): failing is the worse band, so fail_below is the lower", 11),
            ("warn_above = 0.2\nfail_above = 0.1\n", "fail_above (0.1) is below warn_above (0.2): failing is the worse band, so fail_above is the higher", 11),
            ("warn_below = 1e400\n", "warn_below must be a finite number, not inf", 10),
            ("min_denominator = 0\n", "min_denominator counts records, from 1, not 0", 10),
        ] {
            let e = try loadError(rule(share + settings))
            #expect(e.message == message, "\(settings)")
            #expect(at(e).hasPrefix("bad.toml:\(line):"), "\(settings)")
        }
        let orphan = try loadError(rule("kind = \"orphan\"\nkey = []\nreferences = \"MHS101Referral\"\nmessage = \"m\"\n"))
        #expect(orphan.message.hasPrefix("an orphan rule needs key = [fields]"))
    }

    @Test func unknownKeyIsNotIgnored() throws {
        let e = try loadError(rule("wehn = 'LocalPatientID is blank'\nwhen = 'LocalPatientID is blank'\nmessage = \"m\"\n"))
        #expect(e.message.contains("wehn"))
    }

    @Test func theRealRulesLoad() throws {
        let packs = try CheckRun.loadPacks(nil, tables: S.catalogue.tableNames, catalogue: S.catalogue)
        #expect(packs.map(\.name) == ["ascof", "ethnicity", "kpi", "mhsds-v6"])
    }
}

/// What each function gives is declared with it in the registry, and lint reads it from there: a function
/// named twice, or a value function lint would let pass as a condition, shows here.
@Suite struct FunctionRegistryTests {
    @Test func eachFunctionIsNamedOnceAndDeclaresWhatItGives() {
        let names = RuleFunctions.all.map(\.name)
        #expect(Set(names).count == names.count, "a function is registered twice")
        for name in ["length", "age", "days_between", "substr", "to_date", "trim", "as_typed"] {
            #expect(RuleFunctions.named(name)?.gives.isValue == true, "\(name)")
        }
        for name in ["nhs_number_valid", "format_ok", "is_date", "if", "lookup", "setting"] {
            #expect(RuleFunctions.named(name)?.gives.isValue == false, "\(name)")
        }
    }
}
