import KVService
import NIOCore
import Protosocket
import ProtosocketRPC
import ProtosocketServer
import Testing
import TestSupport

@Suite("example-kv")
struct KVExampleTests {
    @Test("requests and responses round-trip through the length-prefixed codec, control messages too")
    func codecRoundTrip() throws {
        var client = LengthPrefixedCodec<KVResponse, KVRequest>()
        var server = LengthPrefixedCodec<KVRequest, KVResponse>()
        var bytes = ByteBuffer()
        let requests: [KVRequestMessage] = [
            RPCEnvelope(messageID: 7, controlCode: .normal, payload: .put(key: "k", value: "v")),
            RPCEnvelope(messageID: 8, controlCode: .normal, payload: .scan(prefix: "")),
            .cancelled(id: 8),
        ]
        for request in requests {
            client.encode(request, into: &bytes)
        }
        var decoded: [KVRequestMessage] = []
        while case .message(let message, let consumed) = server.decode(bytes) {
            decoded.append(message)
            bytes.moveReaderIndex(forwardBy: consumed)
        }
        #expect(decoded.map(\.messageID) == [7, 8, 8])
        #expect(decoded.map(\.controlCode) == [.normal, .normal, .cancel])
        #expect(decoded.map(\.payload) == [.put(key: "k", value: "v"), .scan(prefix: ""), nil])
        #expect(bytes.readableBytes == 0)
    }

    @Test("partial frames are incomplete with the exact size; short headers, oversized and undecodable payloads are invalid")
    func codecRejects() {
        var codec = LengthPrefixedCodec<KVRequest, KVResponse>(maximumMessageSize: 64)
        var frame = ByteBuffer()
        LengthPrefixedCodec<KVResponse, KVRequest>().encodeCopy(RPCEnvelope(messageID: 1, controlCode: .normal, payload: .get(key: "abc")), into: &frame)
        let partial = frame.getSlice(at: 0, length: 6) ?? ByteBuffer()
        guard case .incomplete(let total) = codec.decode(partial) else {
            Issue.record("a partial frame is incomplete")
            return
        }
        #expect(total == frame.readableBytes)
        var short = ByteBuffer()
        short.writeInteger(UInt32(3))
        short.writeBytes([0, 0, 0])
        guard case .invalid = codec.decode(short) else {
            Issue.record("a length below the header is invalid")
            return
        }
        var large = ByteBuffer()
        large.writeInteger(UInt32(65))
        guard case .invalid = codec.decode(large) else {
            Issue.record("a length above the maximum is invalid")
            return
        }
        var garbage = ByteBuffer()
        garbage.writeInteger(UInt32(10))
        garbage.writeInteger(UInt64(1))
        garbage.writeInteger(UInt8(0))
        garbage.writeInteger(UInt8(99))
        guard case .invalid = codec.decode(garbage) else {
            Issue.record("an unknown payload tag is invalid")
            return
        }
    }

    @Test("the example's service: unary calls, a scan left early with withStreaming, then a later call")
    func service() async throws {
        let server = try await RPCServer.bind(
            configuration: ServerConfiguration(host: "127.0.0.1", port: 0),
            responders: KVService(),
            logger: quietLogger
        )
        async let serving: Void = server.run()
        let client = try await KVClient.connect(host: "127.0.0.1", port: server.localAddress?.port ?? 0, streamBufferLimit: 8) {
            KVClientCodec()
        }
        try await withHangGuard(seconds: 60) {
            for index in 0..<100 {
                _ = try await client.unary(RPCEnvelope(.put(key: "k\(index)", value: "\(index)")))
            }
            let first = try await client.withStreaming(RPCEnvelope(.scan(prefix: "k"))) { stream in
                for try await response in stream {
                    return response.payload
                }
                return nil
            }
            #expect(first == .entry(key: "k0", value: "0"))
            let reply = try await client.unary(RPCEnvelope(.get(key: "k42")))
            #expect(reply.payload == .value("42"))
            #expect(await eventually { server.runningRPCCount == 0 })
        }
        await client.close()
        await server.close()
        try await serving
    }
}

extension LengthPrefixedCodec {
    /// `encode` on a copy, for building frames in a test.
    func encodeCopy(_ message: RPCEnvelope<Outbound>, into buffer: inout ByteBuffer) {
        var codec = self
        codec.encode(message, into: &buffer)
    }
}
