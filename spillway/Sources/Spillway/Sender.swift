/// The sending side of a Spillway channel; usable from any thread or task.
///
/// Sending is synchronous and never waits: the message is appended to this
/// sender's lane under that lane's lock, and the receiver is woken only when the
/// lane goes from empty to non-empty. Messages from one sender arrive in the order
/// they were sent.
///
/// Keep one sender per producing thread or task (see ``makeSender()``) so that
/// producers spread over the lanes instead of contending for one. The channel
/// ends for the receiver when every sender has been released and every lane
/// drained.
public final class Sender<Element: Sendable>: Sendable {
    @usableFromInline
    let shared: Shared<Element>
    @usableFromInline
    let lane: Lane<Element>

    init(shared: Shared<Element>) {
        self.shared = shared
        self.lane = shared.nextLane()
        shared.senderCount.wrappingAdd(1, ordering: .relaxed)
    }

    deinit {
        // Everything this sender appended happens-before the receiver sees zero;
        // sequentially consistent so that a receiver parking right now is woken.
        if shared.senderCount.wrappingSubtract(1, ordering: .sequentiallyConsistent).newValue == 0 {
            shared.waker.wake()
        }
    }

    /// Makes another sender for the same channel, bound to the next lane.
    public func makeSender() -> Sender<Element> {
        Sender(shared: shared)
    }

    /// Whether the receiver is gone, so that every send would fail.
    public var isClosed: Bool {
        shared.receiverGone.load(ordering: .relaxed)
    }

    /// Appends `value` to this sender's lane.
    ///
    /// - Throws: ``SendError/full(_:)`` when the channel holds its capacity of
    ///   unreceived messages, ``SendError/closed(_:)`` when the receiver is gone; both
    ///   hand `value` back.
    @inlinable
    public func send(_ value: Element) throws(SendError<Element>) {
        guard shared.reserve(1) else {
            throw .full(value)
        }
        try finishSend(reserved: 1, failure: value) { $0.append(value) }
    }

    /// Appends all of `values` to this sender's lane under one lock, in order.
    ///
    /// Either all of them are sent or none.
    ///
    /// - Throws: ``SendError/full(_:)`` when they do not all fit in the channel's
    ///   capacity, ``SendError/closed(_:)`` when the receiver is gone; both hand the
    ///   values back.
    @inlinable
    public func send<Values: Collection<Element>>(contentsOf values: Values) throws(SendError<[Element]>) {
        let count = values.count
        guard count > 0 else {
            return
        }
        guard shared.reserve(count) else {
            throw .full(Array(values))
        }
        try finishSend(reserved: count, failure: Array(values)) { $0.append(contentsOf: values) }
    }

    @inlinable
    func finishSend<Failure: Sendable>(
        reserved: Int,
        failure: @autoclosure () -> Failure,
        _ write: (inout [Element]) -> Void
    ) throws(SendError<Failure>) {
        switch lane.append(unlessClosed: shared.receiverGone, dirtyLaneCount: shared.dirtyLaneCount, write) {
        case .appended:
            return
        case .becameDirty:
            shared.waker.wake()
        case .closed:
            shared.release(reserved)
            throw .closed(failure())
        }
    }
}
