import KLock
import Synchronization

/// How senders reach a receiver that ran out of work: a parked `next()` and/or a
/// wake handler installed for event-loop integration.
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
