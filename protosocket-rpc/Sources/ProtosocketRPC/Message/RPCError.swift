/// Why an RPC call failed. (A call whose task was cancelled throws
/// `CancellationError` instead.)
public enum RPCError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The server answered the call with `cancel`.
    case cancelledRemotely
    /// The connection closed before the call was answered.
    case connectionClosed
    /// A second iterator was made for an ``RPCResponseStream``, which can be
    /// iterated once.
    case alreadyIterated

    public var description: String {
        switch self {
        case .cancelledRemotely: "cancelled remotely"
        case .connectionClosed: "connection closed"
        case .alreadyIterated: "the response stream was already iterated: iterate it once"
        }
    }
}
