import NIOCore
import Protosocket

/// Newline-terminated UTF-8 lines.
public struct LineCodec: MessageEncoder, MessageDecoder, Sendable {
    public init() {}

    public mutating func encode(_ message: String, into buffer: inout ByteBuffer) {
        buffer.writeString(message)
        buffer.writeInteger(UInt8(ascii: "\n"))
    }

    public mutating func decode(_ buffer: ByteBuffer) -> DecodeResult<String> {
        guard let end = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            return .incomplete(totalSize: nil)
        }
        let length = end - buffer.readerIndex
        let line = buffer.getString(at: buffer.readerIndex, length: length) ?? ""
        return .message(line, consumed: length + 1)
    }
}

