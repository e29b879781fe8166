import ArgumentParser
import GRPCCore
import GRPCEcho
import GRPCNIOTransportHTTP2

/// The echo service over grpc-swift-2 (plaintext HTTP/2), for the comparison.
@main
struct GRPCEchoServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grpc-echo-server",
        abstract: "Serves the echo service with grpc-swift-2 over plaintext HTTP/2."
    )

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on.")
    var port = 9001

    func run() async throws {
        let server = GRPCServer(
            transport: .http2NIOPosix(address: .ipv4(host: host, port: port), transportSecurity: .plaintext),
            services: [EchoGRPCService()]
        )
        try await server.serve()
    }
}
