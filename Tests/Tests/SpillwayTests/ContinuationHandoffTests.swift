import KLock
import Synchronization
import Testing
import TestSupport

/// The park/wake handshake Spillway's receiver relies on, outside Spillway: a task
/// publishes its continuation under a lock, and another thread takes it under the
/// same lock and resumes it, often before the task has actually suspended.
///
/// This is the minimal reproducer of issue 17: under ThreadSanitizer it can report
/// a race between `resume()` on the waking thread and the parked task's next
/// `withUnsafeContinuation` on the task's frame. The two are ordered by the
/// concurrency runtime's own atomics (the continuation's status word), which
/// ThreadSanitizer does not see because the runtime is not instrumented; see
/// RELIABILITY.md ("Sanitizers"). Without a sanitizer this test checks that no
/// wake-up is lost: every round completes.
@Suite("Continuation hand-off")
struct ContinuationHandoffTests {
    /// A parking place for one continuation, and the rounds the task has done.
    final class Slot<Continuation: Sendable>: Sendable {
        /// A KLock, as in Spillway's waker (its atomics are in instrumented C code,
        /// so ThreadSanitizer sees the lock; it does not see `Synchronization.Mutex`'s).
        let parked = KLock<Continuation?>(nil)
        let rounds = Atomic<Int>(0)
        let total: Int

        init(total: Int) {
            self.total = total
        }

        /// On a thread of its own: wakes whatever is parked until every round is done.
        func wakeUntilDone(_ resume: @escaping @Sendable (Continuation) -> Void) {
            startThread {
                while self.rounds.load(ordering: .acquiring) < self.total {
                    if let continuation = self.parked.withLock({ $0.take() }) {
                        resume(continuation)
                    }
                }
            }
        }
    }

    @Test("a continuation parked under a lock and resumed by another thread: 20,000 rounds, none lost")
    func parkAndWake() async throws {
        let slot = Slot<UnsafeContinuation<Void, Never>>(total: 20_000)
        slot.wakeUntilDone { $0.resume() }
        try await withHangGuard(seconds: 120) {
            for _ in 0..<slot.total {
                await withUnsafeContinuation { continuation in
                    slot.parked.withLock { $0 = continuation }
                }
                slot.rounds.add(1, ordering: .releasing)
            }
        }
        #expect(slot.rounds.load(ordering: .relaxed) == slot.total)
    }

    @Test("the same hand-off with CheckedContinuation: 20,000 rounds, none lost")
    func parkAndWakeChecked() async throws {
        let slot = Slot<CheckedContinuation<Void, Never>>(total: 20_000)
        slot.wakeUntilDone { $0.resume() }
        try await withHangGuard(seconds: 120) {
            for _ in 0..<slot.total {
                await withCheckedContinuation { continuation in
                    slot.parked.withLock { $0 = continuation }
                }
                slot.rounds.add(1, ordering: .releasing)
            }
        }
        #expect(slot.rounds.load(ordering: .relaxed) == slot.total)
    }
}
