import ArgumentParser
import EchoLoad

/// The echo server and its load generator in one process on 127.0.0.1.
@main
struct ExampleProtoDemo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "example-proto-demo",
        abstract: "Runs the echo RPC server and a load generator against it in one process on 127.0.0.1."
    )

    @OptionGroup var load: LoadFlags

    func run() async throws {
        print("example-proto-demo: \(load.mode) echo, \(load.connections) connections, \(load.concurrency) in flight, \(load.seconds ?? 5) s on 127.0.0.1")
        try await Demo.withServer { port in
            try await load.execute(host: "127.0.0.1", port: port, connector: ProtosocketEchoConnector(), defaultSeconds: 5)
        }
    }
}
