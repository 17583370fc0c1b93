// `mhdq generate`: synthetic extracts (wired to the generator when it lands).

import MHDQ

enum GenerateCommand {
    static func run(_ args: inout Arguments) throws -> Int32 {
        throw MHDQError.invocation("generate is not available in this build")
    }
}
