import NIOCore

/// What a decoder found at the start of the readable bytes.
public enum DecodeResult<Message> {
    /// A whole message, which took `consumed` bytes (more than zero).
    case message(Message, consumed: Int)
    /// Not enough bytes yet. `totalSize` is the size of the whole next message when
    /// it is known, so the connection neither calls the decoder again before that
    /// many bytes are buffered nor accepts a message larger than its limit.
    case incomplete(totalSize: Int?)
    /// Discard `count` bytes (possibly more than are buffered) and decode after them.
    case skip(Int)
    /// The bytes can never form a message; the connection closes with `reason`.
    case invalid(reason: String)
}

/// Finds messages in the bytes received from the peer.
///
/// A decoder lives on its connection's event loop and is never shared. It must
/// not trap on any input: malformed bytes are ``DecodeResult/invalid(reason:)``.
public protocol MessageDecoder {
    /// The messages this decoder produces.
    associatedtype InboundMessage

    /// Looks at `buffer`'s readable bytes and answers exactly one ``DecodeResult``.
    ///
    /// The decoder must not move `buffer`'s reader index in a way it expects to
    /// persist: the connection consumes what the result says.
    mutating func decode(_ buffer: ByteBuffer) -> DecodeResult<InboundMessage>
}

/// An encoder and a decoder for one connection.
public typealias MessageCodec = MessageEncoder & MessageDecoder

extension DecodeResult: Sendable where Message: Sendable {}
