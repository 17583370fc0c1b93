// The TOML subset: structure, strings, arrays, inline tables, and located errors with a caret.

import Testing
@testable import MHDQ

func toml(_ text: String) throws -> TOMLTable { try TOML.parse(text, file: "test.toml") }

func tomlError(_ text: String) -> MHDQError? { captureError { _ = try toml(text) } }

@Suite("TOML subset")
struct TOMLTests {
    @Test func tablesAndArraysOfTables() throws {
        let doc = try toml("""
        # a manifest
        [pipeline]
        name = "x"   # trailing comment
        packs = [
          "core",    # the national rules
          "local",
        ]

        [[source]]
        table = "MHS001MPI"
        [source.columns]
        "Patient No" = "LocalPatientID"

        [[source]]
        table = "MHS101Referral"
        [source.columns]
        "Referral Ref" = "ServiceRequestID"
        [source.values.EthnicCategory]
        "White British" = "A"
        """)
        #expect(try doc.table("pipeline")?.string("name") == "x")
        #expect(try doc.table("pipeline")?.strings("packs") == ["core", "local"])
        let sources = try doc.tables("source")
        #expect(sources.count == 2)
        #expect(try sources[0].table("columns")?.string("Patient No") == "LocalPatientID")
        #expect(try sources[0].table("columns")?.keys == ["Patient No"])
        // [source.columns] after the second [[source]] belongs to that element.
        #expect(try sources[1].table("columns")?.keys == ["Referral Ref"])
        #expect(try sources[1].table("values")?.table("EthnicCategory")?.string("White British") == "A")
        #expect(sources[1].location.row == 14)
    }

    @Test func keysAndValues() throws {
        let doc = try toml("""
        "quoted key" = 1
        'literal key' = -2_000
        dotted.inner = true
        ratio = 0.95
        big = 1e3
        off = false
        point = { x = 1, y = "two", z = { deep = [1, 2] } }
        empty = {}
        mixed = [ [1, 2], ["a"] ]
        """)
        #expect(try doc.int("quoted key") == 1)
        #expect(try doc.int("literal key") == -2000)
        #expect(try doc.table("dotted")?.bool("inner") == true)
        #expect(try doc.number("ratio") == 0.95)
        #expect(try doc.number("big") == 1000)
        #expect(try doc.bool("off") == false)
        let point = try #require(try doc.table("point"))
        #expect(try point.int("x") == 1)
        #expect(try point.string("y") == "two")
        guard case .array(let deep)? = try point.table("z")?["deep"]?.value else { Issue.record("deep is not an array"); return }
        #expect(deep.count == 2)
        #expect(try doc.table("empty")?.keys == [])
        #expect(doc.keys == ["quoted key", "literal key", "dotted", "ratio", "big", "off", "point", "empty", "mixed"])
    }

    @Test func strings() throws {
        let doc = try toml(#"""
        basic = "tab\there \"quoted\" back\\slash \u00e9 \U0001F600"
        literal = 'C:\path\no escapes "here"'
        multi = """
        line one
        line "two"\
           continued"""
        multiLiteral = '''
        raw \n stays
        two'''
        empty = ""
        emptyLiteral = ''
        """#)
        #expect(try doc.string("basic") == "tab\there \"quoted\" back\\slash é 😀")
        #expect(try doc.string("literal") == #"C:\path\no escapes "here""#)
        #expect(try doc.string("multi") == "line one\nline \"two\"continued")
        #expect(try doc.string("multiLiteral") == "raw \\n stays\ntwo")
        #expect(try doc.string("empty") == "")
        #expect(try doc.string("emptyLiteral") == "")
    }

    @Test func crlfLineEndsAndBOM() throws {
        let doc = try toml("\u{FEFF}a = \"x\"\r\n[t]\r\nb = 2\r\n")
        #expect(try doc.string("a") == "x")
        #expect(try doc.table("t")?.int("b") == 2)
    }

    @Test func errorsPointAtFileLineColumnWithACaret() {
        let unclosed = tomlError("a = 1\nname = \"never closed\nb = 2\n")
        #expect(unclosed?.description == "test.toml:2:8: a string opened here is never closed on its line\n    name = \"never closed\n           ^")
        let unclosedMulti = tomlError("a = \"\"\"\nopen")
        #expect(unclosedMulti?.message == "a string opened here is never closed")
        #expect(unclosedMulti?.location?.row == 1)

        let duplicateKey = tomlError("[t]\nx = 1\n  x = 2\n")
        #expect(duplicateKey?.description == "test.toml:3:3: the key \"x\" is set twice\n      x = 2\n      ^")

        let duplicateTable = tomlError("[t]\nx = 1\n[u]\n[t]\n")
        #expect(duplicateTable?.description == "test.toml:4:1: table [t] is defined twice\n    [t]\n    ^")

        let bareWord = tomlError("severity = warning\n")
        #expect(bareWord?.description == "test.toml:1:12: unexpected \"warning\": strings need double quotes\n    severity = warning\n               ^")
        #expect(tomlError("ok = tru\n")?.message == "unexpected \"tru\": strings need double quotes")
        #expect(tomlError("when = 2024-05-01\n")?.message == "unexpected \"2024-05-01\": strings need double quotes")

        #expect(tomlError("a = 1 b = 2\n")?.location?.offset == 7)
        #expect(tomlError("a = [1, 2\nb = 3\n")?.message == "expected \",\" or \"]\" in the array")
        #expect(tomlError("x = \"bad \\q escape\"\n")?.message.hasPrefix("unknown escape \"\\q\"") == true)
        #expect(tomlError("[[s]]\n[s]\n")?.message.contains("not a table") == false)
        #expect(tomlError("a = 1\n[a]\n")?.message == "\"a\" is already an integer, not a table")
        #expect(tomlError("= 3\n")?.message == "expected a key, found \"=\"")
        #expect(tomlError("[t\n")?.message == "expected \"]\" to close the table header")
        #expect(tomlError("[[s]\n")?.message == "expected \"]]\" to close the array-of-tables header")
        for e in [unclosed, duplicateKey, duplicateTable, bareWord] { #expect(e?.kind == .invocation) }
    }

    /// The parser works on UTF-8 bytes: keys and strings outside ASCII come through whole, and an error's
    /// column counts characters, so the caret sits under the right one after accented text.
    @Test func textOutsideASCII() throws {
        let doc = try toml("Année = \"née – £5\"\n[colonnes]\n\"Éthnie\" = 'Catégorie'\n")
        #expect(try doc.string("Année") == "née – £5")
        #expect(try doc.table("colonnes")?.string("Éthnie") == "Catégorie")
        let e = tomlError("nom = \"é–£\" x\n")
        #expect(e?.location?.offset == 13)
        #expect(e?.description == "test.toml:1:13: expected the end of the line, found \"x\"\n    nom = \"é–£\" x\n                ^")
        #expect(tomlError("k = \"a\" £\n")?.message == "expected the end of the line, found \"£\"")
        #expect(tomlError("a € = 1\n")?.message == "expected \"=\" after the key \"a\"")
    }

    /// A manifest saved on Windows (CRLF) shows the line of an error, without its carriage return.
    @Test func errorsInACRLFFileShowTheLine() {
        let e = tomlError("a = 1\r\nname = \"never closed\r\nb = 2\r\n")
        #expect(e?.description == "test.toml:2:8: a string opened here is never closed on its line\n    name = \"never closed\n           ^")
    }

    @Test func typedAccessErrorsNameTheKey() throws {
        let doc = try toml("n = \"five\"\nlist = [1]\n")
        let e = captureError { _ = try doc.int("n") }
        #expect(e?.message == "\"n\" must be an integer, not a string")
        #expect(e?.location?.row == 1)
        let l = captureError { _ = try doc.strings("list") }
        #expect(l?.message == "\"list\" must be an array of strings, not an integer")
        let r = captureError { _ = try doc.requiredString("missing") }
        #expect(r?.message == "missing required key \"missing\"")
    }

    /// Arrays and inline tables thousands deep are refused with the place, where parsing them recursed until
    /// the stack ran out (exit 139); 256 levels still parse.
    @Test func deepNestingIsRefusedNotACrash() throws {
        for (open, close) in [("[", "]"), ("{a = ", "}")] {
            let e = try #require(tomlError("ok = 1\nx = " + String(repeating: open, count: 5000) + "1" + String(repeating: close, count: 5000) + "\n"))
            #expect(e.exitCode == 2)
            #expect(e.message == "arrays and inline tables are nested too deeply (more than 256 levels)")
            #expect(e.location?.row == 2 && e.location?.offset == 5 + 256 * open.count)
        }
        let fine = try toml("x = " + String(repeating: "[", count: 256) + "1" + String(repeating: "]", count: 256) + "\n")
        #expect(fine["x"] != nil)
    }

    /// Positions are kept as the parser moves (counting each value's column from the line's start made a line
    /// holding an array of 80,000 strings take 24 seconds; speed is measured outside the tests): a long line
    /// still parses whole, and columns still count characters, accented ones included.
    @Test func longLinesKeepTheirColumns() throws {
        let items = (0 ..< 80_000).map { "\"é\($0)\"" }.joined(separator: ", ")
        let doc = try toml("x = [" + items + "]\n")
        if case .array(let values)? = doc["x"]?.value { #expect(values.count == 80_000) } else { Issue.record("no array") }
        let last = try #require(tomlError("x = [" + items + ", oops]\n"))
        #expect(last.location?.row == 1 && last.location?.offset == 6 + items.count + 2)
        let e = try #require(tomlError("Année = 1\n\"é\" = [\"à\", \"ü\", oops]\n"))
        #expect(e.location?.row == 2 && e.location?.offset == 18)
    }
}
