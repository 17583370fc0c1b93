// Which text a spreadsheet would run as a formula: only a decimal negative number starting with "-" is data.

import Foundation
import Testing
@testable import MHDQ

@Suite struct FormulaNeutralisingTests {
    /// Swift's Double() reads these as numbers; Excel runs them as formulas (=-inf is #NAME?).
    @Test(arguments: ["-inf", "-INF", "-nan", "-NaN", "-Infinity", "-infinity", "-0x1p3", "-0X10", "-nan(0x1)",
                      "-2+3", "-", "-1.", "-1e", "-1e+", "- 1", "-1 "])
    func dashTextThatIsNotADecimalNumberIsNeutralised(_ text: String) {
        #expect(FormulaNeutralising.needsNeutralising(text))
        #expect(FormulaNeutralising.neutralised(text) == "'" + text)
    }

    @Test(arguments: ["-1", "-2.5", "-1e3", "-1E3", "-1.5e-3", "-2.0E+10", "-007"])
    func decimalNegativeNumbersAreLeftAlone(_ text: String) {
        #expect(!FormulaNeutralising.needsNeutralising(text))
        #expect(FormulaNeutralising.neutralised(text) == text)
    }

    @Test func csvCellsFollowTheSameRule() throws {
        let dir = TempDir()
        let path = dir.write("out.csv", "")
        let out = try OutputBuffer(creating: path)
        CSVWriter(output: out).writeRow(["-inf", "-0x1p3", "-2.5"])
        try out.close()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "'-inf,'-0x1p3,-2.5\n")
    }
}
