/// The lifecycle and flow control of one connection: one mutating method per
/// event, each returning what the handler must do. The ``ConnectionHandler`` only
/// translates channel events in and performs these actions out.
///
/// ```text
/// open ──(every sender gone, reactor finished)──▶ finishing ──(flushed)──▶ closing(.finished)
///   │                                                 │
///   └──────────────(close(reason))────────────────────┴──▶ closing(reason) ──(channel closed)──▶ closed
/// open ──(channel closed by the peer)──▶ closed (reason .peerClosed)
/// ```
@usableFromInline
struct ConnectionStateMachine: Sendable {
    /// Inbound and outbound flow while the connection serves.
    @usableFromInline
    struct Flow: Sendable, Equatable {
        /// The reactor asked for no more inbound messages for now.
        @usableFromInline
        var isPaused = false
        /// A read from the socket is requested and has not completed.
        @usableFromInline
        var isReadRequested = false
        /// The reactor's `pollOutbound` said it will never produce again.
        @usableFromInline
        var reactorFinished = false

        @inlinable
        init() {}
    }

    @usableFromInline
    enum State: Sendable {
        /// Serving: reading, delivering, producing.
        case open(Flow)
        /// Every sender is gone and the reactor finished: what is written is being
        /// flushed; nothing more is produced, inbound still flows.
        case finishing(Flow)
        /// A close was asked for (the first reason wins, in `closeReason`); waiting
        /// for the channel.
        case closing
        /// The channel closed and the reactor was told.
        case closed
    }

    /// What to do after the reactor's `poll()`.
    @usableFromInline
    enum PollAction: Equatable {
        /// Delivery was paused and resumes: decode what is buffered.
        case resumeDelivery
        /// Go on with the turn.
        case proceed
        /// Close the connection (the reactor disconnected).
        case close
    }

    /// What to do after delivering one inbound message.
    @usableFromInline
    enum DeliveryAction: Equatable {
        case proceed
        /// Stop delivering (the reactor paused).
        case stop
        /// Close the connection (the reactor disconnected).
        case close
    }

    /// Every payload is trivial, so that the per-message queries and updates copy
    /// no references (a reason carrying an error lives beside it).
    @usableFromInline
    var state = State.open(Flow())
    /// Why the connection is closing: set exactly when `state` becomes `.closing`.
    @usableFromInline
    var closeReason: CloseReason?

    @inlinable
    init() {}

    // MARK: Queries

    /// Inbound bytes are taken and turns run: open or finishing.
    @inlinable
    var isActive: Bool {
        switch state {
        case .open, .finishing: true
        case .closing, .closed: false
        }
    }

    /// Messages may be delivered to the reactor now.
    @inlinable
    var mayDeliver: Bool {
        switch state {
        case .open(let flow), .finishing(let flow): !flow.isPaused
        case .closing, .closed: false
        }
    }

    /// Outbound messages may be taken and produced.
    @inlinable
    var mayProduce: Bool {
        if case .open = state {
            return true
        }
        return false
    }

    /// The reactor said it will never produce again.
    @inlinable
    var reactorFinished: Bool {
        switch state {
        case .open(let flow), .finishing(let flow): flow.reactorFinished
        case .closing, .closed: true
        }
    }

    /// The reactor was told the connection closed.
    @inlinable
    var isClosed: Bool {
        if case .closed = state {
            return true
        }
        return false
    }

    // MARK: Events

    /// Applies `change` to the flow of an open or finishing connection.
    @inlinable
    mutating func updateFlow(_ change: (inout Flow) -> Void) {
        switch state {
        case .open(var flow):
            change(&flow)
            state = .open(flow)
        case .finishing(var flow):
            change(&flow)
            state = .finishing(flow)
        case .closing, .closed:
            break
        }
    }

    /// The channel became active: a read requested before may have been dropped.
    @inlinable
    mutating func channelActive() {
        updateFlow { $0.isReadRequested = false }
    }

    /// A read from the socket completed.
    @inlinable
    mutating func readCompleted() {
        updateFlow { $0.isReadRequested = false }
    }

    /// The reactor's `poll()` answered `action`.
    @inlinable
    mutating func polled(_ action: ReactorAction) -> PollAction {
        guard isActive else {
            return .proceed
        }
        switch action {
        case .continue:
            var resumed = false
            updateFlow { flow in
                resumed = flow.isPaused
                flow.isPaused = false
            }
            return resumed ? .resumeDelivery : .proceed
        case .pause:
            updateFlow { $0.isPaused = true }
            return .proceed
        case .disconnect:
            return .close
        }
    }

    /// The reactor's `onInbound` answered `action`.
    @inlinable
    mutating func delivered(_ action: ReactorAction) -> DeliveryAction {
        switch action {
        case .continue:
            return .proceed
        case .pause:
            updateFlow { $0.isPaused = true }
            return .stop
        case .disconnect:
            return .close
        }
    }

    /// The reactor's `pollOutbound` answered `.finished`.
    @inlinable
    mutating func reactorDidFinish() {
        updateFlow { $0.reactorFinished = true }
    }

    /// Every sender is gone and every queued message was taken: if the reactor
    /// has finished too, the connection starts finishing (`true`: flush, then
    /// close with ``CloseReason/finished``).
    @inlinable
    mutating func allSendersGone() -> Bool {
        guard case .open(let flow) = state, flow.reactorFinished else {
            return false
        }
        state = .finishing(flow)
        return true
    }

    /// Whether to request a read: none is pending and the buffer is below its limit.
    @inlinable
    mutating func shouldRequestRead(buffered: Int, limit: Int) -> Bool {
        var request = false
        updateFlow { flow in
            if !flow.isReadRequested && buffered < limit {
                flow.isReadRequested = true
                request = true
            }
        }
        return request
    }

    /// A close is asked for; `true` the first time (close the channel then), `false`
    /// when one was already asked for or the connection closed.
    @inlinable
    mutating func close(_ reason: CloseReason) -> Bool {
        guard isActive else {
            return false
        }
        state = .closing
        closeReason = reason
        return true
    }

    /// The channel closed. Returns the reason to tell the reactor, once; `nil` when
    /// it was already told.
    @inlinable
    mutating func channelClosed() -> CloseReason? {
        switch state {
        case .open, .finishing:
            state = .closed
            return .peerClosed
        case .closing:
            state = .closed
            return closeReason ?? .closedLocally
        case .closed:
            return nil
        }
    }
}
