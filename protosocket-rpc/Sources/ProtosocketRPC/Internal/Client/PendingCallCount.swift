import Synchronization

/// How many calls are pending on one client connection: written by its reactor on
/// the event loop whenever that number changes (before the call's caller is
/// resumed), read by anyone (``RPCClient/pendingCalls``, the pool's
/// power-of-two-choices routing). Relaxed: a load figure, not a synchronization.
@usableFromInline
final class PendingCallCount: Sendable {
    @usableFromInline
    let value = Atomic<Int>(0)

    @inlinable
    init() {}

    @inlinable
    func store(_ count: Int) {
        value.store(count, ordering: .relaxed)
    }

    @inlinable
    func load() -> Int {
        value.load(ordering: .relaxed)
    }
}
