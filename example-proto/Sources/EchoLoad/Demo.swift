import EchoProto
import Logging
import ProtosocketRPC
import ProtosocketServer

/// The echo server and the load generator in one process, on loopback.
public enum Demo {
    /// Starts an echo server on 127.0.0.1 (a free port), runs the load generator
    /// against it, and shuts the server down.
    ///
    /// - Parameters:
    ///   - options: The load; its host and port are replaced by the server's.
    ///   - onInterval: Gets a report about every second.
    /// - Returns: The whole run's report.
    public static func run(
        _ options: LoadOptions,
        onInterval: @Sendable (LoadReport) -> Void = { _ in }
    ) async throws -> LoadReport {
        var logger = Logger(label: "example-proto-demo")
        logger.logLevel = .warning
        let server = try await RPCServer.bind(
            configuration: ServerConfiguration(host: "127.0.0.1", port: 0),
            service: EchoService(),
            logger: logger
        )
        var options = options
        options.host = "127.0.0.1"
        options.port = server.localAddress?.port ?? 0
        do {
            let report = try await LoadGenerator.run(options, onInterval: onInterval)
            await server.close()
            return report
        } catch {
            await server.close()
            throw error
        }
    }
}
