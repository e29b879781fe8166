import NIOCore

/// Where the receive side is in the byte stream: the framing loop of a connection
/// as a value, independent of any channel.
///
/// ``next(from:decoder:)`` runs the decoder over the buffered bytes and answers
/// one step at a time: a message (its bytes consumed), "need more bytes", or a
/// failure that must close the connection. It remembers how many bytes the next
/// message needs, so the decoder is not called again before they are buffered,
/// and how much of a `skip` is still to discard when the skip ran past the buffer.
public struct Framing: Sendable {
    /// What one step of framing produced.
    public enum Step<Message> {
        /// A whole message; its bytes were consumed from the buffer.
        case message(Message)
        /// Nothing more can be framed from the buffered bytes.
        case needMore
        /// The bytes can never form a message: close the connection for `reason`.
        case failed(CloseReason)
    }

    /// The largest message (in buffered bytes) a connection accepts.
    public let maxMessageLength: Int
    /// Do not call the decoder again before this many bytes are buffered.
    @usableFromInline
    var awaitingTotal = 0
    /// Bytes still to discard for a `skip` that ran past the buffer.
    @usableFromInline
    var pendingSkip = 0

    /// - Parameter maxMessageLength: A decoder announcing a message longer than
    ///   this fails the connection (``CloseReason/messageTooLarge(size:limit:)``).
    @inlinable
    public init(maxMessageLength: Int) {
        self.maxMessageLength = maxMessageLength
    }

    /// Frames the next message from `buffer`, skipping what the decoder says to skip.
    @inlinable
    public mutating func next<Decoder: MessageDecoder>(
        from buffer: inout ByteBuffer,
        decoder: inout Decoder
    ) -> Step<Decoder.InboundMessage> {
        while true {
            if pendingSkip > 0 {
                let skipped = min(pendingSkip, buffer.readableBytes)
                buffer.moveReaderIndex(forwardBy: skipped)
                pendingSkip -= skipped
                if pendingSkip > 0 {
                    return .needMore
                }
            }
            let readable = buffer.readableBytes
            if readable == 0 || readable < awaitingTotal {
                return .needMore
            }
            switch decoder.decode(buffer) {
            case .message(let message, let consumed):
                guard consumed > 0 && consumed <= readable else {
                    return .failed(.invalidMessage(reason: "decoder consumed \(consumed) of \(readable) buffered bytes"))
                }
                buffer.moveReaderIndex(forwardBy: consumed)
                awaitingTotal = 0
                return .message(message)
            case .incomplete(let totalSize):
                let size = totalSize ?? readable + 1
                guard size <= maxMessageLength else {
                    return .failed(.messageTooLarge(size: size, limit: maxMessageLength))
                }
                guard size > readable else {
                    return .failed(
                        .invalidMessage(reason: "decoder wants \(size) bytes but has \(readable) and found no message")
                    )
                }
                awaitingTotal = size
                return .needMore
            case .skip(let count):
                guard count > 0 else {
                    return .failed(.invalidMessage(reason: "decoder asked to skip \(count) bytes"))
                }
                pendingSkip = count
                awaitingTotal = 0
            case .invalid(let reason):
                return .failed(.invalidMessage(reason: reason))
            }
        }
    }

    /// Gives back consumed space after a batch: clears an emptied buffer, and moves
    /// the unread bytes to the front once the consumed part is half the capacity
    /// (so the whole buffer is not copied after every message).
    @inlinable
    public static func compact(_ buffer: inout ByteBuffer) {
        if buffer.readableBytes == 0 {
            buffer.clear()
        } else if buffer.readerIndex >= buffer.capacity / 2 {
            buffer.discardReadBytes()
        }
    }
}
