import NIOCore

/// Tells when a ``ChannelLayer`` with a handshake (TLS, for example) is ready: it
/// succeeds ``ready`` on the user event that `isReadyEvent` recognizes, and fails
/// it on an error, on close, or when `timeout` passes first, closing the channel.
/// A layer adds it after its own handlers and returns ``ready`` from
/// ``ChannelLayer/addHandlers(to:serverHost:)``.
///
/// Every event passes on, so the connection handler sees (and logs) the errors.
public final class LayerReadinessHandler: ChannelInboundHandler, RemovableChannelHandler {
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

    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive {
            startDeadline(context: context)
        }
    }

    public func channelActive(context: ChannelHandlerContext) {
        startDeadline(context: context)
        context.fireChannelActive()
    }

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

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error)
        context.fireErrorCaught(error)
    }

    public func channelInactive(context: ChannelHandlerContext) {
        fail(LayerError.closedBeforeReady)
        context.fireChannelInactive()
    }

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

    public var description: String {
        switch self {
        case .closedBeforeReady: "the connection closed before its handshake completed"
        case .notReady(let timeout): "the handshake did not complete within \(timeout)"
        }
    }
}
