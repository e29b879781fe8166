// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "example-proto",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "EchoProto", targets: ["EchoProto"]),
        .library(name: "EchoLoad", targets: ["EchoLoad"]),
        .executable(name: "example-proto-server", targets: ["ExampleProtoServer"]),
        .executable(name: "example-proto-client", targets: ["ExampleProtoClient"]),
        .executable(name: "example-proto-demo", targets: ["ExampleProtoDemo"]),
    ],
    dependencies: [
        .package(path: "../protosocket"),
        .package(path: "../protosocket-server"),
        .package(path: "../protosocket-client"),
        .package(path: "../protosocket-rpc"),
        .package(path: "../protosocket-proto"),
        .package(path: "../k-lock"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
    ],
    targets: [
        // The messages of echo.proto (generated, committed) and the echo service.
        .target(
            name: "EchoProto",
            dependencies: [
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Protosocket", package: "protosocket"),
                .product(name: "ProtosocketRPC", package: "protosocket-rpc"),
                .product(name: "ProtosocketProto", package: "protosocket-proto"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // The load generator and the one-process demo, as a library for the
        // executables and the tests.
        .target(
            name: "EchoLoad",
            dependencies: [
                "EchoProto",
                .product(name: "KLock", package: "k-lock"),
                .product(name: "ProtosocketRPC", package: "protosocket-rpc"),
                .product(name: "ProtosocketServer", package: "protosocket-server"),
                .product(name: "ProtosocketServerTLS", package: "protosocket-server"),
                .product(name: "ProtosocketClient", package: "protosocket-client"),
                .product(name: "ProtosocketClientTLS", package: "protosocket-client"),
                .product(name: "ProtosocketProto", package: "protosocket-proto"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        .executableTarget(
            name: "ExampleProtoServer",
            dependencies: [
                "EchoProto",
                "EchoLoad",
                .product(name: "ProtosocketRPC", package: "protosocket-rpc"),
                .product(name: "ProtosocketServer", package: "protosocket-server"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "ExampleProtoClient",
            dependencies: [
                "EchoLoad",
                .product(name: "ProtosocketClient", package: "protosocket-client"),
                .product(name: "ProtosocketRPC", package: "protosocket-rpc"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "ExampleProtoDemo",
            dependencies: [
                "EchoLoad",
                .product(name: "ProtosocketServerTLS", package: "protosocket-server"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
