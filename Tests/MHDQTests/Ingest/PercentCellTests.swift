// Numbers in a percentage format read as the sheet shows them (0.7402 is 74.02%), exactly: KPI workbooks
// enter actuals that way, and a bare 0.7402 against an "85%" target would be a silent misreading.

import Testing
@testable import MHDQ

@Suite struct PercentCellTests {
    func percent(_ stored: String) -> String {
        var row = RawRow()
        Array(stored.utf8).withUnsafeBufferPointer { CellText.appendPercent($0, to: &row) }
        row.endField()
        return row.string(0)
    }

    @Test func movesThePointTwoPlaces() {
        #expect(percent("0.7402") == "74.02%")
        #expect(percent("0.913") == "91.3%")
        #expect(percent("1") == "100%")
        #expect(percent("0.5") == "50%")
        #expect(percent("0.05") == "5%")
        #expect(percent("0.0512") == "5.12%")
        #expect(percent("0") == "0%")
        #expect(percent("12") == "1200%")
        #expect(percent("-0.05") == "-5%")
        #expect(percent("0.123456789") == "12.3456789%")
        #expect(percent("0.74019999999999997") == "74.02%")      // a long stored form: its shortest round trip first
        #expect(percent("1.5E-3") == "0.15%")
        #expect(percent("4E-07") == "0.00004%")                   // no exponent, however small or large
        #expect(percent("-1.25E+20") == "-12500000000000000000000%")
        #expect(percent("n/a") == "n/a")                          // not a number: kept as stored
    }

    @Test func percentFormats() {
        #expect(XLSXStyles.isPercentCode("0.00%"))
        #expect(XLSXStyles.isPercentCode("0%"))
        #expect(XLSXStyles.isPercentCode("[Red]0.0%;[Blue]-0.0%"))
        #expect(!XLSXStyles.isPercentCode("0.00"))
        #expect(!XLSXStyles.isPercentCode("0.0\"%\""))            // a quoted % is decoration, not scaling
        #expect(!XLSXStyles.isPercentCode("0.0\\%"))              // an escaped % too
        #expect(!XLSXStyles.isPercentCode("[%]0"))
        // SpreadsheetML (Excel 2003 XML) names its formats: LibreOffice and Excel write a percentage as "Percent".
        #expect(SpreadsheetMLReader.isPercentFormat("Percent"))
        #expect(SpreadsheetMLReader.isPercentFormat("0.0%"))
        #expect(!SpreadsheetMLReader.isPercentFormat("Fixed") && !SpreadsheetMLReader.isPercentFormat("Short Date"))
    }
}
