/// What an ``RPCClient`` sends to its connection's reactor.
@usableFromInline
enum ClientCommand<Request: RPCMessage, Response: RPCMessage>: Sendable {
    /// Send `request` and resume the continuation with its one response.
    case unary(Request, UnsafeContinuation<Response, any Error>)
    /// Send `request` and feed its responses into the buffer.
    case stream(Request, ResponseBuffer<Response>)
    /// The caller gave up on RPC `id`: forget it and tell the server.
    case cancel(UInt64)
    /// RPC `id`'s deadline passed: fail it with ``RPCError/deadlineExceeded`` and
    /// tell the server to stop.
    case expire(UInt64)
}
