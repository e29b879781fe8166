/// The lifecycle of a streaming call's buffer, between the connection (which
/// pushes) and the consuming task (which takes and may wait): one method per
/// event, each returning what to do. Held under the buffer's lock; resumes happen
/// outside it.
@usableFromInline
struct ResponseBufferState<Response> {
    @usableFromInline
    enum Phase: Sendable {
        /// Responses may come; `consumer` is the task waiting for one.
        case open(consumer: UnsafeContinuation<Void, Never>?)
        /// The stream ended (`end`, `cancel`, closed connection, or the consumer's
        /// own cancellation); reported after the buffered responses.
        case ended(Result<Void, any Error>)
        /// The end was reported: the stream is over.
        case over
        /// The consumer is gone: nothing is kept.
        case abandoned
    }

    @usableFromInline
    enum PushAction {
        /// Buffered; resume `consumer` (if any) and pause the connection when `isFull`.
        case buffered(consumer: UnsafeContinuation<Void, Never>?, isFull: Bool)
        /// The call is over or abandoned: the response is dropped.
        case dropped
    }

    @usableFromInline
    enum TakeAction {
        /// The buffer moved into the caller's batch; wake the connection if it
        /// was full (`madeRoom`).
        case responses(madeRoom: Bool)
        /// The end, once: an error to throw, or success.
        case end(Result<Void, any Error>)
        /// Nothing yet: wait.
        case nothing
    }

    @usableFromInline
    var items: MessageQueue<Response>
    @usableFromInline
    var phase = Phase.open(consumer: nil)
    @usableFromInline
    let limit: Int

    @inlinable
    init(limit: Int) {
        self.limit = limit
        items = MessageQueue(bound: limit)
    }

    @inlinable
    mutating func push(_ response: consuming Response) -> PushAction {
        guard case .open(let consumer) = phase else {
            return .dropped
        }
        items.append(response)
        phase = .open(consumer: nil)
        return .buffered(consumer: consumer, isFull: items.count >= limit)
    }

    /// Whether the connection may read on: the consumer made room, or is gone.
    @inlinable
    var hasRoom: Bool {
        guard case .open = phase else {
            return true
        }
        return items.count < limit
    }

    /// Ends the stream after the buffered responses (the first end wins); returns
    /// the waiting consumer, to resume.
    @inlinable
    mutating func finish(_ end: Result<Void, any Error>) -> UnsafeContinuation<Void, Never>? {
        guard case .open(let consumer) = phase else {
            return nil
        }
        if case .failure(let error) = end, error is CancellationError {
            // A cancelled consumer does not want the rest.
            items.removeAll()
        }
        phase = .ended(end)
        return consumer
    }

    @inlinable
    mutating func take(into batch: inout MessageQueue<Response>) -> TakeAction {
        if !items.isEmpty {
            let wasFull = items.count >= limit
            swap(&items, &batch)
            return .responses(madeRoom: wasFull)
        }
        switch phase {
        case .open:
            return .nothing
        case .ended(let end):
            phase = .over
            return .end(end)
        case .over, .abandoned:
            return .end(.success(()))
        }
    }

    /// Keeps `continuation` until a push or the end; `false` when there is
    /// something to take already (resume it now).
    @inlinable
    mutating func wait(_ continuation: UnsafeContinuation<Void, Never>) -> Bool {
        guard case .open(nil) = phase, items.isEmpty else {
            return false
        }
        phase = .open(consumer: continuation)
        return true
    }

    @inlinable
    mutating func abandon() {
        phase = .abandoned
        items.removeAll()
    }
}

extension ResponseBufferState: Sendable where Response: Sendable {}
