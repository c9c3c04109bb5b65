// swift-tools-version:6.2
// In-process benchmarks for Sluice's hot paths (multipart parsing, each filter, a whole chain),
// kept out of the main package so that its debug build and CI do not compile them.
// Run: scripts/bench/run (everything), or swift run -c release --package-path Benchmarks sluice-bench
import Foundation
import PackageDescription

/// SwiftPM names a path dependency by its folder (the checkout's, e.g. `main`) and ignores
/// `.package(name:path:)`'s name, so the folder's name is read here instead of assumed.
let sluice = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "SluiceBenchmarks",
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        .executableTarget(
            name: "sluice-bench",
            dependencies: [
                .product(name: "Checksums", package: sluice),
                .product(name: "Filters", package: sluice),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Multipart", package: sluice),
                .product(name: "S3", package: sluice),
                .product(name: "Storage", package: sluice),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // An HTTP server that only drops bodies and answers: what Sluice's front end costs at least.
        .executableTarget(
            name: "front-end-floor",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Sluice", package: sluice),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // What one small PUT costs the uploader's process, by HTTP client.
        .executableTarget(
            name: "put-floor",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
    ]
)
