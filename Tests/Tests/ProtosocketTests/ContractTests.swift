import Logging
import NIOCore
import NIOEmbedded
import Protosocket
import Spillway
import Testing
import TestSupport

/// A decoder that always gives the same answer, however wrong.
struct ScriptedCodec: MessageEncoder, MessageDecoder {
    let answer: DecodeResult<String>

    mutating func encode(_ message: String, into buffer: inout ByteBuffer) {}
    mutating func decode(_ buffer: ByteBuffer) -> DecodeResult<String> { answer }
}

@Suite("Connection against broken decoders and hostile input")
struct ContractTests {
    static let brokenAnswers: [(String, DecodeResult<String>)] = [
        ("consumes more than is buffered", .message("x", consumed: 1_000)),
        ("consumes nothing", .message("x", consumed: 0)),
        ("consumes a negative count", .message("x", consumed: -1)),
        ("skips a negative count", .skip(-5)),
        ("skips nothing", .skip(0)),
        ("wants fewer bytes than it has", .incomplete(totalSize: 1)),
        ("announces a negative size", .incomplete(totalSize: -7)),
        ("announces Int.max", .incomplete(totalSize: .max)),
    ]

    @Test("a decoder that breaks its contract closes only its connection, without trapping", arguments: 0..<brokenAnswers.count)
    func brokenDecoderCloses(_ index: Int) throws {
        let (_, answer) = Self.brokenAnswers[index]
        let channel = EmbeddedChannel()
        let reason = Box<CloseReason?>(nil)
        var sender: Sender<String>?
        let handler = ConnectionHandler<ScriptedCodec, ClosingReactor>.makeHandler(
            codec: ScriptedCodec(answer: answer),
            configuration: ConnectionConfiguration(maxBufferLength: 1024, maxQueuedOutboundMessages: 8),
            logger: Logger(label: "test"),
            eventLoop: channel.eventLoop,
            remoteAddress: nil
        ) { context in
            sender = context.sender
            return ClosingReactor(reason: reason)
        }
        try channel.pipeline.syncOperations.addHandler(handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        try channel.writeInbound(ByteBufferAllocator().buffer(bytes: [1, 2, 3]))
        #expect(!channel.isActive)
        #expect(reason.value != nil)
        withExtendedLifetime(sender) {}
    }

    @Test("random bytes into a line connection never trap, and an overlong line closes it")
    func randomBytes() throws {
        var generator = SeededGenerator(seed: 42)
        for _ in 0..<50 {
            let connection = try EmbeddedConnection(
                configuration: ConnectionConfiguration(maxBufferLength: 256, maxQueuedOutboundMessages: 8)
            )
            for _ in 0..<40 where connection.isActive {
                let count = Int(generator.next() % 64) + 1
                let bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
                try connection.channel.writeInbound(ByteBufferAllocator().buffer(bytes: bytes))
            }
            // Either still open, or closed for a line longer than the buffer.
            if !connection.isActive {
                guard case .messageTooLarge = connection.recorder.closeReasons.first else {
                    Issue.record("unexpected close: \(connection.recorder.closeReasons)")
                    return
                }
            }
        }
    }
}

struct ClosingReactor: MessageReactor {
    typealias Command = String
    let reason: Box<CloseReason?>

    mutating func onInbound(_ message: String) -> ReactorAction { .continue }
    mutating func onClose(_ reason: CloseReason) { self.reason.value = reason }
}

