// swift-tools-version:6.1
// libFuzzer targets for Sluice's parsers of client and storage bytes (multipart bodies, part
// headers, media types, Content-Disposition, S3 XML, config YAML, key templates), kept out of
// the main package so that its debug build and CI stay uninstrumented.
// Run: scripts/fuzz [TARGET|all] [SECONDS]; it builds with -sanitize=fuzzer,address.
import Foundation
import PackageDescription

/// A path dependency is known by its folder's name, which is the checkout's, not a fixed one.
let sluice = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "SluiceFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
    ],
    targets: [
        .target(name: "CFuzzer"),
        .executableTarget(
            name: "sluice-fuzz",
            dependencies: [
                "CFuzzer",
                .product(name: "Filters", package: sluice),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        )
    ]
)
