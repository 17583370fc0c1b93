// Coverage of the published MHSDS v6.0 rule list by the mhsds-v6 pack.

import Testing
@testable import MHDQ

@Suite struct CoverageTests {
    typealias S = RuleTestSupport

    @Test func everyOfficialRuleHasAStatus() throws {
        let pack = try RulePackLoader.load(name: "mhsds-v6", catalogue: S.catalogue)
        let entries = try Coverage.report(pack: pack)
        #expect(entries.count == 254)
        #expect(Set(entries.map(\.code)).count == 254)
        #expect(Set(entries.map(\.code)) == Set(S.officialRules.keys))
        for e in entries where e.status != .implemented {
            #expect(!e.reason.isEmpty, "\(e.code) has no reason")
            #expect(e.reason != "not in the pack", "\(e.code) is neither implemented nor listed as not implemented")
        }
        let implemented = entries.filter { $0.status == .implemented }.count
        let context = entries.filter { $0.status == .needsContext }.count
        #expect(implemented + context == pack.rules.filter { S.officialRules[$0.id] != nil }.count)
        #expect(entries.filter { $0.status == .notImplemented }.count == pack.unimplemented.count)
        // Rules needing national tables say which.
        #expect(entries.first { $0.code == "MHS00154" }?.reason.contains("ODS") == true)
    }

    @Test func packRulesMatchTheOfficialLevelAndType() throws {
        let pack = try RulePackLoader.load(name: "mhsds-v6", catalogue: S.catalogue)
        for rule in pack.rules {
            guard let official = S.officialRules[rule.id] else { Issue.record("\(rule.id) is not an official code"); continue }
            #expect(rule.severity.rawValue == official.level, "\(rule.id)")
            #expect(rule.officialType == official.type, "\(rule.id)")
        }
    }
}
