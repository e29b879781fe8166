import EchoProto
import Histogram
import KLock
import Synchronization

/// One stretch of load on a set of open connections: closed loop (each worker
/// sends when its last call is answered) or open loop (workers take tickets of a
/// fixed schedule and send at the ticket's time).
///
/// Each request carries its send time (`nanotime`; in open loop the scheduled
/// time, so that queueing behind a slow response is not hidden), which the server
/// echoes; a response's latency is its arrival time minus that.
final class LoadPhase: Sendable {
    private let options: LoadOptions
    private let recorders: [KLock<Histogram<UInt64>>]
    private let stopped = Atomic<Bool>(false)
    private let inFlight = Atomic<Int>(0)
    private let errors = Atomic<Int>(0)
    private let epoch = ContinuousClock.now
    /// The schedule, in open loop.
    private let pacer: Pacer?

    init(options: LoadOptions) {
        self.options = options
        // Workers share a few histograms (merging and resetting one per worker each
        // second would cost more than the contention they avoid).
        recorders = (0..<min(options.concurrency, LoadPhase.shards)).map { _ in KLock(LoadPhase.makeHistogram()) }
        let epoch = self.epoch
        pacer = options.rate.map { Pacer(epoch: epoch, rate: $0, duration: options.duration) }
    }

    private static let shards = 16

    static func makeHistogram() -> Histogram<UInt64> {
        // Up to 60 s, in microseconds, three significant digits.
        Histogram(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
    }

    /// Runs the phase; `onInterval` gets a report about every second. The result
    /// covers the whole phase, including the calls in flight at its end (it waits
    /// for them).

    func run(on connections: [any EchoConnection], onInterval: @Sendable (LoadReport) -> Void) async -> LoadReport {
        await withTaskGroup(of: Void.self) { group -> LoadReport in
            pacer?.start()
            for worker in 0..<options.concurrency {
                let connection = connections[worker % connections.count]
                group.addTask {
                    await self.work(worker: worker, connection: connection)
                }
            }
            var total = await report(every: .seconds(1), onInterval: onInterval)
            let stoppedAt = ContinuousClock.now - epoch
            await group.waitForAll()
            total.add(collect())
            // The rate is over the time requests were sent; the calls still in flight
            // then are waited for and counted (at most `concurrency` of them).
            return LoadReport(
                histogram: total,
                errors: errors.load(ordering: .relaxed),
                duration: stoppedAt,
                elapsed: ContinuousClock.now - epoch,
                inFlight: 0,
                targetRate: options.rate
            )
        }
    }

    /// Nanoseconds since the phase started.
    private func now() -> UInt64 {
        let (seconds, attoseconds) = (ContinuousClock.now - epoch).components
        return UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
    }

    private func record(sentAt nanotime: UInt64, worker: Int) {
        let micros = (now() &- nanotime) / 1_000
        recorders[worker % recorders.count].withLock { _ = $0.record(min(micros, 60_000_000)) }
    }

    /// The time of the next send: now (closed loop, until the phase is stopped), or
    /// the scheduled time of the next due ticket, after waiting for one (open loop;
    /// a ticket taken late is still sent, and its latency counts from its scheduled
    /// time); `nil` when the phase is over.
    private func nextSendTime() async -> UInt64? {
        guard let pacer else {
            return stopped.load(ordering: .relaxed) ? nil : now()
        }
        return await pacer.next().map(pacer.nanoseconds(of:))
    }

    private func work(worker: Int, connection: any EchoConnection) async {
        var request = Echo_Request()
        request.body.message = options.message
        request.responseBehavior = options.mode == .unary ? .unary : .stream
        while connection.isAlive, let sendTime = await nextSendTime() {
            request.body.nanotime = sendTime
            inFlight.wrappingAdd(1, ordering: .relaxed)
            do {
                switch options.mode {
                case .unary:
                    let response = try await connection.unary(request)
                    record(sentAt: response.echo.nanotime, worker: worker)
                case .streaming:
                    try await connection.streaming(request) { response in
                        self.record(sentAt: response.stream.nanotime, worker: worker)
                    }
                }
            } catch {
                errors.wrappingAdd(1, ordering: .relaxed)
            }
            inFlight.wrappingSubtract(1, ordering: .relaxed)
        }
    }

    /// Reports every `interval` until the phase's duration has passed, then stops
    /// the workers; returns every latency reported.
    private func report(every interval: Duration, onInterval: @Sendable (LoadReport) -> Void) async -> Histogram<UInt64> {
        let clock = ContinuousClock()
        let end = epoch + options.duration
        var total = LoadPhase.makeHistogram()
        var reportedErrors = 0
        var last = epoch
        while true {
            try? await clock.sleep(until: min(last + interval, end))
            let stretch = collect()
            total.add(stretch)
            let errorsSoFar = errors.load(ordering: .relaxed)
            let now = clock.now
            onInterval(LoadReport(
                histogram: stretch,
                errors: errorsSoFar - reportedErrors,
                duration: now - last,
                elapsed: now - epoch,
                inFlight: inFlight.load(ordering: .relaxed),
                targetRate: options.rate
            ))
            reportedErrors = errorsSoFar
            last = now
            if now >= end || Task.isCancelled {
                break
            }
        }
        stopped.store(true, ordering: .relaxed)
        return total
    }

    /// Takes every worker's recorded latencies, leaving them empty.
    private func collect() -> Histogram<UInt64> {
        var merged = LoadPhase.makeHistogram()
        for recorder in recorders {
            recorder.withLock { histogram in
                merged.add(histogram)
                histogram.reset()
            }
        }
        return merged
    }
}
