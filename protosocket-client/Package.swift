// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "protosocket-client",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ProtosocketClient", targets: ["ProtosocketClient"]),
    ],
    dependencies: [
        .package(path: "../protosocket"),
        .package(path: "../spillway"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
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
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
