// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "k-lock",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "KLock", targets: ["KLock"]),
        .executable(name: "klock-example", targets: ["KLockExample"]),
    ],
    targets: [
        .target(name: "CKLockFutex"),
        .target(name: "KLock", dependencies: ["CKLockFutex"]),
        .executableTarget(name: "KLockExample", dependencies: ["KLock"]),
    ],
    swiftLanguageModes: [.v6]
)
