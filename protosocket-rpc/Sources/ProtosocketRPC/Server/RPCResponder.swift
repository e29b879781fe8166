import NIOCore
import Protosocket

/// Answers the requests of one RPC connection.
///
/// It lives on the connection's event loop and is called there, one request at a
/// time, with exclusive access (`mutating`): it needs no locks and need not be
/// `Sendable`.
public protocol RPCResponder {
    associatedtype Request: RPCMessage
    associatedtype Response: RPCMessage

    /// Answers a request that starts an RPC. The server stamps the request's id on
    /// every response, so the responder need not set it.
    mutating func answer(_ request: Request) -> RPCAnswer<Response>
}

/// What an ``RPCServer`` is built from: for each accepted connection, a codec and
/// an ``RPCResponder``.
public protocol RPCResponderFactory: Sendable {
    associatedtype Codec: MessageCodec
    associatedtype Responder: RPCResponder
    where Codec.InboundMessage == Responder.Request, Codec.OutboundMessage == Responder.Response

    /// The codec of a new connection: requests in, responses out.
    func makeCodec() -> Codec

    /// The responder of a new connection, on its event loop. Throwing refuses the
    /// connection.
    func makeResponder(remoteAddress: SocketAddress?) throws -> Responder
}
