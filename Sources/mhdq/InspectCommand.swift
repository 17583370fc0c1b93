// `mhdq inspect FILE`: what is in a source (columns, types, blanks, samples) or its parsed records.

import MHDQ

enum InspectCommand {
    static func run(_ args: inout Arguments) throws -> Int32 {
        let records = try args.value("--records")
        let headerRow = try args.value("--header-row").map { text -> Int in
            guard let n = Int(text), n >= 1 else { throw MHDQError.invocation("--header-row counts from 1") }
            return n
        } ?? 1
        var read = try ReadOptionArguments.parse(&args)
        read.headerRow = headerRow
        let positionals = try args.positionals()
        guard positionals.count == 1 else { throw MHDQError.invocation("inspect takes one file: mhdq inspect FILE [--sheet NAME|N] [--records csv|json]") }
        let path = positionals[0]
        let out = OutputBuffer.standardOutput()
        defer { try? out.close() }
        let format = read.format ?? SourceFormat.infer(path: path)
        if let records {
            guard records == "csv" || records == "json" else { throw MHDQError.invocation("--records takes csv or json") }
            var source = try Readers.open(path: path, options: read)
            if records == "csv" {
                try dumpCSV(&source, headerRow: headerRow, padToHeader: format != .csv, out: out)
            } else {
                try dumpJSON(&source, headerRow: headerRow, out: out)
            }
            return ExitCode.ok
        }
        if format != .csv {
            let sheets = try SpreadsheetReaders.sheets(path: path, format: format)
            out.write("\(path.visible): \(sheets.count) sheet\(sheets.count == 1 ? "" : "s")\n")
            for (i, s) in sheets.enumerated() { out.write("  \(i + 1). \(s.name.visible)\(s.hidden ? " (hidden)" : "")\n") }
            out.write("\n")
        }
        var source = try Readers.open(path: path, options: read)
        let profile = try ColumnProfiler.profile(&source, headerRow: headerRow)
        // Column names and example values are the file's own: see TerminalText.
        out.write(TerminalText.visibleLines(profile.render()))
        return ExitCode.ok
    }

    /// `padToHeader`: a workbook row ends at its last non-empty cell, so its trailing empty cells are written out to
    /// the header's width (as `--records json` keys them), and every record has the header's fields. A delimited
    /// file's short line is what the file holds, and is written as it is. Rows above the header row are as read.
    static func dumpCSV(_ source: inout any RowSource, headerRow: Int, padToHeader: Bool, out: OutputBuffer) throws {
        let writer = CSVWriter(output: out, neutraliseFormulas: false)
        var row = RawRow()
        var headerWidth: Int?
        while try source.next(into: &row) {
            writer.writeRaw(row, width: headerWidth.map { max($0, row.count) })
            if padToHeader, headerWidth == nil, row.number >= headerRow { headerWidth = row.count }
        }
    }

    static func dumpJSON(_ source: inout any RowSource, headerRow: Int, out: OutputBuffer) throws {
        var row = RawRow()
        var header: [String]?
        var first = true
        out.write("[")
        while try source.next(into: &row) {
            guard let h = header else {
                if row.number >= headerRow { header = Self.uniqueHeaders(row.fields) }
                continue
            }
            var object: [(String, JSON)] = []
            for i in 0 ..< max(h.count, row.count) {
                let key = i < h.count ? h[i] : "column_\(i + 1)"
                object.append((key, .string(i < row.count ? row.string(i) : "")))
            }
            out.write(first ? "\n  " : ",\n  ")
            first = false
            out.write(JSON.object(object).render(indent: 0))
        }
        out.write(first ? "]\n" : "\n]\n")
    }

    /// Blank or repeated headers get positional names so no column is lost in a JSON object.
    static func uniqueHeaders(_ raw: [String]) -> [String] {
        var seen: [String: Int] = [:]
        return raw.enumerated().map { i, h in
            var name = h.isEmpty ? "column_\(i + 1)" : h
            if let n = seen[name] {
                seen[name] = n + 1
                name += "_\(n + 1)"
            } else {
                seen[name] = 1
            }
            return name
        }
    }
}
