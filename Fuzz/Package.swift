// swift-tools-version:6.2
// libFuzzer targets for Sluice's parsers of client and storage bytes (multipart bodies, part
// headers, media types, Content-Disposition, S3 XML, config YAML, key templates), kept out of
// the main package so that its debug build and CI stay uninstrumented.
// Run: scripts/fuzz [TARGET|all] [SECONDS]; it builds with -sanitize=fuzzer,address.
import Foundation
import PackageDescription

/// SwiftPM names a path dependency by its folder (the checkout's, e.g. `main`) and ignores
/// `.package(name:path:)`'s name, so the folder's name is read here instead of assumed.
let sluice = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "SluiceFuzz",
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
                .product(name: "Multipart", package: sluice),
                .product(name: "S3", package: sluice),
                .product(name: "Storage", package: sluice),
                .product(name: "Sluice", package: sluice),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        )
    ]
)
