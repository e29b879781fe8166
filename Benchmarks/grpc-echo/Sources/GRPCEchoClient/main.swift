import ArgumentParser
import EchoLoad
import GRPCEcho

/// The echo load generator of example-proto, driving the gRPC echo server.
@main
struct GRPCEchoClient: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grpc-echo-client",
        abstract: "Generates echo load against grpc-echo-server, with example-proto-client's flags and measurements."
    )

    @Option(help: "The server, as host:port.")
    var endpoint: String = "127.0.0.1:9001"

    @OptionGroup var load: LoadFlags

    func validate() throws {
        _ = try HostPortArgument(endpoint)
    }

    func run() async throws {
        let endpoint = try HostPortArgument(endpoint)
        try await load.execute(host: endpoint.host, port: endpoint.port, connector: GRPCEchoConnector())
    }
}
