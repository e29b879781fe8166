#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs `body(index)` on `count` new OS threads at once and waits for all of them.
///
/// Real threads, not tasks: the cooperative pool has one thread per core, which
/// would hide the contention these tests are about.
public func runOnThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    var threads: [pthread_t] = []
    for index in 0..<count {
        threads.append(startThread { body(index) })
    }
    for thread in threads {
        pthread_join(thread, nil)
    }
}

/// Starts `body` on a new OS thread; join it with `pthread_join`.
public func startThread(_ body: @escaping @Sendable () -> Void) -> pthread_t {
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
    return thread
    #else
    guard let thread else { preconditionFailure("pthread_create returned no thread") }
    return thread
    #endif
}

private final class ThreadBody {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
}

/// Yields until `condition` holds, for at most `attempts` tries (a hang guard, not a
/// timing assertion). Returns whether it held.
public func eventually(attempts: Int = 100_000, _ condition: () -> Bool) async -> Bool {
    for _ in 0..<attempts {
        if condition() {
            return true
        }
        await Task.yield()
    }
    return condition()
}
