// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "protosocket-proto",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ProtosocketProto", targets: ["ProtosocketProto"]),
    ],
    dependencies: [
        .package(path: "../protosocket"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
    ],
    targets: [
        .target(
            name: "ProtosocketProto",
            dependencies: [
                .product(name: "Protosocket", package: "protosocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
