import KLock
import Protosocket
import Synchronization

/// The RPCs running on one server, over all its connections: always counted
/// (``RPCServer/runningRPCCount``), and capped when
/// ``RPCServerLimits/maxRunningRPCs`` is set.
///
/// A connection that found the cap reached and chose to wait registers its waker
/// and is woken by the next release, then tries again.
@usableFromInline
final class RunningRPCCounter: Sendable {
    @usableFromInline
    let count = Atomic<Int>(0)
    @usableFromInline
    let limit: Int?
    /// Whether `waiters` may be non-empty, so that a release skips the lock otherwise.
    @usableFromInline
    let hasWaiters = Atomic<Bool>(false)
    /// At most one entry per connection, however often it registers.
    let waiters = KLock<[ObjectIdentifier: ConnectionWaker]>([:])

    @usableFromInline
    init(limit: Int?) {
        self.limit = limit
    }

    /// Counts a new running RPC unless the cap is reached.
    @inlinable
    func tryAcquire() -> Bool {
        guard let limit else {
            count.wrappingAdd(1, ordering: .relaxed)
            return true
        }
        var current = count.load(ordering: .relaxed)
        while current < limit {
            let (exchanged, original) = count.weakCompareExchange(
                expected: current, desired: current + 1, ordering: .relaxed
            )
            if exchanged {
                return true
            }
            current = original
        }
        return false
    }

    /// An RPC counted by ``tryAcquire()`` ended.
    @inlinable
    func release() {
        count.wrappingSubtract(1, ordering: .sequentiallyConsistent)
        if hasWaiters.load(ordering: .sequentiallyConsistent) {
            wakeWaiters()
        }
    }

    /// Wakes `waker` at the next release. The caller tries ``tryAcquire()`` again
    /// after registering, so that a release between its failed try and this call
    /// is not missed.
    @usableFromInline
    func wakeOnRelease(_ waker: ConnectionWaker) {
        waiters.withLock { waiters in
            waiters[ObjectIdentifier(waker)] = waker
            hasWaiters.store(true, ordering: .sequentiallyConsistent)
        }
    }

    @usableFromInline
    func wakeWaiters() {
        let woken = waiters.withLock { waiters -> [ConnectionWaker] in
            hasWaiters.store(false, ordering: .sequentiallyConsistent)
            defer { waiters.removeAll(keepingCapacity: true) }
            return Array(waiters.values)
        }
        for waker in woken {
            waker.wake()
        }
    }
}
