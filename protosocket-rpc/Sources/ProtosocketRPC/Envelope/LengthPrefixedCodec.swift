import NIOCore
import Protosocket

/// A codec for ``RPCEnvelope``s: each message is a 4-byte big-endian length of
/// what follows, the 8-byte big-endian message id, the 1-byte control code, and
/// (for a normal message) the payload's own bytes.
///
/// ```text
/// | length: UInt32 | id: UInt64 | code: UInt8 | payload (length - 9 bytes) |
/// ```
///
/// You write only the payload's encoding (``RPCPayload``). A length below 9 or
/// above ``maximumMessageSize``, or a payload that does not decode, is invalid:
/// the connection that sent it closes.
public struct LengthPrefixedCodec<Inbound: RPCPayload, Outbound: RPCPayload>: MessageEncoder, MessageDecoder {
    /// The largest message accepted (the bytes after the length), in bytes.
    public var maximumMessageSize: Int

    @usableFromInline
    static var headerSize: Int { 9 }

    /// - Parameter maximumMessageSize: 4 MiB by default; the connection's
    ///   `maxBufferLength` caps it too.
    @inlinable
    public init(maximumMessageSize: Int = 4 << 20) {
        precondition(maximumMessageSize >= Self.headerSize, "maximumMessageSize must hold the header")
        self.maximumMessageSize = maximumMessageSize
    }

    /// Writes the length, id, control code and payload of `message`.
    @inlinable
    public mutating func encode(_ message: RPCEnvelope<Outbound>, into buffer: inout ByteBuffer) {
        let start = buffer.writerIndex
        buffer.writeInteger(UInt32(0))
        buffer.writeInteger(message.messageID)
        buffer.writeInteger(UInt8(truncatingIfNeeded: message.controlCode.rawValue))
        if message.controlCode == .normal, let payload = message.payload {
            payload.encode(into: &buffer)
        }
        let length = buffer.writerIndex - start - 4
        buffer.setInteger(UInt32(truncatingIfNeeded: length), at: start)
    }

    /// Reads one envelope from the front of `buffer`, or asks for more bytes.
    @inlinable
    public mutating func decode(_ buffer: ByteBuffer) -> DecodeResult<RPCEnvelope<Inbound>> {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else {
            return .incomplete(totalSize: 4)
        }
        let bodyLength = Int(length)
        guard bodyLength >= Self.headerSize else {
            return .invalid(reason: "a message of \(bodyLength) bytes cannot hold the 9-byte header")
        }
        guard bodyLength <= maximumMessageSize else {
            return .invalid(reason: "message of \(bodyLength) bytes exceeds the maximum of \(maximumMessageSize)")
        }
        let total = 4 + bodyLength
        guard buffer.readableBytes >= total,
            var body = buffer.getSlice(at: buffer.readerIndex + 4, length: bodyLength),
            let id = body.readInteger(as: UInt64.self),
            let code = body.readInteger(as: UInt8.self)
        else {
            return .incomplete(totalSize: total)
        }
        let controlCode = RPCControlCode(wireValue: UInt32(code))
        guard controlCode == .normal else {
            return .message(RPCEnvelope(messageID: id, controlCode: controlCode, payload: nil), consumed: total)
        }
        do {
            let payload = try Inbound(decoding: &body)
            return .message(RPCEnvelope(messageID: id, controlCode: .normal, payload: payload), consumed: total)
        } catch {
            return .invalid(reason: "payload does not decode: \(error)")
        }
    }
}
