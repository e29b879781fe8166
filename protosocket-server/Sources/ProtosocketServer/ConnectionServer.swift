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
    /// One listening socket, or one per event loop (``ServerConfiguration/listenerPerEventLoop``).
    private let listeners: [any Channel]
    private let connections: OpenConnections
    private let configuration: ServerConfiguration
    private let logger: Logger

    /// The address the server listens on, with the real port when bound to port 0.
    public var localAddress: SocketAddress? { listeners.first?.localAddress }

    /// How many accepted connections are open now.
    public var openConnectionCount: Int { connections.count }

    @usableFromInline
    init(listeners: [any Channel], connections: OpenConnections, configuration: ServerConfiguration, logger: Logger) {
        self.listeners = listeners
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
        func bootstrap(on group: any EventLoopGroup, childGroup: any EventLoopGroup) -> ServerBootstrap {
            ServerBootstrap(group: group, childGroup: childGroup)
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
        }
        func tcp(_ bootstrap: ServerBootstrap, reusePort reuse: Bool) -> ServerBootstrap {
            bootstrap
                .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: configuration.reuseAddress ? 1 : 0)
                .serverChannelOption(ChannelOptions.Types.SocketOption(level: .socket, name: reusePort), value: reuse ? 1 : 0)
        }
        var listeners: [any Channel] = []
        do {
            switch configuration.listenAddress {
            case .host(let host, let port) where configuration.listenerPerEventLoop:
                // One listener per loop on one port: the first picks the port (when
                // 0), the others join it; each accepts onto its own loop.
                var boundPort = port
                for loop in group.makeIterator() {
                    let listener = try await tcp(bootstrap(on: loop, childGroup: loop), reusePort: true)
                        .bind(host: host, port: boundPort).get()
                    boundPort = listener.localAddress?.port ?? boundPort
                    listeners.append(listener)
                }
            case .host(let host, let port):
                listeners.append(
                    try await tcp(bootstrap(on: group, childGroup: group), reusePort: configuration.reusePort)
                        .bind(host: host, port: port).get()
                )
            case .unixDomainSocket(let path):
                listeners.append(
                    try await bootstrap(on: group, childGroup: group)
                        .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).get()
                )
            case .boundSocket(let descriptor):
                listeners.append(try await bootstrap(on: group, childGroup: group).withBoundSocket(descriptor).get())
            }
        } catch {
            for listener in listeners {
                try? await listener.close()
            }
            throw error
        }
        logger.info(
            "listening",
            metadata: [
                "address": "\(listeners.first?.localAddress.map { "\($0)" } ?? "?")",
                "listeners": "\(listeners.count)",
            ]
        )
        return ConnectionServer(listeners: listeners, connections: connections, configuration: configuration, logger: logger)
    }

    /// Serves until graceful shutdown (or cancellation), then shuts down.
    public func run() async throws {
        let listeners = self.listeners
        let connections = self.connections
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                for listener in listeners {
                    try? await listener.closeFuture.get()
                }
            } onGracefulShutdown: {
                for listener in listeners {
                    listener.close(promise: nil)
                }
            }
            await drain()
        } onCancel: {
            for listener in listeners {
                listener.close(promise: nil)
            }
            connections.closeAll()
        }
    }

    /// Stops accepting and closes every connection now.
    public func close() async {
        for listener in listeners {
            try? await listener.close()
        }
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
