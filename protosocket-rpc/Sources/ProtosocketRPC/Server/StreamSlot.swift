import KLock
import Spillway

/// The responses of one streaming RPC on the server, between its task (which
/// puts) and the connection's reactor (which takes only while it has room to send).
///
/// The task is suspended while `capacity` responses wait, and resumed when the
/// reactor takes them: the reactor takes the whole queue under one lock and hands
/// the responses out from its own batch. It learns that a slot has work through
/// one stream-ready event per idle-to-ready edge.
// @unchecked Sendable: `batch` and `isRetired` are only touched on the connection's
// event loop (by the reactor); everything else is behind `state`'s lock. For the
// same reason their accesses cannot overlap, so they skip the runtime's
// exclusivity check (`@exclusivity(unchecked)`), which costs more than a take.
@usableFromInline
final class StreamSlot<Response: RPCMessage>: @unchecked Sendable {
    @usableFromInline
    enum Taken {
        case response(Response)
        /// Nothing now; the slot announces itself again when it has more.
        case empty
        /// Every response was taken; the stream ended cleanly (`true`) or threw.
        case finished(succeeded: Bool)
    }

    @usableFromInline
    struct State: Sendable {
        @inlinable
        init(capacity: Int) {
            items = MessageQueue(bound: capacity)
        }

        @usableFromInline
        var items: MessageQueue<Response>
        /// The reactor knows this slot has work (an announcement is on its way or
        /// the slot is in its ready list).
        @usableFromInline
        var isAnnounced = false
        @usableFromInline
        var outcome: Bool?
        @usableFromInline
        var producer: UnsafeContinuation<Void, any Error>?
        @usableFromInline
        var isCancelled = false
    }

    @usableFromInline
    let id: UInt64
    @usableFromInline
    let capacity: Int
    @usableFromInline
    let sender: Sender<RPCServerEvent<Response>>
    @usableFromInline
    let state: KLock<State>
    /// Responses taken from `state` and not yet handed out; the reactor's own.
    /// It trades storage with `state.items` at each take.
    @usableFromInline
    @exclusivity(unchecked) var batch: MessageQueue<Response>
    /// The reactor is done with this slot (it finished or was cancelled) and takes
    /// nothing more from it; the reactor's own.
    @usableFromInline
    @exclusivity(unchecked) var isRetired = false

    @inlinable
    init(id: UInt64, capacity: Int, sender: Sender<RPCServerEvent<Response>>) {
        self.id = id
        self.capacity = capacity
        self.sender = sender
        self.state = KLock(State(capacity: capacity))
        self.batch = MessageQueue(bound: capacity)
    }

    // MARK: Task side

    /// Queues `response` and reports whether the slot is now full: the task must
    /// then ``waitForRoom()`` before the next one. Synchronous, so that the common
    /// case costs no async call.
    ///
    /// - Throws: `CancellationError` once the RPC is cancelled.
    @inlinable
    func append(_ response: consuming Response) throws(CancellationError) -> Bool {
        // Moved into the lock's closure through an optional, so it is not copied.
        var put = Optional(response)
        let (announce, isFull) = try state.withLock { state throws(CancellationError) -> (Bool, Bool) in
            if state.isCancelled {
                throw CancellationError()
            }
            if let response = put.take() {
                state.items.append(response)
            }
            return (announceIfNeeded(&state), state.items.count >= capacity)
        }
        if announce {
            try? sender.send(.streamReady(id))
        }
        return isFull
    }

    /// The stream is over: after the queued responses, the client gets `end`
    /// (`succeeded`) or `cancel`.
    @inlinable
    func finish(succeeded: Bool) {
        let announce = state.withLock { state -> Bool in
            guard !state.isCancelled, state.outcome == nil else {
                return false
            }
            state.outcome = succeeded
            return announceIfNeeded(&state)
        }
        if announce {
            try? sender.send(.streamReady(id))
        }
    }

    @inlinable
    func announceIfNeeded(_ state: inout State) -> Bool {
        if state.isAnnounced {
            return false
        }
        state.isAnnounced = true
        return true
    }

    /// Suspends while the slot is full, until the reactor takes its responses.
    ///
    /// - Throws: `CancellationError` once the RPC is cancelled.
    @inlinable
    func waitForRoom() async throws {
        try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
                let parked = state.withLock { state -> Bool in
                    guard !state.isCancelled, state.items.count >= capacity else {
                        return false
                    }
                    state.producer = continuation
                    return true
                }
                if !parked {
                    continuation.resume()
                }
            }
        } onCancel: {
            cancel()
        }
        if state.withLock({ $0.isCancelled }) {
            throw CancellationError()
        }
    }

    // MARK: Reactor side (on the event loop)

    /// The next response to send, if any.
    @inlinable
    func take() -> Taken {
        if let response = batch.popFirst() {
            return .response(response)
        }
        let (outcome, producer) = state.withLock { state -> (Bool?, UnsafeContinuation<Void, any Error>?) in
            if !state.items.isEmpty {
                swap(&state.items, &batch)
                return (nil, state.producer.take())
            }
            if let outcome = state.outcome {
                return (outcome, nil)
            }
            state.isAnnounced = false
            return (nil, nil)
        }
        producer?.resume()
        if let response = batch.popFirst() {
            return .response(response)
        }
        return outcome.map { .finished(succeeded: $0) } ?? .empty
    }

    /// Stops the stream: drops what is queued and ends a waiting `put` with
    /// `CancellationError`. Safe from any thread, more than once. (The reactor's
    /// batch is left alone: the reactor stops taking from a cancelled slot.)
    @inlinable
    func cancel() {
        let producer = state.withLock { state -> UnsafeContinuation<Void, any Error>? in
            state.isCancelled = true
            state.items.removeAll()
            return state.producer.take()
        }
        producer?.resume(throwing: CancellationError())
    }
}
