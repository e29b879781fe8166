import NIOCore
import ProtosocketRPC

/// A request of the key-value service. `scan` starts a streaming call, the others
/// a unary one (``callKind``), so asking for the wrong kind fails at once.
public enum KVRequest: RPCPayload, Equatable {
    case get(key: String)
    case put(key: String, value: String)
    case delete(key: String)
    /// Every entry whose key starts with `prefix`, in key order.
    case scan(prefix: String)

    public var callKind: RPCCallKind? {
        if case .scan = self {
            return .streaming
        }
        return .unary
    }

    public func encode(into buffer: inout ByteBuffer) {
        switch self {
        case .get(let key):
            buffer.writeInteger(UInt8(1))
            buffer.writeLengthPrefixedString(key)
        case .put(let key, let value):
            buffer.writeInteger(UInt8(2))
            buffer.writeLengthPrefixedString(key)
            buffer.writeLengthPrefixedString(value)
        case .delete(let key):
            buffer.writeInteger(UInt8(3))
            buffer.writeLengthPrefixedString(key)
        case .scan(let prefix):
            buffer.writeInteger(UInt8(4))
            buffer.writeLengthPrefixedString(prefix)
        }
    }

    public init(decoding buffer: inout ByteBuffer) throws {
        switch buffer.readInteger(as: UInt8.self) {
        case 1: self = .get(key: try buffer.readLengthPrefixedString())
        case 2: self = .put(key: try buffer.readLengthPrefixedString(), value: try buffer.readLengthPrefixedString())
        case 3: self = .delete(key: try buffer.readLengthPrefixedString())
        case 4: self = .scan(prefix: try buffer.readLengthPrefixedString())
        case let tag: throw KVDecodingError.unknownTag(tag)
        }
    }
}

/// A response of the key-value service.
public enum KVResponse: RPCPayload, Equatable {
    /// The answer to `get`: the value, or `nil` when the key is absent.
    case value(String?)
    /// The answer to `put` and `delete`.
    case done
    /// One entry of a `scan`.
    case entry(key: String, value: String)

    public func encode(into buffer: inout ByteBuffer) {
        switch self {
        case .value(nil):
            buffer.writeInteger(UInt8(1))
        case .value(let value?):
            buffer.writeInteger(UInt8(2))
            buffer.writeLengthPrefixedString(value)
        case .done:
            buffer.writeInteger(UInt8(3))
        case .entry(let key, let value):
            buffer.writeInteger(UInt8(4))
            buffer.writeLengthPrefixedString(key)
            buffer.writeLengthPrefixedString(value)
        }
    }

    public init(decoding buffer: inout ByteBuffer) throws {
        switch buffer.readInteger(as: UInt8.self) {
        case 1: self = .value(nil)
        case 2: self = .value(try buffer.readLengthPrefixedString())
        case 3: self = .done
        case 4: self = .entry(key: try buffer.readLengthPrefixedString(), value: try buffer.readLengthPrefixedString())
        case let tag: throw KVDecodingError.unknownTag(tag)
        }
    }
}

/// Bytes that are not a key-value message.
public enum KVDecodingError: Error, Equatable {
    case unknownTag(UInt8?)
    case truncatedString
}

extension ByteBuffer {
    /// A 4-byte big-endian byte count, then the UTF-8 bytes.
    mutating func writeLengthPrefixedString(_ string: String) {
        let start = writerIndex
        writeInteger(UInt32(0))
        let count = writeString(string)
        setInteger(UInt32(truncatingIfNeeded: count), at: start)
    }

    mutating func readLengthPrefixedString() throws -> String {
        guard let count = readInteger(as: UInt32.self), let string = readString(length: Int(count)) else {
            throw KVDecodingError.truncatedString
        }
        return string
    }
}

/// The messages on the wire: the library's envelope around these payloads.
public typealias KVRequestMessage = RPCEnvelope<KVRequest>
public typealias KVResponseMessage = RPCEnvelope<KVResponse>
/// A client of the key-value service.
public typealias KVClient = RPCClient<KVRequestMessage, KVResponseMessage>
/// The client's codec: requests out, responses in.
public typealias KVClientCodec = LengthPrefixedCodec<KVResponse, KVRequest>
