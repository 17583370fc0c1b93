// The tool's version, recorded in run history and outputs.
public enum MHDQVersion {
    public static let string = "0.1.0"
}
