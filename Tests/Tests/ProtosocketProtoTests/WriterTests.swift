import Foundation
import NIOCore
import ProtosocketProto
import SwiftProtobuf
import Testing

/// The codec writes messages itself, in one walk; these tests hold its bytes to
/// swift-protobuf's own `serializedBytes()`, for every kind of field a message
/// can visit.
@Suite("Protobuf codec: bytes the same as swift-protobuf's")
struct WriterTests {
    /// The frame swift-protobuf's serializer gives: length prefix, then body.
    static func reference<M: Message>(_ message: M) throws -> [UInt8] {
        let body: [UInt8] = try message.serializedBytes(partial: true)
        var prefix = ByteBuffer()
        Varint.write(UInt64(body.count), into: &prefix)
        return Array(prefix.readableBytesView) + body
    }

    static func encoded<M: Message>(_ message: M, into buffer: ByteBuffer = ByteBuffer()) throws -> [UInt8] {
        var codec = ProtobufCodec<M, M>()
        var buffer = buffer
        let before = buffer.readableBytes
        try codec.encode(message, into: &buffer)
        return Array(buffer.readableBytesView.dropFirst(before))
    }

    static let cases: [(name: String, message: EveryFieldKind)] = [
        ("empty", EveryFieldKind()),
        ("scalars, small", .scalars(seed: 1)),
        ("scalars, negative and large", .scalars(seed: -0x1234_5678_9abc)),
        ("scalars, extremes", .scalars(seed: Int64.min)),
        ("repeated and packed", .lists(count: 5)),
        ("packed bodies longer than 127 and 16,383 bytes", .lists(count: 3000)),
        ("maps", .maps(count: 4)),
        ("nested message and group", .nested(depth: 3, text: "hi")),
        ("nested message longer than 127 bytes", .nested(depth: 2, text: String(repeating: "x", count: 200))),
        ("nested message longer than 2,097,151 bytes", .nested(depth: 2, text: String(repeating: "y", count: 2_100_000))),
        ("unknown fields", .withUnknownFields),
    ]

    @Test("a frame holds the same bytes as swift-protobuf's", arguments: 0..<cases.count)
    func sameBytes(_ index: Int) throws {
        let message = Self.cases[index].message
        #expect(try Self.encoded(message) == Self.reference(message))
    }

    @Test("a message larger than the buffer's room is written whole, after what the buffer held")
    func growsTheBuffer() throws {
        var buffer = ByteBufferAllocator().buffer(capacity: 16)
        buffer.writeBytes([1, 2, 3])
        let message = EveryFieldKind.lists(count: 500)
        #expect(try Self.encoded(message, into: buffer) == Self.reference(message))
    }

    @Test("a message set is left to swift-protobuf, with the same bytes")
    func messageSet() throws {
        var message = EveryFieldKind.scalars(seed: 7)
        message.visitsMessageSet = true
        #expect(try Self.encoded(message) == Self.reference(message))
    }
}

/// A message that visits every kind of field swift-protobuf's visitors know, with
/// the values it holds (hand-written: the generated code of a schema with every
/// kind would be large, and visiting is all the writer sees).
struct EveryFieldKind: SwiftProtobuf.Message, SwiftProtobuf._MessageImplementationBase, SwiftProtobuf._ProtoNameProviding {
    static let protoMessageName = "test.EveryFieldKind"
    static let _protobuf_nameMap = SwiftProtobuf._NameMap()

    var unknownFields = SwiftProtobuf.UnknownStorage()
    var integers: [Int64] = []
    var text = ""
    var bytes = Data()
    var child: [EveryFieldKind] = []
    var stringMap: [String: Int32] = [:]
    var enumMap: [Int32: Google_Protobuf_NullValue] = [:]
    var messageMap: [String: Google_Protobuf_Duration] = [:]
    var visitsMessageSet = false

    init() {}

    static func scalars(seed: Int64) -> EveryFieldKind {
        var message = EveryFieldKind()
        message.integers = [seed]
        message.text = "héllo \(seed)"
        message.bytes = Data([0, 1, 2, 0xFF])
        return message
    }

    static func lists(count: Int) -> EveryFieldKind {
        var message = EveryFieldKind()
        message.integers = (0..<Int64(count)).map { $0 &* 0x0102_0304_0506 &- 99 }
        return message
    }

    static func maps(count: Int) -> EveryFieldKind {
        var message = EveryFieldKind()
        for index in 0..<count {
            message.stringMap["key \(index)"] = Int32(index) - 2
            message.enumMap[Int32(index)] = .nullValue
            message.messageMap["d\(index)"] = .with { $0.seconds = Int64(index) * 1000; $0.nanos = Int32(index) }
        }
        return message
    }

    static func nested(depth: Int, text: String) -> EveryFieldKind {
        var message = EveryFieldKind.scalars(seed: Int64(depth))
        message.text = text
        if depth > 0 {
            message.child = [nested(depth: depth - 1, text: text)]
        }
        return message
    }

    static var withUnknownFields: EveryFieldKind {
        // Field 99 (varint 5) and field 100 (bytes "ab"), kept as unknown.
        var message = EveryFieldKind()
        try? message.merge(serializedBytes: [0x98, 0x06, 0x05, 0xA2, 0x06, 0x02, 0x61, 0x62] as [UInt8])
        return message
    }

    mutating func decodeMessage<D: SwiftProtobuf.Decoder>(decoder: inout D) throws {
        // Every field is unknown to the decoder: kept in `unknownFields`.
        while try decoder.nextFieldNumber() != nil {}
    }

    func traverse<V: SwiftProtobuf.Visitor>(visitor: inout V) throws {
        for (offset, value) in integers.enumerated() where offset == 0 {
            let narrow = Int32(truncatingIfNeeded: value)
            let unsigned = UInt64(bitPattern: value)
            try visitor.visitSingularFloatField(value: Float(value) / 3, fieldNumber: 1)
            try visitor.visitSingularDoubleField(value: Double(value) / 7, fieldNumber: 2)
            try visitor.visitSingularInt32Field(value: narrow, fieldNumber: 3)
            try visitor.visitSingularInt64Field(value: value, fieldNumber: 4)
            try visitor.visitSingularUInt32Field(value: UInt32(truncatingIfNeeded: unsigned), fieldNumber: 5)
            try visitor.visitSingularUInt64Field(value: unsigned, fieldNumber: 6)
            try visitor.visitSingularSInt32Field(value: narrow, fieldNumber: 7)
            try visitor.visitSingularSInt64Field(value: value, fieldNumber: 8)
            try visitor.visitSingularFixed32Field(value: UInt32(truncatingIfNeeded: unsigned), fieldNumber: 9)
            try visitor.visitSingularFixed64Field(value: unsigned, fieldNumber: 10)
            try visitor.visitSingularSFixed32Field(value: narrow, fieldNumber: 11)
            try visitor.visitSingularSFixed64Field(value: value, fieldNumber: 12)
            try visitor.visitSingularBoolField(value: value & 1 == 1, fieldNumber: 13)
            try visitor.visitSingularEnumField(value: Google_Protobuf_Syntax.proto3, fieldNumber: 14)
        }
        if !text.isEmpty {
            try visitor.visitSingularStringField(value: text, fieldNumber: 15)
        }
        if !bytes.isEmpty {
            try visitor.visitSingularBytesField(value: bytes, fieldNumber: 16)
        }
        if integers.count > 1 {
            let narrow = integers.map { Int32(truncatingIfNeeded: $0) }
            let unsigned = integers.map { UInt64(bitPattern: $0) }
            let unsigned32 = unsigned.map { UInt32(truncatingIfNeeded: $0) }
            try visitor.visitRepeatedInt64Field(value: integers, fieldNumber: 17)
            try visitor.visitRepeatedStringField(value: integers.prefix(3).map { "s\($0)" }, fieldNumber: 18)
            try visitor.visitPackedFloatField(value: integers.map { Float($0) }, fieldNumber: 20)
            try visitor.visitPackedDoubleField(value: integers.map { Double($0) }, fieldNumber: 21)
            try visitor.visitPackedInt32Field(value: narrow, fieldNumber: 22)
            try visitor.visitPackedInt64Field(value: integers, fieldNumber: 23)
            try visitor.visitPackedUInt32Field(value: unsigned32, fieldNumber: 24)
            try visitor.visitPackedUInt64Field(value: unsigned, fieldNumber: 25)
            try visitor.visitPackedSInt32Field(value: narrow, fieldNumber: 26)
            try visitor.visitPackedSInt64Field(value: integers, fieldNumber: 27)
            try visitor.visitPackedFixed32Field(value: unsigned32, fieldNumber: 28)
            try visitor.visitPackedFixed64Field(value: unsigned, fieldNumber: 29)
            try visitor.visitPackedSFixed32Field(value: narrow, fieldNumber: 30)
            try visitor.visitPackedSFixed64Field(value: integers, fieldNumber: 31)
            try visitor.visitPackedBoolField(value: integers.map { $0 & 1 == 0 }, fieldNumber: 32)
            try visitor.visitPackedEnumField(
                value: integers.map { $0 & 1 == 0 ? Google_Protobuf_Syntax.proto2 : .editions },
                fieldNumber: 33
            )
        }
        if let first = child.first {
            try visitor.visitSingularMessageField(value: first, fieldNumber: 40)
            try visitor.visitRepeatedMessageField(value: child + child, fieldNumber: 41)
            try visitor.visitSingularGroupField(value: first, fieldNumber: 42)
            try visitor.visitRepeatedGroupField(value: child, fieldNumber: 43)
        }
        if !stringMap.isEmpty {
            try visitor.visitMapField(
                fieldType: _ProtobufMap<ProtobufString, ProtobufSInt32>.self, value: stringMap, fieldNumber: 50
            )
            try visitor.visitMapField(
                fieldType: _ProtobufEnumMap<ProtobufInt32, Google_Protobuf_NullValue>.self, value: enumMap, fieldNumber: 51
            )
            try visitor.visitMapField(
                fieldType: _ProtobufMessageMap<ProtobufString, Google_Protobuf_Duration>.self,
                value: messageMap,
                fieldNumber: 52
            )
        }
        if visitsMessageSet {
            try visitor.visitExtensionFieldsAsMessageSet(fields: ExtensionFieldValueSet(), start: 1000, end: 2000)
        }
        try unknownFields.traverse(visitor: &visitor)
    }

    static func == (lhs: EveryFieldKind, rhs: EveryFieldKind) -> Bool {
        lhs.integers == rhs.integers && lhs.text == rhs.text && lhs.bytes == rhs.bytes && lhs.child == rhs.child
            && lhs.stringMap == rhs.stringMap && lhs.enumMap == rhs.enumMap && lhs.messageMap == rhs.messageMap
            && lhs.unknownFields == rhs.unknownFields
    }
}
