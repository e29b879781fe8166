import NIOCore

/// A layer beneath protosocket connections: handlers that go into each new
/// channel's pipeline in front of the connection handler. TLS is one
/// (`ServerTLS` in `ProtosocketServerTLS`, `ClientTLS` in `ProtosocketClientTLS`);
/// servers and connectors take any number, first one nearest the socket.
public protocol ChannelLayer: Sendable {
    /// Adds this layer's handlers to a new channel's pipeline.
    ///
    /// Called on the channel's event loop, before the connection handler is added;
    /// throwing refuses the connection.
    ///
    /// - Parameters:
    ///   - channel: The new channel.
    ///   - serverHost: On a client, the host it connects to (for TLS, the name to
    ///     send and to check the certificate against); `nil` on a server, and on a
    ///     client that connects to an address.
    ///   - peer: Where the layer records what it established about the peer (the
    ///     certificate it verified), by the time it is ready.
    /// - Returns: A future that succeeds once the layer carries messages (for TLS,
    ///   when the handshake is done) and fails with the reason it never will. A
    ///   connector returns its connection only after every layer is ready.
    func addHandlers(to channel: any Channel, serverHost: String?, peer: PeerIdentity) throws -> EventLoopFuture<Void>
}
