import DequeModule
import Foundation
import KLock

/// Releases the tickets of an open-loop schedule at their times, from a thread of
/// its own: ticket `i` is due `i × spacing` after the start. A worker asks for the
/// next ticket and gets one that is due (at once when some are overdue, otherwise
/// when the next falls due). Timing on a dedicated thread keeps the schedule
/// independent of the task pool, so that a late timer does not count as latency.
final class Pacer: Sendable {
    private struct State {
        /// Tickets released so far (0..<released are due).
        var released = 0
        /// The next ticket to hand out.
        var nextClaim = 0
        var isFinished = false
        var waiters: Deque<UnsafeContinuation<Int?, Never>> = []
    }

    private let state = KLock(State())
    private let epoch: ContinuousClock.Instant
    private let spacing: Duration
    private let count: Int

    /// - Parameters:
    ///   - epoch: When ticket 0 is due.
    ///   - rate: Tickets per second.
    ///   - duration: Tickets are due within this much time after `epoch`.
    init(epoch: ContinuousClock.Instant, rate: Double, duration: Duration) {
        self.epoch = epoch
        spacing = .nanoseconds(Int64(1e9 / rate))
        count = Int((duration.seconds * rate).rounded(.up))
    }

    /// The scheduled time of `ticket`, in nanoseconds after the epoch.
    func nanoseconds(of ticket: Int) -> UInt64 {
        let due = spacing * ticket
        return UInt64(due.components.seconds) * 1_000_000_000 + UInt64(due.components.attoseconds / 1_000_000_000)
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "echo-load-pacer"
        thread.start()
    }

    /// The next due ticket, waiting until one is; `nil` when the schedule is over.
    func next() async -> Int? {
        await withUnsafeContinuation { continuation in
            let ticket = state.withLock { state -> Int?? in
                if state.nextClaim < state.released {
                    state.nextClaim += 1
                    return .some(state.nextClaim - 1)
                }
                if state.isFinished {
                    return .some(nil)
                }
                state.waiters.append(continuation)
                return .none
            }
            if let ticket {
                continuation.resume(returning: ticket)
            }
        }
    }

    private func run() {
        for ticket in 0..<count {
            sleep(until: epoch + spacing * ticket)
            let waiter = state.withLock { state -> (UnsafeContinuation<Int?, Never>, Int)? in
                state.released += 1
                guard let waiter = state.waiters.popFirst() else {
                    return nil
                }
                state.nextClaim += 1
                return (waiter, state.nextClaim - 1)
            }
            if let (continuation, claimed) = waiter {
                continuation.resume(returning: claimed)
            }
        }
        let waiters = state.withLock { state -> Deque<UnsafeContinuation<Int?, Never>> in
            state.isFinished = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters {
            waiter.resume(returning: nil)
        }
    }

    /// Sleeps the pacer thread until `deadline`: in the kernel while it is far, then
    /// spinning for the last stretch (kernel wake-ups are late by tens of µs).
    private func sleep(until deadline: ContinuousClock.Instant) {
        while true {
            let remaining = deadline - .now
            if remaining <= .zero {
                return
            }
            if remaining > .microseconds(200) {
                let micros = (remaining - .microseconds(100)).components
                usleep(UInt32(micros.seconds * 1_000_000 + micros.attoseconds / 1_000_000_000_000))
            } else {
                sched_yield()
            }
        }
    }
}
