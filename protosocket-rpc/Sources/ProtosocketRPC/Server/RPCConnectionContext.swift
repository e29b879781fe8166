import NIOCore
import Protosocket

/// Who a new connection of an ``RPCServer`` is with: what an
/// ``RPCResponderFactory`` is given to make its ``RPCResponder``.
///
/// The responder is made when the connection is accepted, before a TLS handshake
/// completes; ``peer`` is filled in when it does, which is before the first
/// request is delivered. So a service that authorizes mutual-TLS clients keeps
/// ``peer`` and checks it in ``RPCResponder/answer(_:)``:
///
/// ```swift
/// func makeResponder(context: RPCConnectionContext) -> MyResponder {
///     MyResponder(peer: context.peer)
/// }
/// // in MyResponder.answer(_:):
/// guard let der = peer.certificate, allowed(der) else { return .cancelled }
/// ```
public struct RPCConnectionContext: Sendable {
    /// The client's address, when known.
    public let remoteAddress: SocketAddress?
    /// The address the client connected to, when known.
    public let localAddress: SocketAddress?
    /// What TLS established about the client: the certificate it presented and
    /// the server verified (with `ServerTLS` requiring client certificates), and
    /// the chain it was verified through, up to the trust root
    /// (`PeerIdentity.certificateChain`).
    public let peer: PeerIdentity

    /// A context for a connection with these addresses and peer identity.
    public init(remoteAddress: SocketAddress?, localAddress: SocketAddress?, peer: PeerIdentity = PeerIdentity()) {
        self.remoteAddress = remoteAddress
        self.localAddress = localAddress
        self.peer = peer
    }
}
