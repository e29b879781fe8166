/// The lifecycle of an async stream's slot, between its task (which appends and
/// may wait for room) and the reactor (which takes): one method per event, each
/// returning what to do. Held under the slot's lock; resumes happen outside it.
@usableFromInline
struct StreamSlotState<Response> {
    @usableFromInline
    enum Phase: Sendable {
        /// The task produces; `waiting` is its continuation while the slot is full.
        case producing(waiting: UnsafeContinuation<Void, any Error>?)
        /// The task ended: after the queued responses the client gets `end`
        /// (`succeeded`) or `cancel`.
        case finished(succeeded: Bool)
        /// The RPC was cancelled: nothing is queued or taken any more.
        case cancelled
    }

    @usableFromInline
    enum AppendAction: Equatable {
        /// Queued; `announce` on an idle-to-ready edge; the task must wait for room
        /// before the next one when `isFull`.
        case queued(announce: Bool, isFull: Bool)
        /// Cancelled (or already finished): the task must stop.
        case rejected
    }

    @usableFromInline
    enum WaitAction {
        /// The slot is full: the continuation is kept until a take or a cancel.
        case wait
        /// Room already: resume now.
        case resume
        /// Cancelled: resume throwing `CancellationError`.
        case fail
    }

    @usableFromInline
    enum TakeAction {
        /// The queue moved into the reactor's batch; resume the waiting task, if any.
        case took(resume: UnsafeContinuation<Void, any Error>?)
        /// Every response was taken and the stream is over.
        case finished(succeeded: Bool)
        /// Nothing now; the slot announces itself again when it has more.
        case empty
    }

    @usableFromInline
    var items: MessageQueue<Response>
    @usableFromInline
    var phase = Phase.producing(waiting: nil)
    /// The reactor knows the slot has work (a ready event is on its way, or the
    /// slot is in its ready list): later appends need not announce.
    @usableFromInline
    var isAnnounced = false
    @usableFromInline
    let capacity: Int

    @inlinable
    init(capacity: Int) {
        self.capacity = capacity
        self.items = MessageQueue(bound: capacity)
    }

    @inlinable
    mutating func append(_ response: consuming Response) -> AppendAction {
        guard case .producing = phase else {
            return .rejected
        }
        items.append(response)
        return .queued(announce: announce(), isFull: items.count >= capacity)
    }

    @inlinable
    mutating func waitForRoom(_ continuation: UnsafeContinuation<Void, any Error>) -> WaitAction {
        switch phase {
        case .producing(waiting: nil) where items.count >= capacity:
            phase = .producing(waiting: continuation)
            return .wait
        case .producing:
            return .resume
        case .finished, .cancelled:
            return .fail
        }
    }

    /// The task ended; returns whether to announce the slot (not when the RPC was
    /// cancelled first: there is nothing to send).
    @inlinable
    mutating func finish(succeeded: Bool) -> Bool {
        guard case .producing = phase else {
            return false
        }
        phase = .finished(succeeded: succeeded)
        return announce()
    }

    @inlinable
    mutating func take(into batch: inout MessageQueue<Response>) -> TakeAction {
        switch phase {
        case .cancelled:
            return .empty
        case .producing(let waiting):
            if items.isEmpty {
                isAnnounced = false
                return .empty
            }
            swap(&items, &batch)
            phase = .producing(waiting: nil)
            return .took(resume: waiting)
        case .finished(let succeeded):
            if items.isEmpty {
                return .finished(succeeded: succeeded)
            }
            swap(&items, &batch)
            return .took(resume: nil)
        }
    }

    /// Returns the waiting task's continuation, to resume throwing.
    @inlinable
    mutating func cancel() -> UnsafeContinuation<Void, any Error>? {
        let waiting: UnsafeContinuation<Void, any Error>?
        if case .producing(let continuation) = phase {
            waiting = continuation
        } else {
            waiting = nil
        }
        phase = .cancelled
        items.removeAll()
        return waiting
    }

    @inlinable
    mutating func announce() -> Bool {
        if isAnnounced {
            return false
        }
        isAnnounced = true
        return true
    }
}

extension StreamSlotState: Sendable where Response: Sendable {}
