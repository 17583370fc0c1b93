// Helpers for workbook reader tests: fixture paths and reading a whole sheet.

// No Foundation here: its ICU module clashes with the ICU headers libxml2's module map pulls in.
#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import MHDQ

enum WorkbookFixtures {
    static let folder: String = {
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(2)  // Ingest/WorkbookTestSupport.swift
        return parts.joined(separator: "/") + "/Fixtures/xlsx"
    }()

    static func path(_ name: String) -> String { folder + "/" + name }

    /// Reads every row of a sheet as (row number, fields).
    static func rows(_ name: String, sheet: SheetSelector? = nil, range: CellRange? = nil,
                     format: SourceFormat? = nil) throws -> [Row] {
        var source = try Readers.open(path: path(name), options: ReadOptions(format: format, sheet: sheet, range: range))
        var row = RawRow()
        var out: [Row] = []
        while try source.next(into: &row) { out.append(Row(row.number, row.fields)) }
        return out
    }

    struct Row: Equatable, CustomStringConvertible {
        var number: Int
        var fields: [String]
        init(_ number: Int, _ fields: [String]) {
            self.number = number
            self.fields = fields
        }
        var description: String { "\(number): \(fields)" }
    }

    /// The MHDQError a read throws (nil when it reads to the end).
    static func readError(_ name: String, sheet: SheetSelector? = nil, format: SourceFormat? = nil) -> MHDQError? {
        do {
            _ = try rows(name, sheet: sheet, format: format)
            return nil
        } catch let e as MHDQError {
            return e
        } catch {
            return MHDQError.invocation("unexpected error type: \(error)")
        }
    }
}

@Test func dumpFixtures() throws {
    guard getenv("DUMP") != nil else { return }
    for (name, sheet) in [("handmade.xlsx", nil), ("dates1900.xlsx", nil), ("dates1904.xlsx", nil), ("nonstandard_paths.xlsx", SheetSelector.position(1)), ("nonstandard_paths.xlsx", .position(2)), ("openpyxl.xlsx", nil), ("libreoffice.xlsx", nil), ("libreoffice2003.xml", nil), ("libreoffice2003.xml", .position(2)), ("stored.xlsx", nil)] as [(String, SheetSelector?)] {
        print("== \(name) \(sheet.map { "\($0)" } ?? "")")
        do {
            for r in try WorkbookFixtures.rows(name, sheet: sheet) { print(r) }
        } catch { print("ERROR \(error)") }
    }
    for name in ["hostile_billion_laughs.xlsx", "hostile_bomb.xlsx", "hostile_claims_10gb.xlsx", "hostile_corrupt_deflate.xlsx", "hostile_encrypted_entry.xlsx", "hostile_ole.xlsx", "hostile_truncated.xlsx"] {
        print(name, WorkbookFixtures.readError(name).map { "\($0)" } ?? "no error")
    }
}
