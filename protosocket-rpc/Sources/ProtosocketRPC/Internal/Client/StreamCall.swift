import Synchronization
import Tracing

/// One streaming call: its buffer, and telling the server when the caller gives up.
@usableFromInline
final class StreamCall<Response: RPCMessage>: Sendable {
    @usableFromInline
    let id: UInt64
    @usableFromInline
    let buffer: ResponseBuffer<Response>
    @usableFromInline
    let isOver = Atomic<Bool>(false)
    @usableFromInline
    let isIterated = Atomic<Bool>(false)
    /// The call's span when traced; ended once, by whoever sets `isOver`.
    @usableFromInline
    let span: (any Span)?

    @usableFromInline
    init(buffer: ResponseBuffer<Response>, span: (any Span)?) {
        self.id = buffer.id
        self.buffer = buffer
        self.span = span
    }

    @inlinable
    func endSpan(_ outcome: String) {
        if let span {
            span.attributes[RPCSpanAttribute.outcome] = outcome
            span.end()
        }
    }

    deinit {
        // Abandoned before the end: stop the server's work for it.
        cancel()
    }

    /// Gives up on the call unless it is over: drops what is buffered and tells
    /// the server to stop. Once, whoever calls it first.
    @usableFromInline
    func cancel() {
        if !isOver.exchange(true, ordering: .relaxed) {
            buffer.abandon()
            buffer.sendCancel(id)
            endSpan("cancelled")
        }
    }

    /// Whether this is the first iterator of the stream.
    @inlinable
    func claimIteration() -> Bool {
        !isIterated.exchange(true, ordering: .relaxed)
    }

    /// Fills `batch` (empty) with the next responses; leaves it empty at the end.
    @inlinable
    func next(into batch: inout MessageQueue<Response>) async throws {
        do {
            try await buffer.next(into: &batch)
            if batch.isEmpty {
                if !isOver.exchange(true, ordering: .relaxed) {
                    endSpan("ok")
                }
            }
        } catch {
            if !isOver.exchange(true, ordering: .relaxed) {
                if error is CancellationError || error as? RPCError == .deadlineExceeded {
                    // The caller gave up, or the connection expired the call: tell
                    // the server to stop.
                    buffer.sendCancel(id)
                }
                endSpan(rpcOutcome(of: error))
            }
            throw error
        }
    }
}
