import EchoProto
import Logging
import ProtosocketRPC
import ProtosocketServer
import ProtosocketServerTLS

/// The echo server and the load generator in one process, on loopback.
public enum Demo {
    /// Starts an echo server on 127.0.0.1 (a free port; over TLS when `tls` is set),
    /// runs `body` with its port, and shuts the server down.
    public static func withServer<T>(tls: ServerTLS? = nil, _ body: (Int) async throws -> T) async throws -> T {
        var logger = Logger(label: "example-proto-demo")
        logger.logLevel = .warning
        let server = try await RPCServer.bind(
            configuration: ServerConfiguration(host: "127.0.0.1", port: 0, channelLayers: tls.map { [$0] } ?? []),
            responders: EchoService(),
            logger: logger
        )
        return try await withThrowingTaskGroup { group in
            group.addTask {
                try await server.run()
            }
            let result: Result<T, any Error>
            do {
                result = .success(try await body(server.localAddress?.port ?? 0))
            } catch {
                result = .failure(error)
            }
            await server.close()
            try await group.waitForAll()
            return try result.get()
        }
    }

    /// Runs the load generator against an echo server of this process.
    ///
    /// - Parameters:
    ///   - options: The load; its host and port are replaced by the server's.
    ///   - onInterval: Gets a report about every second.
    /// - Returns: The whole run's report.
    public static func run(
        _ options: LoadOptions,
        onInterval: @Sendable (LoadReport) -> Void = { _ in }
    ) async throws -> LoadReport {
        try await withServer { port in
            var options = options
            options.host = "127.0.0.1"
            options.port = port
            return try await LoadGenerator.run(options, onInterval: onInterval)
        }
    }
}
