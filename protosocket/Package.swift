// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "protosocket",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Protosocket", targets: ["Protosocket"]),
    ],
    dependencies: [
        .package(path: "../spillway"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
    ],
    targets: [
        .target(
            name: "Protosocket",
            dependencies: [
                .product(name: "Spillway", package: "spillway"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
