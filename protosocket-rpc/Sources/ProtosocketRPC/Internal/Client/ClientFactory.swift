import CoreMetrics
import Logging
import Protosocket

/// Makes the codec and the client reactor of an RPC client connection.
@usableFromInline
struct ClientFactory<Codec: MessageCodec, Request: RPCMessage, Response: RPCMessage>: ConnectionFactory
where Codec.OutboundMessage == Request, Codec.InboundMessage == Response {
    @usableFromInline
    let codecMaker: @Sendable () -> Codec
    @usableFromInline
    let slowConsumer: SlowConsumerPolicy
    @usableFromInline
    let logger: Logger
    @usableFromInline
    let metrics: any MetricsFactory
    /// The pending-call count of the one connection this factory makes.
    @usableFromInline
    let pendingCount = PendingCallCount()

    @inlinable
    init(codecMaker: @escaping @Sendable () -> Codec, slowConsumer: SlowConsumerPolicy, logger: Logger, metrics: any MetricsFactory) {
        self.codecMaker = codecMaker
        self.slowConsumer = slowConsumer
        self.logger = logger
        self.metrics = metrics
    }

    @inlinable
    func makeCodec() -> Codec {
        codecMaker()
    }

    @inlinable
    func makeReactor(_ context: ConnectionContext<ClientCommand<Request, Response>>) -> ClientReactor<Request, Response> {
        ClientReactor(slowConsumer: slowConsumer, logger: logger, waker: context.waker, metrics: metrics, pendingCount: pendingCount)
    }
}
