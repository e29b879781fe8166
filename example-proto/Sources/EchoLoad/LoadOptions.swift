/// What the load generator does.
public struct LoadOptions: Sendable {
    /// Unary echoes, or streamed echoes (one response per byte of the message).
    public enum Mode: String, Sendable, CaseIterable {
        case unary
        case streaming
    }

    /// The server's host.
    public var host: String
    /// The server's port.
    public var port: Int
    /// Connections to open; calls are spread evenly over them.
    public var connections: Int
    /// Calls in flight at most (closed loop: always), over all connections.
    public var concurrency: Int
    /// How long to generate load (each step, when sweeping).
    public var duration: Duration
    public var mode: Mode
    /// The message each request carries.
    public var message: String
    /// Open loop: requests started per second on a fixed schedule, their latency
    /// measured from the scheduled time. `nil` is closed loop: each of
    /// `concurrency` callers sends its next request when the last is answered.
    public var rate: Double?

    public init(
        host: String = "127.0.0.1",
        port: Int,
        connections: Int = 4,
        concurrency: Int = 256,
        duration: Duration = .seconds(10),
        mode: Mode = .unary,
        message: String = "hello",
        rate: Double? = nil
    ) {
        self.host = host
        self.port = port
        self.connections = max(1, connections)
        self.concurrency = max(1, concurrency)
        self.duration = duration
        self.mode = mode
        self.message = message
        self.rate = rate.map { max($0, 1) }
    }
}
