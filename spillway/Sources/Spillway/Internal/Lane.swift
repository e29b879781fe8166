import KLock
import Synchronization

/// One queue of the channel and the flag that tells the receiver it has messages.
@usableFromInline
final class Lane<Element: Sendable>: Sendable {
    @usableFromInline
    let queue = KLock<[Element]>([])

    /// Mirrors "the queue is not empty" so the receiver can find work without locking.
    /// Written under the lane's lock; read without it.
    @usableFromInline
    let isDirty = Atomic<Bool>(false)

    @usableFromInline
    init() {}

    /// Runs `write` on the queue under the lock unless the receiver is gone.
    /// Reports whether the lane went from empty to non-empty.
    @inlinable
    func append(
        unlessClosed receiverGone: borrowing Atomic<Bool>,
        _ write: (inout [Element]) -> Void
    ) -> AppendOutcome {
        queue.withLock { queue in
            if receiverGone.load(ordering: .relaxed) {
                return .closed
            }
            let wasEmpty = queue.isEmpty
            write(&queue)
            if wasEmpty && !queue.isEmpty {
                // Sequentially consistent: pairs with the receiver's load after it
                // parks, so that either it sees this lane or the sender sees it parked.
                isDirty.store(true, ordering: .sequentiallyConsistent)
                return .becameDirty
            }
            return .appended
        }
    }

    /// Swaps `buffer` (empty) with the lane's queue, taking the whole batch.
    @inlinable
    func take(into buffer: inout [Element]) {
        queue.withLock { queue in
            swap(&queue, &buffer)
            isDirty.store(false, ordering: .relaxed)
        }
    }

    /// Drops whatever is queued.
    func removeAll() {
        queue.withLock { queue in
            queue.removeAll()
            isDirty.store(false, ordering: .relaxed)
        }
    }
}

@usableFromInline
enum AppendOutcome {
    case appended
    case becameDirty
    case closed
}
