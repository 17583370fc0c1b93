// swift-tools-version:6.0
// mhdq: data-quality and outcomes validation for mental health services data.
// No package dependencies: system C libraries only (libxml2, zlib, SQLite).
import PackageDescription

let package = Package(
    name: "mhdq",
    products: [
        .library(name: "MHDQ", targets: ["MHDQ"]),
        .executable(name: "mhdq", targets: ["mhdq"]),
    ],
    targets: [
        .systemLibrary(name: "CLibXML2", path: "Sources/CLibXML2", pkgConfig: "libxml-2.0",
                       providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        .target(
            name: "MHDQ",
            dependencies: ["CLibXML2", "CZlib", "CSQLite"],
            path: "Sources/MHDQ",
            // Exclusivity is checked statically; the dynamic checks cost ~9% of reading (callgrind).
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),
        .executableTarget(name: "mhdq", dependencies: ["MHDQ"], path: "Sources/mhdq"),
        // `make bench` only: staging every value with no rules, the baseline rules_bench.py sets rules against.
        .executableTarget(name: "mhdq-stage-bench", dependencies: ["MHDQ"], path: "Benchmarks/StageAll"),
        .testTarget(
            name: "MHDQTests",
            dependencies: ["MHDQ"],
            path: "Tests/MHDQTests",
            exclude: ["Fixtures"]
        ),
    ]
)
