import KLock
import Synchronization

/// One queue of the channel and the flag that tells the receiver it has messages.
@usableFromInline
final class Lane<Element: Sendable>: Sendable {
    @usableFromInline
    let queue = KLock<[Element]>([])

    /// Mirrors "the queue is not empty" so the receiver can find the lane with work
    /// without locking. Written under the lane's lock; read without it.
    @usableFromInline
    let isDirty = Atomic<Bool>(false)

    @usableFromInline
    init() {}

    /// Runs `write` on the queue under the lock unless the receiver is gone.
    /// Reports whether the lane went from empty to non-empty, and then counts it in
    /// `dirtyLaneCount` (under the lock, so the count and the flags agree whenever
    /// no lock is held).
    @inlinable
    func append(
        unlessClosed receiverGone: borrowing Atomic<Bool>,
        dirtyLaneCount: borrowing Atomic<Int>,
        _ write: (inout [Element]) -> Void
    ) -> AppendOutcome {
        queue.withLock { queue in
            if receiverGone.load(ordering: .relaxed) {
                return .closed
            }
            let wasEmpty = queue.isEmpty
            write(&queue)
            if wasEmpty && !queue.isEmpty {
                isDirty.store(true, ordering: .relaxed)
                // Sequentially consistent: pairs with the receiver's load after it
                // parks, so that either it sees this lane or the sender sees it
                // parked. It also publishes the flag above to a receiver that
                // reads the count first.
                dirtyLaneCount.wrappingAdd(1, ordering: .sequentiallyConsistent)
                return .becameDirty
            }
            return .appended
        }
    }

    /// Swaps `buffer` (empty) with the lane's queue, taking the whole batch.
    @inlinable
    func take(into buffer: inout [Element], dirtyLaneCount: borrowing Atomic<Int>) {
        queue.withLock { queue in
            swap(&queue, &buffer)
            clean(wasDirty: !buffer.isEmpty, dirtyLaneCount: dirtyLaneCount)
        }
    }

    /// Drops whatever is queued.
    func removeAll(dirtyLaneCount: borrowing Atomic<Int>) {
        queue.withLock { queue in
            let wasDirty = !queue.isEmpty
            queue.removeAll()
            clean(wasDirty: wasDirty, dirtyLaneCount: dirtyLaneCount)
        }
    }

    /// Marks the lane empty; called under the lock.
    @inlinable
    func clean(wasDirty: Bool, dirtyLaneCount: borrowing Atomic<Int>) {
        isDirty.store(false, ordering: .relaxed)
        if wasDirty {
            // Only the receiver takes the count down, and only it reads it.
            dirtyLaneCount.wrappingSubtract(1, ordering: .relaxed)
        }
    }
}

@usableFromInline
enum AppendOutcome {
    case appended
    case becameDirty
    case closed
}
