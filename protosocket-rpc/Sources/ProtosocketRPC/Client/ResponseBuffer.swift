import KLock
import Protosocket

/// The responses of one streaming call, between the connection (which pushes) and
/// the consuming task (which takes).
///
/// It holds at most `limit` responses: when a push fills it, the client reactor
/// pauses the connection's inbound side until the consumer takes one, so a consumer
/// that stops reading stops the server's stream (through TCP) instead of growing
/// memory.
@usableFromInline
final class ResponseBuffer<Response: Sendable>: Sendable {
    @usableFromInline
    struct State: Sendable {
        @inlinable
        init(limit: Int) {
            items = MessageQueue(bound: limit)
        }

        @usableFromInline
        var items: MessageQueue<Response>
        /// How the stream ended, once it has; reported after the buffered items.
        @usableFromInline
        var end: Result<Void, any Error>?
        @usableFromInline
        var consumer: UnsafeContinuation<Void, Never>?
        @usableFromInline
        var isAbandoned = false
    }

    @usableFromInline
    enum Taken {
        case responses
        case end(Result<Void, any Error>)
        case nothing
    }

    @usableFromInline
    let state: KLock<State>
    @usableFromInline
    let limit: Int
    @usableFromInline
    let waker: ConnectionWaker

    @inlinable
    init(limit: Int, waker: ConnectionWaker) {
        self.limit = limit
        self.waker = waker
        self.state = KLock(State(limit: limit))
    }

    // MARK: Connection side (on the event loop)

    /// Delivers `response`; reports whether the buffer is now full, and hands back
    /// the waiting consumer, if any, for the caller to resume (once per batch of
    /// pushes: later pushes find no consumer until it has taken the batch).
    @inlinable
    func push(_ response: consuming Response) -> (consumer: UnsafeContinuation<Void, Never>?, isFull: Bool) {
        // Moved into the lock's closure through an optional, so it is not copied.
        var pushed = Optional(response)
        return state.withLock { state in
            if state.isAbandoned || state.end != nil {
                return (nil, false)
            }
            if let response = pushed.take() {
                state.items.append(response)
            }
            return (state.consumer.take(), state.items.count >= limit)
        }
    }

    /// Whether the consumer has made room (or gone), so the connection may read on.
    @usableFromInline
    var hasRoom: Bool {
        state.withLock { $0.isAbandoned || $0.end != nil || $0.items.count < limit }
    }

    /// Ends the stream after the buffered responses: cleanly when `error` is `nil`.
    @inlinable
    func finish(throwing error: (any Error)?) {
        let consumer = state.withLock { state -> UnsafeContinuation<Void, Never>? in
            guard state.end == nil else {
                return nil
            }
            state.end = error.map { .failure($0) } ?? .success(())
            return state.consumer.take()
        }
        consumer?.resume()
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
            switch take(into: &batch) {
            case .responses:
                return
            case .end(let end):
                try end.get()
                return
            case .nothing:
                await waitForActivity()
            }
        }
    }

    /// Takes the whole buffer under one lock; wakes the connection if it was full.
    @inlinable
    func take(into batch: inout MessageQueue<Response>) -> Taken {
        let (taken, madeRoom) = state.withLock { state -> (Taken, Bool) in
            if case .failure(let error) = state.end, error is CancellationError {
                // A cancelled consumer does not want the rest.
                state.items.removeAll()
            }
            if !state.items.isEmpty {
                let wasFull = state.items.count >= limit
                swap(&state.items, &batch)
                return (.responses, wasFull)
            }
            guard let end = state.end else {
                return (.nothing, false)
            }
            // Report an error once; afterwards the stream is simply over.
            state.end = .success(())
            return (.end(end), false)
        }
        if madeRoom {
            waker.wake()
        }
        return taken
    }

    /// Suspends until a push or the end (including cancellation of this task).
    @inlinable
    func waitForActivity() async {
        await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
                let parked = state.withLock { state -> Bool in
                    guard state.items.isEmpty, state.end == nil else {
                        return false
                    }
                    state.consumer = continuation
                    return true
                }
                if !parked {
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
        state.withLock { state in
            state.isAbandoned = true
            state.items.removeAll()
        }
        waker.wake()
    }
}
