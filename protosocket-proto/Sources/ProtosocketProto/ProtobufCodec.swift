import NIOCore
import Protosocket
import SwiftProtobuf

/// Protobuf messages in the standard length-delimited framing: a varint byte count,
/// then the message's binary encoding (what Java's `writeDelimitedTo` and prost's
/// length-delimited encoding produce).
///
/// ```swift
/// struct EchoFactory: ConnectionFactory {
///     func makeCodec() -> ProtobufCodec<EchoRequest, EchoResponse> { ProtobufCodec() }
///     …
/// }
/// ```
///
/// Decoding parses the body straight from the receive buffer (no copy of the
/// frame). Encoding writes the prefix and the body straight into the
/// connection's pooled buffer, in one walk of the message (swift-protobuf's own
/// serializer walks it once to size it, again for each nested message, and
/// writes into memory of its own): no allocation and no copy per message, and
/// the same bytes as swift-protobuf's `serializedBytes()`.
///
/// An inbound type that conforms to ``ProtobufWireDecodable`` is decoded by its
/// own decoder instead of swift-protobuf's, and an outbound type that conforms
/// to ``ProtobufWireEncodable`` is written by its own encoder instead of through
/// swift-protobuf's `traverse`.
///
/// A length prefix longer than 10 bytes, a length above ``maximumMessageSize`` or
/// a body that does not parse is ``Protosocket/DecodeResult/invalid(reason:)``:
/// the connection that sent it closes.
public struct ProtobufCodec<Inbound: SwiftProtobuf.Message, Outbound: SwiftProtobuf.Message>: MessageEncoder, MessageDecoder {
    /// The largest message body accepted, in bytes.
    public var maximumMessageSize: Int

    /// - Parameter maximumMessageSize: The largest message body accepted; 4 MiB by
    ///   default. The connection's `maxBufferLength` caps it too.
    @inlinable
    public init(maximumMessageSize: Int = 4 << 20) {
        precondition(maximumMessageSize >= 0, "maximumMessageSize must not be negative")
        self.maximumMessageSize = maximumMessageSize
    }

    /// Appends `message` with its length prefix to `buffer`.
    ///
    /// - Throws: when the message's encoding would exceed protobuf's 2 GiB limit;
    ///   `buffer` is then as it was, and the connection closes with
    ///   ``Protosocket/CloseReason/encodingFailed(reason:)``. (A proto2 message
    ///   missing required fields is written as it is, `partial`.)
    @inlinable
    public mutating func encode(_ message: Outbound, into buffer: inout ByteBuffer) throws {
        if let wireEncodable = Outbound.self as? any ProtobufWireEncodable.Type,
            try Self.encodeWire(wireEncodable, message, into: &buffer)
        {
            return
        }
        try appendDelimited(message, to: &buffer)
    }

    /// Appends `message` written by its own ``ProtobufWireEncodable`` encoder;
    /// `false` only if `type` is not `Outbound`, which it always is.
    @inlinable
    static func encodeWire<Encodable: ProtobufWireEncodable>(
        _ type: Encodable.Type,
        _ message: Outbound,
        into buffer: inout ByteBuffer
    ) throws -> Bool {
        guard let message = message as? Encodable else {
            return false
        }
        try appendDelimited(to: &buffer) { try message.encode(protobufWire: &$0) }
        return true
    }

    @inlinable
    public mutating func decode(_ buffer: ByteBuffer) -> DecodeResult<Inbound> {
        switch Varint.read(from: buffer) {
        case .incomplete:
            return .incomplete(totalSize: nil)
        case .invalid:
            return .invalid(reason: "length prefix is not a varint of at most 10 bytes")
        case .value(let length, let prefixLength):
            guard length <= UInt64(maximumMessageSize) else {
                return .invalid(reason: "message of \(length) bytes exceeds the maximum of \(maximumMessageSize)")
            }
            let total = prefixLength + Int(length)
            guard buffer.readableBytes >= total else {
                return .incomplete(totalSize: total)
            }
            do {
                let message: Inbound
                if let wireDecodable = Inbound.self as? any ProtobufWireDecodable.Type,
                    let decoded = try Self.decodeWire(wireDecodable, buffer, prefixLength..<total)
                {
                    message = decoded
                } else {
                    message = try Inbound(serializedBytes: buffer.readableBytesSpan.extracting(prefixLength..<total))
                }
                return .message(message, consumed: total)
            } catch {
                return .invalid(reason: "message body does not parse: \(error)")
            }
        }
    }

    /// The body decoded by the message's own ``ProtobufWireDecodable`` decoder
    /// (`nil` only if `type` is not `Inbound`, which it always is).
    @inlinable
    static func decodeWire<Decodable: ProtobufWireDecodable>(
        _ type: Decodable.Type,
        _ buffer: ByteBuffer,
        _ body: Range<Int>
    ) throws -> Inbound? {
        try buffer.withUnsafeReadableBytes { bytes in
            var reader = ProtobufWireReader(UnsafeRawBufferPointer(rebasing: bytes[body]))
            return try Decodable(protobufWire: &reader) as? Inbound
        }
    }
}
