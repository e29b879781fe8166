import NIOCore

/// The body of an ``RPCEnvelope``: your own request or response type, with its
/// own binary encoding. The envelope carries the message id and control code, so
/// a payload holds only what your calls carry.
///
/// ```swift
/// enum KVRequest: RPCPayload {
///     case get(String)
///     case scan(prefix: String)
///
///     func encode(into buffer: inout ByteBuffer) { … }
///     init(decoding buffer: inout ByteBuffer) throws { … }
///     var callKind: RPCCallKind? { if case .scan = self { .streaming } else { .unary } }
/// }
/// ```
public protocol RPCPayload: Sendable {
    /// Appends the payload's bytes to `buffer`.
    func encode(into buffer: inout ByteBuffer)
    /// Reads a payload from `buffer`, which holds exactly one payload's bytes.
    ///
    /// - Throws: When the bytes are not a payload; the connection that sent them
    ///   closes.
    init(decoding buffer: inout ByteBuffer) throws
    /// For a request: the kind of call it starts (see ``RPCMessage/callKind``);
    /// `nil` (the default) when undeclared.
    var callKind: RPCCallKind? { get }
}

extension RPCPayload {
    /// Undeclared: `nil`.
    @inlinable
    public var callKind: RPCCallKind? { nil }
}

/// An RPC message around your own payload: the message id, the control code, and
/// the payload, which `cancel` and `end` messages do not have. With
/// ``LengthPrefixedCodec`` it is all a custom protocol needs.
public struct RPCEnvelope<Payload: RPCPayload>: RPCMessage {
    /// The RPC's id (see ``RPCMessage/messageID``).
    public var messageID: UInt64
    /// Whether this is a normal message, a `cancel` or an `end`.
    public var controlCode: RPCControlCode
    /// The payload of a normal message; `nil` for `cancel` and `end`.
    public var payload: Payload?

    /// A normal message carrying `payload` (the client stamps the id of a request,
    /// the server that of a response).
    @inlinable
    public init(_ payload: Payload) {
        self.init(messageID: 0, controlCode: .normal, payload: payload)
    }

    /// A message with every field given; `payload` is `nil` for `cancel` and `end`.
    @inlinable
    public init(messageID: UInt64, controlCode: RPCControlCode, payload: Payload?) {
        self.messageID = messageID
        self.controlCode = controlCode
        self.payload = payload
    }

    /// A `cancel` message for the RPC `id`.
    @inlinable
    public static func cancelled(id: UInt64) -> Self {
        Self(messageID: id, controlCode: .cancel, payload: nil)
    }

    /// An `end` message for the RPC `id`.
    @inlinable
    public static func ended(id: UInt64) -> Self {
        Self(messageID: id, controlCode: .end, payload: nil)
    }

    /// The kind of call the payload declares (see ``RPCPayload/callKind``).
    @inlinable
    public var callKind: RPCCallKind? {
        payload?.callKind
    }
}
