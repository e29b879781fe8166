import Synchronization

/// The receiving side of a Spillway channel: one consumer, which may run on any
/// thread but only one at a time.
///
/// The receiver keeps a local buffer. When the buffer is empty it takes the whole
/// queue of the next lane with messages, starting after the lane it served last,
/// under one lock acquisition per batch. It reports the end of the channel only
/// when every sender is gone and every lane is drained.
///
/// Three ways to consume:
/// - ``tryNext()`` and ``drain(into:maximumCount:)`` never wait; with
///   ``setWakeHandler(_:)`` they suit an event loop.
/// - ``next()`` waits, and `Receiver` is an `AsyncSequence`.
///
/// Releasing the receiver closes the channel: later sends fail with
/// ``SendError/closed(_:)`` and queued messages are dropped.
public final class Receiver<Element: Sendable> {
    @usableFromInline
    let shared: Shared<Element>
    /// The consumer's own state. Behind a pointer rather than in stored `var`s so
    /// that the per-message path pays no dynamic exclusivity checks: the receiver is
    /// used by one consumer at a time, which is its contract.
    @usableFromInline
    let local: UnsafeMutablePointer<LocalState>

    @usableFromInline
    struct LocalState {
        /// The batch taken from a lane; `buffer[readIndex...]` is not yet handed out.
        @usableFromInline
        var buffer: [Element] = []
        @usableFromInline
        var readIndex = 0
        /// The lane to look at first on the next refill.
        @usableFromInline
        var cursor = 0

        @inlinable
        var isEmpty: Bool { readIndex == buffer.count }
    }

    init(shared: Shared<Element>) {
        self.shared = shared
        local = .allocate(capacity: 1)
        local.initialize(to: LocalState())
    }

    deinit {
        local.deinitialize(count: 1)
        local.deallocate()
        shared.closeFromReceiver()
    }

    /// The next message if one is available now; never waits.
    ///
    /// `nil` means "nothing right now"; ``isFinished`` tells whether more can come.
    @inlinable
    public func tryNext() -> Element? {
        if local.pointee.isEmpty && !refill() {
            return nil
        }
        let element = local.pointee.buffer[local.pointee.readIndex]
        local.pointee.readIndex &+= 1
        shared.release(1)
        return element
    }

    /// Appends available messages to `elements` without waiting: what is left of the
    /// current batch, or else the whole queue of the next lane with messages.
    ///
    /// - Parameters:
    ///   - elements: Where the messages go, in order.
    ///   - maximumCount: The most messages to move; the rest stay for later calls.
    /// - Returns: How many messages were appended; 0 when none are available.
    @discardableResult
    public func drain(into elements: inout [Element], maximumCount: Int = .max) -> Int {
        guard maximumCount > 0, !local.pointee.isEmpty || refill() else {
            return 0
        }
        let start = local.pointee.readIndex
        let available = local.pointee.buffer.count - start
        let moved = Swift.min(maximumCount, available)
        if start == 0 && moved == available && elements.isEmpty {
            // Hand the whole batch over without copying it.
            swap(&elements, &local.pointee.buffer)
            local.pointee.readIndex = 0
        } else {
            elements.append(contentsOf: local.pointee.buffer[start..<(start + moved)])
            local.pointee.readIndex = start + moved
        }
        shared.release(moved)
        return moved
    }

    /// Whether the channel has ended: every sender is gone (or ``close()`` was
    /// called) and every message has been received. Checks every lane.
    public var isFinished: Bool {
        local.pointee.isEmpty
            && (shared.senderCount.load(ordering: .sequentiallyConsistent) == 0
                || shared.receiverGone.load(ordering: .relaxed))
            && !shared.hasDirtyLane()
    }

    /// Closes the channel from the receiving side: from now on every send fails with
    /// ``SendError/closed(_:)`` (and the wake handler is removed), while messages
    /// already sent stay receivable, so the consumer can drain them with
    /// ``tryNext()`` until it returns `nil`.
    public func close() {
        shared.refuseSends()
    }

    /// Installs `handler` to be called, on the sending thread, each time a lane goes
    /// from empty to non-empty and when the last sender goes away; `nil` removes it.
    ///
    /// The handler is called once per edge, not per message: after it fires, drain
    /// until ``tryNext()`` returns `nil`, or later messages may bring no further call.
    /// Messages already queued when the handler is installed bring no call either, so
    /// drain once after installing it. Keep the handler short (schedule work, don't do
    /// it): it runs inside `send`.
    public func setWakeHandler(_ handler: (@Sendable () -> Void)?) {
        shared.waker.setHandler(handler)
    }

    /// Takes the next dirty lane's queue into the (consumed) local buffer.
    @inlinable
    func refill() -> Bool {
        local.pointee.buffer.removeAll(keepingCapacity: true)
        local.pointee.readIndex = 0
        // Most polls find nothing: one load answers them, without touching the lanes.
        guard shared.hasDirtyLane() else {
            return false
        }
        let lanes = shared.lanes
        var index = local.pointee.cursor
        for _ in 0..<lanes.count {
            let lane = lanes[index]
            index += 1
            if index == lanes.count {
                index = 0
            }
            if lane.isDirty.load(ordering: .acquiring) {
                lane.take(into: &local.pointee.buffer, dirtyLaneCount: shared.dirtyLaneCount)
                if !local.pointee.buffer.isEmpty {
                    local.pointee.cursor = index
                    return true
                }
            }
        }
        return false
    }
}
