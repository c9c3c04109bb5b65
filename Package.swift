// swift-tools-version:6.2
import PackageDescription

// Linux only (built and tested on Debian with Swift 6.3): the server and tools use glibc, and
// nothing here is built or tested on macOS. docs/ARCHITECTURE.md shows the targets and which
// may import which; the compiler enforces it through the dependencies below.
let nio: [Target.Dependency] = [.product(name: "NIOCore", package: "swift-nio")]

let package = Package(
    name: "Sluice",
    products: [
        .library(name: "Filters", targets: ["Filters"]),
        .library(name: "Sluice", targets: ["Sluice"]),
        .library(name: "Multipart", targets: ["Multipart"]),
        .library(name: "S3", targets: ["S3"]),
        .library(name: "Storage", targets: ["Storage"]),
        .library(name: "Checksums", targets: ["Checksums"]),
        .library(name: "FilterctlCommands", targets: ["FilterctlCommands"]),
        .executable(name: "filterctl", targets: ["filterctl"]),
        .executable(name: "UploadServer", targets: ["UploadServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        // 4.x is what jwt-kit needs; 3.12.3 stays allowed for builds that pin it.
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
    ],
    targets: [
        // C: system libraries and our own kernels.
        .systemLibrary(name: "CMagic", pkgConfig: "libmagic", providers: [.apt(["libmagic-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "CChecksum", linkerSettings: [.linkedLibrary("z")]),
        .target(name: "CPlatform"),
        .systemLibrary(name: "CLibcrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),

        // Leaves: each knows nothing of the others.
        .target(
            name: "Checksums",
            dependencies: ["CChecksum", "CLibcrypto", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(name: "Multipart", dependencies: ["CPlatform"] + nio),
        .target(
            name: "S3",
            dependencies: [
                "Checksums",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
            ] + nio
        ),

        // What a filter author needs: the Filter protocol, chains, the registry, the built-in filters.
        .target(
            name: "Filters",
            dependencies: ["CMagic", "CZlib", "Checksums", .product(name: "Yams", package: "Yams")] + nio
        ),

        // Where accepted uploads go: the S3 sink (parts, memory budget) and the storage config.
        .target(name: "Storage", dependencies: ["Filters", "S3", "Checksums"] + nio),

        // The upload server as a library: config, HTTP, routes, the page.
        .target(
            name: "Sluice",
            dependencies: [
                "Filters", "Multipart", "Storage", "S3", "Checksums", "CPlatform",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ] + nio,
            resources: [.embedInCode("Page/index.html"), .embedInCode("Page/sluice.js")]
        ),

        // The two programs, each a main of one line; filterctl's commands are a library so that a
        // build with filters of its own runs them too (examples/custom-filter).
        .executableTarget(name: "UploadServer", dependencies: ["Sluice"]),
        .target(
            name: "FilterctlCommands",
            dependencies: [
                "Sluice", "Filters", "Storage", "S3",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ] + nio
        ),
        .executableTarget(name: "filterctl", dependencies: ["FilterctlCommands"]),

        // Tests.
        .target(name: "TestSupport", dependencies: ["Checksums", "Filters", "Storage", "S3"] + nio, path: "Tests/TestSupport"),
        .testTarget(
            name: "ChecksumsTests", dependencies: ["Checksums", "CZlib", "TestSupport", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "MultipartTests", dependencies: ["Multipart", "TestSupport"]),
        .testTarget(name: "S3Tests", dependencies: ["S3", "TestSupport"]),
        .testTarget(name: "FiltersTests", dependencies: ["Checksums", "Filters", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "StorageTests", dependencies: ["Storage", "S3", "Filters", "TestSupport"]),
        .testTarget(
            name: "SluiceTests",
            dependencies: [
                "Sluice", "Filters", "Storage", "S3", "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ] + nio
        ),
        .testTarget(name: "FilterctlTests", dependencies: ["Checksums", "Filters", "Storage", "S3", "TestSupport"]),
        .testTarget(
            name: "UploadServerTests",
            dependencies: [
                "Sluice", "Checksums", "Filters", "Storage", "S3", "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
    ]
)
