import Logging
import NIOCore
import NIOPosix
import Protosocket
import ProtosocketServer
import ServiceLifecycle

/// An RPC server: a listener whose connections answer requests with the
/// ``RPCResponder``s of an ``RPCResponderFactory``.
///
/// ```swift
/// let server = try await RPCServer.bind(configuration: ServerConfiguration(port: 9000), responders: EchoService())
/// try await ServiceGroup(services: [server], logger: logger).run()
/// ```
///
/// It is a swift-service-lifecycle `Service`, and ``run()`` owns every task the
/// server starts: the tasks of deferred answers and async streams are children of
/// a task group inside `run()`, so they see the task-local values set around it
/// (a `ServiceContext` for tracing), are cancelled with it, and `run()` returns only
/// after every one has ended. Deferred answers and async streams make progress
/// only while `run()` runs; immediate answers and connection-driven streams need
/// no task.
///
/// Graceful shutdown stops accepting, lets each connection finish its running
/// RPCs (new ones are refused with `cancel`) for
/// `ServerConfiguration.shutdownGracePeriod`, then closes the
/// rest. Cancelling `run()` closes everything at once.
public final class RPCServer<Responders: RPCResponderFactory>: Service, Sendable {
    @usableFromInline
    let listener: ConnectionServer<RPCConnectionFactory<Responders>>?
    @usableFromInline
    let connections: RPCConnectionFactory<Responders>

    /// The address the server listens on, with the real port when bound to port 0;
    /// `nil` for a server made with ``init(responders:limits:tracing:)``.
    public var localAddress: SocketAddress? { listener?.localAddress }

    /// How many accepted connections are open now.
    public var openConnectionCount: Int { listener?.openConnectionCount ?? 0 }

    /// How many RPCs are running now over all connections: streams and deferred
    /// answers, from the request that starts one until its last response is taken
    /// or it is cancelled. It returns to zero when every connection has closed.
    public var runningRPCCount: Int { connections.server.running.count.load(ordering: .relaxed) }

    @usableFromInline
    init(connections: RPCConnectionFactory<Responders>, listener: ConnectionServer<RPCConnectionFactory<Responders>>?) {
        self.connections = connections
        self.listener = listener
    }

    /// A server with no listener (it reports metrics to the global metrics
    /// system), for connections added with
    /// ``addConnection(to:configuration:logger:)`` (a channel made elsewhere).
    // Inlinable here and in `bind`: the connection handler's hot paths are
    // specialized where the responder type is concrete (the caller's module);
    // without it they run unspecialized, with generic metadata lookups per message.
    @inlinable
    public convenience init(
        responders: Responders,
        limits: RPCServerLimits = RPCServerLimits(),
        tracing: RPCTracing? = .bootstrapped
    ) {
        self.init(
            connections: RPCConnectionFactory(responders: responders, limits: limits, metricsFactory: nil, tracing: tracing),
            listener: nil
        )
    }

    /// Binds a listening server for `responders`; run it (it is a `Service`) to
    /// serve until shutdown. With `tracing` (by default the bootstrapped tracer, if
    /// any), every RPC is a span; see ``RPCTracing``.
    ///
    /// - Throws: When the address cannot be bound.
    @inlinable
    public static func bind(
        configuration: ServerConfiguration,
        responders: Responders,
        limits: RPCServerLimits = RPCServerLimits(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "protosocket.rpc.server"),
        tracing: RPCTracing? = .bootstrapped
    ) async throws -> RPCServer {
        let connections = RPCConnectionFactory(
            responders: responders,
            limits: limits,
            metricsFactory: configuration.connection.metricsFactory,
            tracing: tracing
        )
        let listener = try await ConnectionServer.bind(
            configuration: configuration,
            factory: connections,
            group: group,
            logger: logger
        )
        return RPCServer(connections: connections, listener: listener)
    }

    /// Serves until graceful shutdown, cancellation or ``close()``, then returns once
    /// every connection has closed and every task of the server has ended.
    ///
    /// - Throws: ``RPCServerError/alreadyRunning`` when called a second time.
    public func run() async throws {
        let listener = self.listener
        let tasks = connections.server.tasks
        let ran = await tasks.run {
            guard let listener else {
                return
            }
            try? await listener.run()
            tasks.stop()
        }
        if !ran {
            throw RPCServerError.alreadyRunning
        }
    }

    /// Stops accepting and closes every connection now; ``run()`` then returns
    /// once the server's tasks have ended.
    public func close() async {
        if let listener {
            await listener.close()
        } else {
            connections.server.tasks.stop()
        }
    }

    /// Serves RPCs on `channel`, a connected channel made elsewhere (another
    /// transport, a test's `EmbeddedChannel`); on the channel's event loop only.
    /// Its deferred answers and async streams run in this server's ``run()``.
    @inlinable
    public func addConnection(
        to channel: any Channel,
        configuration: ConnectionConfiguration = .server,
        logger: Logger = Logger(label: "protosocket.rpc.server")
    ) throws {
        try connections.addHandler(to: channel, configuration: configuration, logger: logger)
    }
}

/// Why an ``RPCServer`` could not do what it was asked.
public enum RPCServerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// ``RPCServer/run()`` was called while it runs or after it ran: a server runs once.
    case alreadyRunning

    /// Says what failed, for logs.
    public var description: String {
        switch self {
        case .alreadyRunning: "the server runs once: run() was called again"
        }
    }
}
