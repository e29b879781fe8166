import SwiftProtobuf

/// A message that decodes itself from protobuf's binary form, field by field,
/// with a ``ProtobufWireReader``, instead of through swift-protobuf's generic
/// decoder.
///
/// ``ProtobufCodec`` decodes an inbound message of a conforming type this way.
/// swift-protobuf's decoder reaches every field through protocol witnesses and
/// generic metadata (its generated `decodeMessage` is generic over the decoder);
/// a decoder written for one message is plain code. Worth it for the messages on
/// a hot path: it is code to keep in step with the schema by hand.
///
/// The contract, which a test comparing with swift-protobuf should hold for each
/// conforming type: every message swift-protobuf encodes decodes to an equal
/// message, except that fields the decoder does not know are skipped, not kept in
/// `unknownFields`; input swift-protobuf refuses is refused. The reader is the
/// stricter of the two: it also refuses groups and a tenth varint byte over 1,
/// which swift-protobuf accepts.
///
/// ```swift
/// extension Ping: ProtobufWireDecodable {
///     init(protobufWire reader: inout ProtobufWireReader) throws {
///         self.init()
///         while let field = try reader.nextField() {
///             switch field.number {
///             case 1: id = try reader.readVarint(field)
///             case 2: note = try reader.readString(field)
///             default: try reader.skip(field)
///             }
///         }
///     }
/// }
/// ```
public protocol ProtobufWireDecodable: SwiftProtobuf.Message {
    /// Decodes every field `reader` holds; a repeated singular field keeps its
    /// last value, a repeated message field merges (protobuf's rules).
    ///
    /// - Throws: ``ProtobufWireError`` when the input is not a valid encoding.
    init(protobufWire reader: inout ProtobufWireReader) throws
}

/// Why a ``ProtobufWireReader`` refused its input.
public enum ProtobufWireError: Error, Hashable, Sendable {
    /// The input ends inside a field.
    case truncated
    /// A varint longer than 10 bytes, or over 64 bits.
    case malformedVarint
    /// A field number of 0 or above 2²⁹ − 1.
    case invalidFieldNumber
    /// Wire type 3 or 4 (groups, not read), 6 or 7.
    case unsupportedWireType(UInt8)
    /// A known field arrived with another wire type than its declared type's.
    case wrongWireType(field: Int)
    /// A string field that is not valid UTF-8.
    case invalidUTF8(field: Int)
}

/// Reads one message's protobuf binary encoding, field by field, for a
/// ``ProtobufWireDecodable`` decoder.
///
/// A reader is valid only inside the call it is handed to (it reads memory it
/// does not own).
public struct ProtobufWireReader {
    /// A field's number and wire type, as read from its key.
    public struct Field: Sendable {
        /// The field number.
        public let number: Int
        /// The wire type (0 varint, 1 fixed 64-bit, 2 length-delimited, 5 fixed 32-bit).
        public let wireType: UInt8

        @inlinable
        init(number: Int, wireType: UInt8) {
            self.number = number
            self.wireType = wireType
        }
    }

    @usableFromInline
    var position: UnsafeRawPointer?
    @usableFromInline
    let end: UnsafeRawPointer?

    /// A reader of `bytes`, which must stay valid while it reads.
    @inlinable
    public init(_ bytes: UnsafeRawBufferPointer) {
        position = bytes.baseAddress
        end = bytes.baseAddress.map { $0 + bytes.count }
    }

    /// Bytes not read yet.
    @inlinable
    var remaining: Int {
        guard let position, let end else {
            return 0
        }
        return end - position
    }

    /// The next field's key, or `nil` at the end of the message.
    @inlinable
    public mutating func nextField() throws -> Field? {
        guard remaining > 0 else {
            return nil
        }
        let key = try readRawVarint()
        let wireType = UInt8(truncatingIfNeeded: key & 7)
        let number = key >> 3
        guard number > 0, number < (1 << 29) else {
            throw ProtobufWireError.invalidFieldNumber
        }
        switch wireType {
        case 0, 1, 2, 5:
            return Field(number: Int(number), wireType: wireType)
        default:
            throw ProtobufWireError.unsupportedWireType(wireType)
        }
    }

    /// A varint field's value (`uint64`; `uint32`, `int32` and enums take it
    /// truncated, as protobuf does).
    @inlinable
    public mutating func readVarint(_ field: Field) throws -> UInt64 {
        guard field.wireType == 0 else {
            throw ProtobufWireError.wrongWireType(field: field.number)
        }
        return try readRawVarint()
    }

    /// A string field's value.
    @inlinable
    public mutating func readString(_ field: Field) throws -> String {
        let bytes = try readLengthDelimited(field).bindMemory(to: UInt8.self)
        if Self.isASCII(bytes) {
            // Valid by construction: the stdlib's generic validation cost as much
            // as the rest of a small request's decoding.
            return String(decoding: bytes, as: UTF8.self)
        }
        guard let string = String(validating: bytes, as: UTF8.self) else {
            throw ProtobufWireError.invalidUTF8(field: field.number)
        }
        return string
    }

    /// Whether every byte is below 0x80, read eight at a time.
    @inlinable
    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else {
            return true
        }
        let raw = UnsafeRawPointer(base)
        var offset = 0
        while offset + 8 <= bytes.count {
            if raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 {
                return false
            }
            offset += 8
        }
        while offset < bytes.count {
            if bytes[offset] >= 0x80 {
                return false
            }
            offset += 1
        }
        return true
    }

    /// A message field's bytes, as a reader of their own: decode them with
    /// the message's own reader loop, merging into the value already there.
    @inlinable
    public mutating func readMessage(_ field: Field) throws -> ProtobufWireReader {
        ProtobufWireReader(try readLengthDelimited(field))
    }

    /// Skips a field this decoder does not know.
    @inlinable
    public mutating func skip(_ field: Field) throws {
        switch field.wireType {
        case 0:
            _ = try readRawVarint()
        case 1:
            try advance(by: 8)
        case 2:
            _ = try readLengthDelimited(field)
        default:
            try advance(by: 4)
        }
    }

    @inlinable
    mutating func readLengthDelimited(_ field: Field) throws -> UnsafeRawBufferPointer {
        guard field.wireType == 2 else {
            throw ProtobufWireError.wrongWireType(field: field.number)
        }
        let length = try readRawVarint()
        guard length <= UInt64(remaining), let start = position else {
            throw ProtobufWireError.truncated
        }
        let bytes = UnsafeRawBufferPointer(start: start, count: Int(length))
        position = start + Int(length)
        return bytes
    }

    @inlinable
    mutating func advance(by count: Int) throws {
        guard count <= remaining, let start = position else {
            throw ProtobufWireError.truncated
        }
        position = start + count
    }

    @inlinable
    mutating func readRawVarint() throws -> UInt64 {
        guard var cursor = position, let end else {
            throw ProtobufWireError.truncated
        }
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while cursor < end {
            let byte = cursor.load(as: UInt8.self)
            cursor += 1
            if shift == 63 && byte > 1 {
                // The tenth byte may hold only the 64th bit.
                throw ProtobufWireError.malformedVarint
            }
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 {
                position = cursor
                return value
            }
            shift += 7
            if shift > 63 {
                throw ProtobufWireError.malformedVarint
            }
        }
        throw ProtobufWireError.truncated
    }
}
