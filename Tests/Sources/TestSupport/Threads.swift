#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Runs `body(index)` on `count` new OS threads at once and waits for all of them
/// without blocking a thread of the cooperative pool.
///
/// Real threads, not tasks: the cooperative pool has one thread per core, which
/// would hide the contention these tests are about.
public func runOnThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) async {
    precondition(count > 0)
    let remaining = Atomic<Int>(count)
    await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
        for index in 0..<count {
            startThread {
                body(index)
                if remaining.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 {
                    continuation.resume()
                }
            }
        }
    }
}

/// Starts `body` on a new, detached OS thread.
public func startThread(_ body: @escaping @Sendable () -> Void) {
    let context = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
    #if canImport(Glibc)
    var thread = pthread_t()
    #else
    var thread: pthread_t?
    #endif
    let result = pthread_create(&thread, nil, { context in
        guard let context else { return nil }
        Unmanaged<ThreadBody>.fromOpaque(context).takeRetainedValue().body()
        return nil
    }, context)
    precondition(result == 0, "pthread_create failed: \(result)")
    #if canImport(Glibc)
    pthread_detach(thread)
    #else
    if let thread { pthread_detach(thread) }
    #endif
}

private final class ThreadBody {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
}

/// Checks `condition` every few milliseconds until it holds, for at most about
/// `seconds` (a hang guard, not a timing assertion). Returns whether it held.
public func eventually(seconds: Int = 30, _ condition: () -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + testTimeout(seconds: seconds)
    while clock.now < deadline {
        if condition() {
            return true
        }
        try? await Task.sleep(for: .milliseconds(2))
    }
    return condition()
}

/// Thrown by ``withHangGuard(seconds:_:)`` when the operation did not finish.
public struct HangGuardExpired: Error, CustomStringConvertible {
    public let seconds: Int
    public var description: String { "operation still running after \(seconds) s (hang guard)" }
}

/// How much longer than usual the tests' guards and timeouts wait:
/// `PROTOSOCKET_TEST_TIME_SCALE` (for example 10 under ThreadSanitizer, which slows
/// TLS and socket I/O about that much on a small machine), else 1.
public let testTimeScale: Int = {
    guard let raw = getenv("PROTOSOCKET_TEST_TIME_SCALE"), let scale = Int(String(cString: raw)), scale > 0 else {
        return 1
    }
    return scale
}()

/// A timeout of `seconds`, stretched by ``testTimeScale``.
public func testTimeout(seconds: Int) -> Duration {
    .seconds(seconds * testTimeScale)
}

/// Runs `operation`, failing with ``HangGuardExpired`` if it has not finished after a
/// generous `seconds`: a guard against hangs, not a timing assertion. On expiry the
/// operation is cancelled and left behind (it may not respond to cancellation).
public func withHangGuard<T: Sendable>(
    seconds: Int = 60,
    _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    let settled = Once()
    let work = Task { try await operation() }
    let seconds = seconds * testTimeScale
    return try await withCheckedThrowingContinuation { continuation in
        Task {
            let result = await work.result
            if settled.claim() {
                continuation.resume(with: result)
            }
        }
        Task {
            try? await Task.sleep(for: .seconds(seconds))
            if settled.claim() {
                work.cancel()
                continuation.resume(throwing: HangGuardExpired(seconds: seconds))
            }
        }
    }
}

/// A flag that exactly one caller can claim.
private final class Once: Sendable {
    private let claimed = Atomic<Bool>(false)

    func claim() -> Bool {
        !claimed.exchange(true, ordering: .acquiringAndReleasing)
    }
}
