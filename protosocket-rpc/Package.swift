// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "protosocket-rpc",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ProtosocketRPC", targets: ["ProtosocketRPC"]),
    ],
    dependencies: [
        .package(path: "../k-lock"),
        .package(path: "../spillway"),
        .package(path: "../protosocket"),
        .package(path: "../protosocket-server"),
        .package(path: "../protosocket-client"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.1.0"),
    ],
    targets: [
        .target(
            name: "ProtosocketRPC",
            dependencies: [
                .product(name: "KLock", package: "k-lock"),
                .product(name: "Spillway", package: "spillway"),
                .product(name: "Protosocket", package: "protosocket"),
                .product(name: "ProtosocketServer", package: "protosocket-server"),
                .product(name: "ProtosocketClient", package: "protosocket-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
