// Command dispatch: errors are rendered once, here, with their exit codes.

import MHDQ
#if canImport(Glibc)
import Glibc
#endif

enum Console {
    /// Messages quote the data's values (a bad date, a record key): their control characters are made harmless as the
    /// text views' are (TerminalText).
    static func error(_ text: String) {
        var s = TerminalText.visibleLines(text)
        if !s.hasSuffix("\n") { s += "\n" }
        _ = s.withCString { write(2, $0, strlen($0)) }
    }
}

extension CommandLine {
    static func run(_ args: [String]) -> Int32 {
        signal(SIGPIPE, SIG_IGN)
        guard let command = args.first else {
            print(Help.overview)
            return ExitCode.invalidInvocation
        }
        var rest = Arguments(Array(args.dropFirst()))
        do {
            switch command {
            case "run": return try RunCommand.run(&rest)
            case "check": return try CheckCommand.run(&rest)
            case "inspect": return try InspectCommand.run(&rest)
            case "generate": return try GenerateCommand.run(&rest)
            case "rules": return try RulesCommand.run(&rest)
            case "history": return try HistoryCommand.run(&rest)
            case "worklist": return try WorklistCommand.run(&rest)
            case "help", "--help", "-h": return try Help.run(&rest)
            case "--version", "version":
                print("mhdq \(MHDQVersion.string)")
                return ExitCode.ok
            default:
                throw MHDQError.invocation("unknown command \"\(command)\" (see mhdq help)")
            }
        } catch let error as MHDQError {
            Console.error("mhdq: \(error)")
            return error.exitCode
        } catch {
            Console.error("mhdq: \(error)")
            return ExitCode.unreadableInput
        }
    }
}
