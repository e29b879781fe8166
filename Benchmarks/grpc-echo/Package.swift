// swift-tools-version: 6.1
import PackageDescription

// The gRPC side of the comparison: the echo service of example-proto served by
// grpc-swift-2 over grpc-swift-nio-transport (plaintext HTTP/2), and the same load
// generator driving it. Kept apart from the test build and CI: its first release
// build compiles BoringSSL (about 20 minutes on 2 cores).
let package = Package(
    name: "grpc-echo",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "grpc-echo-server", targets: ["GRPCEchoServer"]),
        .executable(name: "grpc-echo-client", targets: ["GRPCEchoClient"]),
    ],
    dependencies: [
        .package(path: "../../example-proto"),
        .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
    ],
    targets: [
        .target(
            name: "GRPCEcho",
            dependencies: [
                .product(name: "EchoProto", package: "example-proto"),
                .product(name: "EchoLoad", package: "example-proto"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .executableTarget(
            name: "GRPCEchoServer",
            dependencies: [
                "GRPCEcho",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "GRPCEchoClient",
            dependencies: [
                "GRPCEcho",
                .product(name: "EchoLoad", package: "example-proto"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
