// swift-tools-version: 6.1
import PackageDescription

// A key-value service on ProtosocketRPC with its own binary messages (no protobuf):
// the library of messages, codec and service, and a top-level executable that
// runs a server and a client in one process.
let package = Package(
    name: "example-kv",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "KVService", targets: ["KVService"]),
        .executable(name: "example-kv", targets: ["ExampleKV"]),
    ],
    dependencies: [
        .package(path: "../k-lock"),
        .package(path: "../protosocket-rpc"),
        .package(path: "../protosocket-server"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
    ],
    targets: [
        .target(
            name: "KVService",
            dependencies: [
                .product(name: "KLock", package: "k-lock"),
                .product(name: "ProtosocketRPC", package: "protosocket-rpc"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "ExampleKV",
            dependencies: [
                "KVService",
                .product(name: "ProtosocketRPC", package: "protosocket-rpc"),
                .product(name: "ProtosocketServer", package: "protosocket-server"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
