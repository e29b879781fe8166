import ArgumentParser
import EchoLoad

/// The echo load generator: keeps a number of calls in flight against a server and
/// prints rate and latency every second.
@main
struct ExampleProtoClient: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "example-proto-client",
        abstract: "Generates echo RPC load against an example-proto-server and reports rate and latency."
    )

    @Option(help: "The server, as host:port.")
    var endpoint: String = "127.0.0.1:9000"

    @Option(help: "Connections to open.")
    var connections: Int = 4

    @Option(help: "Calls in flight at all times, over all connections.")
    var concurrency: Int = 256

    @Option(help: "How many seconds to generate load.")
    var seconds: Int = 10

    @Option(help: "The message each request carries.")
    var message: String = "hello"

    @Flag(help: "Unary echoes (default) or streamed echoes (one response per byte).")
    var mode: LoadOptions.Mode = .unary

    func validate() throws {
        guard parseEndpoint() != nil else {
            throw ValidationError("--endpoint must be host:port, got '\(endpoint)'")
        }
    }

    private func parseEndpoint() -> (host: String, port: Int)? {
        guard let colon = endpoint.lastIndex(of: ":"), let port = Int(endpoint[endpoint.index(after: colon)...]) else {
            return nil
        }
        return (String(endpoint[..<colon]), port)
    }

    func run() async throws {
        guard let (host, port) = parseEndpoint() else {
            throw ValidationError("--endpoint must be host:port")
        }
        let options = LoadOptions(
            host: host,
            port: port,
            connections: connections,
            concurrency: concurrency,
            duration: .seconds(seconds),
            mode: mode,
            message: message
        )
        let summary = try await LoadGenerator.run(options) { interval in
            print(interval)
        }
        print("summary: \(summary)")
    }
}

extension LoadOptions.Mode: EnumerableFlag {}
