import EchoProto
import NIOCore
import ProtosocketProto
import SwiftProtobuf
import Testing
import TestSupport

/// The echo messages' own encoders (`ProtobufWireEncodable`) against
/// swift-protobuf's `serializedBytes()`: the contract the protocol documents.
@Suite("Protobuf wire encoding of the echo messages, against swift-protobuf")
struct WireEncodingTests {
    /// A string of random pieces, now and then longer than 127 or 16,383 bytes
    /// (a length of two or three bytes).
    static func randomString(_ random: inout SeededGenerator) -> String {
        switch Int.random(in: 0..<20, using: &random) {
        case 0: return String(repeating: "x", count: Int.random(in: 100...300, using: &random))
        case 1: return String(repeating: "é", count: Int.random(in: 8_000...9_000, using: &random))
        default: return WireDecodingTests.randomString(&random)
        }
    }

    /// Unknown fields as swift-protobuf keeps them: decoded from bytes.
    static func randomUnknownFields(_ random: inout SeededGenerator) throws -> UnknownStorage {
        guard Bool.random(using: &random) else {
            return UnknownStorage()
        }
        let carrier = try Echo_EchoStream(serializedBytes: WireDecodingTests.randomUnknownField(&random))
        return carrier.unknownFields
    }

    static func randomResponse(_ random: inout SeededGenerator) throws -> Echo_Response {
        var response = Echo_Response()
        if Bool.random(using: &random) { response.requestID = random.next() >> UInt64.random(in: 0...63, using: &random) }
        if Bool.random(using: &random) { response.code = UInt32.random(in: 0...3, using: &random) }
        switch Int.random(in: 0..<3, using: &random) {
        case 0:
            var echo = Echo_EchoResponse()
            echo.message = randomString(&random)
            if Bool.random(using: &random) { echo.nanotime = random.next() }
            echo.unknownFields = try randomUnknownFields(&random)
            response.echo = echo
        case 1:
            var stream = Echo_EchoStream()
            stream.message = randomString(&random)
            if Bool.random(using: &random) { stream.nanotime = random.next() }
            if Bool.random(using: &random) { stream.sequence = UInt64.random(in: 0...2_000, using: &random) }
            stream.unknownFields = try randomUnknownFields(&random)
            response.stream = stream
        default:
            break
        }
        response.unknownFields = try randomUnknownFields(&random)
        return response
    }

    static func randomRequest(_ random: inout SeededGenerator) throws -> Echo_Request {
        var request = WireDecodingTests.randomRequest(&random)
        if request.hasBody {
            if Int.random(in: 0..<10, using: &random) == 0 {
                request.body.message = randomString(&random)
            }
            request.body.unknownFields = try randomUnknownFields(&random)
        }
        request.unknownFields = try randomUnknownFields(&random)
        return request
    }

    @Test("2,000 random responses (each kind, long strings, unknown fields) are written with swift-protobuf's bytes")
    func responses() throws {
        var random = SeededGenerator(seed: 0x5EED_0E01)
        var kinds = Set<Int>()
        for _ in 0..<2_000 {
            let response = try Self.randomResponse(&random)
            switch response.kind {
            case .echo?: kinds.insert(0)
            case .stream?: kinds.insert(1)
            case nil: kinds.insert(2)
            }
            #expect(try WriterTests.encoded(response) == WriterTests.reference(response), "\(response)")
        }
        #expect(kinds == [0, 1, 2])
    }

    @Test("2,000 random requests (with and without a body, unknown enum values, unknown fields) are written with swift-protobuf's bytes")
    func requests() throws {
        var random = SeededGenerator(seed: 0x5EED_0E02)
        for _ in 0..<2_000 {
            let request = try Self.randomRequest(&random)
            #expect(try WriterTests.encoded(request) == WriterTests.reference(request), "\(request)")
        }
    }

    @Test("a message larger than the buffer's room is written whole, after what the buffer held", arguments: [100, 20_000, 3_000_000])
    func growsTheBuffer(length: Int) throws {
        let response = Echo_Response.with {
            $0.requestID = 7
            $0.stream = .with {
                $0.message = String(repeating: "z", count: length)
                $0.sequence = 3
            }
        }
        var buffer = ByteBufferAllocator().buffer(capacity: 16)
        buffer.writeBytes([1, 2, 3])
        #expect(try WriterTests.encoded(response, into: buffer) == WriterTests.reference(response))
    }

    @Test("the codec writes a wire-encodable type with its own encoder, and any other type through swift-protobuf's traverse")
    func codecDispatch() throws {
        // The two paths of this type write different values for field 1.
        #expect(try WriterTests.encoded(TwoEncodings()) == [2, 0x08, 2])
        #expect(try WriterTests.reference(TwoEncodings()) == [2, 0x08, 1])
    }
}

/// A message whose own encoder writes field 1 as 2, and whose `traverse` as 1:
/// which one the codec used shows in the bytes.
struct TwoEncodings: SwiftProtobuf.Message, SwiftProtobuf._MessageImplementationBase, SwiftProtobuf._ProtoNameProviding,
    ProtobufWireEncodable
{
    static let protoMessageName = "test.TwoEncodings"
    static let _protobuf_nameMap = SwiftProtobuf._NameMap()

    var unknownFields = SwiftProtobuf.UnknownStorage()

    init() {}

    mutating func decodeMessage<D: SwiftProtobuf.Decoder>(decoder: inout D) throws {
        while try decoder.nextFieldNumber() != nil {}
    }

    func traverse<V: SwiftProtobuf.Visitor>(visitor: inout V) throws {
        try visitor.visitSingularUInt64Field(value: 1, fieldNumber: 1)
    }

    func encode(protobufWire writer: inout ProtobufWireWriter) throws {
        try writer.writeVarint(2, field: 1)
    }

    static func == (lhs: TwoEncodings, rhs: TwoEncodings) -> Bool {
        true
    }
}
