/// Limits of one connection's buffers and queues.
public struct ConnectionConfiguration: Sendable, Hashable {
    /// The most bytes the receive buffer may hold; a message announced larger than
    /// this closes the connection.
    public var maxBufferLength: Int
    /// The step in which the receive buffer grows.
    public var bufferAllocationIncrement: Int
    /// The most outbound messages taken (from the queue and from
    /// ``MessageReactor/pollOutbound(budget:)``) in one turn before they are flushed.
    public var maxQueuedOutboundMessages: Int

    public init(maxBufferLength: Int, bufferAllocationIncrement: Int = 1 << 20, maxQueuedOutboundMessages: Int) {
        precondition(maxBufferLength > 0 && bufferAllocationIncrement > 0 && maxQueuedOutboundMessages > 0)
        self.maxBufferLength = maxBufferLength
        self.bufferAllocationIncrement = bufferAllocationIncrement
        self.maxQueuedOutboundMessages = maxQueuedOutboundMessages
    }

    /// Server defaults: 32 MiB receive buffer, 128 messages per turn.
    public static let server = ConnectionConfiguration(maxBufferLength: 32 << 20, maxQueuedOutboundMessages: 128)
    /// Client defaults: 4 MiB receive buffer, 256 messages per turn.
    public static let client = ConnectionConfiguration(maxBufferLength: 4 << 20, maxQueuedOutboundMessages: 256)
}
