import CKLockFutex

/// A mutual-exclusion lock for very short critical sections on threads that must
/// not stall, such as event-loop threads.
///
/// When the lock is free, taking and releasing it costs one compare-and-swap and
/// one swap, with no system call. When it is held, a waiter spins (with a CPU
/// pause hint) for as long as the lock keeps changing hands, because a short
/// critical section will very likely end sooner than a park and wake-up would take.
/// When the holders stop making progress, or about 400 pauses pass without a new
/// acquisition, the waiter parks in the kernel (a futex on Linux). An unlock wakes
/// one parked thread, or two when several are queued.
///
/// On platforms without a futex the waiter yields instead of parking.
///
/// `KLock` has reference semantics: copies share one lock and one value.
///
/// ```swift
/// let counter = KLock(0)
/// counter.withLock { $0 += 1 }
/// ```
public struct KLock<Value> {
    @usableFromInline
    let storage: KLockStorage<Value>

    /// Creates a lock protecting `initialValue`.
    @inlinable
    public init(_ initialValue: Value) {
        storage = KLockStorage.make(initialValue)
    }

    /// Runs `body` with exclusive access to the protected value, waiting for the
    /// lock if another thread holds it.
    ///
    /// The lock is not reentrant: calling `withLock` on the same lock from inside
    /// `body` deadlocks.
    ///
    /// - Returns: What `body` returns.
    /// - Throws: What `body` throws; the lock is released either way.
    @inlinable
    public func withLock<Result: ~Copyable, Failure: Error>(
        _ body: (inout Value) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        storage.lock()
        defer { storage.unlock() }
        return try storage.withUnsafeMutablePointerToElements { (value) throws(Failure) -> Result in
            try body(&value.pointee)
        }
    }

    /// Runs `body` with exclusive access to the protected value if the lock is free
    /// right now; never waits.
    ///
    /// - Returns: What `body` returns, or `nil` when another thread holds the lock.
    /// - Throws: What `body` throws; the lock is released either way.
    @inlinable
    public func withLockIfAvailable<Result: ~Copyable, Failure: Error>(
        _ body: (inout Value) throws(Failure) -> Result
    ) throws(Failure) -> Result? {
        guard storage.tryLock() else {
            return nil
        }
        defer { storage.unlock() }
        return try storage.withUnsafeMutablePointerToElements { (value) throws(Failure) -> Result in
            try body(&value.pointee)
        }
    }
}

extension KLock: @unchecked Sendable where Value: Sendable {}
// Safe: the value is reached only through `withLock`/`withLockIfAvailable`, which
// hold the lock for the whole access, and the lock word is only touched atomically.

extension KLock where Value == Void {
    /// Creates a lock that protects no value, for guarding a critical section.
    @inlinable
    public init() {
        self.init(())
    }
}
