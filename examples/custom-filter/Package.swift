// swift-tools-version:6.2
// Sluice with a filter of your own: a library target with the filter, and the two programs,
// each a main of a few lines that registers it. In your project, depend on Sluice by its URL:
//     .package(url: "https://github.com/<you>/sluice.git", branch: "main")
// and name that package in `.product(name:package:)` instead of `sluice` below.
import Foundation
import PackageDescription

/// SwiftPM names a path dependency by its folder (the checkout's, e.g. `main`) and ignores
/// `.package(name:path:)`'s name, so the folder's name is read here instead of assumed.
let sluice = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized.lastPathComponent

let package = Package(
    name: "CustomFilterExample",
    dependencies: [
        .package(path: "../.."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
    ],
    targets: [
        .target(
            name: "DenyWord",
            dependencies: [
                .product(name: "Filters", package: sluice),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "sluice-server",
            dependencies: ["DenyWord", .product(name: "Sluice", package: sluice)]
        ),
        .executableTarget(
            name: "sluice-filterctl",
            dependencies: ["DenyWord", .product(name: "FilterctlCommands", package: sluice)]
        ),
        .testTarget(
            name: "DenyWordTests",
            dependencies: ["DenyWord", .product(name: "Filters", package: sluice), .product(name: "NIOCore", package: "swift-nio")]
        ),
    ]
)
