import NIOCore

/// What an ``RPCClient`` sends to its connection's reactor.
@usableFromInline
enum ClientCommand<Request: RPCMessage, Response: RPCMessage>: Sendable {
    /// Send `request` and resume the continuation with its one response; fail it
    /// with ``RPCError/deadlineExceeded`` (and tell the server to stop) if the
    /// deadline passes first.
    case unary(Request, UnsafeContinuation<Response, any Error>, deadline: NIODeadline?)
    /// Send `request` and feed its responses into the buffer, until the deadline.
    case stream(Request, ResponseBuffer<Response>, deadline: NIODeadline?)
    /// The caller gave up on RPC `id`: forget it and tell the server.
    case cancel(UInt64)
}
