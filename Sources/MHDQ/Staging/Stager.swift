// Stage 2: maps a source's columns to dataset fields and normalises each value to its type.

/// A row of a dataset table after staging, in the dataset's field order.
public struct StagedRecord: Sendable {
    public var values: [Value]
    /// Row number in the source (line for CSV, sheet row for workbooks).
    public var row: Int
    /// Index of the source file in `StagingStats.files`.
    public var fileIndex: Int
    /// The source file and sheet, so findings made while streaming can name them.
    public var file: String = ""
    public var sheet: String?

    public subscript(field: Int) -> Value { values[field] }
}

/// Counts for one table, for the summary and the reconciliation.
public struct StagingStats: Sendable {
    public var table: String
    public var files: [String] = []
    public var sheets: [String?] = []
    public var rowsRead = 0
    public var rowsStaged = 0
    public var rowsRejected = 0
    public var blankRows = 0
    public var bytesRead = 0
    /// Problem kind → count.
    public var problems: [String: Int] = [:]
    /// Problem kind → the first few examples (rendered lines).
    public var examples: [String: [String]] = [:]
    /// Identifier values the examples show (a few per kind), so `--redact` can mask them.
    public var exampleIdentifiers: [String] = []
    /// Local headers that map to no dataset field (kept out of staging, listed so nothing is silently dropped).
    public var unmappedColumns: [String] = []
    /// Mandatory or required fields with no column in the source.
    public var missingFields: [String] = []
    /// How many values were mapped from descriptions or re-cased to a code.
    public var valuesMapped = 0
    public var windows1252Fields = 0

    public init(table: String) { self.table = table }

    mutating func note(_ kind: String, _ example: String, identifiers: [String] = []) {
        problems[kind, default: 0] += 1
        if examples[kind, default: []].count < 3 {
            examples[kind, default: []].append(example)
            exampleIdentifiers += identifiers
        }
    }
}

/// Stages the files of one source into its dataset table, record by record.
public struct Stager {
    public let dataset: Dataset
    public let spec: SourceSpec
    let catalogue: Catalogue
    let findings: FindingSink
    /// False when nothing reads the staged records (staging alone, `check --no-rules`): text fields, which
    /// cannot fail staging, are then not made into Strings, except a row's key fields when the row has a
    /// problem to report. Every count and finding is the same either way.
    public var keepsValues = true

    public init(dataset: Dataset, spec: SourceSpec, catalogue: Catalogue, findings: FindingSink) {
        self.dataset = dataset
        self.spec = spec
        self.catalogue = catalogue
        self.findings = findings
    }

    /// How one source column feeds staging.
    struct ColumnPlan {
        var sourceIndex: Int
        var fieldIndex: Int
        var header: String
    }

    /// Reads every file of the source, calling `emit` for each staged record.
    public func run(stats: inout StagingStats, emit: (StagedRecord) throws -> Void) throws {
        for file in spec.files {
            var source = try Readers.open(path: file, options: spec.read)
            try stage(&source, stats: &stats, emit: emit)
        }
    }

    public func stage(_ source: inout some RowSource, stats: inout StagingStats, emit: (StagedRecord) throws -> Void) throws {
        var header: [String] = []
        do {
            try stageRows(&source, header: &header, stats: &stats, emit: emit)
        } catch var error as MHDQError {
            // A reader tells which field of a row it could not read; the header tells its column.
            error.location?.nameField(from: header)
            throw error
        }
    }

    private func stageRows(_ source: inout some RowSource, header: inout [String], stats: inout StagingStats,
                           emit: (StagedRecord) throws -> Void) throws {
        let fileIndex = stats.files.count
        stats.files.append(source.file)
        stats.sheets.append(source.sheet)
        stats.bytesRead += ByteInput.size(path: source.file) ?? 0
        var row = RawRow()
        // The header: the first row at or after header_row.
        while try source.next(into: &row) {
            if row.number >= spec.headerRow { header = row.fields.map { $0.trimmingSpaces() }; break }
        }
        guard !header.isEmpty else {
            throw MHDQError.input("no header row (the file is empty\(spec.headerRow > 1 ? " before row \(spec.headerRow)" : ""))",
                                  at: source.location())
        }
        let headerRowNumber = row.number
        // A SpreadsheetML reader knows its sheet's name only once it has found the sheet.
        stats.sheets[fileIndex] = source.sheet
        // The CSV reader skips blank lines itself: count those after the header so no row goes uncounted.
        let blankLinesBeforeData = (source as? CSVReader)?.blankLines ?? 0
        let plan = try columnPlan(header: header, source: source, stats: &stats)
        let fieldCount = dataset.fields.count
        var mapped = Array(repeating: false, count: fieldCount)
        for c in plan { mapped[c.fieldIndex] = true }
        for (i, f) in dataset.fields.enumerated() where !mapped[i] && f.mandatory != "O" && !stats.missingFields.contains(f.name) {
            stats.missingFields.append(f.name)
        }
        var normaliser = ValueNormaliser(dataset: dataset, spec: spec, catalogue: catalogue)
        var skipped = 0
        var record = StagedRecord(values: Array(repeating: .null, count: fieldCount), row: 0, fileIndex: fileIndex)
        record.file = source.file
        record.sheet = source.sheet
        let width = header.count
        let identifierIndices = dataset.identifierIndices
        // Columns staged every row, and text columns left for when a problem needs the row's key.
        let deferred = keepsValues ? [] : plan.filter { dataset.fields[$0.fieldIndex].type == .text }
        let staged = keepsValues ? plan : plan.filter { dataset.fields[$0.fieldIndex].type != .text }
        // Each staged column as one element (source column, field, whether the value is kept), so the loop
        // over a row's cells reads one array.
        // Without a consumer only the key fields' values are ever read (a problem's record key).
        let keyFields = Set(dataset.key.compactMap { dataset.index(of: $0) })
        let cells = staged.map { (column: $0.sourceIndex, field: $0.fieldIndex, keep: keepsValues || keyFields.contains($0.fieldIndex)) }
        if !keepsValues { normaliser.valueNeeded = dataset.fields.indices.map { keyFields.contains($0) } }
        // A text file's rows are parsed on a second thread while this one stages the rows already read.
        let prefetcher = (source as? CSVReader).map { CSVPrefetcher(reader: $0) }
        prefetcher?.start()
        var reader: CSVReader?
        defer { if reader == nil { _ = prefetcher?.finish() } }
        // The choice of reader is made in the loop's condition, not in a local function: calling one that
        // captures the source cost more per row than taking the prefetched row.
        while try prefetcher?.next(into: &row) ?? source.next(into: &row) {
            if skipped < spec.skipRows { skipped += 1; continue }
            stats.rowsRead += 1
            if isBlankRow(row) {
                stats.blankRows += 1
                stats.rowsRead -= 1
                continue
            }
            // Workbooks trim trailing empty cells, so only text files have a reliable row width.
            let ragged = source.sheet == nil ? row.count != width : row.count > width && !extraCellsBlank(row, from: width)
            if ragged {
                stats.rowsRejected += 1
                let kind = row.count < width ? "too few fields" : "too many fields"
                let message = "row has \(row.count) fields but the header (row \(headerRowNumber)) has \(width): \(kind); the row is not staged"
                stats.note("ragged row", "\(source.location(row: row.number)): \(message)")
                var f = Finding(ruleID: "STG-RAGGED", title: "Row does not match the header", findingClass: .invalid,
                                severity: .recordRejected, table: dataset.table, message: message)
                f.file = source.file
                f.sheet = source.sheet
                f.row = row.number
                f.value = String(row.fields.joined(separator: ",").prefix(200))
                // Which cell is which is unknown in a ragged row: any of them may identify the patient.
                if !identifierIndices.isEmpty { f.identifiers = [f.value] }
                findings.add(f)
                continue
            }
            record.row = row.number
            // Fields with no column stay null from the start; the others are all written every row.
            // Read before the loop: the loop's closure must not name `row` (that copies the row, buffers and all).
            let dateCells = row.dateCells
            row.withUnsafeFields { bytes, starts, ends in
                for cell in cells {
                    guard cell.column < ends.count else { record.values[cell.field] = .null; continue }
                    let cellBytes = UnsafeBufferPointer(rebasing: bytes[starts[cell.column] ..< ends[cell.column]])
                    if !dateCells.isEmpty && dateCells.contains(cell.column) {
                        let value = normaliser.stageDateCell(cellBytes, field: cell.field)
                        if cell.keep { record.values[cell.field] = value }
                    } else if cell.keep {
                        record.values[cell.field] = normaliser.stage(cellBytes, field: cell.field)
                    } else {
                        normaliser.check(cellBytes, field: cell.field)
                    }
                }
            }
            if !normaliser.problems.isEmpty && !deferred.isEmpty {
                row.withUnsafeFields { bytes, starts, ends in
                    for column in deferred {
                        let c = column.sourceIndex
                        guard c < ends.count else { record.values[column.fieldIndex] = .null; continue }
                        record.values[column.fieldIndex] = normaliser.stage(UnsafeBufferPointer(rebasing: bytes[starts[c] ..< ends[c]]), field: column.fieldIndex)
                    }
                }
            }
            // Draining copies the list: only rows with a problem pay for it.
            for problem in normaliser.problems.isEmpty ? [] : normaliser.drainProblems() {
                let column = plan.first { $0.fieldIndex == problem.field }!
                let def = dataset.fields[problem.field]
                let loc = source.location(row: row.number, column: column.header)
                var identifiers: [String] = []
                for i in identifierIndices where !record.values[i].isNull { identifiers.append(record.values[i].text) }
                stats.note(problem.kind, "\(loc): \"\(problem.raw)\" \(problem.message)", identifiers: identifiers)
                var f = Finding(ruleID: problem.ruleID, title: problem.title, findingClass: .invalid, severity: .warning,
                                table: dataset.table, message: "\(def.name) \"\(problem.raw)\" \(problem.message)")
                f.file = source.file
                f.sheet = source.sheet
                f.row = row.number
                f.field = def.name
                f.value = problem.raw
                f.recordKey = recordKey(record)
                f.identifiers = identifiers
                findings.add(f)
            }
            stats.rowsStaged += 1
            try emit(record)
        }
        stats.valuesMapped += normaliser.mappedCount
        reader = prefetcher?.finish()
        if let csv = reader ?? source as? CSVReader {
            stats.windows1252Fields += csv.windows1252Fields
            stats.blankRows += csv.blankLines - blankLinesBeforeData
        }
    }

    public func recordKey(_ record: StagedRecord) -> String {
        dataset.key.compactMap { dataset.index(of: $0) }.map { record.values[$0].text }.joined(separator: "+")
    }

    func isBlankRow(_ row: RawRow) -> Bool { row.isAllBlank }

    func extraCellsBlank(_ row: RawRow, from start: Int) -> Bool {
        for i in start ..< row.count where !row.isBlank(i) { return false }
        return true
    }

    func columnPlan(header: [String], source: some RowSource, stats: inout StagingStats) throws -> [ColumnPlan] {
        var plan: [ColumnPlan] = []
        var fieldTaken: [Int: String] = [:]
        let explicit = Dictionary(spec.columns.map { ($0.local.lowercased(), $0.field) }, uniquingKeysWith: { a, _ in a })
        // Every column the manifest names must be in the file: a renamed column must not silently vanish.
        let headerSet = Set(header.map { $0.lowercased() })
        for (local, _) in spec.columns where !headerSet.contains(local.lowercased()) {
            throw MHDQError.invocation("the manifest maps column \"\(local)\", which is not in the header (found: \(header.map { "\"\($0)\"" }.joined(separator: ", ")))",
                                       at: source.location(row: spec.headerRow))
        }
        var aliasIndex: [String: Int] = [:]
        if !spec.strictHeaders {
            for (i, f) in dataset.fields.enumerated() {
                for a in f.aliases { aliasIndex[CodeList.normalise(a)] = i }
            }
        }
        for (i, name) in header.enumerated() {
            var fieldIndex: Int?
            if let field = explicit[name.lowercased()] { fieldIndex = dataset.index(of: field) }
            else if let f = dataset.index(of: name) { fieldIndex = f }
            else if let f = aliasIndex[CodeList.normalise(name)] { fieldIndex = f }
            guard let fi = fieldIndex else {
                // A column with no header still holds values: named by its position, as inspect names it.
                stats.unmappedColumns.append(name.isEmpty ? "(column \(i + 1))" : name)
                continue
            }
            if let other = fieldTaken[fi] {
                throw MHDQError.invocation("columns \"\(other)\" and \"\(name)\" both map to \(dataset.fields[fi].name)",
                                           at: source.location(row: spec.headerRow, column: name))
            }
            fieldTaken[fi] = name
            plan.append(ColumnPlan(sourceIndex: i, fieldIndex: fi, header: name))
        }
        if plan.isEmpty {
            throw MHDQError.invocation("no column of the header maps to a field of \(dataset.table) (header: \(header.prefix(8).map { "\"\($0)\"" }.joined(separator: ", ")))",
                                       at: source.location(row: spec.headerRow))
        }
        return plan
    }
}

/// Turns a cell's bytes into a typed value, recording what could not be typed.
struct ValueNormaliser {
    struct Problem {
        var field: Int
        var kind: String
        var ruleID: String
        var title: String
        var raw: String
        var message: String
    }

    /// Field types only: copying a whole `FieldDefinition` per cell (a dozen strings to retain and release) was
    /// a quarter of the staging time.
    let fieldTypes: [FieldType]
    let codeLists: [CodeList?]
    /// Amount fields: the parser with the field's marker list ("*", "Unavailable").
    let amountParsers: [AmountParser?]
    let valueMaps: [[String: String]?]
    let dateFormats: [DateFormat]
    /// Each date format's fixed layout, kept apart so trying one copies no arrays.
    let dateLayouts: [DateFormat.FixedLayout?]
    /// Per field: whether the caller reads the staged value (else a code is only looked up and counted).
    var valueNeeded: [Bool]
    let trim: Bool
    var problems: [Problem] = []
    var mappedCount = 0
    /// Per code field: the staged value of each raw spelling seen, found by its bytes
    /// (code fields repeat a handful of values, so most cells need no String at all).
    var codeCache: [ByteKeyedTable<(value: Value, mapped: Bool)>]
    /// The same spellings' entries when they have at most eight bytes, all fields in one table (the fast path).
    var shortCodes = ShortCodeIndex()

    init(dataset: Dataset, spec: SourceSpec, catalogue: Catalogue) {
        fieldTypes = dataset.fields.map(\.type)
        codeLists = dataset.fields.map { f in f.codes.flatMap { catalogue.codeLists[$0] } }
        amountParsers = dataset.fields.map { f in f.type == .amount ? AmountParser(markers: f.codes.flatMap { catalogue.codeLists[$0] }) : nil }
        valueMaps = dataset.fields.map { spec.values[$0.name] }
        dateFormats = spec.dateFormats
        dateLayouts = spec.dateFormats.map(\.fixed)
        valueNeeded = Array(repeating: true, count: dataset.fields.count)
        trim = spec.trim
        codeCache = Array(repeating: ByteKeyedTable(), count: dataset.fields.count)
    }

    mutating func drainProblems() -> [Problem] {
        defer { problems.removeAll(keepingCapacity: true) }
        return problems
    }

    /// Stages one field's bytes: trimmed if the manifest asks, then typed.
    @inline(__always) mutating func stage(_ all: UnsafeBufferPointer<UInt8>, field: Int) -> Value {
        var lo = 0, hi = all.count
        if lo == hi { return .null }
        // Only a field that starts or ends with a space, tab or no-break space has anything to trim.
        // (Control bytes pass this test too; the loops below then trim nothing from them.)
        if trim && (all[0] <= 32 || all[0] == 0xC2 || all[hi - 1] <= 32 || all[hi - 1] == 0xA0) {
            while lo < hi, all[lo] == 32 || all[lo] == 9 { lo += 1 }
            while hi > lo, all[hi - 1] == 32 || all[hi - 1] == 9 { hi -= 1 }
            // No-break spaces (U+00A0, C2 A0) pasted from web forms.
            while hi - lo >= 2, all[lo] == 0xC2, all[lo + 1] == 0xA0 { lo += 2 }
            while hi - lo >= 2, all[hi - 2] == 0xC2, all[hi - 1] == 0xA0 { hi -= 2 }
        }
        if lo == hi { return .null }
        let bytes = UnsafeBufferPointer(rebasing: all[lo ..< hi])
        // Codes, most of a record, take a small function of their own.
        if fieldTypes[field] == .code { return stageCodeBytes(bytes, field: field) }
        return stageBytes(bytes, field: field)
    }

    /// Stages one field's bytes for its problems and counts only, when nothing reads the value: a code is
    /// looked up (to count mapped values) without copying its staged value. Untrimmed bytes can be looked up:
    /// the table holds spellings as staged (trimmed), so one found as it stands had nothing to trim.
    @inline(__always) mutating func check(_ all: UnsafeBufferPointer<UInt8>, field: Int) {
        if fieldTypes[field] == .code, all.count <= 8, let hit = shortCodes.find(field: field, key: all) {
            if hit.flag { mappedCount += 1 }
            return
        }
        _ = stage(all, field: field)
    }

    /// A code cell: its spelling found by its bytes (most cells), or mapped once and remembered.
    /// The fast path, inlined into the column loop (a call with the whole of the slow path behind it
    /// saved and restored registers on every cell).
    @inline(__always) mutating func stageCodeBytes(_ bytes: UnsafeBufferPointer<UInt8>, field: Int) -> Value {
        if bytes.count <= 8, let hit = shortCodes.find(field: field, key: bytes) {
            if hit.flag { mappedCount += 1 }
            return valueNeeded[field] ? codeCache[field].elements[hit.entry].value : .null
        }
        return stageNewOrLongCode(bytes, field: field)
    }

    /// A spelling not seen before in this source, or longer than eight bytes.
    @inline(never) mutating func stageNewOrLongCode(_ bytes: UnsafeBufferPointer<UInt8>, field: Int) -> Value {
        let h = ByteKeyedTable<(value: Value, mapped: Bool)>.hash(bytes)
        if let e = codeCache[field].find(bytes, hash: h) {
            if codeCache[field].elements[e].mapped { mappedCount += 1 }
            return valueNeeded[field] ? codeCache[field].elements[e].value : .null
        }
        let raw = String(decoding: bytes, as: UTF8.self)
        let value = stageCode(raw, field: field)
        let mapped: Bool
        if case .text(let s) = value, s != raw { mapped = true } else { mapped = false }
        if mapped { mappedCount += 1 }
        if codeCache[field].count < 4096 {
            let e = codeCache[field].insert(bytes, hash: h, (value, mapped))
            if bytes.count <= 8 { shortCodes.insert(field: field, key: bytes, entry: e, flag: mapped) }
        }
        return value
    }

    mutating func stageBytes(_ bytes: UnsafeBufferPointer<UInt8>, field: Int) -> Value {
        let type = fieldTypes[field]
        switch type {
        case .text:
            return .text(String(decoding: bytes, as: UTF8.self))
        case .code:
            return stageCodeBytes(bytes, field: field)
        case .date:
            for k in dateLayouts.indices {
                if let layout = dateLayouts[k], bytes.count == layout.length, let days = DateFormat.parseFixed(bytes, layout) {
                    return .date(days)
                }
                if let days = dateFormats[k].parse(bytes) { return .date(days) }
            }
            return problem(bytes, field, kind: "not a date", ruleID: "STG-DATE", title: "Value is not a date",
                           message: "is not a date in the expected formats (\(dateFormats.map(\.description).joined(separator: ", ")))")
        case .time:
            if let s = TimeParsing.parse(bytes) { return .time(s) }
            return problem(bytes, field, kind: "not a time", ruleID: "STG-TIME", title: "Value is not a time",
                           message: "is not a time (hh:mm:ss or hh:mm)")
        case .datetime:
            if let v = parseDateTime(bytes, formats: dateFormats) { return .dateTime(v) }
            return problem(bytes, field, kind: "not a date-time", ruleID: "STG-DATETIME", title: "Value is not a date and time",
                           message: "is not a date and time (CCYY-MM-DDThh:mm:ss)")
        case .period, .amount:
            return stageReturnValue(bytes, field: field)
        case .integer, .decimal:
            if let d = NumberParsing.parse(bytes), type == .decimal || d == d.rounded() { return .number(d) }
            return problem(bytes, field, kind: "not a number", ruleID: "STG-NUMBER", title: "Value is not a number",
                           message: type == .integer ? "is not a whole number" : "is not a number")
        }
    }

    /// How workbook readers write date cells' dates.
    static let cellDateFormats = [DateFormat.iso]

    /// A cell a workbook stored as a date, time or date-time, which its reader wrote as ISO 8601 ("2026-09-01",
    /// "09:30:00", "2026-09-01T09:30:00"): read as such whatever the manifest's date formats, which describe
    /// dates typed as text. A date-time at midnight is written as its date alone.
    mutating func stageDateCell(_ bytes: UnsafeBufferPointer<UInt8>, field: Int) -> Value {
        switch fieldTypes[field] {
        case .date:
            if let days = DateFormat.iso.parse(bytes) { return .date(days) }
        case .datetime:
            if let v = parseDateTime(bytes, formats: ValueNormaliser.cellDateFormats) { return .dateTime(v) }
            if let days = DateFormat.iso.parse(bytes) { return .dateTime(days * 86_400) }
        default:
            break
        }
        return stage(bytes, field: field)
    }

    func stageCode(_ raw: String, field: Int) -> Value {
        if let map = valueMaps[field], let code = map[CodeList.normalise(raw)] { return .text(code) }
        guard let list = codeLists[field] else { return .text(raw) }
        switch list.match(raw) {
        case .code(let c), .recased(let c), .described(let c): return .text(c)
        case .none: return .text(raw)
        }
    }

    func parseDateTime(_ bytes: UnsafeBufferPointer<UInt8>, formats: [DateFormat]) -> Int? {
        // Split at the first 'T' or space that follows a date.
        for i in 0 ..< bytes.count where bytes[i] == UInt8(ascii: "T") || bytes[i] == 32 {
            let datePart = UnsafeBufferPointer(rebasing: bytes[0 ..< i])
            let timePart = UnsafeBufferPointer(rebasing: bytes[(i + 1)...])
            guard let t = TimeParsing.parse(timePart) else { continue }
            for format in formats {
                if let d = format.parse(datePart) { return d * 86_400 + t }
            }
        }
        return nil
    }

    mutating func problem(_ bytes: UnsafeBufferPointer<UInt8>, _ field: Int, kind: String, ruleID: String, title: String, message: String) -> Value {
        let raw = String(decoding: bytes, as: UTF8.self)
        problems.append(Problem(field: field, kind: kind, ruleID: ruleID, title: title, raw: raw, message: message))
        return .text(raw)
    }
}
