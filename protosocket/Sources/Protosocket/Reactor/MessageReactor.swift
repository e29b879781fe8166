/// What a reactor wants the connection to do next.
public enum ReactorAction: Sendable, Equatable {
    /// Keep the connection open.
    case `continue`
    /// Close the connection (what is already written is still flushed).
    case disconnect
    /// Deliver no more inbound messages for now. Received bytes keep accumulating
    /// up to the connection's `maxBufferLength`, then reading from the socket stops.
    /// Delivery resumes when a later ``MessageReactor/poll()`` returns
    /// ``continue``; call ``ConnectionWaker/wake()`` to be polled.
    case pause
}

/// What ``MessageReactor/pollOutbound(budget:)`` produced.
public enum OutboundPoll<Message> {
    /// A message to write; the connection may poll again while it has room.
    case produced(Message)
    /// Nothing to write now; poll again on the next turn (or after a wake).
    case idle
    /// This reactor will never produce outbound messages again.
    case finished
}

/// Why a connection ended; given to ``MessageReactor/onClose(_:)``.
public enum CloseReason: Sendable, CustomStringConvertible {
    /// The peer closed the connection.
    case peerClosed
    /// The reactor asked to disconnect.
    case reactorDisconnected
    /// Every sender was released and the reactor finished: all work was delivered.
    case finished
    /// The decoder announced a message of `size` bytes, more than `limit`.
    case messageTooLarge(size: Int, limit: Int)
    /// The decoder found bytes that can never form a message.
    case invalidMessage(reason: String)
    /// The encoder could not encode an outbound message.
    case encodingFailed(reason: String)
    /// A network or channel error.
    case error(any Error)
    /// The local side closed the connection (shutdown, or the channel was closed
    /// directly).
    case closedLocally

    /// Says why the connection ended.
    public var description: String {
        switch self {
        case .peerClosed: "the peer closed the connection"
        case .reactorDisconnected: "the reactor disconnected"
        case .finished: "all senders released and the reactor finished"
        case .messageTooLarge(let size, let limit): "next message of \(size) bytes exceeds the limit of \(limit)"
        case .invalidMessage(let reason): "invalid message: \(reason)"
        case .encodingFailed(let reason): "an outbound message could not be encoded: \(reason)"
        case .error(let error): "error: \(error)"
        case .closedLocally: "closed locally"
        }
    }
}

/// The per-connection logic of a protosocket: user code, confined to the
/// connection's event loop.
///
/// Every callback runs on that loop and has exclusive, synchronous access to the
/// reactor (`mutating`); a reactor needs no locks and need not be `Sendable`.
/// Work for the connection comes from two places: commands sent through the
/// connection's Spillway `Sender` from any thread (turned into outbound
/// messages by ``onCommand(_:)``), and outbound messages the reactor produces
/// itself in ``pollOutbound(budget:)``.
///
/// The words: *inbound* and *outbound messages* are what the codec decodes and
/// encodes (the same types as the codec's); a *command* is what other threads send
/// to the connection.
public protocol MessageReactor {
    /// What the decoder produces.
    associatedtype InboundMessage
    /// What the encoder writes.
    associatedtype OutboundMessage
    /// What other threads send to this connection through its queue.
    associatedtype Command: Sendable

    /// Handles one decoded message; called before more bytes are read.
    ///
    /// The message is handed over (`consuming`): a reactor that stores it can move
    /// it rather than copy it. Implementations may also take it as a plain parameter.
    mutating func onInbound(_ message: consuming InboundMessage) -> ReactorAction

    /// Called after a run of ``onInbound(_:)`` calls: every message decodable from
    /// the bytes received so far was delivered, or delivery paused, or the
    /// connection is closing (unless ``onClose(_:)`` was already called). A reactor
    /// that defers work while messages arrive (for example waking the tasks that
    /// wait for them once per batch rather than once per message) does it here,
    /// and in ``onClose(_:)``. The default does nothing.
    mutating func onInboundBatchEnd()

    /// Called on every connection turn (after reads, after wakes), for timers and
    /// bookkeeping. The default does nothing.
    mutating func poll() -> ReactorAction

    /// Turns a command taken from the connection's queue into an outbound
    /// message; `nil` writes nothing for it.
    mutating func onCommand(_ command: Command) -> OutboundMessage?

    /// Produces an outbound message directly. Called only while the connection has
    /// room to send, at most `budget` times in a row. The default is ``OutboundPoll/finished``.
    mutating func pollOutbound(budget: Int) -> OutboundPoll<OutboundMessage>

    /// A command sent through the connection's queue that will never be taken
    /// because the connection closed. Called for each such command, after which
    /// sends fail with `SendError.closed`, and before ``onClose(_:)``; a command
    /// that carries a continuation must resume it here. The default drops it.
    mutating func onUndelivered(_ command: Command)

    /// The server is shutting down gracefully: finish the work in flight, take no
    /// new work, and end the connection (``ReactorAction/disconnect`` from here or
    /// from a later ``poll()``) once it is done. The default disconnects at once;
    /// what was already written is still flushed.
    mutating func onDrain() -> ReactorAction

    /// The connection ended; called exactly once, last.
    mutating func onClose(_ reason: CloseReason)
}

extension MessageReactor {
    @inlinable
    public mutating func onInboundBatchEnd() {}

    @inlinable
    public mutating func poll() -> ReactorAction { .continue }

    @inlinable
    public mutating func pollOutbound(budget: Int) -> OutboundPoll<OutboundMessage> { .finished }

    @inlinable
    public mutating func onUndelivered(_ command: Command) {}

    @inlinable
    public mutating func onDrain() -> ReactorAction { .disconnect }

    @inlinable
    public mutating func onClose(_ reason: CloseReason) {}
}

extension MessageReactor where Command == OutboundMessage {
    /// Writes commands as they are: the queue carries outbound messages.
    @inlinable
    public mutating func onCommand(_ command: Command) -> OutboundMessage? { command }
}
