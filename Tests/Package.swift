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
        .package(path: "../protosocket-server"),
        .package(path: "../protosocket-client"),
        .package(path: "../protosocket-proto"),
        .package(path: "../protosocket-rpc"),
        .package(path: "../example-proto"),
        .package(path: "../example-kv"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-service-context.git", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.1.0"),
    ],
    targets: [
        .target(
            name: "TestSupport",
            dependencies: [
                .product(name: "Protosocket", package: "protosocket"),
                .product(name: "EchoProto", package: "example-proto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "KLockTests",
            dependencies: ["TestSupport", .product(name: "KLock", package: "k-lock")]
        ),
        .testTarget(
            name: "SpillwayTests",
            dependencies: [
                "TestSupport",
                .product(name: "Spillway", package: "spillway"),
                .product(name: "KLock", package: "k-lock"),
            ]
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
        .testTarget(
            name: "ProtosocketServerTests",
            dependencies: [
                "TestSupport",
                .product(name: "Protosocket", package: "protosocket"),
                .product(name: "ProtosocketServer", package: "protosocket-server"),
                .product(name: "ProtosocketClient", package: "protosocket-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "ProtosocketProtoTests",
            dependencies: [
                "TestSupport",
                .product(name: "ProtosocketProto", package: "protosocket-proto"),
                .product(name: "Protosocket", package: "protosocket"),
                .product(name: "EchoProto", package: "example-proto"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "ProtosocketRPCTests",
            dependencies: [
                "TestSupport",
                .product(name: "EchoProto", package: "example-proto"),
                .product(name: "ProtosocketProto", package: "protosocket-proto"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "ProtosocketRPC", package: "protosocket-rpc"),
                .product(name: "ProtosocketServer", package: "protosocket-server"),
                .product(name: "ProtosocketClient", package: "protosocket-client"),
                .product(name: "Protosocket", package: "protosocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceContextModule", package: "swift-service-context"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "KVService", package: "example-kv"),
            ]
        ),
        .testTarget(
            name: "ProtosocketTLSTests",
            dependencies: [
                "TestSupport",
                .product(name: "EchoProto", package: "example-proto"),
                .product(name: "EchoLoad", package: "example-proto"),
                .product(name: "ProtosocketProto", package: "protosocket-proto"),
                .product(name: "ProtosocketRPC", package: "protosocket-rpc"),
                .product(name: "ProtosocketServer", package: "protosocket-server"),
                .product(name: "ProtosocketServerTLS", package: "protosocket-server"),
                .product(name: "ProtosocketClient", package: "protosocket-client"),
                .product(name: "ProtosocketClientTLS", package: "protosocket-client"),
                .product(name: "Protosocket", package: "protosocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "ReliabilityTests",
            dependencies: [
                "TestSupport",
                .product(name: "EchoProto", package: "example-proto"),
                .product(name: "ProtosocketProto", package: "protosocket-proto"),
                .product(name: "ProtosocketRPC", package: "protosocket-rpc"),
                .product(name: "ProtosocketServer", package: "protosocket-server"),
                .product(name: "ProtosocketClient", package: "protosocket-client"),
                .product(name: "Protosocket", package: "protosocket"),
                .product(name: "Spillway", package: "spillway"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ]
        ),
        .testTarget(
            name: "ExampleProtoTests",
            dependencies: [
                "TestSupport",
                .product(name: "EchoProto", package: "example-proto"),
                .product(name: "EchoLoad", package: "example-proto"),
                .product(name: "ProtosocketRPC", package: "protosocket-rpc"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
