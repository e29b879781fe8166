import KLock

/// Wakes one waiter; a ring with nobody waiting is kept for the next wait (rings
/// coalesce). The pool's resolution loop waits on it for the refresh interval, a
/// failed endpoint, or shutdown.
@usableFromInline
final class Doorbell: Sendable {
    private enum State {
        case quiet
        case rung
        case waiting(CheckedContinuation<Void, Never>)
    }

    private let state = KLock(State.quiet)

    @usableFromInline
    func ring() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            switch state {
            case .waiting(let continuation):
                state = .quiet
                return continuation
            case .quiet, .rung:
                state = .rung
                return nil
            }
        }
        waiter?.resume()
    }

    /// Returns at the next ring (at once if one is pending), after `timeout`, or
    /// when the task is cancelled. One waiter at a time.
    func wait(upTo timeout: Duration?) async {
        await withTaskGroup(of: Void.self) { group in
            if let timeout {
                group.addTask { [self] in
                    if (try? await Task.sleep(for: timeout)) != nil {
                        ring()
                    }
                }
            }
            await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    let resumeNow = state.withLock { state -> Bool in
                        if case .rung = state {
                            state = .quiet
                            return true
                        }
                        state = .waiting(continuation)
                        return false
                    }
                    if resumeNow {
                        continuation.resume()
                    }
                }
            } onCancel: {
                ring()
            }
            group.cancelAll()
        }
    }
}
