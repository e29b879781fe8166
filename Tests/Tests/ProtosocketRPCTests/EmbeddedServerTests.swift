import EchoProto
import Logging
import NIOCore
import NIOEmbedded
import Protosocket
import ProtosocketProto
import ProtosocketRPC
import Testing
import TestSupport

@Suite("RPC server on an embedded channel")
struct EmbeddedServerTests {
    static func frame(_ message: Echo_Request) throws -> ByteBuffer {
        var codec = ProtobufCodec<Echo_Response, Echo_Request>()
        var buffer = ByteBuffer()
        try codec.encode(message, into: &buffer)
        return buffer
    }

    static func responses(from channel: EmbeddedChannel) throws -> [Echo_Response] {
        var codec = ProtobufCodec<Echo_Response, Echo_Request>()
        var bytes = ByteBuffer()
        while var written = try channel.readOutbound(as: ByteBuffer.self) {
            bytes.writeBuffer(&written)
        }
        var responses: [Echo_Response] = []
        while case .message(let response, let consumed) = codec.decode(bytes) {
            responses.append(response)
            bytes.moveReaderIndex(forwardBy: consumed)
        }
        return responses
    }

    @Test("a synchronous answer is written in the same loop turn as its request: no task is involved")
    func synchronousAnswerNeedsNoTask() throws {
        let channel = EmbeddedChannel()
        try RPCServer(responders: EchoService()).addConnection(to: channel, logger: quietLogger)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        var request = echoRequest("now")
        request.requestID = 9
        try channel.writeInbound(Self.frame(request))
        // Nothing else runs: an answer made by a task could not be here yet.
        let responses = try Self.responses(from: channel)
        #expect(responses.map(\.echo.message) == ["now"])
        #expect(responses.map(\.requestID) == [9])
        _ = try? channel.finish()
    }

    @Test("a client cancel for a running RPC is answered with cancel; for an unknown id, with nothing")
    func cancelIsAnswered() throws {
        let started = Counter()
        let cancelled = Counter()
        let channel = EmbeddedChannel()
        let service = ScriptedService { _ in waitUntilCancelled(started: started, cancelled: cancelled) }
        try RPCServer(responders: service).addConnection(to: channel, logger: quietLogger)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        var request = echoRequest("slow")
        request.requestID = 5
        try channel.writeInbound(Self.frame(request))
        #expect(try Self.responses(from: channel).isEmpty)
        try channel.writeInbound(Self.frame(.cancelled(id: 5)))
        try channel.writeInbound(Self.frame(.cancelled(id: 6)))
        let responses = try Self.responses(from: channel)
        #expect(responses.map(\.requestID) == [5])
        #expect(responses.map(\.controlCode) == [.cancel])
        _ = try? channel.finish()
    }
}
