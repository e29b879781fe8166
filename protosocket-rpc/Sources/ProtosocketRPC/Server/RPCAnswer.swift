/// How a responder answers one RPC.
///
/// Choose the form by where the responses come from:
/// - ``response(_:)``: the response is known now. No task, no allocation of ours.
/// - ``stream(_:)``: every response can be made without waiting (from memory, by
///   computation). The connection pulls them on its event loop, only while it can
///   write: no task, no buffer, no thread hop. This is the fast form.
/// - ``deferred(_:)`` and ``asyncStream(_:)``: producing a response awaits
///   (a database, another service). The work runs in a task owned by the
///   ``RPCServer``'s `run()`, cancelled when the client cancels the RPC or its
///   connection closes. An async stream hands its responses to the connection
///   through a bounded buffer and is suspended while that buffer is full.
/// - ``cancelled``: the RPC is refused.
public struct RPCAnswer<Response: RPCMessage> {
    @usableFromInline
    enum Kind {
        case response(Response)
        case stream(any ResponseSource<Response>)
        case deferred(@Sendable () async throws -> Response)
        case asyncStream(@Sendable (StreamSlot<Response>) async throws -> Void)
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

    /// A stream of responses that are all available without waiting, pulled by the
    /// connection on its event loop while it has room to send; the client gets
    /// `end` after the last one. No task is created. The sequence is iterated on
    /// the event loop, so each element must be cheap to produce: anything that
    /// waits belongs in ``asyncStream(_:)``.
    @inlinable
    public static func stream<Responses: Sequence>(_ responses: Responses) -> RPCAnswer
    where Responses.Element == Response {
        RPCAnswer(kind: .stream(IteratorSource(responses.makeIterator())))
    }

    /// A response computed asynchronously, in a task that is cancelled when the
    /// client cancels the RPC or the connection closes. Throwing answers the client
    /// with `cancel`.
    @inlinable
    public static func deferred(_ operation: @escaping @Sendable () async throws -> Response) -> RPCAnswer {
        RPCAnswer(kind: .deferred(operation))
    }

    /// A stream of responses produced asynchronously, iterated in a task; the
    /// client gets `end` after the last one, or `cancel` if iteration throws. The
    /// task is suspended while the RPC's buffer
    /// (``RPCServerLimits/streamBufferCapacity``) is full, which it stays while the
    /// connection has no room to send (a slow client slows only its own RPCs), and
    /// cancelled when the client cancels the RPC or the connection closes.
    @inlinable
    public static func asyncStream<Responses: AsyncSequence & Sendable>(_ responses: Responses) -> RPCAnswer
    where Responses.Element == Response {
        RPCAnswer(kind: .asyncStream({ slot in
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

extension RPCAnswer.Kind {
    /// Whether this answer suits a request that declares `kind` (refusing suits both).
    @inlinable
    func matches(_ kind: RPCCallKind) -> Bool {
        switch self {
        case .response, .deferred: kind == .unary
        case .stream, .asyncStream: kind == .streaming
        case .cancelled: true
        }
    }
}
