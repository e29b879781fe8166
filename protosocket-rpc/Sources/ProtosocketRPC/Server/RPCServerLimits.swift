/// Limits of an RPC server beyond those of its connections, so that no client can
/// make it hold more than it chose to.
public struct RPCServerLimits: Sendable, Hashable {
    /// What a connection does with a new request while it is at one of the
    /// running-RPC limits.
    public enum AtLimit: Sendable, Hashable {
        /// The new RPC waits for a place, in arrival order, and starts when one
        /// frees up. Requests keep being read meanwhile (so `cancel`s arrive, and
        /// immediate answers are not held up) until as many RPCs wait on the
        /// connection as may run on it; then reading pauses (TCP backpressure)
        /// until one starts. Lossless.
        case pauseReading
        /// Answer the new RPC with `cancel` at once and count it in the
        /// `protosocket.rpc.server.shed` metric.
        case shed
    }

    /// Immediate answers waiting to be sent before the connection stops taking
    /// requests (the client is not reading its responses).
    public var maxQueuedAnswers: Int
    /// Responses an ``RPCAnswer/asyncStream(_:)`` may have waiting before its task
    /// is suspended; also how many responses a stream sends in a row before the
    /// next stream of its connection gets its turn.
    public var streamBufferCapacity: Int
    /// The most RPCs of one connection that may be running at once: streams and
    /// deferred answers (immediate answers are bounded by ``maxQueuedAnswers``).
    public var maxRunningRPCsPerConnection: Int
    /// The most RPCs that may be running at once over all connections of a server;
    /// `nil` for no limit beyond the per-connection one.
    public var maxRunningRPCs: Int?
    /// What happens to a new RPC at either running limit: it waits, or it is shed.
    public var atLimit: AtLimit

    /// - Parameters:
    ///   - maxQueuedAnswers: Immediate answers queued before reading pauses.
    ///   - streamBufferCapacity: Buffered responses of an async stream.
    ///   - maxRunningRPCsPerConnection: Running RPCs per connection. The default,
    ///     256, is what the example load client keeps in flight over all of its
    ///     connections; it bounds what one connection can hold, see
    ///     `RELIABILITY.md` ("Resource bounds") for the measured cost.
    ///   - maxRunningRPCs: Running RPCs over the whole server, or `nil`.
    ///   - atLimit: Pause reading (the default) or shed.
    public init(
        maxQueuedAnswers: Int = 1024,
        streamBufferCapacity: Int = 64,
        maxRunningRPCsPerConnection: Int = 256,
        maxRunningRPCs: Int? = nil,
        atLimit: AtLimit = .pauseReading
    ) {
        precondition(maxQueuedAnswers > 0 && streamBufferCapacity > 0 && maxRunningRPCsPerConnection > 0)
        precondition(maxRunningRPCs.map { $0 > 0 } ?? true)
        self.maxQueuedAnswers = maxQueuedAnswers
        self.streamBufferCapacity = streamBufferCapacity
        self.maxRunningRPCsPerConnection = maxRunningRPCsPerConnection
        self.maxRunningRPCs = maxRunningRPCs
        self.atLimit = atLimit
    }
}
