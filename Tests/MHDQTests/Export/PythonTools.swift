// Runs python3 scripts for tests that check our files with a second implementation (zipfile, openpyxl).

import Foundation

enum PythonTools {
    /// python3 on PATH, if any.
    static let python3: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = String(dir) + "/python3"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }()

    /// True when python3 can import openpyxl (Debian: python3-openpyxl, installed by `make setup`).
    static let hasOpenpyxl: Bool = {
        guard python3 != nil, let r = try? run(script: "import openpyxl", arguments: []) else { return false }
        return r.status == 0
    }()

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(script: String, arguments: [String]) throws -> Result {
        try run(executable: python3 ?? "/usr/bin/python3", arguments: ["-c", script] + arguments)
    }

    static func run(executable: String, arguments: [String], environment: [String: String]? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        // stderr goes to a file so that only one pipe needs draining before the wait.
        let errPath = NSTemporaryDirectory() + "/mhdq-test-stderr-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errPath) }
        let out = Pipe()
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try err.close()
        let errData = FileManager.default.contents(atPath: errPath) ?? Data()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }
}
