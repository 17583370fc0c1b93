// Staging's byte-level fast paths give exactly what the general code gives, on edge cases and random input.

import Testing
@testable import MHDQ

/// A deterministic stream of small random numbers (SplitMix64), so a failure can be replayed.
struct SplitMix {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

func withBytes<R>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
    Array(text.utf8).withUnsafeBufferPointer(body)
}

struct FastPathEquivalenceTests {
    /// The one-table index of short code spellings finds exactly what a dictionary per field finds, for keys
    /// of one to eight bytes (bytes up to 0xFF, so a key never packs like another of another length) in
    /// many fields, through its growth.
    /// Packing a short key with word loads gives the word byte-by-byte packing gives, at every length.
    @Test func packingAShortKeyIsByteByByte() {
        var random = SplitMix(state: 3)
        for _ in 0 ..< 5_000 {
            // A key in the middle of a larger buffer, as a cell lies in a row.
            let buffer = (0 ..< 24).map { _ in UInt8(random.below(256)) }
            let start = random.below(8), length = random.below(9)
            var expected: UInt64 = 0
            for k in 0 ..< length { expected |= UInt64(buffer[start + k]) << (8 * UInt64(k)) }
            let packed = buffer.withUnsafeBufferPointer { ByteKeyedTable<Bool>.pack(UnsafeBufferPointer(rebasing: $0[start ..< start + length])) }
            if packed != expected { Issue.record("\(Array(buffer[start ..< start + length])) packs to \(packed), not \(expected)"); return }
        }
    }

    @Test func shortCodeIndexAgreesWithADictionaryPerField() {
        var index = ShortCodeIndex()
        var reference: [Int: [[UInt8]: (Int, Bool)]] = [:]
        var random = SplitMix(state: 9)
        for n in 0 ..< 30_000 {
            let field = random.below(40)
            let key = (0 ..< 1 + random.below(8)).map { _ in UInt8(random.below(3) == 0 ? 0 : random.below(256)) }
            let found = key.withUnsafeBufferPointer { index.find(field: field, key: $0) }
            if let known = reference[field]?[key] {
                if found?.entry != known.0 || found?.flag != known.1 { Issue.record("field \(field) key \(key): \(String(describing: found)) not \(known)"); return }
            } else {
                if found != nil { Issue.record("field \(field) key \(key) found before it was added"); return }
                let flag = n % 3 == 0
                key.withUnsafeBufferPointer { index.insert(field: field, key: $0, entry: n % 4096, flag: flag) }
                reference[field, default: [:]][key] = (n % 4096, flag)
            }
        }
    }

    /// Numbers read from bytes equal `Double(text)` bit for bit, and what the fast path declines the general path decides.
    @Test func numbersFromBytesEqualTheGeneralParser() {
        let edge = ["0", "-0", "007", "1.5", "1.50", "-12.345", "999999999999999", "9999999999999999", "0.1", "0.3",
                    "123456789.123456", "1.", ".5", "-", "-.5", "1e5", "1E-3", "+5", "1,234", "1,234.5", "12,34",
                    " 1", "1 ", "", ".", "1..2", "1.2.3", "--1", "0x10", "nan", "inf", "١٢", "12a", "4.9406564584124654e-324"]
        var random = SplitMix(state: 42)
        var samples = edge
        let alphabet = Array("0123456789.-,e+ ")
        for _ in 0 ..< 20_000 {
            let length = 1 + random.below(18)
            // Mostly digits with a point, sometimes anything from the alphabet.
            let digitsOnly = random.below(4) != 0
            var s = ""
            for _ in 0 ..< length {
                s.append(digitsOnly ? alphabet[random.below(random.below(8) == 0 ? 11 : 10)] : alphabet[random.below(alphabet.count)])
            }
            samples.append(s)
        }
        for s in samples {
            let general = NumberParsing.parseGeneral(s)
            let fromBytes = withBytes(s) { NumberParsing.parse($0) }
            let fromString = NumberParsing.parse(s)
            #expect(fromBytes?.bitPattern == general?.bitPattern, "\"\(s)\": bytes \(String(describing: fromBytes)), general \(String(describing: general))")
            #expect(fromString?.bitPattern == general?.bitPattern, "\"\(s)\"")
        }
    }

    /// Dates read by position (two-digit days and months) equal what the token-by-token reader gives.
    @Test func fixedWidthDatesEqualTheTokenReader() {
        let patterns = ["dd/mm/yyyy", "yyyy-mm-dd", "yyyymmdd", "mm/dd/yyyy", "d/m/yyyy", "dd mm yyyy", "dd-mmm-yyyy", "dd/mm/yy"]
        let formats = patterns.map { DateFormat(pattern: $0)! }
        #expect(formats[0].fixed != nil && formats[2].fixed != nil)
        #expect(formats[6].fixed == nil && formats[7].fixed == nil, "month names and two-digit years have no fixed layout")
        var random = SplitMix(state: 7)
        let alphabet = Array("0123456789/- \tT:")
        var samples = ["05/09/2026", "31/02/2023", "29/02/2024", "29/02/2023", "00/01/2020", "01/13/2020", "2026-09-05",
                       "20260905", "05 09 2026", "05\t09\t2026", "5/9/2026", "05/09/2026 00:00", "0001-01-01", "9999-12-31"]
        for _ in 0 ..< 20_000 {
            // Real dates in the fixed layouts, with a digit or separator sometimes changed.
            let y = 1900 + random.below(200), m = 1 + random.below(13), d = 1 + random.below(32)
            func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
            var chars = Array([two(d) + "/" + two(m) + "/" + String(y), String(y) + "-" + two(m) + "-" + two(d),
                               String(y) + two(m) + two(d), two(d) + " " + two(m) + " " + String(y)][random.below(4)])
            if random.below(3) == 0 { chars[random.below(chars.count)] = alphabet[random.below(alphabet.count)] }
            samples.append(String(chars))
        }
        for s in samples {
            for f in formats {
                let fast = withBytes(s) { f.parse($0) }
                let tokens = withBytes(s) { f.parseTokens($0) }
                #expect(fast == tokens, "\"\(s)\" as \(f.description): \(String(describing: fast)) vs \(String(describing: tokens))")
            }
        }
    }

    /// Staging with nobody reading the records (check --no-rules) skips text values, yet reports the same
    /// counts and the same findings, keys included, as staging that keeps every value.
    @Test func stagingWithoutValuesReportsTheSame() throws {
        let path = try writeTemporaryFile("""
        LocalPatientID,NHSNumber,PersonBirthDate,EthnicCategory,Postcode,PersDeathDate
        " P1 ",9434765919,1985-06-15,A,LS1 4AP,
        P2,,15/06/1985,White - British,,not a date
        P3,943 476 5919,31/02/2023,z,BD7 1AA,2020-01-01
        ,9434765919,1999-13-01,99,,
        P5,x,2001-01-01,Not stated,HX1,2022-02-30
        """, name: "mpi.csv")
        let dataset = sharedCatalogue.dataset("MHS001MPI")!
        var spec = SourceSpec(table: dataset.table, file: path)
        spec.dateFormats = DateFormat.defaults
        func run(keepsValues: Bool) throws -> (StagingStats, [Finding], Int) {
            let collector = FindingCollector()
            var stats = StagingStats(table: dataset.table)
            var stager = Stager(dataset: dataset, spec: spec, catalogue: sharedCatalogue, findings: collector)
            stager.keepsValues = keepsValues
            var rows = 0
            try stager.run(stats: &stats) { _ in rows += 1 }
            return (stats, collector.findings, rows)
        }
        let (kept, keptFindings, keptRows) = try run(keepsValues: true)
        let (lean, leanFindings, leanRows) = try run(keepsValues: false)
        #expect(keptRows == 5 && leanRows == 5)
        #expect(kept.rowsStaged == lean.rowsStaged && kept.valuesMapped == lean.valuesMapped && kept.problems == lean.problems)
        #expect(kept.examples == lean.examples)
        func describe(_ f: [Finding]) -> [String] { f.map { "\($0.ruleID)|\($0.row ?? 0)|\($0.field)|\($0.value)|\($0.recordKey)|\($0.message)" } }
        #expect(describe(keptFindings) == describe(leanFindings))
        #expect(keptFindings.count >= 4, "the file has staging problems to report")
        #expect(keptFindings.contains { $0.recordKey == "P3" && $0.field == "PersonBirthDate" }, "\(describe(keptFindings))")
    }

    /// Staging reads a CSV file on a second thread (CSVPrefetcher): the rows before a read error are staged,
    /// then the reader's own error is thrown, as reading on one thread would.
    @Test func prefetchedRowsThenTheReadersError() throws {
        var text = "LocalPatientID,PersonBirthDate\n"
        for i in 0 ..< 5_000 { text += "P\(i),2001-01-01\n" }
        var bytes = Array(text.utf8)
        bytes += Array("P5000,2001-01-01\nP5001,\"unterminated\n".utf8)
        let path = try writeTemporaryFile(bytes, name: "broken.csv")
        let dataset = sharedCatalogue.dataset("MHS001MPI")!
        let spec = SourceSpec(table: dataset.table, file: path)
        var stats = StagingStats(table: dataset.table)
        var staged = 0
        let error = captureError {
            try Stager(dataset: dataset, spec: spec, catalogue: sharedCatalogue, findings: FindingCollector())
                .run(stats: &stats) { _ in staged += 1 }
        }
        // The same file read directly: how many rows come before the error, and the error itself.
        var reader = try CSVReader(path: path)
        var row = RawRow()
        var direct = -1
        let directError = captureError { while try reader.next(into: &row) { direct += 1 } }
        #expect(staged == 5_001 && staged == direct)
        #expect(error != nil && error?.description == directError?.description, "\(String(describing: error))")
    }

    /// A consumer that gives up part way (its own error) stops the reading thread rather than waiting on it.
    @Test func consumerErrorStopsThePrefetcher() throws {
        var text = "LocalPatientID\n"
        for i in 0 ..< 20_000 { text += "P\(i)\n" }
        let path = try writeTemporaryFile(text, name: "many.csv")
        let dataset = sharedCatalogue.dataset("MHS001MPI")!
        var stats = StagingStats(table: dataset.table)
        struct Enough: Error {}
        var seen = 0
        #expect(throws: Enough.self) {
            try Stager(dataset: dataset, spec: SourceSpec(table: dataset.table, file: path), catalogue: sharedCatalogue,
                       findings: FindingCollector()).run(stats: &stats) { _ in
                seen += 1
                if seen == 1_500 { throw Enough() }
            }
        }
        #expect(seen == 1_500)
    }

    /// Dates print as CCYY-MM-DD from bytes for years 0-9999, as the padded interpolation did, and outside it too.
    @Test func isoDatesMatchThePaddedFormat() {
        func reference(_ c: CivilDate) -> String {
            func pad(_ n: Int, _ w: Int) -> String {
                let s = String(n)
                return s.count >= w ? s : String(repeating: "0", count: w - s.count) + s
            }
            return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))"
        }
        let edges = [CivilDate(year: 1970, month: 1, day: 1).days, CivilDate(year: 0, month: 1, day: 1).days - 1,
                     CivilDate(year: 0, month: 3, day: 1).days, CivilDate(year: 9999, month: 12, day: 31).days,
                     CivilDate(year: 9999, month: 12, day: 31).days + 1, CivilDate(year: 1, month: 1, day: 1).days, -800_000, 4_000_000]
        var random = SplitMix(state: 3)
        for days in edges + (0 ..< 20_000).map({ _ in random.below(3_700_000) - 800_000 }) {
            let c = CivilDate(days: days)
            #expect(c.iso == reference(c), "\(days)")
        }
    }
}
