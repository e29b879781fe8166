// swift-tools-version: 6.1
import PackageDescription

// libFuzzer targets; build and run them with `bash scripts/fuzz.sh` (they need
// `-sanitize=fuzzer`, which the script passes).
let package = Package(
    name: "Fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../protosocket"),
        .package(path: "../protosocket-proto"),
        .package(path: "../protosocket-rpc"),
        .package(path: "../example-proto"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        // Hands control to libFuzzer from each target's main.
        .target(name: "FuzzDriver"),
        // The protobuf framing decoder, fed arbitrary receive buffers.
        .executableTarget(
            name: "FuzzProtobufFraming",
            dependencies: [
                "FuzzDriver",
                .product(name: "ProtosocketProto", package: "protosocket-proto"),
                .product(name: "EchoProto", package: "example-proto"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // The connection's framing loop (`Framing`, no channel), with a decoder
        // whose answers the input scripts.
        .executableTarget(
            name: "FuzzConnectionDecode",
            dependencies: [
                "FuzzDriver",
                .product(name: "Protosocket", package: "protosocket"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // The RPC server, fed arbitrary sequences of request messages.
        .executableTarget(
            name: "FuzzRPCServer",
            dependencies: [
                "FuzzDriver",
                .product(name: "ProtosocketRPC", package: "protosocket-rpc"),
                .product(name: "ProtosocketProto", package: "protosocket-proto"),
                .product(name: "EchoProto", package: "example-proto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
