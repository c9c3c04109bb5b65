// swift-tools-version:6.1
// In-process benchmarks for Sluice's hot paths (multipart parsing, each filter, a whole chain),
// kept out of the main package so that its debug build and CI do not compile them.
// Run: scripts/bench/run (everything), or swift run -c release --package-path Benchmarks sluice-bench
import PackageDescription

let package = Package(
    name: "SluiceBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
    ],
    targets: [
        .executableTarget(
            name: "sluice-bench",
            dependencies: [
                .product(name: "Filters", package: "main"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        )
    ]
)
