// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "spillway",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Spillway", targets: ["Spillway"]),
        .executable(name: "spillway-example", targets: ["SpillwayExample"]),
    ],
    dependencies: [
        .package(path: "../k-lock"),
    ],
    targets: [
        .target(name: "Spillway", dependencies: [.product(name: "KLock", package: "k-lock")]),
        .executableTarget(name: "SpillwayExample", dependencies: ["Spillway"]),
    ],
    swiftLanguageModes: [.v6]
)
