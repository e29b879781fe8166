import Dispatch
import Foundation
import Synchronization

/// A fixed set of OS threads that run one job together, as many times as asked.
///
/// The threads are made once and reused across benchmark iterations, so an
/// iteration measures the job and not thread creation. Each `run` releases all
/// threads at once and resumes when the last has finished, without blocking a
/// thread of the cooperative pool (a consumer task may need it). The threads live
/// as long as the benchmark process.
public final class ThreadGang: @unchecked Sendable {
    // Safe: `round` is written only by `run` before it releases the threads (the
    // semaphore signal orders the write before their reads), and `run` is never
    // called again before the previous round's last thread has finished.
    private var round: Round?
    /// One per thread, so that each thread runs each job exactly once.
    private let starts: [DispatchSemaphore]
    public let count: Int

    private final class Round: Sendable {
        let job: @Sendable (Int) -> Void
        let remaining: Atomic<Int>
        let done: UnsafeContinuation<Void, Never>

        init(job: @escaping @Sendable (Int) -> Void, count: Int, done: UnsafeContinuation<Void, Never>) {
            self.job = job
            self.remaining = Atomic(count)
            self.done = done
        }
    }

    public init(count: Int) {
        self.count = count
        starts = (0..<count).map { _ in DispatchSemaphore(value: 0) }
        for index in 0..<count {
            let thread = Thread { [self] in
                while true {
                    starts[index].wait()
                    guard let round else { continue }
                    round.job(index)
                    if round.remaining.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 {
                        round.done.resume()
                    }
                }
            }
            thread.start()
        }
    }

    /// Runs `job(threadIndex)` on every thread of the gang and waits for all.
    public func run(_ job: @escaping @Sendable (Int) -> Void) async {
        await withUnsafeContinuation { continuation in
            round = Round(job: job, count: count, done: continuation)
            for start in starts { start.signal() }
        }
        round = nil
    }
}
