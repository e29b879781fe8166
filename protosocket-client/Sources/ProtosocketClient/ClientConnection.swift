import NIOCore
import Protosocket
import Spillway

/// A connected protosocket client connection: its outbound sender and a handle on
/// its lifetime.
///
/// Holding a `ClientConnection` keeps its sender, so the connection does not finish
/// by itself; ``close()`` ends it.
public struct ClientConnection<Command: Sendable>: Sendable {
    /// The connection's outbound queue; `makeSender()` makes more, one per producer.
    public let sender: Sender<Command>
    /// Asks the connection to poll its reactor.
    public let waker: ConnectionWaker
    @usableFromInline
    let channel: any Channel

    @usableFromInline
    init(sender: Sender<Command>, waker: ConnectionWaker, channel: any Channel) {
        self.sender = sender
        self.waker = waker
        self.channel = channel
    }

    /// Whether the connection is still open.
    public var isActive: Bool { channel.isActive }

    /// The server's address.
    public var remoteAddress: SocketAddress? { channel.remoteAddress }

    /// Closes the connection now (its reactor sees ``CloseReason/closedLocally``) and
    /// waits until it is closed.
    public func close() async {
        channel.pipeline.fireUserInboundEventTriggered(CloseConnectionEvent())
        await closed()
    }

    /// Waits until the connection has closed, for whatever reason.
    public func closed() async {
        try? await channel.closeFuture.get()
    }
}
