import EchoProto
import Logging
import NIOCore
import NIOEmbedded
import Protosocket
import ProtosocketProto
import Spillway
import Testing

/// What a protobuf connection delivered, shared with the test.
final class Delivered {
    var messages: [Echo_Request] = []
    var closeReason: CloseReason?
}

struct RecordingProtoReactor: MessageReactor {
    typealias Command = Echo_Request
    let delivered: Delivered

    mutating func onInbound(_ message: Echo_Request) -> ReactorAction {
        delivered.messages.append(message)
        return .continue
    }

    mutating func onClose(_ reason: CloseReason) {
        delivered.closeReason = reason
    }
}

/// A protobuf connection on an `EmbeddedChannel`.
final class EmbeddedProtoConnection {
    let channel = EmbeddedChannel()
    let delivered = Delivered()
    /// Held so that the connection does not finish for want of senders.
    private var sender: Sender<Echo_Request>?

    init(maximumMessageSize: Int = 4 << 20) throws {
        let delivered = self.delivered
        let handler = ConnectionHandler<ProtobufCodec<Echo_Request, Echo_Request>, RecordingProtoReactor>.makeHandler(
            codec: ProtobufCodec(maximumMessageSize: maximumMessageSize),
            configuration: .server,
            logger: Logger(label: "test"),
            eventLoop: channel.eventLoop,
            remoteAddress: nil
        ) { context in
            sender = context.sender
            return RecordingProtoReactor(delivered: delivered)
        }
        try channel.pipeline.syncOperations.addHandler(handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
    }

    func receive(_ bytes: some Sequence<UInt8>) throws {
        try channel.writeInbound(ByteBuffer(bytes: Array(bytes)))
    }
}

@Suite("Protobuf codec on a connection")
struct ProtoConnectionTests {
    static let message = Echo_Request.with {
        $0.requestID = 77
        $0.body = .with { $0.message = String(repeating: "split me ", count: 20); $0.nanotime = 123_456_789 }
        $0.responseBehavior = .stream
    }

    static func frame(_ message: Echo_Request) throws -> [UInt8] {
        var codec = ProtobufCodec<Echo_Request, Echo_Request>()
        var buffer = ByteBuffer()
        try codec.encode(message, into: &buffer)
        return Array(buffer.readableBytesView)
    }

    @Test("a frame split at every byte offset is delivered exactly once, intact")
    func splitAtEveryOffset() throws {
        let bytes = try Self.frame(Self.message)
        for offset in 1..<bytes.count {
            let connection = try EmbeddedProtoConnection()
            try connection.receive(bytes[..<offset])
            #expect(connection.delivered.messages.isEmpty, "offset \(offset)")
            try connection.receive(bytes[offset...])
            #expect(connection.delivered.messages == [Self.message], "offset \(offset)")
        }
    }

    @Test("back-to-back frames in one read are each delivered")
    func severalFramesInOneRead() throws {
        let connection = try EmbeddedProtoConnection()
        let messages = (0..<5).map { id in Echo_Request.with { $0.requestID = UInt64(id) } }
        try connection.receive(messages.flatMap(Self.frame))
        #expect(connection.delivered.messages == messages)
    }

    @Test("a prefix announcing more than the maximum closes the connection")
    func oversizedPrefixCloses() throws {
        let connection = try EmbeddedProtoConnection(maximumMessageSize: 1_000)
        var prefix = ByteBuffer()
        Varint.write(1_001, into: &prefix)
        try connection.receive(prefix.readableBytesView)
        #expect(!connection.channel.isActive)
        guard case .invalidMessage = connection.delivered.closeReason else {
            Issue.record("expected an invalid-message close, got \(String(describing: connection.delivered.closeReason))")
            return
        }
    }

    @Test("an 11-byte length prefix closes the connection")
    func overlongPrefixCloses() throws {
        let connection = try EmbeddedProtoConnection()
        try connection.receive([UInt8](repeating: 0xFF, count: 10) + [0x01])
        #expect(!connection.channel.isActive)
        #expect(connection.delivered.messages.isEmpty)
    }
}
