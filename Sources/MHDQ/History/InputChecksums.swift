// Sizes and SHA-256 checksums of a run's inputs, computed on another thread while the run stages them.

import Foundation

/// The history records what each run read; hashing alongside staging costs no wall-clock time on two cores.
public final class InputChecksums: @unchecked Sendable {
    private let files: [(table: String, file: String)]
    private var results: [RunInput] = []
    private var failure: MHDQError?
    private let done = DispatchSemaphore(value: 0)

    /// Starts hashing every file of every source (a glob's matches each).
    public init(sources: [SourceSpec]) {
        files = sources.flatMap { s in s.files.map { (s.table, $0) } }
        let thread = Thread { [self] in
            for (table, file) in files {
                do {
                    let (digest, bytes) = try SHA256.hash(file: file)
                    results.append(RunInput(table: table, file: file, bytes: bytes, sha256: SHA256.hex(digest)))
                } catch {
                    failure = error as? MHDQError ?? MHDQError.input("\(error)", at: SourceLocation(file: file))
                    break
                }
            }
            done.signal()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Waits for the hashing to end; the inputs in source order.
    public func wait() throws -> [RunInput] {
        done.wait()
        done.signal()
        if let failure { throw failure }
        return results
    }
}
