// Folder creation with POSIX calls: the few file-system operations the library needs beyond reading.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

enum FileSystem {
    /// Creates `path` and any missing parents (mkdir -p). An existing folder is fine.
    static func makeDirectory(_ path: String) throws {
        var partial = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            partial += component
            if mkdir(partial, 0o755) != 0 && errno != EEXIST {
                throw MHDQError.invocation("cannot create folder: \(String(cString: strerror(errno)))", at: SourceLocation(file: partial))
            }
            partial += "/"
        }
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
            throw MHDQError.invocation("not a folder", at: SourceLocation(file: path))
        }
    }
}
