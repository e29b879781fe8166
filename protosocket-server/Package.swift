// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "protosocket-server",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ProtosocketServer", targets: ["ProtosocketServer"]),
        .library(name: "ProtosocketServerTLS", targets: ["ProtosocketServerTLS"]),
        .executable(name: "line-echo-server", targets: ["LineEchoServer"]),
    ],
    dependencies: [
        .package(path: "../protosocket"),
        .package(path: "../spillway"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // TLS comes as a separate target and product (ProtosocketServerTLS), so that
        // plaintext users never build BoringSSL.
        .target(
            name: "ProtosocketServer",
            dependencies: [
                .product(name: "Protosocket", package: "protosocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "ProtosocketServerTLS",
            dependencies: [
                "ProtosocketServer",
                .product(name: "Protosocket", package: "protosocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        .executableTarget(
            name: "LineEchoServer",
            dependencies: [
                "ProtosocketServer",
                .product(name: "Protosocket", package: "protosocket"),
                .product(name: "Spillway", package: "spillway"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
