#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How long an endpoint whose connect failed, or whose connection died, is left
/// out before it is tried again: exponential, with jitter, bounded.
///
/// After the `n`th failure in a row the endpoint waits
/// `min(maximum, initial × multiplier^(n−1))`, shortened by a random fraction of up
/// to `jitter` (so that clients which lost a server together do not return to it
/// together). A connect that succeeds resets the count.
public struct ReconnectBackoff: Sendable, Hashable {
    /// The wait after the first failure.
    public var initial: Duration
    /// The longest wait.
    public var maximum: Duration
    /// The growth per failure in a row.
    public var multiplier: Double
    /// The largest fraction taken off a wait at random, from 0 to 1.
    public var jitter: Double

    /// Waits of 100 ms, 200 ms, 400 ms … up to 5 s, each up to 20% shorter at random.
    public init(initial: Duration = .milliseconds(100), maximum: Duration = .seconds(5), multiplier: Double = 2, jitter: Double = 0.2) {
        precondition(initial > .zero && maximum >= initial && multiplier >= 1 && (0...1).contains(jitter))
        self.initial = initial
        self.maximum = maximum
        self.multiplier = multiplier
        self.jitter = jitter
    }

    /// The wait after `failures` failures in a row (at least 1), given a random
    /// `fraction` in `0..<1`.
    public func delay(afterFailures failures: Int, random fraction: Double) -> Duration {
        let exponent = Double(max(0, min(failures - 1, 62)))
        let seconds = min(
            maximum.seconds,
            initial.seconds * pow(multiplier, exponent)
        )
        return .nanoseconds(Int64((seconds * (1 - jitter * fraction) * 1e9).rounded()))
    }
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
