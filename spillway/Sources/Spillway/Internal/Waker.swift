import KLock
import Synchronization

/// How senders reach a receiver that ran out of work: a parked `next()` and/or a
/// wake handler installed for event-loop integration.
///
/// The park/wake protocol, and why no wake-up is lost:
/// - Who may resume: only whoever takes the continuation out of `waiters` under the
///   lock (a sender in ``wakeArmed()``, or the receiver itself in ``resumeParked()``
///   on its re-check or on cancellation). Taking it clears it, so it is resumed
///   exactly once; it is resumed outside the lock.
/// - When it is published: ``park(_:)`` stores it and sets `isArmed` (sequentially
///   consistent) under the lock, inside `withUnsafeContinuation`'s body, before the
///   task has suspended. A sender may resume it at once; the concurrency runtime
///   then lets the task continue without suspending.
/// - The re-check: a sender marks its lane dirty (sequentially consistent) and then
///   loads `isArmed`; the receiver sets `isArmed` and then loads every lane's dirty
///   flag (and the sender count), both sequentially consistent. Of two such
///   store-then-load pairs, at least one load sees the other's store: either the
///   sender sees the receiver parked and wakes it, or the receiver sees the dirty
///   lane and resumes itself.
///
/// ThreadSanitizer sometimes reports a race here (issue 17): the sender's read of
/// the parked task's frame inside `UnsafeContinuation.resume()` against the task's
/// own write to that frame when it continues. The two are ordered by the
/// continuation's status word, an atomic inside the concurrency runtime, which is
/// not instrumented, so ThreadSanitizer does not see the edge. The same report comes
/// from a minimal hand-off outside Spillway (`ContinuationHandoffTests`); see
/// RELIABILITY.md ("Sanitizers").
@usableFromInline
final class Waker: Sendable {
    struct Waiters {
        var continuation: UnsafeContinuation<Void, Never>?
        var handler: (@Sendable () -> Void)?
    }

    /// `true` while there is someone to wake, so that senders skip the lock otherwise.
    @usableFromInline
    let isArmed = Atomic<Bool>(false)
    private let waiters = KLock(Waiters())

    @usableFromInline
    init() {}

    /// Called on every empty-to-non-empty lane edge and when the last sender goes.
    @inlinable
    func wake() {
        if isArmed.load(ordering: .sequentiallyConsistent) {
            wakeArmed()
        }
    }

    @usableFromInline
    func wakeArmed() {
        let (continuation, handler) = takeContinuation()
        continuation?.resume()
        handler?()
    }

    /// Parks the receiver's continuation; the caller must re-check for work after
    /// this returns and call ``wake()`` itself if it finds some.
    func park(_ continuation: UnsafeContinuation<Void, Never>) {
        waiters.withLock { waiters in
            assert(waiters.continuation == nil, "only the receiver parks")
            waiters.continuation = continuation
            isArmed.store(true, ordering: .sequentiallyConsistent)
        }
    }

    func setHandler(_ handler: (@Sendable () -> Void)?) {
        waiters.withLock { waiters in
            waiters.handler = handler
            isArmed.store(handler != nil || waiters.continuation != nil, ordering: .sequentiallyConsistent)
        }
    }

    /// Resumes a parked receiver without calling the handler (cancellation).
    func resumeParked() {
        takeContinuation().continuation?.resume()
    }

    /// Removes the parked continuation (if any) and reads the handler.
    private func takeContinuation() -> (continuation: UnsafeContinuation<Void, Never>?, handler: (@Sendable () -> Void)?) {
        waiters.withLock { waiters in
            let continuation = waiters.continuation
            waiters.continuation = nil
            isArmed.store(waiters.handler != nil, ordering: .sequentiallyConsistent)
            return (continuation, waiters.handler)
        }
    }
}
