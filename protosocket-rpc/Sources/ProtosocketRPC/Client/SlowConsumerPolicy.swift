/// What a client does when the consumer of a stream falls `streamBufferLimit`
/// responses behind.
public enum SlowConsumerPolicy: Sendable, Hashable {
    /// Stop reading the connection until the consumer takes a response: lossless,
    /// and the server's stream slows down through TCP, but every other call on the
    /// connection waits too. After `warnAfter` paused, a warning naming the call is
    /// logged and counted in the `protosocket.rpc.client.stalls` metric. Give long
    /// streams a connection of their own (an ``RPCConnectionPool`` slot) to keep
    /// them from holding up short calls.
    case pauseConnection(warnAfter: Duration)
    /// Fail that stream with ``RPCError/consumerTooSlow`` (after the responses it
    /// has buffered) and cancel it on the server; the connection reads on. Counted
    /// in the `protosocket.rpc.client.slow_streams_failed` metric.
    case failStream

    /// Pause the connection, warning after 5 seconds.
    public static let `default` = SlowConsumerPolicy.pauseConnection(warnAfter: .seconds(5))
}
