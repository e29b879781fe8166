import ArgumentParser
import EchoLoad
import EchoProto
import Logging
import ProtosocketRPC
import ProtosocketServer
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The echo RPC server; stops gracefully on SIGINT or SIGTERM.
@main
struct ExampleProtoServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "example-proto-server",
        abstract: "Serves the echo RPC service of echo.proto."
    )

    @Option(help: "The address to listen on (default: the HOST environment variable, else 127.0.0.1). HOST may be host:port, as upstream's example takes it.")
    var host: String?

    @Option(help: "The port to listen on (default: the port in HOST, else 9000).")
    var port: Int?

    @Option(help: "Listen on this Unix domain socket path instead of TCP.")
    var unix: String?

    @Flag(help: "One listening socket per event loop (SO_REUSEPORT), each connection staying on the loop that accepted it.")
    var listenerPerLoop = false

    @Option(help: "Answer each unary echo after this many milliseconds (a slow server, for load-balancing experiments).")
    var unaryDelayMs: Int?

    @OptionGroup var tls: ServerTLSFlags

    func run() async throws {
        var logger = Logger(label: "example-proto-server")
        logger.logLevel = .info
        let fromEnvironment = ProcessInfoHost.value.map(HostAndPort.init(parsing:))
        let address = host ?? fromEnvironment?.host ?? "127.0.0.1"
        let port = self.port ?? fromEnvironment?.port ?? 9000
        let layers = try tls.makeServerTLS().map { [$0] } ?? []
        let server = try await RPCServer.bind(
            configuration: ServerConfiguration(
                listenAddress: unix.map { .unixDomainSocket(path: $0) } ?? .host(address, port: port),
                listenerPerEventLoop: listenerPerLoop,
                shutdownGracePeriod: .seconds(5),
                channelLayers: layers
            ),
            responders: EchoService(unaryDelay: unaryDelayMs.map { .milliseconds($0) }),
            logger: logger
        )
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: server)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
    }
}

/// The `HOST` environment variable, when set and not empty.
enum ProcessInfoHost {
    static var value: String? {
        guard let raw = getenv("HOST") else {
            return nil
        }
        let host = String(cString: raw)
        return host.isEmpty ? nil : host
    }
}
