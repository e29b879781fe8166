import Logging
import NIOCore
import NIOEmbedded
import Protosocket
import Spillway
import Testing
import TestSupport

/// Lines, except the line "unencodable", which it refuses.
struct RefusingLineCodec: MessageEncoder, MessageDecoder {
    struct Refused: Error, CustomStringConvertible {
        var description: String { "refused to encode the marked line" }
    }

    var lines = LineCodec()

    mutating func encode(_ message: String, into buffer: inout ByteBuffer) throws {
        // Appends part of it first, to check that a failure leaves nothing behind.
        buffer.writeString("partial ")
        if message == "unencodable" {
            throw Refused()
        }
        buffer.moveWriterIndex(to: buffer.writerIndex - "partial ".utf8.count)
        lines.encode(message, into: &buffer)
    }

    mutating func decode(_ buffer: ByteBuffer) -> DecodeResult<String> {
        lines.decode(buffer)
    }
}

@Suite("Encoding failures")
struct EncodingFailureTests {
    @Test("a message the encoder refuses closes the connection with encodingFailed; what came before it is written, nothing of it")
    func refusedMessageCloses() throws {
        let channel = EmbeddedChannel()
        let recorder = Recorder()
        var sender: Sender<String>?
        let handler = ConnectionHandler<RefusingLineCodec, RecordingReactor>.makeHandler(
            codec: RefusingLineCodec(),
            configuration: .server,
            logger: quietLogger,
            eventLoop: channel.eventLoop,
            remoteAddress: nil
        ) { context in
            sender = context.sender
            return RecordingReactor(recorder: recorder)
        }
        try channel.pipeline.syncOperations.addHandler(handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        for line in ["before", "unencodable", "after"] {
            try sender?.send(line)
        }
        channel.embeddedEventLoop.run()
        var written = ""
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) {
            written += String(buffer: buffer)
        }
        #expect(written == "before\n")
        #expect(!channel.isActive)
        guard case .encodingFailed(let reason)? = recorder.closeReasons.first else {
            Issue.record("closed with \(recorder.closeReasons)")
            return
        }
        #expect(reason.contains("refused to encode the marked line"))
        // The message after it is handed back as undelivered.
        #expect(recorder.undelivered.map(\.message) == ["after"])
        _ = try? channel.finish()
    }
}
