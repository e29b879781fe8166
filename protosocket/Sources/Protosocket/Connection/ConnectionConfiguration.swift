import CoreMetrics

/// Limits of one connection's buffers and queues, and where it reports metrics.
public struct ConnectionConfiguration: Sendable {
    /// The most bytes the receive buffer may hold; a message announced larger than
    /// this closes the connection.
    public var maxBufferLength: Int
    /// The step in which the receive buffer grows.
    public var bufferAllocationIncrement: Int
    /// The most outbound messages taken (from the queue and from
    /// ``MessageReactor/pollOutbound(budget:)``) in one turn before they are flushed.
    public var maxQueuedOutboundMessages: Int
    /// The prefix of the connection's metric labels (see the list below).
    public var metricsLabel: String
    /// Where the connection's metrics go; `nil` is `MetricsSystem.factory` as it
    /// is when the connection opens (so bootstrap swift-metrics first).
    ///
    /// Every connection reports, under ``metricsLabel`` (`p`): `p.connections.open`
    /// (meter), `p.connections.closed` (counter; dimension `reason`, one of
    /// ``CloseReason/metricName``), `p.decode.failures`, `p.messages.in`,
    /// `p.messages.out`, `p.bytes.in` and `p.bytes.out` (counters).
    public var metricsFactory: (any MetricsFactory)?

    /// Makes a configuration.
    ///
    /// - Precondition: `maxBufferLength`, `bufferAllocationIncrement` and
    ///   `maxQueuedOutboundMessages` are positive.
    public init(
        maxBufferLength: Int,
        bufferAllocationIncrement: Int = 1 << 20,
        maxQueuedOutboundMessages: Int,
        metricsLabel: String = "protosocket",
        metricsFactory: (any MetricsFactory)? = nil
    ) {
        precondition(maxBufferLength > 0 && bufferAllocationIncrement > 0 && maxQueuedOutboundMessages > 0)
        self.maxBufferLength = maxBufferLength
        self.bufferAllocationIncrement = bufferAllocationIncrement
        self.maxQueuedOutboundMessages = maxQueuedOutboundMessages
        self.metricsLabel = metricsLabel
        self.metricsFactory = metricsFactory
    }

    /// Server defaults: 32 MiB receive buffer, 128 messages per turn, metrics
    /// labelled `protosocket.server`.
    public static let server = ConnectionConfiguration(
        maxBufferLength: 32 << 20,
        maxQueuedOutboundMessages: 128,
        metricsLabel: "protosocket.server"
    )
    /// Client defaults: 4 MiB receive buffer, 256 messages per turn, metrics
    /// labelled `protosocket.client`.
    public static let client = ConnectionConfiguration(
        maxBufferLength: 4 << 20,
        maxQueuedOutboundMessages: 256,
        metricsLabel: "protosocket.client"
    )
}
