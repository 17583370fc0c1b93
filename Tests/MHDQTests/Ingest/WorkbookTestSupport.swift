// Helpers for workbook reader tests: fixture paths and reading a whole sheet.

// No Foundation here: its ICU module clashes with the ICU headers libxml2's module map pulls in.
#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import MHDQ

enum WorkbookFixtures {
    /// A workbook (XLSX or SpreadsheetML) with sheets "2025", "2026", "1" whose first cells are OLD, NEW, ONE:
    /// a number typed after --sheet names a sheet first and counts one only when no sheet has that name.
    static func expectSheetsNamedInDigits(_ path: String) throws {
        func first(_ sheet: SheetSelector) throws -> [String] {
            var source = try Readers.open(path: path, options: ReadOptions(sheet: sheet))
            var row = RawRow()
            return try source.next(into: &row) ? row.fields : []
        }
        #expect(try first(SheetSelector(typed: "2026")) == ["NEW"])
        #expect(try first(SheetSelector(typed: "1")) == ["ONE"])
        #expect(try first(SheetSelector(typed: "2")) == ["NEW"], "no sheet is named 2: the second")
        #expect(try first(.position(1)) == ["OLD"], "a manifest's sheet = 1 is a position")
        #expect(try first(.name("1")) == ["ONE"], "a manifest's sheet = \"1\" is a name")
        let missing = captureError { _ = try first(SheetSelector(typed: "7")) }
        #expect(missing?.kind == .input)
        #expect(missing?.message.hasPrefix("no sheet") == true && missing?.message.contains("7") == true)
    }

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
