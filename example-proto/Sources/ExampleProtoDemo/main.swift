import ArgumentParser
import EchoLoad

/// The echo server and its load generator in one process on 127.0.0.1.
@main
struct ExampleProtoDemo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "example-proto-demo",
        abstract: "Runs the echo RPC server and a load generator against it in one process on 127.0.0.1."
    )

    @Option(help: "How many seconds to generate load.")
    var seconds: Int = 5

    @Option(help: "Connections to open.")
    var connections: Int = 4

    @Option(help: "Calls in flight at all times.")
    var concurrency: Int = 256

    @Flag(help: "Unary echoes (default) or streamed echoes (one response per byte).")
    var mode: LoadOptions.Mode = .unary

    func run() async throws {
        print("example-proto-demo: \(mode) echo, \(connections) connections, \(concurrency) in flight, \(seconds) s on 127.0.0.1")
        let summary = try await Demo.run(
            LoadOptions(port: 0, connections: connections, concurrency: concurrency, duration: .seconds(seconds), mode: mode)
        ) { interval in
            print(interval)
        }
        print("summary: \(summary)")
    }
}

extension LoadOptions.Mode: EnumerableFlag {}
