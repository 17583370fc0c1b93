// CSV reader: csv-spectrum cases, line ends, buffer boundaries, encodings, delimiters, hostile input.

import Testing
@testable import MHDQ

/// Everything a read produced: header + rows as strings, where each record started, blank lines.
struct ReadResult: Equatable {
    var records: [[String]]
    var rowNumbers: [Int]
    var blankLines: Int
    var delimiter: UInt8
}

func readCSV(_ path: String, bufferSize: Int = 1 << 16, delimiter: UInt8? = nil,
             encoding: TextEncoding = .auto, maxFieldBytes: Int = CSVReader.defaultMaxFieldBytes) throws -> ReadResult {
    var reader = try CSVReader(path: path, delimiter: delimiter, encoding: encoding,
                               bufferSize: bufferSize, maxFieldBytes: maxFieldBytes)
    var row = RawRow()
    var result = ReadResult(records: [], rowNumbers: [], blankLines: 0, delimiter: 0)
    while try reader.next(into: &row) {
        result.records.append(row.fields)
        result.rowNumbers.append(row.number)
    }
    result.blankLines = reader.blankLines
    result.delimiter = reader.delimiter
    return result
}

struct CSVCase: Sendable, CustomTestStringConvertible {
    var file: String
    var records: [[String]]
    var rows: [Int]
    var blankLines = 0
    var testDescription: String { file }
}

/// Expected records, written out by hand (not taken from the shared csv-spectrum JSON).
let csvCases: [CSVCase] = [
    CSVCase(file: "comma_in_quotes.csv", records: [["first", "last", "address", "city", "zip"],
                                                    ["John", "Doe", "120 any st.", "Anytown, WW", "08123"]], rows: [1, 2]),
    CSVCase(file: "empty.csv", records: [["a", "b", "c"], ["1", "", ""], ["2", "3", "4"]], rows: [1, 2, 3]),
    CSVCase(file: "empty_crlf.csv", records: [["a", "b", "c"], ["1", "", ""], ["2", "3", "4"]], rows: [1, 2, 3]),
    CSVCase(file: "escaped_quotes.csv", records: [["a", "b"], ["1", "ha \"ha\" ha"], ["3", "4"]], rows: [1, 2, 3]),
    CSVCase(file: "json.csv", records: [["key", "val"], ["1", "{\"type\": \"Point\", \"coordinates\": [102.0, 0.5]}"]], rows: [1, 2]),
    CSVCase(file: "location_coordinates.csv",
            records: [["Contact Phone Number", "Location Coordinates", "Cities", "Counties"],
                      ["2095257564", "37°36'37.8\"N 121°2'17.9\"W", "Modesto", "Stanislaus"]], rows: [1, 2]),
    CSVCase(file: "newlines.csv", records: [["a", "b", "c"], ["1", "2", "3"], ["Once upon \na time", "5", "6"], ["7", "8", "9"]],
            rows: [1, 2, 3, 5]),
    CSVCase(file: "newlines_crlf.csv", records: [["a", "b", "c"], ["1", "2", "3"], ["Once upon \r\na time", "5", "6"], ["7", "8", "9"]],
            rows: [1, 2, 3, 5]),
    CSVCase(file: "quotes_and_newlines.csv", records: [["a", "b"], ["1", "ha \n\"ha\" \nha"], ["3", "4"]], rows: [1, 2, 5]),
    CSVCase(file: "simple.csv", records: [["a", "b", "c"], ["1", "2", "3"]], rows: [1, 2]),
    CSVCase(file: "simple_crlf.csv", records: [["a", "b", "c"], ["1", "2", "3"]], rows: [1, 2]),
    CSVCase(file: "utf8.csv", records: [["a", "b", "c"], ["1", "2", "3"], ["4", "5", "ʤ"]], rows: [1, 2, 3]),
    CSVCase(file: "cr_only.csv", records: [["a", "b"], ["1", "2"], ["3", "4"]], rows: [1, 2, 3]),
    CSVCase(file: "mixed_line_ends.csv", records: [["a", "b"], ["1", "2"], ["3", "4"], ["5", "6"]], rows: [1, 2, 3, 4]),
    CSVCase(file: "blank_lines.csv", records: [["a", "b"], ["1", "2"], ["3", "4"]], rows: [1, 3, 6], blankLines: 4),
    CSVCase(file: "quote_in_unquoted.csv", records: [["name", "height", "note"], ["O\"Brien", "5'10\"", "a \"quoted\" word"], ["xy", "z", ""]],
            rows: [1, 2, 3]),
    CSVCase(file: "multiline_rows.csv",
            records: [["id", "text", "n"], ["1", "line one\r\nline two\r\nline three", "x"], ["2", "\"quoted\"\r\n\"again\"", "y"],
                      ["3", "cr\rinside\nlf", "z"], ["4", "", ""]],
            rows: [1, 2, 5, 7, 10]),
    CSVCase(file: "bom_utf8.csv", records: [["LocalPatientID", "Postcode"], ["P1", "LS1 4AP"]], rows: [1, 2]),
    CSVCase(file: "windows1252.csv", records: [["Item", "Text"], ["price", "£2.50"], ["range", "10–20"], ["cafe", "Café"], ["name", "O’Brien"]],
            rows: [1, 2, 3, 4, 5]),
    CSVCase(file: "tab.tsv", records: [["LocalPatientID", "Postcode", "EthnicCategory"], ["P1", "LS1 4AP", "A"]], rows: [1, 2]),
    CSVCase(file: "pipe.txt", records: [["LocalPatientID", "Postcode", "EthnicCategory"], ["P1", "LS1 4AP", "A"]], rows: [1, 2]),
    CSVCase(file: "semicolon.csv", records: [["LocalPatientID", "Postcode", "Note"], ["P1", "LS1 4AP", "1,5"]], rows: [1, 2]),
    CSVCase(file: "quoted_header_delims.csv", records: [["a,b,c", "d|e", "f\tg"], ["1", "2", "3"]], rows: [1, 2]),
    CSVCase(file: "empty_file.csv", records: [], rows: []),
]

@Suite("CSV reader")
struct CSVReaderTests {
    @Test("exact records", arguments: csvCases)
    func exactRecords(_ c: CSVCase) throws {
        let r = try readCSV(TestPaths.csv(c.file))
        #expect(r.records == c.records)
        #expect(r.rowNumbers == c.rows)
        #expect(r.blankLines == c.blankLines)
    }

    @Test("identical records at every buffer size", arguments: csvCases)
    func bufferBoundaries(_ c: CSVCase) throws {
        let reference = try readCSV(TestPaths.csv(c.file))
        for size in [1, 2, 3, 7, 1 << 16] {
            let r = try readCSV(TestPaths.csv(c.file), bufferSize: size)
            #expect(r == reference, "buffer size \(size)")
        }
    }

    /// Every split point of a tricky record: CRLF, doubled quotes and line ends land on buffer edges.
    @Test func everySplitPointOfQuotedCRLF() throws {
        let text = "h1,h2\r\n\"a\"\"\r\nb\"\"\",\"\"\"\"\r\nnext,\"x\r\n\r\ny\"\r\nlast,row"
        let path = try writeTemporaryFile(text)
        let expected = [["h1", "h2"], ["a\"\r\nb\"", "\""], ["next", "x\r\n\r\ny"], ["last", "row"]]
        for size in 4 ... 40 {
            let r = try readCSV(path, bufferSize: size)
            #expect(r.records == expected, "buffer size \(size)")
            #expect(r.rowNumbers == [1, 2, 4, 7], "buffer size \(size)")
        }
    }

    @Test func windows1252WithExplicitEncoding() throws {
        let r = try readCSV(TestPaths.csv("windows1252.csv"), encoding: .windows1252)
        #expect(r.records.map { $0[1] } == ["Text", "£2.50", "10–20", "Café", "O’Brien"])
        var reader = try CSVReader(path: TestPaths.csv("windows1252.csv"))
        var row = RawRow()
        while try reader.next(into: &row) {}
        #expect(reader.windows1252Fields == 4)
    }

    @Test func strictUTF8RejectsWindows1252Bytes() {
        let error = captureError { _ = try readCSV(TestPaths.csv("windows1252.csv"), encoding: .utf8) }
        #expect(error?.kind == .input)
        #expect(error?.location?.file == TestPaths.csv("windows1252.csv"))
        #expect(error?.location?.row == 2)
        #expect(error?.message.contains("not valid UTF-8") == true)
        #expect(error?.location?.field == 2, "the reader knows the field, not its header")
    }

    @Test func utf16IsRejectedWithAClearMessage() {
        let error = captureError { _ = try readCSV(TestPaths.csv("utf16le_bom.csv")) }
        #expect(error?.kind == .input)
        #expect(error?.message.contains("UTF-16") == true)
        #expect(error?.description.hasPrefix(TestPaths.csv("utf16le_bom.csv")) == true)
    }

    @Test func bomIsNotPartOfTheFirstHeader() throws {
        let r = try readCSV(TestPaths.csv("bom_utf8.csv"), bufferSize: 1)
        #expect(r.records.first?.first == "LocalPatientID")
    }

    @Test("sniffed delimiter", arguments: [
        ("simple.csv", UInt8(ascii: ",")), ("tab.tsv", UInt8(ascii: "\t")), ("pipe.txt", UInt8(ascii: "|")),
        ("semicolon.csv", UInt8(ascii: ";")), ("quoted_header_delims.csv", UInt8(ascii: ";")),
    ])
    func sniffing(_ file: String, _ expected: UInt8) throws {
        for size in [1, 7, 1 << 16] {
            #expect(try readCSV(TestPaths.csv(file), bufferSize: size).delimiter == expected, "buffer size \(size)")
        }
    }

    @Test func sniffingLooksAtTheWholeFirstLine() throws {
        // The first tab is far into the header: a small buffer must not decide "comma" early.
        let path = try writeTemporaryFile("LocalPatientIdentifierExtended\tPostcode\tNote\nP1\tLS1 4AP\thas, a comma\n")
        for size in [1, 8, 16, 1 << 16] {
            let r = try readCSV(path, bufferSize: size)
            #expect(r.records == [["LocalPatientIdentifierExtended", "Postcode", "Note"], ["P1", "LS1 4AP", "has, a comma"]],
                    "buffer size \(size)")
        }
    }

    /// Title lines above the header do not decide the delimiter: a tab-separated extract whose first line is
    /// "Referrals, September 2026" is read by tabs when its header is on line 3 (and a blank line before the
    /// header moves the guess on to the header).
    @Test func sniffingLooksAtTheHeaderLine() throws {
        let text = "Referrals, September 2026, RX4\r\nRun by: a steward, the data team\r\nServiceRequestID\tLocalPatientID\r\nR1\tP1\r\n"
        let path = try writeTemporaryFile(text)
        for size in [1, 8, 1 << 16] {
            var reader = try CSVReader(path: path, headerLine: 3, bufferSize: size)
            var row = RawRow()
            var rows: [[String]] = []
            while try reader.next(into: &row) { rows.append(row.fields) }
            #expect(reader.delimiter == 0x09, "buffer size \(size)")
            #expect(rows.last == ["R1", "P1"], "buffer size \(size)")
        }
        #expect(CSVReader.sniff(Array("a,b\n\nx\ty\tz\n".utf8), line: 2) == 0x09)
        #expect(CSVReader.sniff(Array("a,b\nx\ty\n".utf8)) == 0x2C)
    }

    /// A sheet or range asked of a text file is an error (exit 2), not the whole file read as if it applied.
    @Test func sheetOrRangeOfATextFileIsRefused() throws {
        let path = try writeTemporaryFile("a,b\n1,2\n")
        for options in [ReadOptions(sheet: .position(2)), ReadOptions(range: CellRange("A1:A1"))] {
            #expect(throws: MHDQError.self) { _ = try Readers.open(path: path, options: options) }
            do { _ = try Readers.open(path: path, options: options) } catch let e as MHDQError {
                #expect(e.exitCode == 2 && e.message.hasSuffix("applies to workbooks (xlsx, spreadsheetml), not to delimited text"))
            }
        }
    }

    @Test func delimiterOverride() throws {
        let r = try readCSV(TestPaths.csv("semicolon.csv"), delimiter: UInt8(ascii: ","))
        #expect(r.records == [["LocalPatientID;Postcode;Note"], ["P1;LS1 4AP;\"1", "5\""]])
        #expect(CSVReader.delimiter(named: "tab") == 0x09)
        #expect(CSVReader.delimiter(named: "pipe") == UInt8(ascii: "|"))
        #expect(CSVReader.delimiter(named: "\"") == nil)
        #expect(CSVReader.delimiter(named: "ab") == nil)
    }

    // MARK: - Hostile and bad input

    @Test func nulBytesAreBinaryNotText() {
        for file in ["nul_bytes.csv", "nul_in_quotes.csv"] {
            let error = captureError { _ = try readCSV(TestPaths.csv(file)) }
            #expect(error?.kind == .input, "\(file)")
            #expect(error?.location?.file == TestPaths.csv(file))
            #expect(error?.message.contains("NUL") == true, "\(file)")
        }
    }

    @Test func unterminatedQuoteNamesTheLineItOpened() {
        for size in [1, 1 << 16] {
            let error = captureError { _ = try readCSV(TestPaths.csv("unterminated_quote.csv"), bufferSize: size) }
            #expect(error?.kind == .input)
            #expect(error?.location?.row == 3)
            #expect(error?.message.contains("opened at line 3") == true)
        }
    }

    @Test func workbooksGivenAsCSV() {
        let zip = captureError { _ = try readCSV(TestPaths.csv("zip_as_csv.csv")) }
        #expect(zip?.message.contains("zip file") == true)
        let ole = captureError { _ = try readCSV(TestPaths.csv("ole_as_csv.csv")) }
        #expect(ole?.message.contains("OLE") == true)
        #expect(ole?.location?.file == TestPaths.csv("ole_as_csv.csv"))
    }

    @Test func runawayQuotedFieldStopsAtTheLimit() throws {
        var bytes = Array("a,b\n1,\"".utf8)
        bytes += [UInt8](repeating: UInt8(ascii: "x"), count: 300_000)
        let path = try writeTemporaryFile(bytes)
        let error = captureError { _ = try readCSV(path, bufferSize: 4096, maxFieldBytes: 100_000) }
        #expect(error?.kind == .input)
        #expect(error?.location?.row == 2)
        #expect(error?.message.contains("line 2") == true)
        #expect(error?.message.contains("100000 bytes") == true)
    }

    @Test func missingFileAndFolder() throws {
        let missing = captureError { _ = try CSVReader(path: "/nonexistent/extract.csv") }
        #expect(missing?.kind == .input)
        #expect(missing?.description.contains("/nonexistent/extract.csv") == true)
        let dir = try makeTemporaryDirectory()
        let folder = captureError { _ = try CSVReader(path: dir) }
        #expect(folder?.message.contains("folder") == true)
    }
}
