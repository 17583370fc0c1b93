import MHDQ

extension CommandLine {
    static func run(_ args: [String]) -> Int32 {
        print("mhdq")
        return 0
    }
}
