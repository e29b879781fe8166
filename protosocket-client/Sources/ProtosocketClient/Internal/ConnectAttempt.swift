import NIOCore
import Protosocket

/// What the channel of one connect attempt was set up with.
@usableFromInline
struct ConnectAttempt<Command: Sendable>: Sendable {
    @usableFromInline
    let context: ConnectionContext<Command>
    @usableFromInline
    let layersReady: EventLoopFuture<Void>

    @inlinable
    init(context: ConnectionContext<Command>, layersReady: EventLoopFuture<Void>) {
        self.context = context
        self.layersReady = layersReady
    }
}
