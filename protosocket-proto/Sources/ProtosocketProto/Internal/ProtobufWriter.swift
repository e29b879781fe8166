#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore
import SwiftProtobuf

/// Appends `message`'s encoding to `buffer`, preceded by its length as a varint,
/// written by swift-protobuf's `traverse` into a ``ProtobufWriter``.
///
/// - Throws: ``ProtobufWriterError/messageTooLarge`` (or, for a message holding a
///   message set, swift-protobuf's error); `buffer` is then unchanged.
@usableFromInline
func appendDelimited<M: Message>(_ message: M, to buffer: inout ByteBuffer) throws {
    do {
        try appendDelimited(to: &buffer) { wire in
            var visitor = ProtobufWriter(wire: wire)
            try message.traverse(visitor: &visitor)
            wire = visitor.wire
        }
    } catch ProtobufWriterError.messageSet {
        let body: [UInt8] = try message.serializedBytes(partial: true)
        Varint.write(UInt64(body.count), into: &buffer)
        buffer.writeBytes(body)
    }
}

/// Appends a message's encoding to `buffer`, preceded by its length as a varint:
/// `writeBody` writes the body with a writer over the buffer's free memory,
/// and is called again with more when that runs out.
///
/// - Throws: ``ProtobufWriterError/messageTooLarge``, or what `writeBody`
///   throws other than running out of room; `buffer` is then unchanged.
@inlinable
func appendDelimited(to buffer: inout ByteBuffer, _ writeBody: (inout ProtobufWireWriter) throws -> Void) throws {
    var minimumRoom = 64
    while true {
        var shortfall = 0
        try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: minimumRoom) { room in
            guard let start = room.baseAddress else {
                // No memory at all (not expected with a minimum asked for): ask
                // for more, which ends in `messageTooLarge` if it never comes.
                shortfall = 2 * minimumRoom
                return 0
            }
            var writer = ProtobufWireWriter(start: start, capacity: room.count)
            do {
                let bodyStart = try writer.beginDelimited()
                try writeBody(&writer)
                try writer.endDelimited(bodyStart)
                return writer.position
            } catch ProtobufWriterError.outOfRoom(let needed) {
                shortfall = needed
                return 0
            }
        }
        guard shortfall > 0 else {
            return
        }
        minimumRoom = try roomForRetry(shortfall: shortfall, writable: buffer.writableBytes)
    }
}

/// Rare: a message larger than the room left in the buffer. The room to ask for
/// next: at least twice what there was (a few attempts even for large messages).
@usableFromInline
func roomForRetry(shortfall: Int, writable: Int) throws -> Int {
    guard shortfall <= ProtobufWireWriter.maximumLength else {
        throw ProtobufWriterError.messageTooLarge
    }
    return min(max(shortfall, 2 * writable), ProtobufWireWriter.maximumLength + Varint.maximumLength)
}

/// Writes a message's protobuf binary encoding into raw memory, in one walk of
/// the message, as swift-protobuf's `traverse` visits it.
///
/// swift-protobuf's own encoder needs every length before it writes: it walks a
/// message once to size it and sizes each nested message again where it is
/// written (five walks for a response with one nested message), into memory of
/// its own that is then copied. This writer leaves one byte for each length,
/// writes what follows, and fills the length in afterwards (the primitives of
/// ``ProtobufWireWriter``). When the memory runs out it stops with
/// ``ProtobufWriterError/outOfRoom(needed:)``, and ``appendDelimited(to:_:)``
/// tries again with more. The bytes are the same as swift-protobuf's (the codec
/// tests compare them, field kind by field kind).
struct ProtobufWriter: SwiftProtobuf.Visitor {
    /// The bytes go here.
    var wire: ProtobufWireWriter

    mutating func writeMessage<M: Message>(_ message: M) throws {
        let bodyStart = try wire.beginDelimited()
        try message.traverse(visitor: &self)
        try wire.endDelimited(bodyStart)
    }

    // MARK: Singular fields

    mutating func visitSingularFloatField(value: Float, fieldNumber: Int) throws {
        try wire.writeTag(fieldNumber, .fixed32)
        try wire.writeLittleEndian(value.bitPattern)
    }

    mutating func visitSingularDoubleField(value: Double, fieldNumber: Int) throws {
        try wire.writeTag(fieldNumber, .fixed64)
        try wire.writeLittleEndian(value.bitPattern)
    }

    mutating func visitSingularInt32Field(value: Int32, fieldNumber: Int) throws {
        try visitSingularUInt64Field(value: UInt64(bitPattern: Int64(value)), fieldNumber: fieldNumber)
    }

    mutating func visitSingularInt64Field(value: Int64, fieldNumber: Int) throws {
        try visitSingularUInt64Field(value: UInt64(bitPattern: value), fieldNumber: fieldNumber)
    }

    mutating func visitSingularUInt32Field(value: UInt32, fieldNumber: Int) throws {
        try visitSingularUInt64Field(value: UInt64(value), fieldNumber: fieldNumber)
    }

    mutating func visitSingularUInt64Field(value: UInt64, fieldNumber: Int) throws {
        try wire.writeTag(fieldNumber, .varint)
        try wire.writeRawVarint(value)
    }

    mutating func visitSingularSInt32Field(value: Int32, fieldNumber: Int) throws {
        try visitSingularSInt64Field(value: Int64(value), fieldNumber: fieldNumber)
    }

    mutating func visitSingularSInt64Field(value: Int64, fieldNumber: Int) throws {
        try visitSingularUInt64Field(value: Self.zigZag(value), fieldNumber: fieldNumber)
    }

    mutating func visitSingularFixed32Field(value: UInt32, fieldNumber: Int) throws {
        try wire.writeTag(fieldNumber, .fixed32)
        try wire.writeLittleEndian(value)
    }

    mutating func visitSingularFixed64Field(value: UInt64, fieldNumber: Int) throws {
        try wire.writeTag(fieldNumber, .fixed64)
        try wire.writeLittleEndian(value)
    }

    mutating func visitSingularSFixed32Field(value: Int32, fieldNumber: Int) throws {
        try visitSingularFixed32Field(value: UInt32(bitPattern: value), fieldNumber: fieldNumber)
    }

    mutating func visitSingularSFixed64Field(value: Int64, fieldNumber: Int) throws {
        try visitSingularFixed64Field(value: UInt64(bitPattern: value), fieldNumber: fieldNumber)
    }

    mutating func visitSingularBoolField(value: Bool, fieldNumber: Int) throws {
        try visitSingularUInt64Field(value: value ? 1 : 0, fieldNumber: fieldNumber)
    }

    mutating func visitSingularStringField(value: String, fieldNumber: Int) throws {
        try wire.writeString(value, field: fieldNumber)
    }

    mutating func visitSingularBytesField(value: Data, fieldNumber: Int) throws {
        try wire.writeTag(fieldNumber, .lengthDelimited)
        try wire.writeRawVarint(UInt64(value.count))
        try value.withUnsafeBytes { try wire.writeRaw($0) }
    }

    mutating func visitSingularEnumField<E: Enum>(value: E, fieldNumber: Int) throws {
        try visitSingularUInt64Field(value: UInt64(bitPattern: Int64(value.rawValue)), fieldNumber: fieldNumber)
    }

    mutating func visitSingularMessageField<M: Message>(value: M, fieldNumber: Int) throws {
        try wire.writeTag(fieldNumber, .lengthDelimited)
        try writeMessage(value)
    }

    mutating func visitSingularGroupField<G: Message>(value: G, fieldNumber: Int) throws {
        try wire.writeTag(fieldNumber, .startGroup)
        try value.traverse(visitor: &self)
        try wire.writeTag(fieldNumber, .endGroup)
    }

    // MARK: Packed fields (repeated ones use the protocol's defaults: one field per element)

    mutating func writePacked<T>(_ values: [T], fieldNumber: Int, _ write: (inout ProtobufWriter, T) throws -> Void) throws {
        try wire.writeTag(fieldNumber, .lengthDelimited)
        let bodyStart = try wire.beginDelimited()
        for value in values {
            try write(&self, value)
        }
        try wire.endDelimited(bodyStart)
    }

    mutating func visitPackedFloatField(value: [Float], fieldNumber: Int) throws {
        try writePacked(value, fieldNumber: fieldNumber) { try $0.wire.writeLittleEndian($1.bitPattern) }
    }

    mutating func visitPackedDoubleField(value: [Double], fieldNumber: Int) throws {
        try writePacked(value, fieldNumber: fieldNumber) { try $0.wire.writeLittleEndian($1.bitPattern) }
    }

    mutating func visitPackedInt32Field(value: [Int32], fieldNumber: Int) throws {
        try writePacked(value, fieldNumber: fieldNumber) { try $0.wire.writeRawVarint(UInt64(bitPattern: Int64($1))) }
    }

    mutating func visitPackedInt64Field(value: [Int64], fieldNumber: Int) throws {
        try writePacked(value, fieldNumber: fieldNumber) { try $0.wire.writeRawVarint(UInt64(bitPattern: $1)) }
    }

    mutating func visitPackedUInt32Field(value: [UInt32], fieldNumber: Int) throws {
        try writePacked(value, fieldNumber: fieldNumber) { try $0.wire.writeRawVarint(UInt64($1)) }
    }

    mutating func visitPackedUInt64Field(value: [UInt64], fieldNumber: Int) throws {
        try writePacked(value, fieldNumber: fieldNumber) { try $0.wire.writeRawVarint($1) }
    }

    mutating func visitPackedSInt32Field(value: [Int32], fieldNumber: Int) throws {
        try writePacked(value, fieldNumber: fieldNumber) { try $0.wire.writeRawVarint(Self.zigZag(Int64($1))) }
    }

    mutating func visitPackedSInt64Field(value: [Int64], fieldNumber: Int) throws {
        try writePacked(value, fieldNumber: fieldNumber) { try $0.wire.writeRawVarint(Self.zigZag($1)) }
    }

    mutating func visitPackedFixed32Field(value: [UInt32], fieldNumber: Int) throws {
        try writePacked(value, fieldNumber: fieldNumber) { try $0.wire.writeLittleEndian($1) }
    }

    mutating func visitPackedFixed64Field(value: [UInt64], fieldNumber: Int) throws {
        try writePacked(value, fieldNumber: fieldNumber) { try $0.wire.writeLittleEndian($1) }
    }

    mutating func visitPackedSFixed32Field(value: [Int32], fieldNumber: Int) throws {
        try writePacked(value, fieldNumber: fieldNumber) { try $0.wire.writeLittleEndian($1) }
    }

    mutating func visitPackedSFixed64Field(value: [Int64], fieldNumber: Int) throws {
        try writePacked(value, fieldNumber: fieldNumber) { try $0.wire.writeLittleEndian($1) }
    }

    mutating func visitPackedBoolField(value: [Bool], fieldNumber: Int) throws {
        try writePacked(value, fieldNumber: fieldNumber) { try $0.wire.writeRawVarint($1 ? 1 : 0) }
    }

    mutating func visitPackedEnumField<E: Enum>(value: [E], fieldNumber: Int) throws {
        try writePacked(value, fieldNumber: fieldNumber) { try $0.wire.writeRawVarint(UInt64(bitPattern: Int64($1.rawValue))) }
    }

    // MARK: Maps: one entry message (key field 1, value field 2) per element

    mutating func writeMap<KeyType: MapKeyType, Value>(
        _ map: [KeyType.BaseType: Value],
        keyType: KeyType.Type,
        fieldNumber: Int,
        _ writeValue: (inout ProtobufWriter, Value) throws -> Void
    ) throws {
        for (key, element) in map {
            try wire.writeTag(fieldNumber, .lengthDelimited)
            let bodyStart = try wire.beginDelimited()
            try KeyType.visitSingular(value: key, fieldNumber: 1, with: &self)
            try writeValue(&self, element)
            try wire.endDelimited(bodyStart)
        }
    }

    mutating func visitMapField<KeyType, ValueType: MapValueType>(
        fieldType: _ProtobufMap<KeyType, ValueType>.Type,
        value: _ProtobufMap<KeyType, ValueType>.BaseType,
        fieldNumber: Int
    ) throws {
        try writeMap(value, keyType: KeyType.self, fieldNumber: fieldNumber) {
            try ValueType.visitSingular(value: $1, fieldNumber: 2, with: &$0)
        }
    }

    mutating func visitMapField<KeyType, ValueType>(
        fieldType: _ProtobufEnumMap<KeyType, ValueType>.Type,
        value: _ProtobufEnumMap<KeyType, ValueType>.BaseType,
        fieldNumber: Int
    ) throws where ValueType.RawValue == Int {
        try writeMap(value, keyType: KeyType.self, fieldNumber: fieldNumber) {
            try $0.visitSingularEnumField(value: $1, fieldNumber: 2)
        }
    }

    mutating func visitMapField<KeyType, ValueType>(
        fieldType: _ProtobufMessageMap<KeyType, ValueType>.Type,
        value: _ProtobufMessageMap<KeyType, ValueType>.BaseType,
        fieldNumber: Int
    ) throws {
        try writeMap(value, keyType: KeyType.self, fieldNumber: fieldNumber) {
            try $0.visitSingularMessageField(value: $1, fieldNumber: 2)
        }
    }

    // MARK: Extensions and unknown fields

    /// Message sets (a proto1 form kept for old schemas) are left to swift-protobuf.
    mutating func visitExtensionFieldsAsMessageSet(fields: ExtensionFieldValueSet, start: Int, end: Int) throws {
        throw ProtobufWriterError.messageSet
    }

    mutating func visitUnknown(bytes: Data) throws {
        try bytes.withUnsafeBytes { try wire.writeRaw($0) }
    }

    static func zigZag(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: (value << 1) ^ (value >> 63))
    }
}
