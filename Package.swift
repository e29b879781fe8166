// swift-tools-version: 6.1
import PackageDescription

// The whole library as one package, for `.package(url:from:)`: every library of the
// folder packages is a product here, built from the same sources (`path:`). The
// folder packages (k-lock/, spillway/, protosocket/, …) stay, joined by path
// dependencies, for work inside this repository and for monorepos; do not depend
// on this package and on a folder package in the same graph (their targets share
// names). Tests, benchmarks and examples are packages of their own (see README).
let package = Package(
    name: "protosocket",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "KLock", targets: ["KLock"]),
        .library(name: "Spillway", targets: ["Spillway"]),
        .library(name: "Protosocket", targets: ["Protosocket"]),
        .library(name: "ProtosocketServer", targets: ["ProtosocketServer"]),
        .library(name: "ProtosocketServerTLS", targets: ["ProtosocketServerTLS"]),
        .library(name: "ProtosocketClient", targets: ["ProtosocketClient"]),
        .library(name: "ProtosocketClientTLS", targets: ["ProtosocketClientTLS"]),
        .library(name: "ProtosocketRPC", targets: ["ProtosocketRPC"]),
        .library(name: "ProtosocketProto", targets: ["ProtosocketProto"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.1.0"),
    ],
    targets: [
        .target(name: "CKLockFutex", path: "k-lock/Sources/CKLockFutex"),
        .target(name: "KLock", dependencies: ["CKLockFutex"], path: "k-lock/Sources/KLock"),
        .target(name: "Spillway", dependencies: ["KLock"], path: "spillway/Sources/Spillway"),
        .target(
            name: "Protosocket",
            dependencies: [
                "Spillway",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            path: "protosocket/Sources/Protosocket"
        ),
        .target(
            name: "ProtosocketServer",
            dependencies: [
                "Protosocket",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "protosocket-server/Sources/ProtosocketServer"
        ),
        .target(
            name: "ProtosocketServerTLS",
            dependencies: [
                "ProtosocketServer",
                "Protosocket",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            path: "protosocket-server/Sources/ProtosocketServerTLS"
        ),
        .target(
            name: "ProtosocketClient",
            dependencies: [
                "Protosocket",
                "Spillway",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "protosocket-client/Sources/ProtosocketClient"
        ),
        .target(
            name: "ProtosocketClientTLS",
            dependencies: [
                "ProtosocketClient",
                "Protosocket",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
            ],
            path: "protosocket-client/Sources/ProtosocketClientTLS"
        ),
        .target(
            name: "ProtosocketRPC",
            dependencies: [
                "KLock",
                "Spillway",
                "Protosocket",
                "ProtosocketServer",
                "ProtosocketClient",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            path: "protosocket-rpc/Sources/ProtosocketRPC"
        ),
        .target(
            name: "ProtosocketProto",
            dependencies: [
                "Protosocket",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            path: "protosocket-proto/Sources/ProtosocketProto"
        ),
    ],
    swiftLanguageModes: [.v6]
)
