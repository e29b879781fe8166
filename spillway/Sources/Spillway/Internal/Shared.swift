import Synchronization

/// The state shared by a channel's senders and its receiver.
@usableFromInline
final class Shared<Element: Sendable>: Sendable {
    @usableFromInline
    let lanes: [Lane<Element>]
    @usableFromInline
    let waker = Waker()
    /// `Int.max` when unbounded.
    @usableFromInline
    let capacity: Int
    /// Messages sent and not yet handed out by the receiver; kept only with a capacity.
    @usableFromInline
    let unreceivedCount = Atomic<Int>(0)
    /// How many lanes are dirty: one atomic load tells the receiver whether any lane
    /// has work, without visiting each lane (the common case of a poll that finds
    /// nothing). Changed under the lane's lock, with the lane's flag.
    @usableFromInline
    let dirtyLaneCount = Atomic<Int>(0)
    @usableFromInline
    let senderCount = Atomic<Int>(0)
    @usableFromInline
    let receiverGone = Atomic<Bool>(false)
    private let laneClock = Atomic<Int>(0)

    init(laneCount: Int, capacity: Int?) {
        lanes = (0..<laneCount).map { _ in Lane() }
        self.capacity = capacity ?? .max
    }

    @inlinable
    var isBounded: Bool { capacity != .max }

    /// The lane for a new sender: round-robin over all lanes.
    func nextLane() -> Lane<Element> {
        let ticket = laneClock.wrappingAdd(1, ordering: .relaxed).oldValue
        return lanes[Int(UInt(bitPattern: ticket) % UInt(lanes.count))]
    }

    /// Reserves room for `count` messages; `false` when that would pass the capacity.
    @inlinable
    func reserve(_ count: Int) -> Bool {
        guard isBounded else {
            return true
        }
        let total = unreceivedCount.wrappingAdd(count, ordering: .relaxed).newValue
        if total > capacity || total < 0 {
            unreceivedCount.wrappingSubtract(count, ordering: .relaxed)
            return false
        }
        return true
    }

    @inlinable
    func release(_ count: Int) {
        if isBounded && count > 0 {
            unreceivedCount.wrappingSubtract(count, ordering: .relaxed)
        }
    }

    /// Whether any lane has messages (racy by nature; used to avoid lost wake-ups).
    @inlinable
    func hasDirtyLane() -> Bool {
        dirtyLaneCount.load(ordering: .sequentiallyConsistent) > 0
    }

    /// Refuses further sends; what is queued stays. Once each lane's lock has been
    /// taken after the flag is set, no send can append any more.
    func refuseSends() {
        receiverGone.store(true, ordering: .relaxed)
        for lane in lanes {
            lane.queue.withLock { _ in }
        }
        waker.setHandler(nil)
    }

    /// The receiver went away: refuse further sends and drop what is queued.
    func closeFromReceiver() {
        refuseSends()
        for lane in lanes {
            lane.removeAll(dirtyLaneCount: dirtyLaneCount)
        }
    }
}
