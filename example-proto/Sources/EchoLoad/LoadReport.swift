import Histogram

/// Latency figures of a stretch of the run; latencies in microseconds.
public struct LoadReport: Sendable, CustomStringConvertible {
    /// Responses received.
    public var count: UInt64
    /// Calls that failed.
    public var errors: Int
    /// How long the stretch took.
    public var duration: Duration
    /// Calls in flight at the end of the stretch.
    public var inFlight: Int
    public var p50: UInt64
    public var p90: UInt64
    public var p999: UInt64
    public var p9999: UInt64

    /// Responses per second.
    public var rate: Double {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return seconds > 0 ? Double(count) / seconds : 0
    }

    init(histogram: Histogram<UInt64>, errors: Int, duration: Duration, inFlight: Int) {
        count = histogram.totalCount
        self.errors = errors
        self.duration = duration
        self.inFlight = inFlight
        p50 = histogram.valueAtPercentile(50)
        p90 = histogram.valueAtPercentile(90)
        p999 = histogram.valueAtPercentile(99.9)
        p9999 = histogram.valueAtPercentile(99.99)
    }

    public var description: String {
        "count=\(count) rate=\(Int(rate.rounded()))Hz p50=\(p50)µs p90=\(p90)µs p99.9=\(p999)µs p99.99=\(p9999)µs in-flight=\(inFlight)"
            + (errors > 0 ? " errors=\(errors)" : "")
    }
}
