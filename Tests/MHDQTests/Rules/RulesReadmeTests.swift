// Rules/README.md carries the language reference that `mhdq help rules` prints: the two must not drift.

import Foundation
import Testing
@testable import MHDQ

@Suite("Rules README")
struct RulesReadmeTests {
    @Test func readmeHoldsTheHelpText() throws {
        let readme = try String(contentsOfFile: RuleTestSupport.rulesDirectory + "/README.md", encoding: .utf8)
        #expect(readme.contains(RuleLanguageHelp.text), "regenerate the last section of Rules/README.md from `mhdq help rules`")
        for f in RuleFunctions.all { #expect(readme.contains(f.signature)) }
    }
}
