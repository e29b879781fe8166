import FuzzDriver
import Logging
import NIOCore
import NIOEmbedded
import Protosocket

/// A decoder whose answers come from the input: it may consume too much, too
/// little, skip, announce any size, or give up. The connection must close on every
/// broken answer and never trap.
struct ScriptedDecoder: MessageEncoder, MessageDecoder {
    var script: [UInt8]
    var position = 0

    mutating func encode(_ message: Int, into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(truncatingIfNeeded: message))
    }

    mutating func decode(_ buffer: ByteBuffer) -> DecodeResult<Int> {
        guard position + 3 <= script.count else {
            return .incomplete(totalSize: nil)
        }
        let kind = script[position]
        let amount = Int(Int16(bitPattern: UInt16(script[position + 1]) << 8 | UInt16(script[position + 2])))
        position += 3
        switch kind % 5 {
        case 0: return .message(amount, consumed: amount)
        case 1: return .incomplete(totalSize: amount)
        case 2: return .incomplete(totalSize: kind & 0x80 == 0 ? nil : .max)
        case 3: return .skip(amount)
        default: return .invalid(reason: "scripted")
        }
    }
}

/// Echoes every message; disconnects or pauses when the message says so.
struct EchoingReactor: MessageReactor {
    typealias OutboundMessage = Int
    let context: ConnectionContext<Int>

    mutating func onInbound(_ message: Int) -> ReactorAction {
        try? context.sender.send(message)
        switch message % 7 {
        case 5: return .pause
        case 6: return .disconnect
        default: return .continue
        }
    }
}

func fuzzConnectionDecode(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let data else {
        return 0
    }
    let input = Array(UnsafeRawBufferPointer(start: data, count: count))
    guard input.count > 2 else {
        return 0
    }
    // The first byte splits the rest into a script and the bytes to deliver.
    let split = min(Int(input[0]) * 3, input.count - 1)
    let script = Array(input[1..<(1 + split)])
    let bytes = Array(input[(1 + split)...])
    let channel = EmbeddedChannel()
    var logger = Logger(label: "fuzz")
    logger.logLevel = .critical
    let handler = ConnectionHandler<ScriptedDecoder, EchoingReactor>.makeHandler(
        codec: ScriptedDecoder(script: script),
        configuration: ConnectionConfiguration(maxBufferLength: 256, bufferAllocationIncrement: 64, maxQueuedOutboundMessages: 4),
        logger: logger,
        eventLoop: channel.eventLoop,
        remoteAddress: nil
    ) { EchoingReactor(context: $0) }
    do {
        try channel.pipeline.syncOperations.addHandler(handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        // Deliver in reads of 1 to 16 bytes, as the bytes themselves say.
        var index = 0
        while index < bytes.count && channel.isActive {
            let length = Int(bytes[index] % 16) + 1
            let end = min(index + length, bytes.count)
            try channel.writeInbound(channel.allocator.buffer(bytes: bytes[index..<end]))
            channel.embeddedEventLoop.run()
            while try channel.readOutbound(as: ByteBuffer.self) != nil {}
            index = end
        }
    } catch {
        // A closed channel refuses further reads: that is an allowed outcome.
    }
    _ = try? channel.finish()
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    fuzzConnectionDecode(data, count)
}

runFuzzer { data, count in fuzzConnectionDecode(data, count) }
