import NIOCore

/// Turns outbound messages into bytes on the wire.
///
/// The connection calls ``encode(_:into:)`` with a buffer from its pool; an encoder
/// appends the message's bytes to it. Many messages of one connection turn share a
/// buffer, so a burst becomes one write. An encoder whose messages are already
/// serialized can hand the bytes over as they are through ``serializedBytes(of:)``.
///
/// An encoder lives on its connection's event loop and is never shared.
public protocol MessageEncoder {
    /// The messages this encoder writes.
    associatedtype OutboundMessage

    /// Appends `message`'s wire bytes to `buffer`.
    ///
    /// - Throws: When `message` cannot be encoded. Whatever was appended is
    ///   discarded, the messages encoded before it are still written, and the
    ///   connection closes with ``CloseReason/encodingFailed(reason:)`` (so every
    ///   call waiting on it fails, rather than waiting for an answer that was never
    ///   sent). An encoder that cannot fail need not mark its method `throws`.
    mutating func encode(_ message: OutboundMessage, into buffer: inout ByteBuffer) throws

    /// The zero-copy path: `message`'s wire bytes when they already exist as a
    /// buffer, to be written without copying; `nil` to use ``encode(_:into:)``.
    ///
    /// The default returns `nil`.
    mutating func serializedBytes(of message: OutboundMessage) -> ByteBuffer?
}

extension MessageEncoder {
    @inlinable
    public mutating func serializedBytes(of message: OutboundMessage) -> ByteBuffer? {
        nil
    }
}
