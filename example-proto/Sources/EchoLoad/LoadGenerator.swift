import EchoProto
import Histogram
import KLock
import ProtosocketClient
import ProtosocketProto
import ProtosocketRPC
import Synchronization

/// Drives echo RPCs against a server and measures their latency: `concurrency`
/// calls always in flight over `connections` connections, for `duration`.
///
/// Each request carries the time it was sent (`nanotime`), which the server
/// echoes; a response's latency is its arrival time minus that.
public enum LoadGenerator {
    /// Runs the load; `onInterval` gets a report about every second, and the
    /// result covers the whole run, including the calls still in flight when the
    /// duration was over (the run waits for them).
    ///
    /// - Throws: When a connection cannot be opened.
    public static func run(
        _ options: LoadOptions,
        onInterval: @Sendable (LoadReport) -> Void = { _ in }
    ) async throws -> LoadReport {
        var clients: [RPCClient<Echo_Request, Echo_Response>] = []
        for _ in 0..<options.connections {
            clients.append(try await RPCClient.connect(host: options.host, port: options.port) {
                ProtobufCodec<Echo_Response, Echo_Request>()
            })
        }
        let run = LoadRun(workers: options.concurrency)
        let final = await withTaskGroup(of: Void.self) { group -> LoadReport in
            for worker in 0..<options.concurrency {
                let client = clients[worker % clients.count]
                group.addTask {
                    await run.work(worker: worker, client: client, options: options)
                }
            }
            let started = ContinuousClock.now
            var total = await run.report(every: .seconds(1), for: options.duration, onInterval: onInterval)
            await group.waitForAll()
            total.add(run.collect())
            return LoadReport(
                histogram: total,
                errors: run.errorCount,
                duration: ContinuousClock.now - started,
                inFlight: 0
            )
        }
        for client in clients {
            await client.close()
        }
        return final
    }
}

/// The shared state of one load run.
final class LoadRun: Sendable {
    private let recorders: [KLock<Histogram<UInt64>>]
    private let stopped = Atomic<Bool>(false)
    private let inFlight = Atomic<Int>(0)
    private let errors = Atomic<Int>(0)
    private let epoch = ContinuousClock.now

    init(workers: Int) {
        recorders = (0..<workers).map { _ in KLock(LoadRun.makeHistogram()) }
    }

    static func makeHistogram() -> Histogram<UInt64> {
        // Up to 60 s, in microseconds, three significant digits.
        Histogram(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
    }

    /// Nanoseconds since the run started.
    private func now() -> UInt64 {
        let elapsed = ContinuousClock.now - epoch
        return UInt64(elapsed.components.seconds) * 1_000_000_000 + UInt64(elapsed.components.attoseconds / 1_000_000_000)
    }

    private func record(sentAt nanotime: UInt64, worker: Int) {
        let micros = (now() &- nanotime) / 1_000
        recorders[worker].withLock { _ = $0.record(min(micros, 60_000_000)) }
    }

    /// One worker: one call at a time until the run stops.
    func work(worker: Int, client: RPCClient<Echo_Request, Echo_Response>, options: LoadOptions) async {
        while !stopped.load(ordering: .relaxed) && client.isAlive {
            var request = Echo_Request()
            request.body.message = options.message
            request.body.nanotime = now()
            request.responseBehavior = options.mode == .unary ? .unary : .stream
            inFlight.wrappingAdd(1, ordering: .relaxed)
            do {
                switch options.mode {
                case .unary:
                    let response = try await client.unary(request)
                    record(sentAt: response.echo.nanotime, worker: worker)
                case .streaming:
                    for try await response in client.streaming(request) {
                        record(sentAt: response.stream.nanotime, worker: worker)
                    }
                }
            } catch {
                errors.wrappingAdd(1, ordering: .relaxed)
            }
            inFlight.wrappingSubtract(1, ordering: .relaxed)
        }
    }

    var errorCount: Int {
        errors.load(ordering: .relaxed)
    }

    /// Reports every `interval` until `duration` has passed, then stops the workers.
    ///
    /// - Returns: Every latency reported.
    func report(
        every interval: Duration,
        for duration: Duration,
        onInterval: @Sendable (LoadReport) -> Void
    ) async -> Histogram<UInt64> {
        let clock = ContinuousClock()
        let start = clock.now
        var total = LoadRun.makeHistogram()
        var reportedErrors = 0
        var last = start
        while true {
            let next = min(last + interval, start + duration)
            try? await clock.sleep(until: next)
            let intervalHistogram = collect()
            total.add(intervalHistogram)
            let errorsSoFar = errors.load(ordering: .relaxed)
            let now = clock.now
            onInterval(LoadReport(
                histogram: intervalHistogram,
                errors: errorsSoFar - reportedErrors,
                duration: now - last,
                inFlight: inFlight.load(ordering: .relaxed)
            ))
            reportedErrors = errorsSoFar
            last = now
            if now >= start + duration || Task.isCancelled {
                break
            }
        }
        stopped.store(true, ordering: .relaxed)
        return total
    }

    /// Takes every worker's recorded latencies, leaving them empty.
    func collect() -> Histogram<UInt64> {
        var merged = LoadRun.makeHistogram()
        for recorder in recorders {
            recorder.withLock { histogram in
                merged.add(histogram)
                histogram.reset()
            }
        }
        return merged
    }
}
