// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "protosocket-client",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ProtosocketClient", targets: ["ProtosocketClient"]),
        .library(name: "ProtosocketClientTLS", targets: ["ProtosocketClientTLS"]),
    ],
    dependencies: [
        .package(path: "../protosocket"),
        .package(path: "../spillway"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        // TLS connectors come as a separate target and product (ProtosocketClientTLS),
        // so that plaintext users never build BoringSSL.
        .target(
            name: "ProtosocketClient",
            dependencies: [
                .product(name: "Protosocket", package: "protosocket"),
                .product(name: "Spillway", package: "spillway"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "ProtosocketClientTLS",
            dependencies: [
                "ProtosocketClient",
                .product(name: "Protosocket", package: "protosocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
