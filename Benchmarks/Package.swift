// swift-tools-version:6.1
// In-process benchmarks for Sluice's hot paths (multipart parsing, each filter, a whole chain),
// kept out of the main package so that its debug build and CI do not compile them.
// Run: scripts/bench/run (everything), or swift run -c release --package-path Benchmarks sluice-bench
import Foundation
import PackageDescription

/// A path dependency is known by its folder's name, which is the checkout's, not a fixed one.
let sluice = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

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
                .product(name: "Filters", package: sluice),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        )
    ]
)
