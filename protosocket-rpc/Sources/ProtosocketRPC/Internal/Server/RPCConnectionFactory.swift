import CoreMetrics
import Protosocket

/// Makes the codec and the RPC reactor of each connection of an ``RPCServer``.
@usableFromInline
struct RPCConnectionFactory<Responders: RPCResponderFactory>: ConnectionFactory {
    @usableFromInline
    let responders: Responders
    /// What every connection of the server shares.
    @usableFromInline
    let server: RPCServerShared

    @inlinable
    init(responders: Responders, limits: RPCServerLimits, metricsFactory: (any MetricsFactory)?, tracing: RPCTracing?) {
        self.responders = responders
        self.server = RPCServerShared(
            limits: limits,
            tracing: tracing,
            tasks: RPCTaskRunner(),
            running: RunningRPCCounter(limit: limits.maxRunningRPCs),
            shed: Counter(label: "protosocket.rpc.server.shed", factory: metricsFactory ?? MetricsSystem.factory)
        )
    }

    @inlinable
    func makeCodec() -> Responders.Codec {
        responders.makeCodec()
    }

    @inlinable
    func makeReactor(
        _ context: ConnectionContext<RPCServerEvent<Responders.Responder.Response>>
    ) throws -> RPCServerReactor<Responders.Responder> {
        RPCServerReactor(
            responder: try responders.makeResponder(
                context: RPCConnectionContext(
                    remoteAddress: context.remoteAddress,
                    localAddress: context.localAddress,
                    peer: context.peer
                )
            ),
            context: context,
            server: server
        )
    }
}

/// What every connection of one server shares.
@usableFromInline
struct RPCServerShared: Sendable {
    @usableFromInline
    let limits: RPCServerLimits
    @usableFromInline
    let tasks: RPCTaskRunner
    @usableFromInline
    let running: RunningRPCCounter
    @usableFromInline
    let shed: Counter
    @usableFromInline
    let tracing: RPCTracing?

    @inlinable
    init(limits: RPCServerLimits, tracing: RPCTracing?, tasks: RPCTaskRunner, running: RunningRPCCounter, shed: Counter) {
        self.limits = limits
        self.tracing = tracing
        self.tasks = tasks
        self.running = running
        self.shed = shed
    }
}
