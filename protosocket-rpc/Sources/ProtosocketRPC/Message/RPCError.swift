/// Why an RPC call failed. (A call whose task was cancelled throws
/// `CancellationError` instead.)
public enum RPCError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The server answered the call with `cancel`.
    case cancelledRemotely
    /// The connection closed after the request was written and before the call
    /// was answered: the server may have done the work.
    case connectionClosed
    /// The connection was closed before the request was written: the server never
    /// saw the call, so sending it again (elsewhere) is safe even when it is not
    /// idempotent. ``RPCClientPool/unary(_:forKey:timeout:retryingUnsent:)`` can do
    /// that.
    case notSent
    /// A second iterator was made for an ``RPCResponseStream``, which can be
    /// iterated once.
    case alreadyIterated
    /// The call was made as `requested` but its request declares (``RPCMessage/callKind``)
    /// that it starts a `declared` call; nothing was sent.
    case callKindMismatch(requested: RPCCallKind, declared: RPCCallKind)
    /// The stream's consumer fell `streamBufferLimit` responses behind and the
    /// client's ``SlowConsumerPolicy`` is ``SlowConsumerPolicy/failStream``: the
    /// call was cancelled on the server.
    case consumerTooSlow
    /// The call's deadline (`timeout:`) passed before it was answered; the server
    /// was sent `cancel` for it.
    case deadlineExceeded

    /// Says what failed, for logs.
    public var description: String {
        switch self {
        case .cancelledRemotely: "cancelled remotely"
        case .connectionClosed: "connection closed"
        case .notSent: "the connection was closed before the request was sent"
        case .alreadyIterated: "the response stream was already iterated: iterate it once"
        case .deadlineExceeded: "the call's deadline passed; the server was told to stop"
        case .consumerTooSlow: "the stream's consumer fell too far behind; the call was cancelled"
        case .callKindMismatch(let requested, let declared):
            "a \(requested) call with a request that starts a \(declared) call; nothing was sent"
        }
    }
}
