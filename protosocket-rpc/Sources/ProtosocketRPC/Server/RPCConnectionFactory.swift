import CoreMetrics
import Protosocket

/// Makes the codec and the RPC reactor of each connection of an ``RPCServer``.
@usableFromInline
struct RPCConnectionFactory<Responders: RPCResponderFactory>: ConnectionFactory {
    @usableFromInline
    let responders: Responders
    @usableFromInline
    let limits: RPCServerLimits
    @usableFromInline
    let tasks: RPCTaskRunner
    @usableFromInline
    let running: RunningRPCCounter
    @usableFromInline
    let shed: Counter

    @inlinable
    init(responders: Responders, limits: RPCServerLimits, metricsFactory: (any MetricsFactory)?) {
        self.responders = responders
        self.limits = limits
        self.tasks = RPCTaskRunner()
        self.running = RunningRPCCounter(limit: limits.maxRunningRPCs)
        self.shed = Counter(label: "protosocket.rpc.server.shed", factory: metricsFactory ?? MetricsSystem.factory)
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
            responder: try responders.makeResponder(remoteAddress: context.remoteAddress),
            context: context,
            server: RPCServerShared(limits: limits, tasks: tasks, running: running, shed: shed)
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

    @inlinable
    init(limits: RPCServerLimits, tasks: RPCTaskRunner, running: RunningRPCCounter, shed: Counter) {
        self.limits = limits
        self.tasks = tasks
        self.running = running
        self.shed = shed
    }
}
