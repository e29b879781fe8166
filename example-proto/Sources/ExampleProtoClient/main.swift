import ArgumentParser
import EchoLoad

/// The echo load generator: keeps calls in flight (or sends on a schedule) against
/// a server and prints rate and latency every second.
@main
struct ExampleProtoClient: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "example-proto-client",
        abstract: "Generates echo RPC load against an example-proto-server and reports rate and latency."
    )

    @Option(help: "The server, as host:port.")
    var endpoint: String = "127.0.0.1:9000"

    @OptionGroup var load: LoadFlags

    @OptionGroup var tls: ClientTLSFlags

    func validate() throws {
        _ = try Endpoint(endpoint)
    }

    func run() async throws {
        let endpoint = try Endpoint(endpoint)
        let connector = ProtosocketEchoConnector(tls: try tls.makeClientTLS())
        try await load.execute(host: endpoint.host, port: endpoint.port, connector: connector)
    }
}
