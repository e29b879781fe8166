/// Makes Spillway channels: `SpillwayChannel.make(of:)` (a namespace, so that the
/// call does not read as a NIO channel's).
public enum SpillwayChannel {
    /// Creates a multi-producer, single-consumer channel with per-sender lanes.
    ///
    /// Every ``Sender`` is bound to one lane, chosen round-robin as senders are made;
    /// ``Sender/makeSender()`` binds the new sender to the next lane. A sender's
    /// messages arrive in the order it sent them; nothing is promised across senders.
    /// The ``Receiver`` takes a whole lane's queue at a time, serving lanes round-robin.
    ///
    /// ```swift
    /// let (sender, receiver) = SpillwayChannel.make(of: String.self)
    /// try sender.send("hello")
    /// receiver.tryNext() // "hello"
    /// ```
    ///
    /// - Parameters:
    ///   - elementType: The type of the messages.
    ///   - lanes: How many lanes (independently locked queues) the channel has; at least 1.
    ///   - capacity: The most messages that may be sent and not yet received; `nil` for
    ///     no limit. A send that would exceed it fails with ``SendError/full(_:)``.
    /// - Returns: The first sender and the channel's only receiver.
    public static func make<Element: Sendable>(
        of elementType: Element.Type = Element.self,
        lanes: Int = 8,
        capacity: Int? = nil
    ) -> (sender: Sender<Element>, receiver: Receiver<Element>) {
        precondition(lanes > 0, "a channel needs at least one lane")
        precondition(capacity.map { $0 > 0 } ?? true, "a channel's capacity must be positive")
        let shared = Shared<Element>(laneCount: lanes, capacity: capacity)
        return (Sender(shared: shared), Receiver(shared: shared))
    }
}
