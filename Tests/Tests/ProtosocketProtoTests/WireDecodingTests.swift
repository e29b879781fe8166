import EchoProto
import NIOCore
import Protosocket
import ProtosocketProto
import SwiftProtobuf
import Testing
import TestSupport

/// `Echo_Request`'s own decoder (`ProtobufWireDecodable`) against
/// swift-protobuf's: the contract the protocol documents.
@Suite("Protobuf wire decoding of the echo request, against swift-protobuf")
struct WireDecodingTests {
    /// The request `bytes` decode to with the message's own decoder, or its error.
    static func wireDecoded(_ bytes: [UInt8]) -> Result<Echo_Request, any Error> {
        Result { try read(bytes) { try Echo_Request(protobufWire: &$0) } }
    }

    /// swift-protobuf's decoding of `bytes`, unknown fields dropped (the wire
    /// decoder skips them).
    static func protobufDecoded(_ bytes: [UInt8]) -> Result<Echo_Request, any Error> {
        Result {
            var message = try Echo_Request(serializedBytes: bytes)
            message.unknownFields = UnknownStorage()
            if message.hasBody {
                message.body.unknownFields = UnknownStorage()
            }
            return message
        }
    }

    static func randomString(_ random: inout SeededGenerator) -> String {
        let pieces = ["", "a", "hello", "é", "日本", "🙂", "\u{0}", "0123456789abcdef"]
        return (0..<Int.random(in: 0...4, using: &random)).map { _ in pieces.randomElement(using: &random) ?? "" }.joined()
    }

    static func randomRequest(_ random: inout SeededGenerator) -> Echo_Request {
        .with {
            if Bool.random(using: &random) { $0.requestID = random.next() >> UInt64.random(in: 0...63, using: &random) }
            if Bool.random(using: &random) { $0.code = UInt32.random(in: 0...3, using: &random) }
            if Bool.random(using: &random) {
                $0.body = .with {
                    $0.message = randomString(&random)
                    if Bool.random(using: &random) { $0.nanotime = random.next() }
                }
            }
            $0.responseBehavior = [.unary, .stream, .UNRECOGNIZED(7), .UNRECOGNIZED(-1)].randomElement(using: &random) ?? .unary
        }
    }

    /// A field numbered 5 to 15 (a one-byte key) of a random wire type (0, 1, 2
    /// or 5), as bytes.
    static func randomUnknownField(_ random: inout SeededGenerator) -> [UInt8] {
        let number = UInt8.random(in: 5...15, using: &random)
        switch Int.random(in: 0..<4, using: &random) {
        case 0: return [number << 3, 0x96, 0x01]
        case 1: return [number << 3 | 1] + [UInt8](repeating: 0xAB, count: 8)
        case 2: return [number << 3 | 2, 3, 0xFF, 0x00, 0x80]
        default: return [number << 3 | 5] + [UInt8](repeating: 0xCD, count: 4)
        }
    }

    @Test("2,000 random requests, with unknown fields and repeated fields (a second message appended merges), decode to what swift-protobuf decodes")
    func validEncodings() throws {
        var random = SeededGenerator(seed: 0x5EED_0001)
        for _ in 0..<2_000 {
            var bytes: [UInt8] = try Self.randomRequest(&random).serializedBytes()
            if Bool.random(using: &random) {
                bytes += Self.randomUnknownField(&random)
            }
            if Bool.random(using: &random) {
                bytes += try Self.randomRequest(&random).serializedBytes() as [UInt8]
            }
            let expected = try Self.protobufDecoded(bytes).get()
            #expect(try Self.wireDecoded(bytes).get() == expected, "bytes \(bytes)")
        }
    }

    @Test("20,000 random and mutated inputs: the wire decoder accepts only what swift-protobuf accepts, with the same result")
    func arbitraryBytes() throws {
        var random = SeededGenerator(seed: 0x5EED_0002)
        var accepted = 0
        var refused = 0
        for round in 0..<20_000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<Int.random(in: 0...24, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            } else {
                bytes = try Self.randomRequest(&random).serializedBytes()
                for _ in 0..<Int.random(in: 1...3, using: &random) where !bytes.isEmpty {
                    bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
                }
                if Bool.random(using: &random), !bytes.isEmpty {
                    bytes.removeLast(Int.random(in: 1...bytes.count, using: &random))
                }
            }
            switch Self.wireDecoded(bytes) {
            case .success(let message):
                accepted += 1
                #expect(try Self.protobufDecoded(bytes).get() == message, "bytes \(bytes)")
            case .failure:
                refused += 1
            }
        }
        // Both outcomes happened, many times: the comparison above ran.
        #expect(accepted > 1_000)
        #expect(refused > 1_000)
    }

    @Test("the codec decodes a wire-decodable type with its own decoder (unknown fields skipped) and any other type with swift-protobuf's (kept)")
    func codecDispatch() throws {
        let known: [UInt8] = try Echo_Request.with { $0.requestID = 9 }.serializedBytes()
        let body = known + [0x40, 0x01]  // field 8, varint 1: unknown to both types
        let frame = ByteBuffer(bytes: [UInt8(body.count)] + body)

        var requestCodec = ProtobufCodec<Echo_Request, Echo_Request>()
        guard case .message(let request, _) = requestCodec.decode(frame) else {
            Issue.record("expected a request")
            return
        }
        #expect(request.requestID == 9)
        #expect(request.unknownFields.data.isEmpty)

        var responseCodec = ProtobufCodec<Echo_Response, Echo_Response>()
        guard case .message(let response, _) = responseCodec.decode(frame) else {
            Issue.record("expected a response")
            return
        }
        #expect(response.requestID == 9)
        #expect(Array(response.unknownFields.data) == [0x40, 0x01])
    }
}
