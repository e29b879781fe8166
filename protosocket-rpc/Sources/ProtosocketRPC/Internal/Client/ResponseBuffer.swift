import KLock
import Protosocket

/// The responses of one streaming call, between the connection (which pushes) and
/// the consuming task (which takes). Its lifecycle is ``ResponseBufferState``; this
/// class holds it under a lock and resumes outside the lock.
///
/// It holds at most `limit` responses: when a push fills it, the client reactor
/// pauses the connection's inbound side until the consumer takes one, so a consumer
/// that stops reading stops the server's stream (through TCP) instead of growing
/// memory.
@usableFromInline
final class ResponseBuffer<Response: Sendable>: Sendable {
    @usableFromInline
    let state: KLock<ResponseBufferState<Response>>
    @usableFromInline
    let limit: Int
    @usableFromInline
    let waker: ConnectionWaker
    /// The call's id.
    @usableFromInline
    let id: UInt64
    /// Tells the server to stop this call (through the client's queue).
    @usableFromInline
    let sendCancel: @Sendable (UInt64) -> Void

    @inlinable
    init(id: UInt64, limit: Int, waker: ConnectionWaker, sendCancel: @escaping @Sendable (UInt64) -> Void) {
        self.id = id
        self.limit = limit
        self.waker = waker
        self.sendCancel = sendCancel
        self.state = KLock(ResponseBufferState(limit: limit))
    }

    // MARK: Connection side (on the event loop)

    /// Delivers `response`; reports whether the buffer is now full, and hands back
    /// the waiting consumer, if any, for the caller to resume (once per batch of
    /// pushes: later pushes find no consumer until it has taken the batch).
    @inlinable
    func push(_ response: consuming Response) -> (consumer: UnsafeContinuation<Void, Never>?, isFull: Bool) {
        // Moved into the lock's closure through an optional, so it is not copied.
        var pushed = Optional(response)
        let action = state.withLock { state -> ResponseBufferState<Response>.PushAction in
            guard let response = pushed.take() else {
                return .dropped
            }
            return state.push(response)
        }
        switch action {
        case .buffered(let consumer, let isFull):
            return (consumer, isFull)
        case .dropped:
            return (nil, false)
        }
    }

    /// Whether the consumer has made room (or gone), so the connection may read on.
    @usableFromInline
    var hasRoom: Bool {
        state.withLock { $0.hasRoom }
    }

    /// Ends the stream after the buffered responses: cleanly when `error` is `nil`.
    @inlinable
    func finish(throwing error: (any Error)?) {
        let end: Result<Void, any Error> = error.map { .failure($0) } ?? .success(())
        state.withLock { $0.finish(end) }?.resume()
    }

    // MARK: Consumer side

    /// Moves every buffered response into `batch` (empty), waiting for one if
    /// needed; leaves it empty at the end of the stream.
    ///
    /// - Throws: How the call failed (``RPCError``), or `CancellationError` when the
    ///   consuming task was cancelled; once, after which the stream is over.
    @inlinable
    func next(into batch: inout MessageQueue<Response>) async throws {
        while true {
            switch state.withLock({ $0.take(into: &batch) }) {
            case .responses(let madeRoom):
                if madeRoom {
                    waker.wake()
                }
                return
            case .end(let end):
                try end.get()
                return
            case .nothing:
                await waitForActivity()
            }
        }
    }

    /// Suspends until a push or the end (including cancellation of this task).
    @inlinable
    func waitForActivity() async {
        await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
                if !state.withLock({ $0.wait(continuation) }) {
                    continuation.resume()
                }
            }
        } onCancel: {
            finish(throwing: CancellationError())
        }
    }

    /// The consumer is gone: drop what is buffered and let the connection read on.
    @inlinable
    func abandon() {
        state.withLock { $0.abandon() }
        waker.wake()
    }
}
