import Logging
import NIOCore
import NIOPosix
import Protosocket
import ProtosocketServer

/// Per-connection limits of an RPC server beyond those of the connection itself.
public struct RPCServerLimits: Sendable, Hashable {
    /// Immediate answers waiting to be sent before the connection stops taking
    /// requests (the client is not reading its responses).
    public var maxQueuedAnswers: Int
    /// Responses a stream may have waiting before its task is suspended.
    public var streamBufferCapacity: Int

    public init(maxQueuedAnswers: Int = 1024, streamBufferCapacity: Int = 64) {
        precondition(maxQueuedAnswers > 0 && streamBufferCapacity > 0)
        self.maxQueuedAnswers = maxQueuedAnswers
        self.streamBufferCapacity = streamBufferCapacity
    }
}

/// Serves an ``RPCSocketService`` on a ``ProtosocketServer/ProtosocketServer``: a
/// connection factory whose reactors run the RPC protocol.
public struct RPCServerFactory<Service: RPCSocketService>: ConnectionFactory {
    public let service: Service
    public let limits: RPCServerLimits

    @inlinable
    public init(service: Service, limits: RPCServerLimits = RPCServerLimits()) {
        self.service = service
        self.limits = limits
    }

    @inlinable
    public func makeCodec() -> Service.Codec {
        service.makeCodec()
    }

    @inlinable
    public func makeReactor(
        _ context: ConnectionContext<RPCServerEvent<Service.ConnectionService.Response>>
    ) throws -> RPCServerReactor<Service.ConnectionService> {
        RPCServerReactor(
            service: try service.makeConnectionService(remoteAddress: context.remoteAddress),
            context: context,
            limits: limits
        )
    }
}

/// Starting an RPC server.
public enum RPCServer {
    /// Binds an RPC server for `service`; run it (it is a `Service`) to serve until
    /// shutdown.
    ///
    /// ```swift
    /// let server = try await RPCServer.bind(configuration: ServerConfiguration(port: 9000), service: EchoService())
    /// try await server.run()
    /// ```
    @inlinable
    public static func bind<Service: RPCSocketService>(
        configuration: ServerConfiguration,
        service: Service,
        limits: RPCServerLimits = RPCServerLimits(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "protosocket.rpc.server")
    ) async throws -> ProtosocketServer<RPCServerFactory<Service>> {
        try await ProtosocketServer.bind(
            configuration: configuration,
            factory: RPCServerFactory(service: service, limits: limits),
            group: group,
            logger: logger
        )
    }
}
