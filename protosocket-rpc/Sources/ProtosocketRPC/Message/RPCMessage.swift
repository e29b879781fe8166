/// What an RPC message carries besides its payload: the control code.
public enum RPCControlCode: UInt32, Sendable, Hashable {
    /// A request, or a response carrying a result.
    case normal = 0
    /// The RPC is cancelled: by the client (stop working on it) or by the server
    /// (the call fails with ``RPCError/cancelledRemotely``).
    case cancel = 1
    /// The server's stream for this RPC has ended.
    case end = 2

    /// Reads a code from the wire; any value other than 0, 1 or 2 reads as
    /// ``cancel``.
    public init(wireValue: UInt32) {
        self = RPCControlCode(rawValue: wireValue) ?? .cancel
    }
}

/// Which kind of call a request starts.
public enum RPCCallKind: Sendable, Hashable, CustomStringConvertible {
    /// One response.
    case unary
    /// A stream of responses, then `end`.
    case streaming

    /// `unary` or `streaming`.
    public var description: String {
        switch self {
        case .unary: "unary"
        case .streaming: "streaming"
        }
    }
}

/// A request or response message of the RPC layer: the user's own message type,
/// which carries a 64-bit message id and a control code.
///
/// The RPC layer adds no framing: the bytes on the wire are exactly what the
/// connection's codec writes for these messages. It stamps ids (the client a fresh
/// one per request, the server the request's id on each response) and builds the
/// control messages it needs with ``cancelled(id:)`` and ``ended(id:)``.
///
/// ```swift
/// extension EchoRequest: RPCMessage {
///     var messageID: UInt64 { get { requestID } set { requestID = newValue } }
///     var controlCode: RPCControlCode { RPCControlCode(wireValue: code) }
///     static func cancelled(id: UInt64) -> Self { .with { $0.requestID = id; $0.code = 1 } }
///     static func ended(id: UInt64) -> Self { .with { $0.requestID = id; $0.code = 2 } }
/// }
/// ```
public protocol RPCMessage: Sendable {
    /// The RPC this message belongs to.
    var messageID: UInt64 { get set }
    /// Whether this is a normal message, a cancellation or the end of a stream.
    var controlCode: RPCControlCode { get }
    /// A message that cancels RPC `id`.
    static func cancelled(id: UInt64) -> Self
    /// A message that ends RPC `id`'s stream of responses.
    static func ended(id: UInt64) -> Self
    /// For a request: the kind of call it starts, when the message says (`nil`, the
    /// default, when it does not). When it says, ``RPCClient/unary(_:)`` with a
    /// streaming request (and ``RPCClient/streaming(_:)`` with a unary one) fails at
    /// once with ``RPCError/callKindMismatch(requested:declared:)`` before anything is
    /// sent, and a server answers `cancel` when its responder's answer is of the
    /// other kind. When it does not, a unary call takes the first response and the
    /// rest are dropped, and a stream answered with one response never ends.
    var callKind: RPCCallKind? { get }
}

extension RPCMessage {
    /// Undeclared: see ``RPCMessage/callKind``.
    @inlinable
    public var callKind: RPCCallKind? { nil }
}
