import Testing
@testable import MHDQ

@Suite struct CellTextTests {
    private func number(_ text: String) -> String {
        var row = RawRow()
        Array(text.utf8).withUnsafeBufferPointer { CellText.appendNumber($0, to: &row) }
        row.endField()
        return row.string(0)
    }

    private func serial(_ value: Double, date1904: Bool = false) -> String? {
        var row = RawRow()
        guard CellText.appendSerialDate(value, date1904: date1904, to: &row) else { return nil }
        row.endField()
        return row.string(0)
    }

    private func iso(_ text: String) -> String {
        var row = RawRow()
        Array(text.utf8).withUnsafeBufferPointer { CellText.appendISODateTime($0, to: &row) }
        row.endField()
        return row.string(0)
    }

    private func unescaped(_ text: String) -> String {
        var row = RawRow()
        Array(text.utf8).withUnsafeBufferPointer { CellText.appendDecodingEscapes($0, to: &row) }
        row.endField()
        return row.string(0)
    }

    @Test func numbersInShortestRoundTripForm() {
        let cases: [(String, String)] = [
            ("5", "5"), ("5.0", "5"), ("-0", "-0"), ("0", "0"), ("0.1", "0.1"), ("123456789012", "123456789012"),
            ("1E+21", "1000000000000000000000"), ("0.30000000000000004", "0.30000000000000004"), ("3.1400000000000001", "3.14"),
            ("1.0000000000000001E-5", "0.00001"), ("0.0001", "0.0001"), ("00012", "12"), ("12.50", "12.5"),
            ("9007199254740993", "9007199254740992"), ("-2.5", "-2.5"), ("1e400", "1e400"), ("abc", "abc"), ("", ""),
            ("999999999999999", "999999999999999"), ("1234567890123456", "1234567890123456"),
        ]
        for (input, expected) in cases { #expect(number(input) == expected, "\(input)") }
    }

    /// Staging reads a cell's text: an exponent ("4e-05") would read as 4 in a unit "e-05".
    @Test func numbersAsPlainDecimalsWithEveryDigitKept() {
        let cases: [(String, String)] = [
            ("4E-05", "0.00004"), ("4.0000000000000003E-5", "0.00004"), ("-4E-05", "-0.00004"), ("2.5E-10", "0.00000000025"),
            ("1.5e-4", "0.00015"), ("-1.5E+21", "-1500000000000000000000"), ("1.2345678901234567E+18", "1234567890123456800"),
            ("1E+16", "10000000000000000"), ("-9.8765432109876543E+30", "-9876543210987654000000000000000"),
        ]
        for (input, expected) in cases { #expect(number(input) == expected, "\(input)") }
        for value in [5e-324, 1.7976931348623157e308, 0.1 + 0.2, -1e-7, 123.456e-20, 6.02214076e23, 1 / 3.0, -0.0] {
            let text = DecimalText.plain(value)
            #expect(!text.contains("e") && Double(text) == value, "\(value) as \(text)")
        }
        // A staged number written out (flat files, exceptions, reports) is plain decimals too.
        #expect([0.00004, 1e21, -2.5, 3, 1e-7].map(Value.format) == ["0.00004", "1000000000000000000000", "-2.5", "3", "0.0000001"])
    }

    @Test func canonicalFastPathAgreesWithDoubleDescription() {
        for text in ["1", "12.25", "0.001", "0.0123", "-7.5", "100000000000000", "0.5", "4.000000000000001"] {
            let bytes = Array(text.utf8)
            if bytes.withUnsafeBufferPointer(CellText.isCanonical) {
                var d = Double(text)!.description
                if d.hasSuffix(".0") { d.removeLast(2) }
                #expect(d == text)
            }
        }
    }

    @Test func serialDates() {
        #expect(serial(1) == "1900-01-01")
        #expect(serial(59) == "1900-02-28")
        #expect(serial(60) == "1900-02-29")
        #expect(serial(61) == "1900-03-01")
        #expect(serial(45017.25) == "2023-04-01T06:00:00")
        #expect(serial(45017.000005) == "2023-04-01")  // 0.43 s rounds to midnight
        #expect(serial(0.75) == "18:00:00")
        #expect(serial(0, date1904: true) == "1904-01-01")
        // Before 1900: negative serials from 1899-12-30, as LibreOffice and openpyxl write them.
        #expect(serial(-1) == "1899-12-29")
        #expect(serial(-14111) == "1861-05-12")
        #expect(serial(-1, date1904: true) == nil)
        #expect(serial(.nan) == nil)
        #expect(serial(2_958_466) == nil)
    }

    @Test func isoDateTimes() {
        #expect(iso("2023-04-01T00:00:00.000") == "2023-04-01")
        #expect(iso("2023-04-01T13:05:00.000") == "2023-04-01T13:05:00")
        #expect(iso("2023-04-01T23:59:59.600") == "2023-04-02")
        #expect(iso("2023-04-01T13:05:00Z") == "2023-04-01T13:05:00")
        #expect(iso("2023-04-01") == "2023-04-01")
        #expect(iso("not a date") == "not a date")
        #expect(iso("2023-04-01T13:05:00+01:00") == "2023-04-01T13:05:00+01:00")
    }

    /// Dates and times that do not exist used to roll over into ones that do (2023-02-31 read as 2023-03-03): they
    /// are kept as written, and false says they are no date.
    @Test func impossibleISODateTimesAreKeptAsWritten() {
        func kept(_ text: String) -> Bool {
            var row = RawRow()
            let isDate = Array(text.utf8).withUnsafeBufferPointer { CellText.appendISODateTime($0, to: &row) }
            row.endField()
            return !isDate && row.string(0) == text
        }
        for text in ["2023-02-31", "2023-02-29T00:00:00.000", "1990-04-31T00:00:00.000", "1900-02-29T00:00:00", "2023-00-10",
                     "2023-04-00", "2001-01-01T25:61:00.000", "2001-01-01T24:00:00", "2001-01-01T23:60:00", "2001-01-01T23:59:60",
                     "9999-12-31T23:59:59.9999"] {
            #expect(kept(text), "\(text)")
        }
        #expect(iso("2024-02-29T00:00:00.000") == "2024-02-29")
        #expect(iso("2000-02-29") == "2000-02-29")
        #expect(iso("9999-12-31T23:59:59.4") == "9999-12-31T23:59:59")
        #expect(iso("2023-04-30T23:59:59") == "2023-04-30T23:59:59")
    }

    @Test func timesWithNoDate() {
        // A time of day alone reads as one in every date system and format Excel writes it in.
        #expect(serial(0.395833333333333) == "09:30:00")
        #expect(serial(0.395833333333333, date1904: true) == "09:30:00")
        #expect(serial(0.75, date1904: true) == "18:00:00")
        #expect(serial(1.395833333333333, date1904: true) == "1904-01-02T09:30:00")
        #expect(iso("1899-12-31T09:30:00.000") == "09:30:00")
        #expect(iso("1899-12-31T00:00:00.000") == "00:00:00")
        #expect(iso("1900-01-01T09:30:00.000") == "1900-01-01T09:30:00")
    }

    @Test func escapes() {
        #expect(unescaped("a_x000D_b") == "a\rb")
        #expect(unescaped("_x005F_x000D_") == "_x000D_")
        #expect(unescaped("_xD83D__xDE00_") == "😀")
        #expect(unescaped("_xD800_") == "\u{FFFD}")
        #expect(unescaped("snake_case_x") == "snake_case_x")
        #expect(unescaped("_x00e9_") == "é")
    }

    @Test func dateFormatCodes() {
        for code in ["dd/mm/yyyy", "yyyy\\-mm\\-dd\\ hh:mm", "[$-809]dd mmmm yyyy;@", "h:mm AM/PM", "[h]:mm:ss", "mmm-yy"] {
            #expect(XLSXStyles.isDateCode(code), "\(code)")
        }
        for code in ["General", "0.00", "[Red]0.00", "\"days\" 0", "#,##0;[Red]-#,##0", "0.00E+00", "@", "_-* #,##0_-"] {
            #expect(!XLSXStyles.isDateCode(code), "\(code)")
        }
        #expect(XLSXStyles.isBuiltInDate(14) && XLSXStyles.isBuiltInDate(22) && XLSXStyles.isBuiltInDate(47))
        #expect(!XLSXStyles.isBuiltInDate(0) && !XLSXStyles.isBuiltInDate(49) && !XLSXStyles.isBuiltInDate(59))
    }

    /// Which date formats show only a time: an m is minutes after an h or before an s, a month otherwise.
    @Test func timeFormatCodes() {
        let cases: [(String, SerialFormat)] = [
            ("hh:mm", .timeOfDay), ("h:mm:ss", .timeOfDay), ("h:mm AM/PM", .timeOfDay), ("[$-F400]h:mm:ss\\ AM/PM", .timeOfDay),
            ("mm:ss", .timeOfDay), ("mm:ss.0", .timeOfDay), ("[Red]hh:mm;@", .timeOfDay), ("h\"h\" mm\"m\"", .timeOfDay),
            ("hh:mm a/p", .timeOfDay),
            ("[h]:mm:ss", .elapsed), ("[hh]:mm", .elapsed), ("[mm]:ss", .elapsed), ("[ss]", .elapsed),
            ("dd/mm/yyyy", .date), ("yyyy-mm-dd hh:mm", .date), ("mmm", .date), ("mm", .date), ("hh mmm", .date),
            ("[$-809]dd mmmm yyyy;@", .date), ("aaa h:mm", .date), ("[$-411]ge.m.d", .date),
            ("General", .number), ("0.00", .number),
        ]
        for (code, expected) in cases { #expect(XLSXStyles.serialFormat(code: code) == expected, "\(code)") }
        #expect([18, 19, 20, 21, 32, 33, 45, 47].allSatisfy { XLSXStyles.serialFormat(builtIn: $0) == .timeOfDay })
        #expect(XLSXStyles.serialFormat(builtIn: 46) == .elapsed)
        #expect([14, 22, 27, 34, 50, 58].allSatisfy { XLSXStyles.serialFormat(builtIn: $0) == .date })
        #expect([0, 9, 49].allSatisfy { XLSXStyles.serialFormat(builtIn: $0) == .number })
    }

    @Test func timeSerials() {
        func time(_ value: Double, elapsed: Bool = false) -> String? {
            var row = RawRow()
            guard CellText.appendSerialTime(value, elapsed: elapsed, to: &row) else { return nil }
            row.endField()
            return row.string(0)
        }
        #expect(time(0) == "00:00:00")
        #expect(time(0.395833333333333) == "09:30:00")
        #expect(time(45017.75) == "18:00:00", "a time format does not show the day")
        #expect(time(0.999999999) == "00:00:00", "rounds to the second, as Excel shows it")
        #expect(time(1.5, elapsed: true) == "36:00:00")
        #expect(time(0, elapsed: true) == "00:00:00")
        #expect(time(-0.5) == nil && time(.nan) == nil)
    }
}
