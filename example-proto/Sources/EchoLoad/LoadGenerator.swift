import EchoProto

/// Drives echo RPCs against a server and measures their latency.
public enum LoadGenerator {
    /// Opens `options.connections` connections, runs one phase of load (closed or
    /// open loop, see ``LoadOptions/rate``), and closes them.
    ///
    /// - Parameter onInterval: Gets a report about every second.
    /// - Returns: The whole run's report, including the calls in flight at the end.
    /// - Throws: When a connection cannot be opened.
    public static func run(
        _ options: LoadOptions,
        connector: any EchoConnector = ProtosocketEchoConnector(),
        onInterval: @Sendable (LoadReport) -> Void = { _ in }
    ) async throws -> LoadReport {
        let connections = try await open(options, connector: connector)
        let report = await LoadPhase(options: options).run(on: connections, onInterval: onInterval)
        for connection in connections {
            await connection.close()
        }
        return report
    }

    /// The outcome of a ``sweep(_:connector:startRate:factor:latencyLimit:maximumSteps:onInterval:onStep:)``.
    public struct SweepResult: Sendable {
        /// Every step, in order.
        public var steps: [LoadReport]
        /// The highest step whose p99.9 stayed under the limit and whose achieved
        /// rate kept up with its target; `nil` when none did.
        public var best: LoadReport?
    }

    /// Open-loop steps of `options.duration` each, from `startRate` up by `factor`
    /// per step, until p99.9 (from the scheduled send times) reaches `latencyLimit`,
    /// fewer than 95% of the scheduled calls are answered, or a step has errors; all
    /// on the same connections, after a second of closed-loop warm-up. At most
    /// `maximumSteps` steps.
    public static func sweep(
        _ options: LoadOptions,
        connector: any EchoConnector = ProtosocketEchoConnector(),
        startRate: Double,
        factor: Double = 1.25,
        latencyLimit: Duration = .milliseconds(5),
        maximumSteps: Int = 60,
        onInterval: @Sendable (LoadReport) -> Void = { _ in },
        onStep: (LoadReport) -> Void = { _ in }
    ) async throws -> SweepResult {
        let connections = try await open(options, connector: connector)
        // Warm up (closed loop, not reported): connection and allocator start-up
        // would otherwise land in the first step's tail.
        var warmUp = options
        warmUp.rate = nil
        warmUp.duration = .seconds(1)
        _ = await LoadPhase(options: warmUp).run(on: connections) { _ in }
        let limitMicros = UInt64(latencyLimit.seconds * 1e6)
        var result = SweepResult(steps: [], best: nil)
        var rate = max(startRate, 1)
        while result.steps.count < maximumSteps && connections.allSatisfy(\.isAlive) {
            var step = options
            step.rate = rate
            let report = await LoadPhase(options: step).run(on: connections, onInterval: onInterval)
            result.steps.append(report)
            onStep(report)
            // Every scheduled request is sent, late or not, so a system that cannot keep
            // up shows in the latency (measured from the schedule); this only catches
            // calls that never came back.
            let keptUp = Double(report.count) >= 0.95 * rate * step.duration.seconds
            guard report.p999 < limitMicros, keptUp, report.errors == 0 else {
                break
            }
            result.best = report
            rate *= max(factor, 1.01)
        }
        for connection in connections {
            await connection.close()
        }
        return result
    }

    private static func open(_ options: LoadOptions, connector: any EchoConnector) async throws -> [any EchoConnection] {
        var connections: [any EchoConnection] = []
        do {
            for _ in 0..<options.connections {
                connections.append(try await connector.connect(host: options.host, port: options.port))
            }
        } catch {
            for connection in connections {
                await connection.close()
            }
            throw error
        }
        return connections
    }
}
