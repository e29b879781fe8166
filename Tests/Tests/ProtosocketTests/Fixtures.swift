import NIOCore
import NIOEmbedded
import Protosocket
import TestSupport

/// What a reactor saw, shared with the test (everything runs on one embedded loop).
final class Recorder {
    var inbound: [String] = []
    var closeReasons: [CloseReason] = []
    /// Queued messages handed back at close, and how many close callbacks had run then.
    var undelivered: [(message: String, closesBefore: Int)] = []
    var pollOutboundCalls = 0
    /// At each inbound batch end: how many messages had been delivered, and how
    /// many close callbacks had run.
    var batchEnds: [(delivered: Int, closesBefore: Int)] = []
}

/// Records inbound lines; answers with a scripted action; writes what it is sent.
struct RecordingReactor: MessageReactor {
    let recorder: Recorder
    var onInboundAction: (String) -> ReactorAction = { _ in .continue }
    var onPoll: () -> ReactorAction = { .continue }
    /// Lines to produce from `pollOutbound`, then `.finished` when `finishes`.
    var produce: [String] = []
    var finishes = false

    mutating func onInbound(_ message: String) -> ReactorAction {
        recorder.inbound.append(message)
        return onInboundAction(message)
    }

    mutating func onInboundBatchEnd() {
        recorder.batchEnds.append((recorder.inbound.count, recorder.closeReasons.count))
    }

    mutating func poll() -> ReactorAction { onPoll() }

    mutating func onCommand(_ message: String) -> String? { message }

    mutating func pollOutbound(budget: Int) -> OutboundPoll<String> {
        recorder.pollOutboundCalls += 1
        if !produce.isEmpty {
            return .produced(produce.removeFirst())
        }
        return finishes ? .finished : .idle
    }

    mutating func onUndelivered(_ message: String) {
        recorder.undelivered.append((message, recorder.closeReasons.count))
    }

    mutating func onClose(_ reason: CloseReason) {
        recorder.closeReasons.append(reason)
    }
}

/// Counts `read` and `flush` calls passing toward the socket.
final class OutboundCounter: ChannelOutboundHandler {
    typealias OutboundIn = ByteBuffer
    var reads = 0
    var flushes = 0

    func read(context: ChannelHandlerContext) {
        reads += 1
        context.read()
    }

    func flush(context: ChannelHandlerContext) {
        flushes += 1
        context.flush()
    }
}

extension ByteBuffer {
    init(_ string: String) {
        self = ByteBufferAllocator().buffer(string: string)
    }
}
