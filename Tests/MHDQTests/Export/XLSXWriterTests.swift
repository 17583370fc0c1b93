// The XLSX writer read back by our own XLSX reader: hostile text, numbers, limits, sheet names, continuation sheets.

import Foundation
import Testing
@testable import MHDQ

/// Reads every sheet of a workbook with our reader: rows placed by their row numbers, padded to full width.
func readWorkbook(_ path: String) throws -> [(name: String, rows: [[String]])] {
    let workbook = try XLSXWorkbook(path: path)
    var out: [(name: String, rows: [[String]])] = []
    for (i, info) in workbook.sheetInfos.enumerated() {
        let source = try workbook.openSheet(.position(i + 1), range: nil)
        var row = RawRow()
        var rows: [[String]] = []
        while try source.next(into: &row) {
            while rows.count < row.number - 1 { rows.append([]) }
            rows.append(row.fields)
        }
        let width = rows.map(\.count).max() ?? 0
        out.append((info.name, rows.map { $0 + Array(repeating: "", count: width - $0.count) }))
    }
    return out
}

/// The text of one part of a zip archive.
func partText(_ path: String, _ part: String) throws -> String {
    let archive = try ZipArchive(path: path)
    let entry = try #require(archive.entry(named: part), "no part \(part)")
    return String(decoding: try archive.readAll(entry), as: UTF8.self)
}

@Suite("XLSX writer")
struct XLSXWriterTests {
    /// Text that must come back exactly as written (or as neutralised).
    static let hostile: [(written: String, read: String)] = [
        ("=SUM(A1:A2)", "'=SUM(A1:A2)"),
        ("+44 7700 900123", "'+44 7700 900123"),
        ("-x", "'-x"),
        ("-12.5", "-12.5"),
        ("@cmd|' /C calc'!A0", "'@cmd|' /C calc'!A0"),
        ("\tTAB", "'\tTAB"),
        ("\rCR", "'\rCR"),
        ("'=already neutralised", "'=already neutralised"),
        ("£12 – café 😀 عربى", "£12 – café 😀 عربى"),
        ("a\u{1}b\u{8}c\u{B}d\u{C}e\u{1F}f\u{0}g", "a\u{1}b\u{8}c\u{B}d\u{C}e\u{1F}f\u{0}g"),
        ("x\u{FFFE}y\u{FFFF}z", "x\u{FFFE}y\u{FFFF}z"),
        ("_x0041_ and _x005F_ and _X1_ and _", "_x0041_ and _x005F_ and _X1_ and _"),
        ("line1\nline2\r\nline3\rline4", "line1\nline2\r\nline3\rline4"),
        ("  padded  ", "  padded  "),
        ("trailing newline\n", "trailing newline\n"),
        ("<tag> & \"q\" 'a' ]]> &amp;", "<tag> & \"q\" 'a' ]]> &amp;"),
        ("\u{7F}\u{80}\u{9F}", "\u{7F}\u{80}\u{9F}"),
    ]

    static func write(_ path: String, options: XLSXWriter.Options = XLSXWriter.Options(),
                      body: (XLSXWriter) throws -> Void) throws -> XLSXWriter {
        let writer = try XLSXWriter(path: path, options: options)
        try body(writer)
        try writer.close()
        return writer
    }

    @Test func hostileTextRoundTrips() throws {
        let path = try makeTemporaryDirectory() + "/hostile.xlsx"
        _ = try XLSXWriterTests.write(path) { w in
            try w.beginSheet("Text", options: XLSXSheetOptions(header: ["n", "value"]))
            for (i, t) in XLSXWriterTests.hostile.enumerated() { try w.appendRow([.integer(i), .text(t.written)]) }
            // Bytes that are not UTF-8 (a lone continuation byte, a truncated sequence, a surrogate).
            try w.beginRow()
            w.appendInteger(99)
            [0x61, 0x80, 0x62, 0xE2, 0x82, 0x63, 0xED, 0xA0, 0x80].withUnsafeBufferPointer { w.appendText($0) }
            try w.endRow()
        }
        let sheets = try readWorkbook(path)
        #expect(sheets.map(\.name) == ["Text"])
        let rows = sheets[0].rows
        #expect(rows[0] == ["n", "value"])
        for (i, t) in XLSXWriterTests.hostile.enumerated() {
            #expect(rows[i + 1] == [String(i), t.read], "row \(i + 2)")
        }
        #expect(rows.last == ["99", "a\u{FFFD}b\u{FFFD}\u{FFFD}c\u{FFFD}\u{FFFD}\u{FFFD}"])
        // No formula is ever written, and the XML is what a strict parser accepts.
        let xml = try partText(path, "xl/worksheets/sheet1.xml")
        #expect(!xml.contains("<f>"))
        #expect(xml.contains("_x0001_") && xml.contains("_x005F_x0041_") && xml.contains("&#13;") && xml.contains("_xFFFE_"))
        #expect(!xml.utf8.contains { $0 < 0x20 && $0 != 0x09 && $0 != 0x0A })
    }

    @Test func cellTypes() throws {
        let path = try makeTemporaryDirectory() + "/types.xlsx"
        _ = try XLSXWriterTests.write(path) { w in
            try w.beginSheet("Types", options: XLSXSheetOptions(header: ["a", "b", "c", "d", "e", "f", "g"]))
            try w.appendRow([.number(12.5), .integer(853), .boolean(true), .boolean(false), .empty, .text(""), .number(-0.25)])
            try w.beginRow()
            for t in ["007", "1e5", "2.50", "-3.25", "12", "1234567890123456", "0.0001"] {
                Array(t.utf8).withUnsafeBufferPointer { w.appendNumber(text: $0) }
            }
            try w.endRow()
            try w.appendRow([.empty, .empty, .text("third")])
            try w.appendRow([.number(.infinity), .number(1e300)])
        }
        let rows = try readWorkbook(path)[0].rows
        #expect(rows[1] == ["12.5", "853", "TRUE", "FALSE", "", "", "-0.25"])
        #expect(rows[2] == ["007", "1e5", "2.50", "-3.25", "12", "1234567890123456", "0.0001"])
        #expect(rows[3] == ["", "", "third", "", "", "", ""])
        #expect(rows[4][0] == "inf")
        let xml = try partText(path, "xl/worksheets/sheet1.xml")
        // Exact numbers are numbers; text that would change as a number stays text.
        #expect(xml.contains("<c r=\"A2\"><v>12.5</v></c>") && xml.contains("<c r=\"B2\"><v>853</v></c>"))
        #expect(xml.contains("<c r=\"C2\" t=\"b\"><v>1</v></c>"))
        #expect(xml.contains("<c r=\"D3\"><v>-3.25</v></c>") && xml.contains("<c r=\"E3\"><v>12</v></c>"))
        for ref in ["A3", "B3", "C3", "F3", "A5"] { #expect(xml.contains("<c r=\"\(ref)\" t=\"inlineStr\">"), "\(ref)") }
        #expect(!xml.contains("r=\"E2\"") && !xml.contains("r=\"F2\""), "empty cells are not written")
    }

    @Test func textOverExcelsLimitIsCutWithAMarker() throws {
        let limit = XLSXText.maxCellCharacters
        let exact = String(repeating: "a", count: limit)
        let over = String(repeating: "b", count: limit + 1)
        // An emoji is two UTF-16 units: the cut must not split it.
        let emoji = String(repeating: "😀", count: 20_000)
        let formula = "=" + String(repeating: "c", count: limit - 1)
        let path = try makeTemporaryDirectory() + "/long.xlsx"
        let writer = try XLSXWriterTests.write(path) { w in
            try w.beginSheet("Long", options: XLSXSheetOptions(header: ["text"]))
            for t in [exact, over, emoji, formula] { try w.appendRow([.text(t)]) }
        }
        #expect(writer.truncatedCells == 3)
        let rows = try readWorkbook(path)[0].rows
        #expect(rows[1][0] == exact)
        for (row, full, first) in [(2, over, "b"), (3, emoji, "😀"), (4, "'" + formula, "'")] {
            let text = rows[row][0]
            let marker = XLSXText.truncationMarker(fullLength: full.utf16.count)
            #expect(text.hasSuffix(marker), "row \(row + 1)")
            #expect(text.utf16.count <= limit && text.utf16.count > limit - 2 - marker.utf16.count, "row \(row + 1): \(text.utf16.count)")
            #expect(text.hasPrefix(first))
            #expect(full.hasPrefix(String(text.dropLast(marker.count))))
        }
        #expect(rows[3][0].unicodeScalars.allSatisfy { $0 != "\u{FFFD}" })
    }

    @Test func headerIsFrozenFilteredAndColumnsSized() throws {
        let path = try makeTemporaryDirectory() + "/layout.xlsx"
        _ = try XLSXWriterTests.write(path) { w in
            try w.beginSheet("Layout", options: XLSXSheetOptions(header: ["Key", "Message", "N"]))
            for i in 0 ..< 700 {
                // The long message only after the width sample: it must not widen the column.
                let message = i < 600 ? "short message \(i)" : String(repeating: "long ", count: 100)
                try w.appendRow([.text("P\(i)"), .text(message), .integer(i)])
            }
            try w.beginSheet("Plain", options: XLSXSheetOptions(header: nil, freezeHeader: false, autoFilter: false,
                                                                columnWidths: [30, 12.5]))
            try w.appendRow([.text("x")])
        }
        let xml = try partText(path, "xl/worksheets/sheet1.xml")
        #expect(xml.contains("<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>"))
        #expect(xml.contains("<autoFilter ref=\"A1:C701\"/>"))
        // Widths from the header and the sampled rows: "short message 499" and the filter button.
        #expect(xml.contains("<col min=\"1\" max=\"1\" width=\"8\" customWidth=\"1\"/>"), "\(xml.prefix(900))")
        #expect(xml.contains("<col min=\"2\" max=\"2\" width=\"19\" customWidth=\"1\"/>"))
        let plain = try partText(path, "xl/worksheets/sheet2.xml")
        #expect(!plain.contains("<pane") && !plain.contains("autoFilter"))
        #expect(plain.contains("<col min=\"1\" max=\"1\" width=\"30\" customWidth=\"1\"/><col min=\"2\" max=\"2\" width=\"12.5\" customWidth=\"1\"/>"))
        let workbook = try partText(path, "xl/workbook.xml")
        #expect(workbook.contains("<definedName name=\"_xlnm._FilterDatabase\" localSheetId=\"0\" hidden=\"1\">'Layout'!$A$1:$C$701</definedName>"))
        #expect(try readWorkbook(path)[0].rows.count == 701)
    }

    @Test func aFullSheetContinuesOnNumberedSheets() throws {
        var options = XLSXWriter.Options()
        options.maxRowsPerSheet = 4  // the header and three rows
        let path = try makeTemporaryDirectory() + "/split.xlsx"
        let long = String(repeating: "L", count: 31)
        let writer = try XLSXWriterTests.write(path, options: options) { w in
            try w.beginSheet("Data (2)", options: XLSXSheetOptions(header: ["other"]))
            try w.beginSheet("Data", options: XLSXSheetOptions(header: ["n", "text"]))
            for i in 1 ... 10 { try w.appendRow([.integer(i), .text("row \(i)")]) }
            try w.beginSheet(long, options: XLSXSheetOptions(header: ["n"]))
            for i in 1 ... 4 { try w.appendRow([.integer(i)]) }
            try w.beginSheet("Summary", options: XLSXSheetOptions(firstTab: true))
            try w.appendRow([.text("first tab")])
        }
        let cut = String(repeating: "L", count: 27)
        let expectedNames = ["Summary", "Data (2)", "Data", "Data (3)", "Data (4)", "Data (5)", long, cut + " (2)"]
        #expect(writer.sheetNames == expectedNames)
        let sheets = try readWorkbook(path)
        #expect(sheets.map(\.name) == expectedNames)
        let data = sheets.filter { $0.name.hasPrefix("Data") && $0.name != "Data (2)" }
        #expect(data.map(\.rows.count) == [4, 4, 4, 2])
        for sheet in data { #expect(sheet.rows[0] == ["n", "text"], "header repeated on \(sheet.name)") }
        #expect(data.flatMap { $0.rows.dropFirst() } == (1 ... 10).map { [String($0), "row \($0)"] }, "nothing dropped")
        #expect(writer.writtenSheets.filter { $0.continues == "Data" }.map(\.name) == ["Data (3)", "Data (4)", "Data (5)"])
        #expect(writer.writtenSheets.first { $0.name == "Data" }?.dataRows == 3)
        #expect(try partText(path, "xl/worksheets/sheet4.xml").contains("<autoFilter ref=\"A1:B4\"/>"))
        #expect(try partText(path, "xl/worksheets/sheet5.xml").contains("<autoFilter ref=\"A1:B2\"/>"))
        #expect(sheets.last!.rows == [["n"], ["4"]])
    }

    /// A limit too small for the header and a row still makes progress: one row per sheet.
    @Test func aLimitBelowTwoRowsStillWritesEveryRow() throws {
        var options = XLSXWriter.Options()
        options.maxRowsPerSheet = 1
        let path = try makeTemporaryDirectory() + "/tiny.xlsx"
        _ = try XLSXWriterTests.write(path, options: options) { w in
            try w.beginSheet("X", options: XLSXSheetOptions(header: ["h"]))
            for i in 1 ... 3 { try w.appendRow([.integer(i)]) }
        }
        let sheets = try readWorkbook(path)
        #expect(sheets.map(\.name) == ["X", "X (2)", "X (3)"])
        #expect(sheets.map(\.rows) == [[["h"], ["1"]], [["h"], ["2"]], [["h"], ["3"]]])
    }

    @Test func sheetNamesAreMadeValidAndUnique() {
        #expect(XLSXSheetNames.sanitise("A/B:C*?[x]\\") == "A_B_C___x__")
        #expect(XLSXSheetNames.sanitise(String(repeating: "x", count: 40)) == String(repeating: "x", count: 31))
        #expect(XLSXSheetNames.sanitise("'quoted'") == "quoted")
        #expect(XLSXSheetNames.sanitise("History") == "History_")
        #expect(XLSXSheetNames.sanitise("history") == "history_")
        #expect(XLSXSheetNames.sanitise("") == "Sheet")
        #expect(XLSXSheetNames.sanitise("   ") == "Sheet")
        #expect(XLSXSheetNames.sanitise("tab\there") == "tab here")
        // 30 letters and an emoji (two units) do not fit 31: the emoji goes whole.
        #expect(XLSXSheetNames.sanitise(String(repeating: "e", count: 30) + "😀") == String(repeating: "e", count: 30))
        var names = XLSXSheetNames()
        #expect(names.claim("Summary") == "Summary")
        #expect(names.claim("Summary") == "Summary (2)")
        #expect(names.claim("SUMMARY") == "SUMMARY (3)")
        #expect(names.claim("a:b") == "a_b")
        #expect(names.claim("a?b") == "a_b (2)")
        let long = String(repeating: "z", count: 35)
        #expect(names.claim(long) == String(repeating: "z", count: 31))
        #expect(names.claim(long) == String(repeating: "z", count: 27) + " (2)")
    }

    @Test func anEmptyWorkbookStillHasASheet() throws {
        let path = try makeTemporaryDirectory() + "/empty.xlsx"
        _ = try XLSXWriterTests.write(path) { _ in }
        let sheets = try readWorkbook(path)
        #expect(sheets.map(\.name) == ["Sheet1"])
        #expect(sheets[0].rows.isEmpty)
    }

    @Test func rowsNeedASheet() throws {
        let path = try makeTemporaryDirectory() + "/nosheet.xlsx"
        let writer = try XLSXWriter(path: path)
        let error = captureError { try writer.appendRow([.text("x")]) }
        #expect(error?.message.contains("before any sheet") == true)
    }

    @Test func packagePartsAreDeclared() throws {
        let path = try makeTemporaryDirectory() + "/parts.xlsx"
        _ = try XLSXWriterTests.write(path) { w in
            try w.beginSheet("One & <Two>", options: XLSXSheetOptions(header: ["a"]))
            try w.beginSheet("Links", options: XLSXSheetOptions(firstTab: true))
            try w.appendRow([.link("go", sheet: "One & <Two>")])
        }
        let archive = try ZipArchive(path: path)
        #expect(Set(archive.entries.map(\.name)) == ["[Content_Types].xml", "_rels/.rels", "docProps/app.xml", "xl/workbook.xml",
                                                     "xl/_rels/workbook.xml.rels", "xl/styles.xml",
                                                     "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"])
        let types = try partText(path, "[Content_Types].xml")
        #expect(types.contains("PartName=\"/xl/worksheets/sheet2.xml\""))
        let workbook = try partText(path, "xl/workbook.xml")
        #expect(workbook.contains("<sheet name=\"Links\" sheetId=\"1\" r:id=\"rId2\"/><sheet name=\"One &amp; &lt;Two&gt;\" sheetId=\"2\" r:id=\"rId1\"/>"))
        let links = try partText(path, "xl/worksheets/sheet2.xml")
        #expect(links.contains("<hyperlink ref=\"A1\" location=\"'One &amp; &lt;Two&gt;'!A1\" display=\"One &amp; &lt;Two&gt;\"/>"))
        #expect(links.contains("<c r=\"A1\" s=\"3\" t=\"inlineStr\">"))
        #expect(try readWorkbook(path).map(\.name) == ["Links", "One & <Two>"])
    }
}
