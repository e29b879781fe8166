import Logging
import NIOCore

/// Makes the codec and reactor of each new connection; what servers and clients
/// are given.
///
/// Both methods are called on the new connection's event loop.
public protocol ConnectionFactory: Sendable {
    /// The codec of the factory's connections: wire bytes to messages and back.
    associatedtype Codec: MessageCodec
    /// The reactor of the factory's connections: what they do with their messages.
    associatedtype Reactor: MessageReactor
    where Reactor.InboundMessage == Codec.InboundMessage, Reactor.OutboundMessage == Codec.OutboundMessage

    /// The codec for a new connection.
    func makeCodec() -> Codec

    /// The reactor for a new connection. Throwing refuses the connection.
    func makeReactor(_ context: ConnectionContext<Reactor.Command>) throws -> Reactor
}

extension ConnectionFactory {
    /// Adds a connection handler made by this factory to `channel`'s pipeline; on the
    /// channel's event loop only. `peer` is what the channel's layers fill in (pass
    /// the one given to them).
    ///
    /// - Returns: The context the reactor was made with (its sender and waker).
    @inlinable
    @discardableResult
    public func addHandler(
        to channel: any Channel,
        configuration: ConnectionConfiguration,
        logger: Logger,
        peer: PeerIdentity = PeerIdentity()
    ) throws -> ConnectionContext<Reactor.Command> {
        var made: ConnectionContext<Reactor.Command>?
        let handler = try ConnectionHandler<Codec, Reactor>.makeHandler(
            codec: makeCodec(),
            configuration: configuration,
            logger: logger,
            eventLoop: channel.eventLoop,
            remoteAddress: channel.remoteAddress,
            localAddress: channel.localAddress,
            peer: peer
        ) { context in
            made = context
            return try makeReactor(context)
        }
        try channel.pipeline.syncOperations.addHandler(handler)
        guard let made else {
            preconditionFailure("makeHandler calls makeReactor")
        }
        return made
    }
}
