import CoreMetrics

/// What a connection reports through swift-metrics, under a label prefix (`p`):
///
/// - `p.connections.open` (meter): connections open now.
/// - `p.connections.closed` (counter, dimension `reason`): connections ended, by
///   why: `peer_closed`, `finished`, `closed_locally`, `reactor_disconnected`,
///   `message_too_large`, `invalid_message` or `error`.
/// - `p.decode.failures` (counter): connections closed for bytes that could not be
///   a message (too large or invalid).
/// - `p.messages.in`, `p.messages.out` (counters): messages decoded and sent.
/// - `p.bytes.in`, `p.bytes.out` (counters): bytes received and written.
///
/// Counts are added once per read, decode batch and turn, not once per message.
@usableFromInline
struct ConnectionMetrics {
    @usableFromInline
    let label: String
    @usableFromInline
    let factory: any MetricsFactory
    @usableFromInline
    let open: Meter
    @usableFromInline
    let messagesIn: Counter
    @usableFromInline
    let messagesOut: Counter
    @usableFromInline
    let bytesIn: Counter
    @usableFromInline
    let bytesOut: Counter

    @usableFromInline
    init(label: String, factory: any MetricsFactory) {
        self.label = label
        self.factory = factory
        open = Meter(label: "\(label).connections.open", factory: factory)
        messagesIn = Counter(label: "\(label).messages.in", factory: factory)
        messagesOut = Counter(label: "\(label).messages.out", factory: factory)
        bytesIn = Counter(label: "\(label).bytes.in", factory: factory)
        bytesOut = Counter(label: "\(label).bytes.out", factory: factory)
    }

    /// Counts a connection's end.
    @usableFromInline
    func closed(_ reason: CloseReason) {
        Counter(label: "\(label).connections.closed", dimensions: [("reason", reason.metricName)], factory: factory)
            .increment()
        switch reason {
        case .messageTooLarge, .invalidMessage:
            Counter(label: "\(label).decode.failures", factory: factory).increment()
        case .peerClosed, .reactorDisconnected, .finished, .error, .closedLocally, .encodingFailed:
            break
        }
    }
}

extension CloseReason {
    /// The value of the `reason` dimension of `connections.closed`.
    public var metricName: String {
        switch self {
        case .peerClosed: "peer_closed"
        case .reactorDisconnected: "reactor_disconnected"
        case .finished: "finished"
        case .messageTooLarge: "message_too_large"
        case .invalidMessage: "invalid_message"
        case .encodingFailed: "encoding_failed"
        case .error: "error"
        case .closedLocally: "closed_locally"
        }
    }
}
