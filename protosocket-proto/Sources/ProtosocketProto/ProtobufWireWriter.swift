#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SwiftProtobuf

/// A message that writes its own protobuf binary form, field by field, with a
/// ``ProtobufWireWriter``, instead of through swift-protobuf's generic visitor.
///
/// ``ProtobufCodec`` encodes an outbound message of a conforming type this way.
/// The generated `traverse(visitor:)` is generic over the visitor and compiled in
/// the module of the generated code, so every field reaches the codec's writer
/// through a protocol witness; an encoder written for one message is plain code.
/// Worth it for the messages on a hot path: it is code to keep in step with the
/// schema by hand.
///
/// The contract, which a test comparing with swift-protobuf should hold for each
/// conforming type: the bytes are exactly those of swift-protobuf's
/// `serializedBytes()`. That is, fields in field-number order; a proto3 field
/// without presence left out when it holds its default (zero, empty); a set
/// `oneof` case or optional message written even when empty; the message's
/// `unknownFields` last.
///
/// ```swift
/// extension Ping: ProtobufWireEncodable {
///     func encode(protobufWire writer: inout ProtobufWireWriter) throws {
///         if id != 0 { try writer.writeVarint(id, field: 1) }
///         if !note.isEmpty { try writer.writeString(note, field: 2) }
///         try writer.writeUnknownFields(unknownFields)
///     }
/// }
/// ```
public protocol ProtobufWireEncodable: SwiftProtobuf.Message {
    /// Writes every field that swift-protobuf would write, in its order.
    ///
    /// - Throws: only what `writer` throws; let it through (the codec makes
    ///   room and calls again when the memory it gave runs out).
    func encode(protobufWire writer: inout ProtobufWireWriter) throws
}

/// Writes one message's protobuf binary encoding, field by field, for a
/// ``ProtobufWireEncodable`` encoder.
///
/// A writer is valid only inside the call it is handed to (it writes into memory
/// it does not own). Each method writes the field as given: leaving out fields
/// at their default is the encoder's choice, as in swift-protobuf's generated
/// code.
public struct ProtobufWireWriter {
    enum WireType: UInt64 {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
        case startGroup = 3
        case endGroup = 4
        case fixed32 = 5
    }

    /// The largest message it writes: protobuf's own limit (2 GiB).
    @usableFromInline
    static let maximumLength = Int(Int32.max)

    @usableFromInline
    let start: UnsafeMutableRawPointer
    @usableFromInline
    let capacity: Int
    /// Bytes written so far.
    @usableFromInline
    var position = 0

    @inlinable
    init(start: UnsafeMutableRawPointer, capacity: Int) {
        self.start = start
        self.capacity = capacity
    }

    // MARK: Fields

    /// A varint field: `uint64` as it is; `uint32`, `bool` and unsigned values
    /// widened; `int32`, `int64` and enums as `UInt64(bitPattern: Int64(value))`
    /// (protobuf writes a negative `int32` in ten bytes).
    public mutating func writeVarint(_ value: UInt64, field: Int) throws {
        try writeTag(field, .varint)
        try writeRawVarint(value)
    }

    /// A string field.
    public mutating func writeString(_ value: String, field: Int) throws {
        try writeTag(field, .lengthDelimited)
        try writeStringBody(value)
    }

    /// A message field: `body` writes the nested message's fields (with that
    /// message's own encoder), and its length goes before them.
    public mutating func writeMessage(field: Int, _ body: (inout ProtobufWireWriter) throws -> Void) throws {
        try writeTag(field, .lengthDelimited)
        let bodyStart = try beginDelimited()
        try body(&self)
        try endDelimited(bodyStart)
    }

    /// The fields a message kept without knowing them (swift-protobuf writes
    /// them last).
    public mutating func writeUnknownFields(_ fields: UnknownStorage) throws {
        guard !fields.data.isEmpty else {
            return
        }
        try fields.data.withUnsafeBytes { try writeRaw($0) }
    }

    // MARK: Primitives

    /// Makes sure `count` more bytes fit.
    @inlinable
    @inline(__always)
    func checkRoom(for count: Int) throws {
        guard count <= capacity - position else {
            let (needed, overflow) = position.addingReportingOverflow(count)
            throw ProtobufWriterError.outOfRoom(needed: overflow ? Int.max : needed)
        }
    }

    @inlinable
    @inline(__always)
    mutating func writeByte(_ byte: UInt8) throws {
        try checkRoom(for: 1)
        start.storeBytes(of: byte, toByteOffset: position, as: UInt8.self)
        position += 1
    }

    @inline(__always)
    mutating func writeRawVarint(_ value: UInt64) throws {
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
        try writeRawVarint(UInt64(truncatingIfNeeded: fieldNumber) << 3 | wireType.rawValue)
    }

    mutating func writeRaw(_ bytes: UnsafeRawBufferPointer) throws {
        guard let source = bytes.baseAddress else {
            return
        }
        try checkRoom(for: bytes.count)
        (start + position).copyMemory(from: source, byteCount: bytes.count)
        position += bytes.count
    }

    /// A string's length and UTF-8 bytes.
    mutating func writeStringBody(_ value: String) throws {
        let utf8 = value.utf8
        try writeRawVarint(UInt64(utf8.count))
        let written: Void? = try utf8.withContiguousStorageIfAvailable { try writeRaw(UnsafeRawBufferPointer($0)) }
        if written == nil {
            try checkRoom(for: utf8.count)
            for byte in utf8 {
                try writeByte(byte)
            }
        }
    }

    /// Leaves a byte for a length; ``endDelimited(_:)`` fills it in.
    @inlinable
    @inline(__always)
    mutating func beginDelimited() throws -> Int {
        try writeByte(0)
        return position
    }

    /// Writes the length of what was written since `bodyStart` before it; in
    /// the rare case of 128 bytes or more, moves those bytes along by the extra
    /// length bytes.
    @inlinable
    mutating func endDelimited(_ bodyStart: Int) throws {
        let length = position - bodyStart
        if length < 0x80 {
            start.storeBytes(of: UInt8(truncatingIfNeeded: length), toByteOffset: bodyStart - 1, as: UInt8.self)
            return
        }
        try endLongDelimited(bodyStart, length: length)
    }

    @usableFromInline
    mutating func endLongDelimited(_ bodyStart: Int, length: Int) throws {
        guard length <= Self.maximumLength else {
            throw ProtobufWriterError.messageTooLarge
        }
        let extra = Varint.encodedLength(of: UInt64(length)) - 1
        try checkRoom(for: extra)
        (start + bodyStart + extra).copyMemory(from: start + bodyStart, byteCount: length)
        _ = Varint.write(UInt64(length), to: UnsafeMutableRawBufferPointer(start: start + bodyStart - 1, count: extra + 1))
        position += extra
    }
}

/// Why a ``ProtobufWireWriter`` stopped.
@usableFromInline
enum ProtobufWriterError: Error, CustomStringConvertible {
    /// The memory it was given holds less than the encoding: `needed` bytes at least.
    case outOfRoom(needed: Int)
    /// The encoding exceeds protobuf's limit of 2 GiB.
    case messageTooLarge
    /// The message holds a message set, which it leaves to swift-protobuf.
    case messageSet

    @usableFromInline
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
