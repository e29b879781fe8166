import NIOCore
import Protosocket

/// Answers the requests of one RPC connection.
///
/// It lives on the connection's event loop and is called there, one request at a
/// time, with exclusive access (`mutating`): it needs no locks and need not be
/// `Sendable`.
public protocol RPCResponder {
    /// The requests this responder answers.
    associatedtype Request: RPCMessage
    /// The responses it answers with.
    associatedtype Response: RPCMessage

    /// Answers a request that starts an RPC. The server stamps the request's id on
    /// every response, so the responder need not set it.
    mutating func answer(_ request: Request) -> RPCAnswer<Response>

    /// The connection has closed, for `reason`; called once, last, after every
    /// RPC of the connection was cancelled. The default does nothing.
    mutating func connectionClosed(_ reason: CloseReason)
}

extension RPCResponder {
    /// Does nothing.
    @inlinable
    public mutating func connectionClosed(_ reason: CloseReason) {}
}

/// What an ``RPCServer`` is built from: for each accepted connection, a codec and
/// an ``RPCResponder``.
public protocol RPCResponderFactory: Sendable {
    /// The codec of each connection: requests in, responses out.
    associatedtype Codec: MessageCodec
    /// The responder of each connection.
    associatedtype Responder: RPCResponder
    where Codec.InboundMessage == Responder.Request, Codec.OutboundMessage == Responder.Response

    /// The codec of a new connection: requests in, responses out.
    func makeCodec() -> Codec

    /// The responder of a new connection, on its event loop. Throwing refuses the
    /// connection.
    func makeResponder(context: RPCConnectionContext) throws -> Responder
}
