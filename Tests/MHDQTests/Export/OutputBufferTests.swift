// Output that cannot be written: a full disk fails the file, naming it and the OS reason, and is never
// left silently truncated (exceptions.csv was cut mid-row and the run published as normal).

import Foundation
import Testing
@testable import MHDQ

@Suite struct OutputBufferTests {
    /// /dev/full is a real full disk: every write() returns ENOSPC.
    static let fullDisk = "/dev/full"

    @Test func aFailedWriteAfterTheBufferFillsIsThrownByClose() throws {
        let out = try OutputBuffer(creating: Self.fullDisk)
        let csv = CSVWriter(output: out)
        // Well past the 64 KiB at which the buffer writes itself out, before close is called.
        for i in 0 ..< 2_000 { csv.writeRow(["row \(i)", String(repeating: "x", count: 60)]) }
        let error = #expect(throws: MHDQError.self) { try out.close() }
        let text = error.map { "\($0)" } ?? ""
        #expect(text.contains(Self.fullDisk))
        #expect(text.contains(String(cString: strerror(ENOSPC))))
    }

    @Test func aSingleLargeWriteThatFailsIsThrownByClose() throws {
        // As report.html is written: one call, flushed inside write.
        let out = try OutputBuffer(creating: Self.fullDisk)
        out.write(String(repeating: "<p>report</p>\n", count: 10_000))
        #expect(throws: MHDQError.self) { try out.close() }
    }

    @Test func exceptionsWriterFailsOnAFullDisk() throws {
        let writer = try ExceptionsCSVWriter(path: Self.fullDisk, runID: "R1")
        for i in 0 ..< 2_000 {
            writer.csv.writeRow(["R1", "MHS-\(i)", String(repeating: "t", count: 50)])
        }
        #expect(throws: MHDQError.self) { try writer.close() }
    }
}
