import NIOCore

/// Tells when a ``ChannelLayer`` with a handshake (TLS, for example) is ready: it
/// succeeds ``ready`` on the user event that `isReadyEvent` recognizes, and fails
/// it on an error, on close, or when `timeout` passes first, closing the channel.
/// A layer adds it after its own handlers and returns ``ready`` from
/// ``ChannelLayer/addHandlers(to:serverHost:peer:)``.
///
/// Every event passes on, so the connection handler sees (and logs) the errors.
public final class LayerReadinessHandler: ChannelInboundHandler, RemovableChannelHandler {
    /// Passes every inbound message through unchanged.
    public typealias InboundIn = NIOAny

    /// The layer's readiness.
    public let ready: EventLoopFuture<Void>
    private let promise: EventLoopPromise<Void>
    private let timeout: TimeAmount
    private let isReadyEvent: (Any) -> Bool
    private var deadline: Scheduled<Void>?

    /// - Parameters:
    ///   - eventLoop: The channel's loop.
    ///   - timeout: How long the layer may take, counted from when the channel
    ///     becomes active.
    ///   - isReadyEvent: Whether a user inbound event means the layer is ready.
    public init(eventLoop: any EventLoop, timeout: Duration, isReadyEvent: @escaping (Any) -> Bool) {
        promise = eventLoop.makePromise()
        ready = promise.futureResult
        self.timeout = TimeAmount(timeout)
        self.isReadyEvent = isReadyEvent
    }

    /// Starts the readiness timeout if the channel is already active.
    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive {
            startDeadline(context: context)
        }
    }

    /// Starts the readiness timeout.
    public func channelActive(context: ChannelHandlerContext) {
        startDeadline(context: context)
        context.fireChannelActive()
    }

    /// Completes readiness on the layer's ready event; forwards every event.
    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        let isReady = isReadyEvent(event)
        if isReady {
            deadline?.cancel()
            promise.succeed()
        }
        context.fireUserInboundEventTriggered(event)
        if isReady {
            // Its work is done: out of the way of every later message.
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
    }

    /// Fails readiness with the error, then forwards it.
    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error)
        context.fireErrorCaught(error)
    }

    /// Fails readiness with ``LayerError/closedBeforeReady`` if it is pending.
    public func channelInactive(context: ChannelHandlerContext) {
        fail(LayerError.closedBeforeReady)
        context.fireChannelInactive()
    }

    /// Fails readiness with ``LayerError/closedBeforeReady`` if it is pending.
    public func handlerRemoved(context: ChannelHandlerContext) {
        fail(LayerError.closedBeforeReady)
    }

    private func startDeadline(context: ChannelHandlerContext) {
        guard deadline == nil else {
            return
        }
        let timeout = self.timeout
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            let error = LayerError.notReady(within: .nanoseconds(timeout.nanoseconds))
            fail(error)
            context.fireErrorCaught(error)
            context.close(promise: nil)
        }
    }

    /// Fails readiness unless it already completed (then this does nothing).
    private func fail(_ error: any Error) {
        deadline?.cancel()
        promise.fail(error)
    }
}

/// Why a ``ChannelLayer`` never became ready.
public enum LayerError: Error, Equatable, CustomStringConvertible {
    /// The channel closed before the layer was ready (a handshake cut short).
    case closedBeforeReady
    /// The layer was not ready within its timeout (a handshake that never completed).
    case notReady(within: Duration)

    /// Says why the layer never became ready.
    public var description: String {
        switch self {
        case .closedBeforeReady: "the connection closed before its handshake completed"
        case .notReady(let timeout): "the handshake did not complete within \(timeout)"
        }
    }
}
