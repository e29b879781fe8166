import NIOCore
import Protosocket

/// The server side of one RPC connection: answers each request that starts an RPC.
///
/// It lives on the connection's event loop and is called there, one request at a
/// time, with exclusive access (`mutating`): it needs no locks and need not be
/// `Sendable`.
public protocol RPCConnectionService {
    associatedtype Request: RPCMessage
    associatedtype Response: RPCMessage

    /// Answers a request that starts an RPC. The server stamps the request's id on
    /// every response, so the service need not set it.
    mutating func answer(_ request: Request) -> RPCAnswer<Response>
}

/// What a server is built from: for each accepted connection, a codec and an
/// ``RPCConnectionService``.
public protocol RPCSocketService: Sendable {
    associatedtype Codec: MessageCodec
    associatedtype ConnectionService: RPCConnectionService
    where Codec.InboundMessage == ConnectionService.Request, Codec.OutboundMessage == ConnectionService.Response

    /// The codec of a new connection: requests in, responses out.
    func makeCodec() -> Codec

    /// The service of a new connection, on its event loop. Throwing refuses the
    /// connection.
    func makeConnectionService(remoteAddress: SocketAddress?) throws -> ConnectionService
}

/// How a service answers one RPC.
public struct RPCAnswer<Response: RPCMessage> {
    @usableFromInline
    enum Kind {
        case response(Response)
        case deferred(@Sendable () async throws -> Response)
        case stream(@Sendable (StreamSlot<Response>) async throws -> Void)
        case cancelled
    }

    @usableFromInline
    let kind: Kind

    @inlinable
    init(kind: Kind) {
        self.kind = kind
    }

    /// A response available right away; no task is created for it.
    @inlinable
    public static func response(_ response: Response) -> RPCAnswer {
        RPCAnswer(kind: .response(response))
    }

    /// A response computed asynchronously, in a task that is cancelled when the
    /// client cancels the RPC. Throwing answers the client with `cancel`.
    @inlinable
    public static func deferred(_ operation: @escaping @Sendable () async throws -> Response) -> RPCAnswer {
        RPCAnswer(kind: .deferred(operation))
    }

    /// A stream of responses, iterated in a task; the client gets `end` after the
    /// last one, or `cancel` if iteration throws. The task is suspended while the
    /// connection has no room to send (a slow client slows only its own RPCs) and
    /// cancelled when the client cancels the RPC.
    @inlinable
    public static func stream<Responses: AsyncSequence & Sendable>(_ responses: Responses) -> RPCAnswer
    where Responses.Element == Response {
        RPCAnswer(kind: .stream({ slot in
            for try await response in responses {
                if try slot.append(consume response) {
                    try await slot.waitForRoom()
                }
            }
        }))
    }

    /// The RPC is refused: the client gets `cancel` for it.
    @inlinable
    public static var cancelled: RPCAnswer {
        RPCAnswer(kind: .cancelled)
    }
}
