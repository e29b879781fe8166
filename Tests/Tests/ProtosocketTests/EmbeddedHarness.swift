import Logging
import NIOCore
import NIOEmbedded
import Protosocket
import TestSupport
import Spillway

/// A connection on an `EmbeddedChannel`, with the pieces a test inspects.
final class EmbeddedConnection {
    let channel = EmbeddedChannel()
    let counter = OutboundCounter()
    let recorder = Recorder()
    /// The connection's first sender; set to `nil` to release it.
    var sender: Sender<String>?
    private(set) var waker: ConnectionWaker?

    init(
        configuration: ConnectionConfiguration = .server,
        customize: (inout RecordingReactor) -> Void = { _ in }
    ) throws {
        let recorder = self.recorder
        var sender: Sender<String>?
        var waker: ConnectionWaker?
        let handler = ConnectionHandler<LineCodec, RecordingReactor>.makeHandler(
            codec: LineCodec(),
            configuration: configuration,
            logger: Logger(label: "test"),
            eventLoop: channel.eventLoop,
            remoteAddress: nil
        ) { context in
            sender = context.sender
            waker = context.waker
            var reactor = RecordingReactor(recorder: recorder)
            customize(&reactor)
            return reactor
        }
        self.sender = sender
        self.waker = waker
        try channel.pipeline.syncOperations.addHandler(counter)
        try channel.pipeline.syncOperations.addHandler(handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
    }

    /// Delivers `string` as one read.
    func receive(_ string: String) throws {
        try channel.writeInbound(ByteBuffer(string))
    }

    /// Runs the loop's scheduled work (wakes) and returns everything written since.
    func written() throws -> String {
        channel.embeddedEventLoop.run()
        var text = ""
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) {
            text += String(buffer: buffer)
        }
        return text
    }

    var isActive: Bool { channel.isActive }
}

/// A mutable value shared between a test and its codec or reactor.
final class Box<Value> {
    var value: Value
    init(_ value: Value) { self.value = value }
}

/// Fixed-size binary messages, with a byte that is invalid and one that means "skip".
struct SizedCodec: MessageEncoder, MessageDecoder {
    let size: Int
    let invalidByte: UInt8?
    let skipByte: UInt8?
    let skipCount: Int
    let calls: Box<Int>

    mutating func encode(_ message: [UInt8], into buffer: inout ByteBuffer) {
        buffer.writeBytes(message)
    }

    mutating func decode(_ buffer: ByteBuffer) -> DecodeResult<[UInt8]> {
        calls.value += 1
        let first = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self)
        if let first, first == invalidByte {
            return .invalid(reason: "bad byte \(first)")
        }
        if let first, first == skipByte {
            return .skip(skipCount)
        }
        guard let bytes = buffer.getBytes(at: buffer.readerIndex, length: size) else {
            return .incomplete(totalSize: size)
        }
        return .message(bytes, consumed: size)
    }
}

struct CountingReactor: MessageReactor {
    let delivered: Box<Int>
    let lastMessage: Box<[UInt8]>
    let closeReason: Box<CloseReason?>

    mutating func onInbound(_ message: [UInt8]) -> ReactorAction {
        delivered.value += 1
        lastMessage.value = message
        return .continue
    }

    mutating func onCommand(_ message: [UInt8]) -> [UInt8]? { message }

    mutating func onClose(_ reason: CloseReason) {
        closeReason.value = reason
    }
}

/// A ``SizedCodec`` connection on an `EmbeddedChannel`.
final class EmbeddedSizedConnection {
    let channel = EmbeddedChannel()
    let decodeCalls = Box(0)
    let delivered = Box(0)
    let lastMessage = Box<[UInt8]>([])
    let closeReason = Box<CloseReason?>(nil)
    /// Held so that the connection does not finish for want of senders.
    private var sender: Sender<[UInt8]>?

    init(announcing size: Int, limit: Int, invalidByte: UInt8? = nil, skipByte: UInt8? = nil, skipCount: Int = 0) throws {
        let codec = SizedCodec(size: size, invalidByte: invalidByte, skipByte: skipByte, skipCount: skipCount, calls: decodeCalls)
        let reactor = CountingReactor(delivered: delivered, lastMessage: lastMessage, closeReason: closeReason)
        let handler = ConnectionHandler<SizedCodec, CountingReactor>.makeHandler(
            codec: codec,
            configuration: ConnectionConfiguration(maxBufferLength: limit, maxQueuedOutboundMessages: 8),
            logger: Logger(label: "test"),
            eventLoop: channel.eventLoop,
            remoteAddress: nil
        ) { context in
            sender = context.sender
            return reactor
        }
        try channel.pipeline.syncOperations.addHandler(handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
    }

    func receive(_ bytes: [UInt8]) throws {
        try channel.writeInbound(ByteBufferAllocator().buffer(bytes: bytes))
    }
}
