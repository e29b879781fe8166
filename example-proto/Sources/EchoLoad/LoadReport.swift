import Histogram

/// Latency figures of a stretch of a run; latencies in microseconds.
public struct LoadReport: Sendable, CustomStringConvertible {
    /// Responses received.
    public var count: UInt64
    /// Calls that failed.
    public var errors: Int
    /// How long the stretch took.
    public var duration: Duration
    /// When the stretch ended, from the start of the run.
    public var elapsed: Duration
    /// Calls in flight at the end of the stretch.
    public var inFlight: Int
    /// The open-loop rate asked for; `nil` in closed loop.
    public var targetRate: Double?
    public var p50: UInt64
    public var p90: UInt64
    public var p99: UInt64
    public var p999: UInt64
    public var p9999: UInt64

    /// Responses per second.
    public var rate: Double {
        let seconds = duration.seconds
        return seconds > 0 ? Double(count) / seconds : 0
    }

    init(histogram: Histogram<UInt64>, errors: Int, duration: Duration, elapsed: Duration, inFlight: Int, targetRate: Double?) {
        count = histogram.totalCount
        self.errors = errors
        self.duration = duration
        self.elapsed = elapsed
        self.inFlight = inFlight
        self.targetRate = targetRate
        p50 = histogram.valueAtPercentile(50)
        p90 = histogram.valueAtPercentile(90)
        p99 = histogram.valueAtPercentile(99)
        p999 = histogram.valueAtPercentile(99.9)
        p9999 = histogram.valueAtPercentile(99.99)
    }

    public var description: String {
        (targetRate.map { "target=\(Int($0))Hz " } ?? "")
            + "count=\(count) rate=\(Int(rate.rounded()))Hz p50=\(p50)µs p90=\(p90)µs p99=\(p99)µs p99.9=\(p999)µs p99.99=\(p9999)µs in-flight=\(inFlight)"
            + (errors > 0 ? " errors=\(errors)" : "")
    }

    /// The header of ``csvRow``.
    public static let csvHeader = "elapsed_s,target_hz,count,rate_hz,p50_us,p90_us,p99_us,p999_us,p9999_us,in_flight,errors"

    /// This report as a CSV row.
    public var csvRow: String {
        let target = targetRate.map { String(Int($0)) } ?? ""
        let fields: [String] = [
            String(format3(elapsed.seconds)), target, String(count), String(Int(rate.rounded())),
            String(p50), String(p90), String(p99), String(p999), String(p9999), String(inFlight), String(errors),
        ]
        return fields.joined(separator: ",")
    }

    private func format3(_ value: Double) -> String {
        let thousandths = Int((value * 1000).rounded())
        let fraction = String(thousandths % 1000)
        return "\(thousandths / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
