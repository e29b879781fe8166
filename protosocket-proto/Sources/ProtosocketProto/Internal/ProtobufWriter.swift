#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore
import SwiftProtobuf

/// Appends `message`'s encoding to `buffer`, preceded by its length as a varint
/// (see ``ProtobufWriter``).
///
/// - Throws: ``ProtobufWriterError/messageTooLarge`` (or, for a message holding a
///   message set, swift-protobuf's error); `buffer` is then unchanged.
@usableFromInline
func appendDelimited<M: Message>(_ message: M, to buffer: inout ByteBuffer) throws {
    var minimumRoom = 64
    while true {
        var shortfall = 0
        var hasMessageSet = false
        try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: minimumRoom) { room in
            guard let start = room.baseAddress else {
                // No memory at all (not expected with a minimum asked for): ask
                // for more, which ends in `messageTooLarge` if it never comes.
                shortfall = 2 * minimumRoom
                return 0
            }
            var writer = ProtobufWriter(start: start, capacity: room.count)
            do {
                try writer.writeMessage(message)
                return writer.position
            } catch ProtobufWriterError.outOfRoom(let needed) {
                shortfall = needed
                return 0
            } catch ProtobufWriterError.messageSet {
                hasMessageSet = true
                return 0
            }
        }
        if hasMessageSet {
            let body: [UInt8] = try message.serializedBytes(partial: true)
            Varint.write(UInt64(body.count), into: &buffer)
            buffer.writeBytes(body)
            return
        }
        guard shortfall > 0 else {
            return
        }
        // Rare: a message larger than the room left in the buffer. Try again
        // with at least twice the room (a few attempts even for large messages).
        guard shortfall <= ProtobufWriter.maximumLength else {
            throw ProtobufWriterError.messageTooLarge
        }
        minimumRoom = min(max(shortfall, 2 * buffer.writableBytes), ProtobufWriter.maximumLength + Varint.maximumLength)
    }
}

/// Writes a message's protobuf binary encoding into raw memory, in one walk of
/// the message.
///
/// swift-protobuf's own encoder needs every length before it writes: it walks a
/// message once to size it and sizes each nested message again where it is
/// written (five walks for a response with one nested message), into memory of
/// its own that is then copied. This writer leaves one byte for each length,
/// writes what follows, and fills the length in afterwards; in the rare case of
/// a length of 128 bytes or more, it moves those bytes along by the extra
/// length bytes. When the memory runs out it stops with
/// ``ProtobufWriterError/outOfRoom(needed:)``, and ``appendDelimited(_:to:)``
/// tries again with more. The bytes are the same as swift-protobuf's (the codec
/// tests compare them, field kind by field kind).
struct ProtobufWriter: SwiftProtobuf.Visitor {
    /// The largest message it writes: protobuf's own limit (2 GiB).
    static let maximumLength = Int(Int32.max)

    let start: UnsafeMutableRawPointer
    let capacity: Int
    /// Bytes written so far.
    private(set) var position = 0

    init(start: UnsafeMutableRawPointer, capacity: Int) {
        self.start = start
        self.capacity = capacity
    }

    // MARK: Primitives

    enum WireType: UInt64 {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
        case startGroup = 3
        case endGroup = 4
        case fixed32 = 5
    }

    /// Makes sure `count` more bytes fit.
    @inline(__always)
    func checkRoom(for count: Int) throws {
        guard count <= capacity - position else {
            let (needed, overflow) = position.addingReportingOverflow(count)
            throw ProtobufWriterError.outOfRoom(needed: overflow ? Int.max : needed)
        }
    }

    @inline(__always)
    mutating func writeByte(_ byte: UInt8) throws {
        try checkRoom(for: 1)
        start.storeBytes(of: byte, toByteOffset: position, as: UInt8.self)
        position += 1
    }

    @inline(__always)
    mutating func writeVarint(_ value: UInt64) throws {
        if value < 0x80 {
            try writeByte(UInt8(truncatingIfNeeded: value))
            return
        }
        let length = Varint.encodedLength(of: value)
        try checkRoom(for: length)
        position += Varint.write(value, to: UnsafeMutableRawBufferPointer(start: start + position, count: length))
    }

    @inline(__always)
    mutating func writeLittleEndian<T: FixedWidthInteger>(_ value: T) throws {
        try checkRoom(for: MemoryLayout<T>.size)
        start.storeBytes(of: value.littleEndian, toByteOffset: position, as: T.self)
        position += MemoryLayout<T>.size
    }

    @inline(__always)
    mutating func writeTag(_ fieldNumber: Int, _ wireType: WireType) throws {
        try writeVarint(UInt64(truncatingIfNeeded: fieldNumber) << 3 | wireType.rawValue)
    }

    mutating func writeRaw(_ bytes: UnsafeRawBufferPointer) throws {
        guard let source = bytes.baseAddress else {
            return
        }
        try checkRoom(for: bytes.count)
        (start + position).copyMemory(from: source, byteCount: bytes.count)
        position += bytes.count
    }

    /// Leaves a byte for a length; ``endDelimited(_:)`` fills it in.
    @inline(__always)
    mutating func beginDelimited() throws -> Int {
        try writeByte(0)
        return position
    }

    /// Writes the length of what was written since `bodyStart` before it.
    mutating func endDelimited(_ bodyStart: Int) throws {
        let length = position - bodyStart
        if length < 0x80 {
            start.storeBytes(of: UInt8(truncatingIfNeeded: length), toByteOffset: bodyStart - 1, as: UInt8.self)
            return
        }
        guard length <= Self.maximumLength else {
            throw ProtobufWriterError.messageTooLarge
        }
        // The length takes more than the byte left for it: move the body along.
        let extra = Varint.encodedLength(of: UInt64(length)) - 1
        try checkRoom(for: extra)
        (start + bodyStart + extra).copyMemory(from: start + bodyStart, byteCount: length)
        _ = Varint.write(UInt64(length), to: UnsafeMutableRawBufferPointer(start: start + bodyStart - 1, count: extra + 1))
        position += extra
    }

    mutating func writeMessage<M: Message>(_ message: M) throws {
        let bodyStart = try beginDelimited()
        try message.traverse(visitor: &self)
        try endDelimited(bodyStart)
    }

    // MARK: Singular fields

    mutating func visitSingularFloatField(value: Float, fieldNumber: Int) throws {
        try writeTag(fieldNumber, .fixed32)
        try writeLittleEndian(value.bitPattern)
    }

    mutating func visitSingularDoubleField(value: Double, fieldNumber: Int) throws {
        try writeTag(fieldNumber, .fixed64)
        try writeLittleEndian(value.bitPattern)
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
        try writeTag(fieldNumber, .varint)
        try writeVarint(value)
    }

    mutating func visitSingularSInt32Field(value: Int32, fieldNumber: Int) throws {
        try visitSingularSInt64Field(value: Int64(value), fieldNumber: fieldNumber)
    }

    mutating func visitSingularSInt64Field(value: Int64, fieldNumber: Int) throws {
        try visitSingularUInt64Field(value: Self.zigZag(value), fieldNumber: fieldNumber)
    }

    mutating func visitSingularFixed32Field(value: UInt32, fieldNumber: Int) throws {
        try writeTag(fieldNumber, .fixed32)
        try writeLittleEndian(value)
    }

    mutating func visitSingularFixed64Field(value: UInt64, fieldNumber: Int) throws {
        try writeTag(fieldNumber, .fixed64)
        try writeLittleEndian(value)
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
        try writeTag(fieldNumber, .lengthDelimited)
        let utf8 = value.utf8
        try writeVarint(UInt64(utf8.count))
        let written: Void? = try utf8.withContiguousStorageIfAvailable { try writeRaw(UnsafeRawBufferPointer($0)) }
        if written == nil {
            try checkRoom(for: utf8.count)
            for byte in utf8 {
                try writeByte(byte)
            }
        }
    }

    mutating func visitSingularBytesField(value: Data, fieldNumber: Int) throws {
        try writeTag(fieldNumber, .lengthDelimited)
        try writeVarint(UInt64(value.count))
        try value.withUnsafeBytes { try writeRaw($0) }
    }

    mutating func visitSingularEnumField<E: Enum>(value: E, fieldNumber: Int) throws {
        try visitSingularUInt64Field(value: UInt64(bitPattern: Int64(value.rawValue)), fieldNumber: fieldNumber)
    }

    mutating func visitSingularMessageField<M: Message>(value: M, fieldNumber: Int) throws {
        try writeTag(fieldNumber, .lengthDelimited)
        try writeMessage(value)
    }

    mutating func visitSingularGroupField<G: Message>(value: G, fieldNumber: Int) throws {
        try writeTag(fieldNumber, .startGroup)
        try value.traverse(visitor: &self)
        try writeTag(fieldNumber, .endGroup)
    }

    // MARK: Packed fields (repeated ones use the protocol's defaults: one field per element)

    mutating func writePacked<T>(_ values: [T], fieldNumber: Int, _ write: (inout ProtobufWriter, T) throws -> Void) throws {
        try writeTag(fieldNumber, .lengthDelimited)
        let bodyStart = try beginDelimited()
        for value in values {
            try write(&self, value)
        }
        try endDelimited(bodyStart)
    }

    mutating func visitPackedFloatField(value: [Float], fieldNumber: Int) throws {
        try writePacked(value, fieldNumber: fieldNumber) { try $0.writeLittleEndian($1.bitPattern) }
    }

    mutating func visitPackedDoubleField(value: [Double], fieldNumber: Int) throws {
        try writePacked(value, fieldNumber: fieldNumber) { try $0.writeLittleEndian($1.bitPattern) }
    }

    mutating func visitPackedInt32Field(value: [Int32], fieldNumber: Int) throws {
        try writePacked(value, fieldNumber: fieldNumber) { try $0.writeVarint(UInt64(bitPattern: Int64($1))) }
    }

    mutating func visitPackedInt64Field(value: [Int64], fieldNumber: Int) throws {
        try writePacked(value, fieldNumber: fieldNumber) { try $0.writeVarint(UInt64(bitPattern: $1)) }
    }

    mutating func visitPackedUInt32Field(value: [UInt32], fieldNumber: Int) throws {
        try writePacked(value, fieldNumber: fieldNumber) { try $0.writeVarint(UInt64($1)) }
    }

    mutating func visitPackedUInt64Field(value: [UInt64], fieldNumber: Int) throws {
        try writePacked(value, fieldNumber: fieldNumber) { try $0.writeVarint($1) }
    }

    mutating func visitPackedSInt32Field(value: [Int32], fieldNumber: Int) throws {
        try writePacked(value, fieldNumber: fieldNumber) { try $0.writeVarint(Self.zigZag(Int64($1))) }
    }

    mutating func visitPackedSInt64Field(value: [Int64], fieldNumber: Int) throws {
        try writePacked(value, fieldNumber: fieldNumber) { try $0.writeVarint(Self.zigZag($1)) }
    }

    mutating func visitPackedFixed32Field(value: [UInt32], fieldNumber: Int) throws {
        try writePacked(value, fieldNumber: fieldNumber) { try $0.writeLittleEndian($1) }
    }

    mutating func visitPackedFixed64Field(value: [UInt64], fieldNumber: Int) throws {
        try writePacked(value, fieldNumber: fieldNumber) { try $0.writeLittleEndian($1) }
    }

    mutating func visitPackedSFixed32Field(value: [Int32], fieldNumber: Int) throws {
        try writePacked(value, fieldNumber: fieldNumber) { try $0.writeLittleEndian($1) }
    }

    mutating func visitPackedSFixed64Field(value: [Int64], fieldNumber: Int) throws {
        try writePacked(value, fieldNumber: fieldNumber) { try $0.writeLittleEndian($1) }
    }

    mutating func visitPackedBoolField(value: [Bool], fieldNumber: Int) throws {
        try writePacked(value, fieldNumber: fieldNumber) { try $0.writeVarint($1 ? 1 : 0) }
    }

    mutating func visitPackedEnumField<E: Enum>(value: [E], fieldNumber: Int) throws {
        try writePacked(value, fieldNumber: fieldNumber) { try $0.writeVarint(UInt64(bitPattern: Int64($1.rawValue))) }
    }

    // MARK: Maps: one entry message (key field 1, value field 2) per element

    mutating func writeMap<KeyType: MapKeyType, Value>(
        _ map: [KeyType.BaseType: Value],
        keyType: KeyType.Type,
        fieldNumber: Int,
        _ writeValue: (inout ProtobufWriter, Value) throws -> Void
    ) throws {
        for (key, element) in map {
            try writeTag(fieldNumber, .lengthDelimited)
            let bodyStart = try beginDelimited()
            try KeyType.visitSingular(value: key, fieldNumber: 1, with: &self)
            try writeValue(&self, element)
            try endDelimited(bodyStart)
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
        try bytes.withUnsafeBytes { try writeRaw($0) }
    }

    static func zigZag(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: (value << 1) ^ (value >> 63))
    }
}

/// Why ``ProtobufWriter`` stopped.
enum ProtobufWriterError: Error, CustomStringConvertible {
    /// The memory it was given holds less than the encoding: `needed` bytes at least.
    case outOfRoom(needed: Int)
    /// The encoding exceeds protobuf's limit of 2 GiB.
    case messageTooLarge
    /// The message holds a message set, which it leaves to swift-protobuf.
    case messageSet

    var description: String {
        switch self {
        case .outOfRoom(let needed):
            "the encoding needs at least \(needed) bytes"
        case .messageTooLarge:
            "the message's encoding exceeds protobuf's limit of 2 GiB"
        case .messageSet:
            "the message holds a message set"
        }
    }
}
