// swift-tools-version: 6.1
import PackageDescription

// Every test target of the repository lives here, so that one build serves them all:
// `swift test --package-path Tests` (add `--filter SpillwayTests` to run one target).
let package = Package(
    name: "Tests",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../k-lock"),
        .package(path: "../spillway"),
        .package(path: "../protosocket"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
    ],
    targets: [
        .target(name: "TestSupport"),
        .testTarget(
            name: "KLockTests",
            dependencies: ["TestSupport", .product(name: "KLock", package: "k-lock")]
        ),
        .testTarget(
            name: "SpillwayTests",
            dependencies: ["TestSupport", .product(name: "Spillway", package: "spillway")]
        ),
        .testTarget(
            name: "ProtosocketTests",
            dependencies: [
                "TestSupport",
                .product(name: "Protosocket", package: "protosocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
