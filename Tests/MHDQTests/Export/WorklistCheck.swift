// Checks a worklist workbook, as any reader delivered it, against the exceptions.csv it was built from: every cell.

import Foundation
import Testing
@testable import MHDQ

/// A workbook as a reader delivered it: sheets in tab order, rows from row 1, cells as text.
typealias SheetContents = (name: String, rows: [[String]])

enum WorklistCheck {
    struct SummaryRule {
        var rule, title, severity, findingClass, tables, count, sheet: String
    }

    static func readCSV(_ path: String) throws -> (header: [String], rows: [[String]]) {
        var reader = try CSVReader(path: path, delimiter: 0x2C, encoding: .utf8)
        var row = RawRow()
        var all: [[String]] = []
        while try reader.next(into: &row) { all.append(row.fields) }
        return (all.first ?? [], Array(all.dropFirst()))
    }

    /// The rows of the Summary table whose header row starts with `heading`, up to the next blank row.
    static func table(_ summary: [[String]], heading: [String]) -> [[String]] {
        guard let start = summary.firstIndex(where: { Array($0.prefix(heading.count)) == heading }) else { return [] }
        var out: [[String]] = []
        for row in summary[(start + 1)...] {
            if row.first?.isEmpty ?? true { break }
            out.append(row)
        }
        return out
    }

    static func value(_ summary: [[String]], _ label: String) -> String? {
        summary.first { $0.first == label }.flatMap { $0.count > 1 ? $0[1] : nil }
    }

    /// Verifies every cell of exceptions.csv against the workbook: a finding's shown columns are
    /// on its sheet (in CSV order, continuations included), its hidden columns are empty or stated
    /// on the Summary, and the Summary's counts add up. `normalise` says what a reader does to text
    /// on its own (LibreOffice keeps a cell's CRLF as LF). Returns the number of findings checked.
    @discardableResult
    static func verify(_ sheets: [SheetContents], csv path: String, perTable: Bool,
                       readerNormalises normalise: (String) -> String = { $0 },
                       sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> Int {
        let (header, rows) = try readCSV(path)
        let col = Dictionary(header.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        func cell(_ row: [String], _ name: String) -> String { col[name].map { $0 < row.count ? row[$0] : "" } ?? "" }

        let summary = try #require(sheets.first, sourceLocation: sourceLocation)
        #expect(summary.name == "Summary", sourceLocation: sourceLocation)
        let run = value(summary.rows, "Run") ?? "?"
        let period = value(summary.rows, "Period") ?? "?"
        #expect(value(summary.rows, "Findings") == String(rows.count), sourceLocation: sourceLocation)
        let rules = table(summary.rows, heading: ["Rule", "Title", "Severity"]).map {
            SummaryRule(rule: $0[0], title: $0[1], severity: $0[2], findingClass: $0[3], tables: $0[4], count: $0[5], sheet: $0[6])
        }

        // Which sheets hold each key's findings: the Summary's link, then "(and k more)" after it.
        func sheetNames(_ link: String) -> [String] {
            guard let open = link.range(of: " (and "), link.hasSuffix(" more)"),
                  let more = Int(link[open.upperBound...].dropLast(6)) else { return [link] }
            let first = String(link[..<open.lowerBound])
            guard let i = sheets.firstIndex(where: { $0.name == first }) else { return [first] }
            return sheets[i ... min(sheets.count - 1, i + more)].map(\.name)
        }
        var sheetsOfKey: [String: [String]] = [:]
        for r in rules {
            let key = perTable ? r.tables : r.rule
            if perTable && key.contains(", ") { continue }
            sheetsOfKey[key] = sheetNames(r.sheet)
        }
        let labels = Dictionary(ExceptionsWorkbook.layout.map { ($0.label, $0.column) }, uniquingKeysWith: { a, _ in a })

        var byKey: [String: [[String]]] = [:]
        var keys: [String] = []
        for row in rows {
            let key = cell(row, perTable ? "table" : "rule_id")
            if byKey[key] == nil { keys.append(key) }
            byKey[key, default: []].append(row)
        }
        var sheetsUsed: Set<String> = ["Summary"]
        for key in keys {
            let names = try #require(sheetsOfKey[key], "no Summary link for \(key)", sourceLocation: sourceLocation)
            let parts = names.compactMap { n in sheets.first { $0.name == n } }
            #expect(parts.count == names.count, "sheets \(names)", sourceLocation: sourceLocation)
            sheetsUsed.formUnion(names)
            guard let headings = parts.first?.rows.first else { continue }
            for p in parts { #expect(p.rows.first == headings, "header of \(p.name)", sourceLocation: sourceLocation) }
            let shown = headings.map { labels[$0] ?? $0 }
            let sheetRows = parts.flatMap { $0.rows.dropFirst() }
            let expected = byKey[key]!
            #expect(sheetRows.count == expected.count, "\(key): \(sheetRows.count) rows for \(expected.count) findings",
                    sourceLocation: sourceLocation)
            for (k, (got, want)) in zip(sheetRows, expected).enumerated() {
                let whereText = "\(key) finding \(k + 1)"
                for (c, name) in shown.enumerated() {
                    let csvValue = normalise(cell(want, name))
                    let xlsxValue = c < got.count ? got[c] : ""
                    if csvValue.utf16.count > XLSXText.maxCellCharacters {
                        let marker = XLSXText.truncationMarker(fullLength: csvValue.utf16.count)
                        #expect(xlsxValue.hasSuffix(marker) && csvValue.hasPrefix(String(xlsxValue.dropLast(marker.count))),
                                "\(whereText), \(name): long text not cut as documented", sourceLocation: sourceLocation)
                    } else {
                        #expect(xlsxValue == csvValue, "\(whereText), \(name)", sourceLocation: sourceLocation)
                    }
                }
                // A column not on the sheet is empty in the CSV, or stated on the Summary.
                let stated = rules.first { $0.rule == cell(want, "rule_id") && $0.severity == cell(want, "severity") }
                #expect(stated != nil, "\(whereText): no Summary row for its rule and severity", sourceLocation: sourceLocation)
                for name in header where !shown.contains(name) {
                    let v = cell(want, name)
                    switch name {
                    case "run_id": #expect(v == run || v.isEmpty, "\(whereText): run", sourceLocation: sourceLocation)
                    case "period": #expect(v == period || v.isEmpty, "\(whereText): period", sourceLocation: sourceLocation)
                    case "rule_id", "severity": break  // found the Summary row above
                    case "title": #expect(v == stated?.title, "\(whereText): title", sourceLocation: sourceLocation)
                    case "class": #expect(v == stated?.findingClass, "\(whereText): class", sourceLocation: sourceLocation)
                    case "table":
                        #expect(stated?.tables.components(separatedBy: ", ").contains(v) == true, "\(whereText): table",
                                sourceLocation: sourceLocation)
                    default: #expect(v.isEmpty, "\(whereText): \(name) = \"\(v)\" is not shown", sourceLocation: sourceLocation)
                    }
                }
            }
        }
        // Counts on the Summary match the CSV; no finding sheet is left unexplained.
        for r in rules {
            let n = rows.filter { cell($0, "rule_id") == r.rule && cell($0, "severity") == r.severity }.count
            #expect(r.count == String(n), "Summary count for \(r.rule) \(r.severity)", sourceLocation: sourceLocation)
        }
        #expect(Set(sheets.map(\.name)) == sheetsUsed, "sheets with no findings' rows", sourceLocation: sourceLocation)
        return rows.count
    }
}
