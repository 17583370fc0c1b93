// Shared helpers: fixture and package paths found from this file, temporary files, error capture.

import Foundation
import Testing
@testable import MHDQ

enum TestPaths {
    /// Tests/MHDQTests
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    static let csvFixtures = testsDirectory + "/Fixtures/csv"
    static let rules = packageRoot + "/Rules"

    static func csv(_ name: String) -> String { csvFixtures + "/" + name }
}

/// One folder per test process under the system temporary folder, removed when the process exits, so
/// test runs do not leave thousands of folders behind.
let temporaryRoot: String = {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("mhdq-tests-\(UUID().uuidString)").path
    atexit { try? FileManager.default.removeItem(atPath: temporaryRoot) }
    return root
}()

/// A fresh folder inside the test process's temporary folder, one per call.
func makeTemporaryDirectory() throws -> String {
    let dir = temporaryRoot + "/" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

/// Writes `bytes` to a new temporary file and returns its path.
func writeTemporaryFile(_ bytes: [UInt8], name: String = "input.csv") throws -> String {
    let path = try makeTemporaryDirectory() + "/" + name
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
}

func writeTemporaryFile(_ text: String, name: String = "input.csv") throws -> String {
    try writeTemporaryFile(Array(text.utf8), name: name)
}

/// Runs `body` and returns the `MHDQError` it throws (nil, and a test failure, if it does not).
func captureError(sourceLocation: Testing.SourceLocation = #_sourceLocation, _ body: () throws -> Void) -> MHDQError? {
    do {
        try body()
        Issue.record("expected an MHDQError, nothing was thrown", sourceLocation: sourceLocation)
        return nil
    } catch let error as MHDQError {
        return error
    } catch {
        Issue.record("expected an MHDQError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// The catalogue under Rules/, loaded once.
let sharedCatalogue: Catalogue = {
    do { return try Catalogue.load(rulesDirectory: TestPaths.rules) } catch { fatalError("cannot load Rules: \(error)") }
}()
