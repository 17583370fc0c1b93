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
