import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import KLock
import Testing
import TestSupport

@Suite("KLock")
struct KLockTests {
    @Test("8 threads x 100,000 unsynchronised increments under the lock")
    func incrementsAreExclusive() async {
        let counter = KLock(0)
        await runOnThreads(8) { _ in
            for _ in 0..<100_000 {
                counter.withLock { $0 += 1 }
            }
        }
        #expect(counter.withLock { $0 } == 800_000)
    }

    @Test("waiters that park in the kernel are all woken")
    func parkedWaitersAreWoken() async {
        // A critical section long enough (a sleep) that spinning gives up and
        // waiters park on the futex; every one of them must get the lock again.
        let state = KLock((count: 0, inside: 0, overlaps: 0))
        await runOnThreads(16) { _ in
            for _ in 0..<50 {
                state.withLock { state in
                    state.inside += 1
                    if state.inside > 1 {
                        state.overlaps += 1
                    }
                    usleep(100)
                    state.count += 1
                    state.inside -= 1
                }
            }
        }
        let final = state.withLock { $0 }
        #expect(final.count == 800)
        #expect(final.overlaps == 0)
    }

    @Test("withLockIfAvailable returns nil while another thread holds the lock")
    func withLockIfAvailableWhileHeld() {
        let lock = KLock("value")
        let held = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let released = DispatchSemaphore(value: 0)
        startThread {
            lock.withLock { _ in
                held.signal()
                release.wait()
            }
            released.signal()
        }
        held.wait()
        #expect(lock.withLockIfAvailable { $0 } == nil)
        release.signal()
        released.wait()
        #expect(lock.withLockIfAvailable { $0 } == "value")
    }

    @Test("the closure's result and mutations pass through")
    func resultPassesThrough() {
        let lock = KLock([1, 2])
        let count = lock.withLock { values -> Int in
            values.append(3)
            return values.count
        }
        #expect(count == 3)
        #expect(lock.withLock { $0 } == [1, 2, 3])
    }

    struct Failure: Error, Equatable {
        let code: Int
    }

    @Test("a thrown error passes through and the lock is released")
    func errorsPassThrough() {
        let lock = KLock(0)
        #expect(throws: Failure(code: 7)) {
            try lock.withLock { value throws(Failure) in
                value = 1
                throw Failure(code: 7)
            }
        }
        #expect(throws: Failure(code: 8)) {
            try lock.withLockIfAvailable { _ throws(Failure) in throw Failure(code: 8) }
        }
        // Released both times, and the mutation before the throw stuck.
        #expect(lock.withLockIfAvailable { $0 } == 1)
    }

    @Test("copies share one lock and one value")
    func copiesShareState() {
        let original = KLock(0)
        let copy = original
        copy.withLock { $0 = 42 }
        #expect(original.withLock { $0 } == 42)
    }
}
