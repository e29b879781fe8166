import CoreMetrics
import Logging
import NIOCore
import Protosocket
import ProtosocketClient

extension RPCClient {
    /// Connects to an RPC server and returns a client ready for calls.
    ///
    /// - Parameters:
    ///   - host: The server's host name or address.
    ///   - port: The server's port.
    ///   - connector: How to connect (connection limits, socket options, timeout).
    ///   - streamBufferLimit: The most responses a streaming call buffers before the
    ///     connection stops reading until its consumer catches up.
    ///   - slowConsumer: What to do when a stream's consumer falls
    ///     `streamBufferLimit` responses behind: pause the connection (the default,
    ///     warning after 5 s) or fail that stream.
    ///   - tracing: Where each call's span goes (see ``RPCTracing``); by default the
    ///     bootstrapped tracer, or none.
    ///   - makeCodec: The codec of the connection: requests out, responses in.
    /// - Throws: `ConnectError` (it names the address and the cause) when the
    ///   connection cannot be established.
    @inlinable
    public static func connect<Codec: MessageCodec>(
        host: String,
        port: Int,
        connector: TCPConnector = TCPConnector(),
        streamBufferLimit: Int = 1024,
        slowConsumer: SlowConsumerPolicy = .default,
        tracing: RPCTracing? = .bootstrapped,
        makeCodec: @escaping @Sendable () -> Codec
    ) async throws -> RPCClient
    where Codec.OutboundMessage == Request, Codec.InboundMessage == Response {
        try await connect(
            to: .host(host, port: port),
            connector: connector,
            streamBufferLimit: streamBufferLimit,
            slowConsumer: slowConsumer,
            tracing: tracing,
            makeCodec: makeCodec
        )
    }

    /// Connects to `endpoint` (a host and port, or a Unix domain socket); see
    /// ``connect(host:port:connector:streamBufferLimit:slowConsumer:tracing:makeCodec:)``.
    @inlinable
    public static func connect<Codec: MessageCodec>(
        to endpoint: Endpoint,
        connector: TCPConnector = TCPConnector(),
        streamBufferLimit: Int = 1024,
        slowConsumer: SlowConsumerPolicy = .default,
        tracing: RPCTracing? = .bootstrapped,
        makeCodec: @escaping @Sendable () -> Codec
    ) async throws -> RPCClient
    where Codec.OutboundMessage == Request, Codec.InboundMessage == Response {
        let factory = makeFactory(connector: connector, slowConsumer: slowConsumer, makeCodec: makeCodec)
        let connection = try await connector.connect(to: endpoint, factory: factory)
        return RPCClient(connection: connection, streamBufferLimit: streamBufferLimit, tracing: tracing, pendingCount: factory.pendingCount)
    }

    /// Connects to `address`; see ``connect(host:port:connector:streamBufferLimit:slowConsumer:tracing:makeCodec:)``.
    @inlinable
    public static func connect<Codec: MessageCodec>(
        to address: SocketAddress,
        connector: TCPConnector = TCPConnector(),
        streamBufferLimit: Int = 1024,
        slowConsumer: SlowConsumerPolicy = .default,
        tracing: RPCTracing? = .bootstrapped,
        makeCodec: @escaping @Sendable () -> Codec
    ) async throws -> RPCClient
    where Codec.OutboundMessage == Request, Codec.InboundMessage == Response {
        let factory = makeFactory(connector: connector, slowConsumer: slowConsumer, makeCodec: makeCodec)
        let connection = try await connector.connect(to: address, factory: factory)
        return RPCClient(connection: connection, streamBufferLimit: streamBufferLimit, tracing: tracing, pendingCount: factory.pendingCount)
    }

    /// The factory of a client connection's codec and reactor.
    @inlinable
    static func makeFactory<Codec: MessageCodec>(
        connector: TCPConnector,
        slowConsumer: SlowConsumerPolicy,
        makeCodec: @escaping @Sendable () -> Codec
    ) -> ClientFactory<Codec, Request, Response>
    where Codec.OutboundMessage == Request, Codec.InboundMessage == Response {
        ClientFactory(
            codecMaker: makeCodec,
            slowConsumer: slowConsumer,
            logger: connector.logger,
            metrics: connector.configuration.metricsFactory ?? MetricsSystem.factory
        )
    }
}
