// Benchmark route until `mhdq inspect FILE --records csv` lands: reads a workbook's first visible
// sheet through Readers.open and writes every row as CSV to stdout, as that command will.
// Built by xlsx_bench.py against the release build of the MHDQ library.

import MHDQ
#if canImport(Glibc)
import Glibc
#endif

let args = CommandLine.arguments
guard args.count >= 2 else {
    fputs("usage: xlsx_read FILE [SHEET|-] [RANGE]\n", stderr)
    exit(2)
}
do {
    var options = ReadOptions()
    if args.count >= 3 && args[2] != "-" { options.sheet = .name(args[2]) }
    if args.count >= 4 { options.range = CellRange(args[3]) }
    var source = try Readers.open(path: args[1], options: options)
    var row = RawRow()
    var out: [UInt8] = []
    out.reserveCapacity(1 << 17)
    var rows = 0
    while try source.next(into: &row) {
        rows += 1
        row.bytes.withUnsafeBufferPointer { bytes in
            for i in 0 ..< row.count {
                if i > 0 { out.append(0x2C) }
                let field = UnsafeBufferPointer(rebasing: bytes[row.range(i)])
                if field.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) {
                    out.append(0x22)
                    for b in field { if b == 0x22 { out.append(0x22) }; out.append(b) }
                    out.append(0x22)
                } else {
                    out.append(contentsOf: field)
                }
            }
        }
        out.append(0x0A)
        if out.count >= 1 << 16 {
            out.withUnsafeBytes { _ = fwrite($0.baseAddress, 1, $0.count, stdout) }
            out.removeAll(keepingCapacity: true)
        }
    }
    out.withUnsafeBytes { _ = fwrite($0.baseAddress, 1, $0.count, stdout) }
    fputs("rows: \(rows)\n", stderr)
} catch let error as MHDQError {
    fputs("mhdq: \(error)\n", stderr)
    exit(error.exitCode)
}
