import Synchronization

/// How many calls are pending on one client connection, or that it has closed:
/// written by its reactor on the event loop whenever that number changes (before
/// the call's caller is resumed) and once when the connection closes; read by
/// anyone (``RPCClient/pendingCalls``, the pool's routing). Relaxed: a load figure
/// and a liveness hint, not a synchronization.
///
/// One word for both, so that the pool learns whether a connection is open and how
/// loaded it is from one load, without copying the client or asking its channel
/// through an existential (Benchmarks/README.md).
@usableFromInline
final class PendingCallCount: Sendable {
    /// The count, or ``closed``.
    @usableFromInline
    let value = Atomic<Int>(0)

    /// What `value` holds once the connection has closed.
    @usableFromInline
    static var closed: Int { -1 }

    @inlinable
    init() {}

    @inlinable
    func store(_ count: Int) {
        value.store(count, ordering: .relaxed)
    }

    /// The connection has closed: no call is pending, and none can be made.
    @inlinable
    func close() {
        value.store(Self.closed, ordering: .relaxed)
    }

    /// The pending calls; 0 once the connection has closed.
    @inlinable
    func load() -> Int {
        max(0, value.load(ordering: .relaxed))
    }

    /// The pending calls, or `nil` once the connection has closed.
    @inlinable
    func loadIfOpen() -> Int? {
        let count = value.load(ordering: .relaxed)
        return count == Self.closed ? nil : count
    }
}
