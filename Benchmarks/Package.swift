// swift-tools-version: 6.1
import PackageDescription

// Benchmarks live apart from the tests so that the test build never pays for them.
// Run: swift package --disable-sandbox benchmark   (see README.md)
let package = Package(
    name: "Benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../k-lock"),
        .package(path: "../spillway"),
        .package(path: "../protosocket"),
        .package(path: "../protosocket-server"),
        .package(path: "../protosocket-client"),
        .package(path: "../protosocket-rpc"),
        .package(path: "../protosocket-proto"),
        .package(path: "../example-proto"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .target(name: "BenchmarkSupport"),
        .executableTarget(
            name: "KLockBenchmarks",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "KLock", package: "k-lock"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "Benchmarks/KLockBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "SpillwayBenchmarks",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Spillway", package: "spillway"),
            ],
            path: "Benchmarks/SpillwayBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "ConnectionBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Protosocket", package: "protosocket"),
                .product(name: "ProtosocketServer", package: "protosocket-server"),
                .product(name: "ProtosocketClient", package: "protosocket-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Benchmarks/ConnectionBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "RPCBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Protosocket", package: "protosocket"),
                .product(name: "ProtosocketServer", package: "protosocket-server"),
                .product(name: "ProtosocketClient", package: "protosocket-client"),
                .product(name: "ProtosocketRPC", package: "protosocket-rpc"),
                .product(name: "ProtosocketProto", package: "protosocket-proto"),
                .product(name: "EchoProto", package: "example-proto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/RPCBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
