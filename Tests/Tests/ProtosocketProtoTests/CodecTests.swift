import EchoProto
import NIOCore
import Protosocket
import ProtosocketProto
import SwiftProtobuf
import Testing
import TestSupport

@Suite("Protobuf length-delimited codec")
struct CodecTests {
    typealias Codec = ProtobufCodec<Echo_Request, Echo_Request>

    /// A `Request` with one field (or all) set, and its body's bytes worked out from
    /// the protobuf encoding rules: each field is a tag (field number << 3 | wire
    /// type) then its value; varints are wire type 0, messages and strings type 2
    /// with a length.
    static let vectors: [(name: String, message: Echo_Request, body: [UInt8])] = [
        ("request_id = 300", .with { $0.requestID = 300 }, [0x08, 0xAC, 0x02]),
        ("code = 2", .with { $0.code = 2 }, [0x10, 0x02]),
        (
            "body = {message: \"hi\", nanotime: 5}",
            .with { $0.body = .with { $0.message = "hi"; $0.nanotime = 5 } },
            [0x1A, 0x06, 0x0A, 0x02, 0x68, 0x69, 0x10, 0x05]
        ),
        ("response_behavior = STREAM", .with { $0.responseBehavior = .stream }, [0x20, 0x01]),
        (
            "every field",
            .with {
                $0.requestID = 300
                $0.code = 2
                $0.body = .with { $0.message = "hi"; $0.nanotime = 5 }
                $0.responseBehavior = .stream
            },
            [0x08, 0xAC, 0x02, 0x10, 0x02, 0x1A, 0x06, 0x0A, 0x02, 0x68, 0x69, 0x10, 0x05, 0x20, 0x01]
        ),
        ("no field", Echo_Request(), []),
    ]

    @Test("encodes a Request to its hand-computed bytes and decodes them back", arguments: 0..<vectors.count)
    func knownBytes(_ index: Int) throws {
        let (_, message, body) = Self.vectors[index]
        let frame = [UInt8(body.count)] + body
        var codec = Codec()
        var buffer = ByteBuffer()
        try codec.encode(message, into: &buffer)
        #expect(Array(buffer.readableBytesView) == frame)

        guard case .message(let decoded, let consumed) = codec.decode(ByteBuffer(bytes: frame)) else {
            Issue.record("expected a message")
            return
        }
        #expect(decoded == message)
        #expect(consumed == frame.count)
    }

    @Test("every prefix of a frame is incomplete, with the exact total once the length is readable")
    func exactIncompleteTotals() throws {
        var codec = Codec()
        var frame = ByteBuffer()
        // message: tag, 2-byte length, 194 bytes = 197; body field: tag, 2-byte
        // length, 197 bytes = 200; the frame: 2-byte prefix + 200 = 202.
        try codec.encode(.with { $0.body.message = String(repeating: "x", count: 194) }, into: &frame)
        let bytes = Array(frame.readableBytesView)
        #expect(bytes.count == 202)
        for length in 0..<bytes.count {
            let result = codec.decode(ByteBuffer(bytes: bytes[0..<length]))
            guard case .incomplete(let total) = result else {
                Issue.record("prefix of \(length) bytes: expected incomplete, got \(result)")
                continue
            }
            #expect(total == (length < 2 ? nil : 202), "prefix of \(length) bytes")
        }
    }

    @Test("a body that does not parse is invalid")
    func unparseableBody() {
        var codec = Codec()
        // Field 1 as a length-delimited field (wrong wire type for uint64), and its
        // length runs past the body.
        let frame = ByteBuffer(bytes: [0x03, 0x0A, 0x05, 0x01])
        guard case .invalid = codec.decode(frame) else {
            Issue.record("expected invalid")
            return
        }
    }

    @Test("an 11-byte length prefix is invalid")
    func overlongPrefix() {
        var codec = Codec()
        let frame = ByteBuffer(bytes: [UInt8](repeating: 0x80, count: 10) + [0x01, 0x00])
        guard case .invalid = codec.decode(frame) else {
            Issue.record("expected invalid")
            return
        }
    }

    @Test("a length above the maximum is invalid before the body arrives")
    func aboveMaximum() {
        var codec = ProtobufCodec<Echo_Request, Echo_Request>(maximumMessageSize: 100)
        var prefix = ByteBuffer()
        Varint.write(101, into: &prefix)
        guard case .invalid = codec.decode(prefix) else {
            Issue.record("expected invalid")
            return
        }
        var atLimit = ByteBuffer()
        Varint.write(100, into: &atLimit)
        #expect(codec.decode(atLimit).isIncomplete)
    }
}

@Suite("Protobuf encoding: large messages, and threads at once")
struct LargeAndConcurrentEncodingTests {
    static func roundTrip(_ message: Echo_Request) throws -> Echo_Request? {
        var codec = ProtobufCodec<Echo_Request, Echo_Request>(maximumMessageSize: 1 << 22)
        var buffer = ByteBuffer()
        try codec.encode(message, into: &buffer)
        guard case .message(let decoded, let consumed) = codec.decode(buffer), consumed == buffer.readableBytes else {
            return nil
        }
        return decoded
    }

    @Test("a message larger than the buffer's room, then a small one, then the large one again, all encode intact")
    func largeThenSmall() throws {
        let large = Echo_Request.with { $0.body.message = String(repeating: "L", count: 200_000) }
        let small = Echo_Request.with { $0.requestID = 3; $0.body.message = "s" }
        for message in [large, small, large] {
            let decoded = try Self.roundTrip(message)
            #expect(decoded == message)
        }
    }

    @Test("8 threads encoding at once each get their own bytes")
    func concurrentThreads() async {
        let failures = Counter()
        await runOnThreads(8) { thread in
            for index in 0..<2_000 {
                let message = Echo_Request.with {
                    $0.requestID = UInt64(thread * 1_000_000 + index)
                    $0.body.message = String(repeating: Character(UnicodeScalar(UInt8(65 + thread))), count: index % 300)
                }
                if (try? Self.roundTrip(message)) != message {
                    failures.increment()
                }
            }
        }
        #expect(failures.value == 0)
    }
}

extension DecodeResult {
    var isIncomplete: Bool {
        if case .incomplete = self { true } else { false }
    }
}
