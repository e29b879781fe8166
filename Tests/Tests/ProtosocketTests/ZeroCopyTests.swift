import Logging
import NIOCore
import NIOEmbedded
import Protosocket
import Spillway
import Testing
import TestSupport

/// Lines; those starting with "raw:" are handed over as ready-made buffers.
struct ZeroCopyLineCodec: MessageEncoder, MessageDecoder {
    var lines = LineCodec()

    mutating func encode(_ message: String, into buffer: inout ByteBuffer) {
        lines.encode(message, into: &buffer)
    }

    mutating func serializedBytes(of message: String) -> ByteBuffer? {
        guard message.hasPrefix("raw:") else { return nil }
        return ByteBufferAllocator().buffer(string: message + "\n")
    }

    mutating func decode(_ buffer: ByteBuffer) -> DecodeResult<String> {
        lines.decode(buffer)
    }
}

struct ForwardingReactor: MessageReactor {
    typealias Command = String
    mutating func onInbound(_ message: String) -> ReactorAction { .continue }
}

@Suite("Connection zero-copy path")
struct ZeroCopyTests {
    @Test("ready-made buffers are written as they are, in order with encoded messages")
    func zeroCopyKeepsOrder() throws {
        let channel = EmbeddedChannel()
        var sender: Sender<String>?
        let handler = ConnectionHandler<ZeroCopyLineCodec, ForwardingReactor>.makeHandler(
            codec: ZeroCopyLineCodec(),
            configuration: .server,
            logger: Logger(label: "test"),
            eventLoop: channel.eventLoop,
            remoteAddress: nil
        ) { context in
            sender = context.sender
            return ForwardingReactor()
        }
        try channel.pipeline.syncOperations.addHandler(handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()

        try sender?.send(contentsOf: ["a", "b", "raw:c", "d", "raw:e"])
        channel.embeddedEventLoop.run()
        var writes: [String] = []
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) {
            writes.append(String(buffer: buffer))
        }
        // Encoded messages share a pooled buffer; each ready-made one is its own write.
        #expect(writes == ["a\nb\n", "raw:c\n", "d\n", "raw:e\n"])
        _ = try channel.finish()
    }
}
