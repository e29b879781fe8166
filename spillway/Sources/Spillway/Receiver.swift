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
    /// The batch taken from a lane; `buffer[readIndex...]` is not yet handed out.
    @usableFromInline
    var buffer: [Element] = []
    @usableFromInline
    var readIndex = 0
    /// The lane to look at first on the next refill.
    @usableFromInline
    var cursor = 0

    init(shared: Shared<Element>) {
        self.shared = shared
    }

    deinit {
        shared.closeFromReceiver()
    }

    /// The next message if one is available now; never waits.
    ///
    /// `nil` means "nothing right now"; ``isFinished`` tells whether more can come.
    @inlinable
    public func tryNext() -> Element? {
        if readIndex == buffer.count && !refill() {
            return nil
        }
        let element = buffer[readIndex]
        readIndex += 1
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
        guard maximumCount > 0, readIndex < buffer.count || refill() else {
            return 0
        }
        let end = readIndex + Swift.min(maximumCount, buffer.count - readIndex)
        let moved = end - readIndex
        if readIndex == 0 && end == buffer.count && elements.isEmpty {
            // Hand the whole batch over without copying it.
            swap(&elements, &buffer)
            readIndex = 0
        } else {
            elements.append(contentsOf: buffer[readIndex..<end])
            readIndex = end
        }
        shared.release(moved)
        return moved
    }

    /// Whether the channel has ended: every sender is gone and every message has
    /// been received. Checks every lane.
    public var isFinished: Bool {
        readIndex == buffer.count
            && shared.senderCount.load(ordering: .sequentiallyConsistent) == 0
            && !shared.hasDirtyLane()
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
    @usableFromInline
    func refill() -> Bool {
        let lanes = shared.lanes
        buffer.removeAll(keepingCapacity: true)
        readIndex = 0
        var index = cursor
        for _ in 0..<lanes.count {
            let lane = lanes[index]
            index += 1
            if index == lanes.count {
                index = 0
            }
            if lane.isDirty.load(ordering: .acquiring) {
                lane.take(into: &buffer)
                if !buffer.isEmpty {
                    cursor = index
                    return true
                }
            }
        }
        return false
    }
}
