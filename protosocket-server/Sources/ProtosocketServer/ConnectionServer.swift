import Logging
import NIOCore
import NIOPosix
import Protosocket
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A listening protosocket server: each accepted connection gets a codec and a
/// reactor from the ``Protosocket/ConnectionFactory`` and lives on one loop of the
/// event-loop group (connections are spread over the loops).
///
/// ```swift
/// let server = try await ConnectionServer.bind(
///     configuration: ServerConfiguration(port: 9000),
///     factory: MyFactory()
/// )
/// try await ServiceGroup(services: [server], logger: logger).run()
/// ```
///
/// It is a swift-service-lifecycle `Service`. Graceful shutdown stops accepting,
/// asks each open connection to drain (its reactor's
/// ``Protosocket/MessageReactor/onDrain()``: an RPC server refuses new calls and
/// closes once the running ones are answered), gives them
/// ``ServerConfiguration/shutdownGracePeriod`` to close, then closes the rest.
/// Cancelling ``run()`` closes everything at once.
public final class ConnectionServer<Factory: ConnectionFactory>: Service, Sendable {
    private let listener: any Channel
    private let connections: OpenConnections
    private let configuration: ServerConfiguration
    private let logger: Logger

    /// The address the server listens on, with the real port when bound to port 0.
    public var localAddress: SocketAddress? { listener.localAddress }

    /// How many accepted connections are open now.
    public var openConnectionCount: Int { connections.count }

    @usableFromInline
    init(listener: any Channel, connections: OpenConnections, configuration: ServerConfiguration, logger: Logger) {
        self.listener = listener
        self.connections = connections
        self.configuration = configuration
        self.logger = logger
    }

    /// Binds the listening socket; connections are accepted from then on.
    ///
    /// - Throws: When the address cannot be bound.
    @inlinable
    public static func bind(
        configuration: ServerConfiguration,
        factory: Factory,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "protosocket.server")
    ) async throws -> ConnectionServer {
        let connections = OpenConnections()
        var bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: configuration.backlog)
            .childChannelOption(ChannelOptions.autoRead, value: false)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if channel.localAddress?.protocol != .unix {
                        try configuration.tcp.apply(to: channel)
                    }
                    let peer = PeerIdentity()
                    for layer in configuration.channelLayers {
                        // A layer that fails (a TLS handshake) closes its channel and
                        // reports the reason to the connection, which logs it.
                        _ = try layer.addHandlers(to: channel, serverHost: nil, peer: peer)
                    }
                    var connectionLogger = logger
                    connectionLogger[metadataKey: "peer"] = "\(channel.remoteAddress.map { "\($0)" } ?? "unknown")"
                    try factory.addHandler(to: channel, configuration: configuration.connection, logger: connectionLogger, peer: peer)
                    connections.insert(channel)
                }
            }
        let listener: any Channel
        switch configuration.listenAddress {
        case .host(let host, let port):
            bootstrap = bootstrap
                .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: configuration.reuseAddress ? 1 : 0)
                .serverChannelOption(
                    ChannelOptions.Types.SocketOption(level: .socket, name: reusePort),
                    value: configuration.reusePort ? 1 : 0
                )
            listener = try await bootstrap.bind(host: host, port: port).get()
        case .unixDomainSocket(let path):
            listener = try await bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).get()
        case .boundSocket(let descriptor):
            listener = try await bootstrap.withBoundSocket(descriptor).get()
        }
        logger.info("listening", metadata: ["address": "\(listener.localAddress.map { "\($0)" } ?? "?")"])
        return ConnectionServer(listener: listener, connections: connections, configuration: configuration, logger: logger)
    }

    /// Serves until graceful shutdown (or cancellation), then shuts down.
    public func run() async throws {
        let listener = self.listener
        let connections = self.connections
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                try? await listener.closeFuture.get()
            } onGracefulShutdown: {
                listener.close(promise: nil)
            }
            await drain()
        } onCancel: {
            listener.close(promise: nil)
            connections.closeAll()
        }
    }

    /// Stops accepting and closes every connection now.
    public func close() async {
        try? await listener.close()
        connections.closeAll()
        await connections.allClosed()
    }

    /// Asks open connections to finish their work in flight (``MessageReactor/onDrain()``),
    /// gives them the grace period to close, then closes the rest.
    private func drain() async {
        let open = connections.count
        guard open > 0 else {
            return
        }
        logger.info("draining connections", metadata: ["open": "\(open)"])
        let connections = self.connections
        connections.drainAll()
        let grace = configuration.shutdownGracePeriod
        let logger = self.logger
        let deadline = Task {
            try await Task.sleep(for: grace)
            logger.info("closing connections after the grace period", metadata: ["open": "\(connections.count)"])
            connections.closeAll()
        }
        await connections.allClosed()
        deadline.cancel()
    }
}

/// `SO_REUSEPORT` has no named NIO option in 2.101.
@usableFromInline
let reusePort = NIOBSDSocket.Option(rawValue: SO_REUSEPORT)
