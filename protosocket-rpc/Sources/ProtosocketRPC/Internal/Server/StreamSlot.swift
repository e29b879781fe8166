import KLock
import Spillway

/// The responses of one async stream on the server, between its task (which
/// appends) and the connection's reactor (which takes only while it has room to
/// send). Its lifecycle is ``StreamSlotState``; this class holds it under a lock
/// and resumes the task outside the lock.
///
/// The task is suspended while `capacity` responses wait, and resumed when the
/// reactor takes them: the reactor takes the whole queue under one lock and hands
/// the responses out from its own batch. It learns that a slot has work through
/// one stream-ready event per idle-to-ready edge.
// @unchecked Sendable: `batch` is only touched on the connection's event loop (by
// the reactor); everything else is behind `state`'s lock. For the same reason its
// accesses cannot overlap, so it skips the runtime's exclusivity check.
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
    let id: UInt64
    @usableFromInline
    let sender: Sender<RPCServerEvent<Response>>
    @usableFromInline
    let state: KLock<StreamSlotState<Response>>
    /// Responses taken from `state` and not yet handed out; the reactor's own.
    /// It trades storage with `state.items` at each take.
    @usableFromInline
    @exclusivity(unchecked) var batch: MessageQueue<Response>

    @inlinable
    init(id: UInt64, capacity: Int, sender: Sender<RPCServerEvent<Response>>) {
        self.id = id
        self.sender = sender
        self.state = KLock(StreamSlotState(capacity: capacity))
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
        let action = state.withLock { state -> StreamSlotState<Response>.AppendAction in
            guard let response = put.take() else {
                return .rejected
            }
            return state.append(response)
        }
        switch action {
        case .rejected:
            throw CancellationError()
        case .queued(let announce, let isFull):
            if announce {
                self.announce()
            }
            return isFull
        }
    }

    /// The stream is over: after the queued responses, the client gets `end`
    /// (`succeeded`) or `cancel`.
    @inlinable
    func finish(succeeded: Bool) {
        if state.withLock({ $0.finish(succeeded: succeeded) }) {
            announce()
        }
    }

    @inlinable
    func announce() {
        // Fails only when the connection has closed: nobody to tell.
        try? sender.send(RPCServerEvent(.streamReady(self)))
    }

    /// Suspends while the slot is full, until the reactor takes its responses.
    ///
    /// - Throws: `CancellationError` once the RPC is cancelled.
    @inlinable
    func waitForRoom() async throws {
        try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
                switch state.withLock({ $0.waitForRoom(continuation) }) {
                case .wait:
                    break
                case .resume:
                    continuation.resume()
                case .fail:
                    continuation.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            cancel()
        }
    }

    // MARK: Reactor side (on the event loop)

    /// Whether responses taken earlier are still to be handed out.
    @inlinable
    var hasBatch: Bool {
        !batch.isEmpty
    }

    /// The next response to send, if any.
    @inlinable
    func take() -> Taken {
        if let response = batch.popFirst() {
            return .response(response)
        }
        switch state.withLock({ $0.take(into: &batch) }) {
        case .took(let waiting):
            waiting?.resume()
            if let response = batch.popFirst() {
                return .response(response)
            }
            return .empty
        case .finished(let succeeded):
            return .finished(succeeded: succeeded)
        case .empty:
            return .empty
        }
    }

    /// Stops the stream: drops what is queued and ends a waiting task with
    /// `CancellationError`. Safe from any thread, more than once.
    @inlinable
    func cancel() {
        state.withLock { $0.cancel() }?.resume(throwing: CancellationError())
        // The reactor's batch is left alone: it stops taking from a cancelled slot.
    }
}
