import NIOCore
import Spillway

/// What a new connection's reactor is made with.
public struct ConnectionContext<Command: Sendable>: Sendable {
    /// The connection's outbound queue; make more with `makeSender()`. The
    /// connection finishes when every sender is released and the reactor's
    /// ``MessageReactor/pollOutbound(budget:)`` has returned ``OutboundPoll/finished``,
    /// so a reactor should not keep one unless it means to send.
    public let sender: Sender<Command>
    /// Asks the connection to poll its reactor from any thread.
    public let waker: ConnectionWaker
    /// The peer's address, when known.
    public let remoteAddress: SocketAddress?
    /// This side's address, when known.
    public let localAddress: SocketAddress?
    /// What the layers beneath the connection (TLS) established about the peer.
    public let peer: PeerIdentity
    /// The loop the connection and its reactor live on.
    public var eventLoop: any EventLoop { waker.eventLoop }

    @usableFromInline
    init(sender: Sender<Command>, waker: ConnectionWaker, remoteAddress: SocketAddress?, localAddress: SocketAddress?, peer: PeerIdentity) {
        self.sender = sender
        self.waker = waker
        self.remoteAddress = remoteAddress
        self.localAddress = localAddress
        self.peer = peer
    }
}
