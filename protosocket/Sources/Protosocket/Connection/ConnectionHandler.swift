import CoreMetrics
import Logging
import NIOCore
import Spillway

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The connection driver: a channel handler that runs one protosocket connection
/// on its event loop.
///
/// Receive path: bytes accumulate in a buffer that grows in steps of
/// `bufferAllocationIncrement` up to `maxBufferLength`; the decoder runs in a loop
/// and each message goes to the reactor before more bytes are read. Reading from
/// the socket is requested one read at a time (`autoRead` is turned off), only
/// while the buffer is below its limit.
///
/// Send path, once per turn: messages from the Spillway queue (through
/// ``MessageReactor/onCommand(_:)``), then from
/// ``MessageReactor/pollOutbound(budget:)``, at most `maxQueuedOutboundMessages` in
/// all, encoded into pooled buffers, written, and flushed once, so that a burst
/// becomes one `writev`. While the channel is not writable nothing is taken.
///
/// Add it with ``makeHandler(codec:configuration:logger:eventLoop:remoteAddress:localAddress:peer:makeReactor:)``.
public final class ConnectionHandler<Codec: MessageCodec, Reactor: MessageReactor>: ChannelInboundHandler, TurnRunner
where Reactor.InboundMessage == Codec.InboundMessage, Reactor.OutboundMessage == Codec.OutboundMessage {
    /// Reads bytes from the channel (or from a layer such as TLS below it).
    public typealias InboundIn = ByteBuffer
    /// Writes encoded messages as bytes.
    public typealias OutboundOut = ByteBuffer

    // The state touched for every message is `@exclusivity(unchecked)`: the
    // runtime's exclusivity check costs more than the work on the decode and
    // encode paths. It is safe because this state is only touched on the event
    // loop, and no access overlaps another: the codec and the reactor cannot call
    // back into the handler (they are given no way to), and the handler acts on a
    // reactor's answer only after the reactor's method has returned.
    @usableFromInline
    @exclusivity(unchecked) var codec: Codec
    @usableFromInline
    @exclusivity(unchecked) var reactor: Reactor
    @usableFromInline
    var receiver: Receiver<Reactor.Command>?
    @usableFromInline
    let waker: ConnectionWaker
    @usableFromInline
    let configuration: ConnectionConfiguration
    @usableFromInline
    let logger: Logger
    @usableFromInline
    let metrics: ConnectionMetrics

    @usableFromInline
    var context: ChannelHandlerContext?
    @usableFromInline
    @exclusivity(unchecked) var receiveBuffer = ByteBuffer()
    @usableFromInline
    var pool: BufferPool?
    /// Where the receive side is in the byte stream.
    @usableFromInline
    @exclusivity(unchecked) var framing: Framing
    /// Lifecycle and flow control; the handler holds no flags of its own.
    @usableFromInline
    @exclusivity(unchecked) var state = ConnectionStateMachine()
    /// The hot paths, as closures made where the codec and reactor types are
    /// concrete (in ``makeHandler(codec:configuration:logger:eventLoop:remoteAddress:localAddress:peer:makeReactor:)``,
    /// inlined into its caller): NIO calls this class through protocol witnesses,
    /// which run generic code unspecialized; these closures run specialized code.
    @usableFromInline
    let hooks: Hooks

    @usableFromInline
    struct Hooks {
        @usableFromInline
        let runTurn: (ConnectionHandler) -> Void
        @usableFromInline
        let decodeAvailable: (ConnectionHandler) -> Void

        @inlinable
        init(runTurn: @escaping (ConnectionHandler) -> Void, decodeAvailable: @escaping (ConnectionHandler) -> Void) {
            self.runTurn = runTurn
            self.decodeAvailable = decodeAvailable
        }
    }

    @inlinable
    init(
        codec: Codec,
        reactor: Reactor,
        receiver: Receiver<Reactor.Command>,
        waker: ConnectionWaker,
        configuration: ConnectionConfiguration,
        logger: Logger,
        hooks: Hooks
    ) {
        self.hooks = hooks
        self.codec = codec
        self.reactor = reactor
        self.receiver = receiver
        self.waker = waker
        self.configuration = configuration
        self.logger = logger
        self.framing = Framing(maxMessageLength: configuration.maxBufferLength)
        self.metrics = ConnectionMetrics(
            label: configuration.metricsLabel,
            factory: configuration.metricsFactory ?? MetricsSystem.factory
        )
    }

    // MARK: Channel events

    /// Turns off `autoRead` (reads are requested one at a time, for backpressure; a
    /// failure closes the connection with ``AutoReadError``) and starts the
    /// connection if the channel is already active.
    public func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        metrics.open.increment()
        pool = BufferPool(allocator: context.channel.allocator)
        // Reads are requested one at a time (inbound backpressure); without that,
        // the connection could not stop reading, so it does not run.
        do {
            try context.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: false)
        } catch {
            close(.error(AutoReadError(underlying: error)))
        }
        waker.attach(self)
        let waker = self.waker
        receiver?.setWakeHandler { waker.wake() }
        if context.channel.isActive {
            runTurn()
        }
    }

    /// Ends the connection if it has not ended (the reactor hears
    /// ``MessageReactor/onClose(_:)`` once).
    public func handlerRemoved(context: ChannelHandlerContext) {
        finishClose()
        self.context = nil
    }

    /// Starts reading and runs the connection's first turn.
    public func channelActive(context: ChannelHandlerContext) {
        // A read requested before the channel was active may have been dropped.
        state.channelActive()
        runTurn()
        context.fireChannelActive()
    }

    /// Ends the connection: the reactor hears ``MessageReactor/onClose(_:)``.
    public func channelInactive(context: ChannelHandlerContext) {
        finishClose()
        context.fireChannelInactive()
    }

    /// Appends received bytes to the receive buffer.
    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        guard state.isActive else {
            return
        }
        metrics.bytesIn.increment(by: incoming.readableBytes)
        reserveReceiveCapacity(incoming.readableBytes)
        receiveBuffer.writeBuffer(&incoming)
        hooks.decodeAvailable(self)
    }

    /// Decodes and delivers what the read batch completed, then runs a turn.
    public func channelReadComplete(context: ChannelHandlerContext) {
        state.readCompleted()
        runTurn()
        context.fireChannelReadComplete()
    }

    /// Resumes writing when the channel becomes writable again.
    public func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            runTurn()
        }
        context.fireChannelWritabilityChanged()
    }

    /// Closes the connection with the error as its reason.
    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        close(.error(error))
    }

    /// Handles ``CloseConnectionEvent`` and ``DrainConnectionEvent``; forwards others.
    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is CloseConnectionEvent {
            close(.closedLocally)
        } else if event is DrainConnectionEvent {
            drain()
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    /// Asks the reactor to finish its work and end the connection.
    func drain() {
        guard state.isActive else {
            return
        }
        switch reactor.onDrain() {
        case .continue, .pause:
            // Run a turn, so that a reactor that is already done can say so from `poll`.
            runTurn()
        case .disconnect:
            close(.closedLocally)
        }
    }

    // MARK: Turns

    /// Runs a turn through the specialized hook. Everything that starts a turn
    /// calls this.
    func runTurn() {
        hooks.runTurn(self)
    }

    /// Polls the reactor, produces and flushes outbound messages, and asks for more
    /// bytes if there is room.
    ///
    /// Only for the hook made in `makeHandler` (where the codec and reactor types
    /// are concrete) and the code it runs: called from this class's own methods,
    /// it would run unspecialized. Call ``runTurn()`` instead.
    @inlinable
    func specializedTurn() {
        guard let context, state.isActive else {
            return
        }
        switch state.polled(reactor.poll()) {
        case .resumeDelivery:
            specializedDecodeAvailable()
        case .proceed:
            break
        case .close:
            close(.reactorDisconnected)
        }
        guard state.isActive else {
            return
        }
        if context.channel.isWritable && state.mayProduce {
            produceOutbound(context: context)
        }
        requestReadIfRoom(context: context)
    }

    @inlinable
    func produceOutbound(context: ChannelHandlerContext) {
        // Move the pool out (not copy it), so that taking a buffer does not copy
        // the pool's array; it goes back at the end of the turn.
        guard let receiver, var pool = self.pool.take() else {
            return
        }
        var budget = configuration.maxQueuedOutboundMessages
        var buffer = pool.take()
        var bytesWritten = 0
        var encodingFailure: (any Error)?

        func write(_ bytes: ByteBuffer) {
            bytesWritten += bytes.readableBytes
            context.write(wrapOutboundOut(bytes), promise: nil)
        }

        func emit(_ wire: Reactor.OutboundMessage) {
            budget -= 1
            if let bytes = codec.serializedBytes(of: wire) {
                if buffer.readableBytes > 0 {
                    write(buffer)
                    pool.recycle(buffer)
                    buffer = pool.take()
                }
                write(bytes)
            } else {
                let mark = buffer.writerIndex
                do {
                    try codec.encode(wire, into: &buffer)
                } catch {
                    // Drop what it appended; stop taking messages this turn.
                    buffer.moveWriterIndex(to: mark)
                    encodingFailure = error
                    budget = 0
                }
            }
        }

        while budget > 0, let message = receiver.tryNext() {
            if let wire = reactor.onCommand(message) {
                emit(wire)
            }
        }
        polling: while budget > 0 && !state.reactorFinished {
            switch reactor.pollOutbound(budget: budget) {
            case .produced(let wire):
                emit(wire)
            case .idle:
                break polling
            case .finished:
                state.reactorDidFinish()
            }
        }
        if buffer.readableBytes > 0 {
            write(buffer)
        }
        pool.recycle(buffer)
        self.pool = pool
        let wroteAnything = bytesWritten > 0
        if wroteAnything {
            metrics.messagesOut.increment(by: configuration.maxQueuedOutboundMessages - budget)
            metrics.bytesOut.increment(by: bytesWritten)
        }

        if let encodingFailure {
            // What was encoded before it goes out; then the connection ends.
            context.flush()
            close(.encodingFailed(reason: "\(encodingFailure)"))
        } else if budget == 0 {
            // There may be more: take it on another turn, after other events.
            context.flush()
            waker.wake()
        } else if state.reactorFinished && receiver.isFinished && state.allSendersGone() {
            finishAfterFlush(context: context)
        } else if wroteAnything {
            context.flush()
        }
    }

    /// Every sender is gone and the reactor is done: deliver what is queued, then close.
    @inlinable
    func finishAfterFlush(context: ChannelHandlerContext) {
        let flushed = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0)), promise: flushed)
        flushed.futureResult.assumeIsolated().whenComplete { [self] _ in
            close(.finished)
        }
    }

    @inlinable
    func requestReadIfRoom(context: ChannelHandlerContext) {
        if state.shouldRequestRead(buffered: receiveBuffer.readableBytes, limit: configuration.maxBufferLength) {
            context.read()
        }
    }

    // MARK: Receive path

    /// Makes room for `count` more bytes: reuse consumed space first, then grow in
    /// steps of the allocation increment.
    @inlinable
    func reserveReceiveCapacity(_ count: Int) {
        guard receiveBuffer.writableBytes < count else {
            return
        }
        if receiveBuffer.readerIndex > 0 {
            receiveBuffer.discardReadBytes()
            if receiveBuffer.writableBytes >= count {
                return
            }
        }
        let increment = configuration.bufferAllocationIncrement
        let needed = receiveBuffer.readableBytes + count
        let steps = needed / increment + (needed % increment == 0 ? 0 : 1)
        let (capacity, overflow) = steps.multipliedReportingOverflow(by: increment)
        receiveBuffer.reserveCapacity(overflow ? needed : capacity)
    }

    /// Decodes and delivers every whole message buffered, unless paused.
    ///
    /// Like ``specializedTurn()``, only for the hooks and the code they run;
    /// elsewhere call `hooks.decodeAvailable(self)`.
    @inlinable
    func specializedDecodeAvailable() {
        var delivered = 0
        defer {
            if delivered > 0 {
                metrics.messagesIn.increment(by: delivered)
                // Not after `onClose`, which a close during delivery may already have called.
                if !state.isClosed {
                    reactor.onInboundBatchEnd()
                }
            }
        }
        delivering: while state.mayDeliver {
            let step = framing.next(from: &receiveBuffer, decoder: &codec)
            // Consumed, so that the message moves out of the step: switching over
            // the call's result copied the message out and destroyed the step.
            switch consume step {
            case .message(let message):
                delivered += 1
                switch state.delivered(reactor.onInbound(consume message)) {
                case .proceed:
                    break
                case .stop:
                    break delivering
                case .close:
                    close(.reactorDisconnected)
                }
            case .needMore:
                break delivering
            case .failed(let reason):
                close(reason)
                return
            }
        }
        Framing.compact(&receiveBuffer)
    }

    // MARK: Closing

    /// Closes the channel for `reason` (the first reason given wins).
    @inlinable
    func close(_ reason: CloseReason) {
        guard state.close(reason) else {
            return
        }
        switch reason {
        case .finished, .reactorDisconnected, .closedLocally, .peerClosed:
            logger.debug("closing connection", metadata: ["reason": "\(reason)"])
        case .error(let error) where error.isPeerReset:
            // The peer went away abruptly: ordinary for a network service.
            logger.debug("closing connection", metadata: ["reason": "the peer reset the connection"])
        case .messageTooLarge, .invalidMessage, .error:
            logger.info("closing connection", metadata: ["reason": "\(reason)"])
        case .encodingFailed:
            // Our own message could not be encoded: a bug on this side.
            logger.error("closing connection", metadata: ["reason": "\(reason)"])
        }
        context?.close(promise: nil)
    }

    /// Closes the queue so that senders see it closed, hands the reactor what was
    /// left in it, and tells the reactor, once.
    private func finishClose() {
        guard let reason = state.channelClosed() else {
            return
        }
        metrics.open.decrement()
        metrics.closed(reason)
        waker.attach(nil)
        if let receiver {
            receiver.close()
            while let message = receiver.tryNext() {
                reactor.onUndelivered(message)
            }
            self.receiver = nil
        }
        reactor.onClose(reason)
    }
}

/// Turning off `autoRead` failed: the connection could not apply read backpressure.
public struct AutoReadError: Error, CustomStringConvertible {
    /// The error `setOption` threw.
    public let underlying: any Error

    /// Says what failed and why it matters.
    public var description: String {
        "could not turn off autoRead (needed for read backpressure): \(underlying)"
    }
}

extension Error {
    /// A reset or broken pipe: the peer closed abruptly.
    @usableFromInline
    var isPeerReset: Bool {
        guard let error = self as? IOError else {
            return false
        }
        return error.errnoCode == ECONNRESET || error.errnoCode == EPIPE
    }
}

/// Fire this user inbound event into a connection's pipeline to close it with
/// ``CloseReason/closedLocally``.
public struct CloseConnectionEvent: Sendable {
    /// Makes the event.
    public init() {}
}

/// Fire this user inbound event into a connection's pipeline to drain it: its
/// reactor's ``MessageReactor/onDrain()`` finishes the work in flight and ends the
/// connection (with ``CloseReason/closedLocally``, or the reactor's own disconnect).
public struct DrainConnectionEvent: Sendable {
    /// Makes the event.
    public init() {}
}

extension ConnectionHandler {
    /// Makes a connection handler and its outbound queue, and the reactor from them.
    ///
    /// Call on `eventLoop` (the reactor is made there and never leaves it), and add
    /// the handler to a channel of that loop.
    @inlinable
    public static func makeHandler(
        codec: Codec,
        configuration: ConnectionConfiguration,
        logger: Logger,
        eventLoop: any EventLoop,
        remoteAddress: SocketAddress?,
        localAddress: SocketAddress? = nil,
        peer: PeerIdentity = PeerIdentity(),
        makeReactor: (ConnectionContext<Reactor.Command>) throws -> Reactor
    ) rethrows -> ConnectionHandler {
        let (sender, receiver) = SpillwayChannel.make(of: Reactor.Command.self)
        let waker = ConnectionWaker(eventLoop: eventLoop)
        let reactor = try makeReactor(ConnectionContext(
            sender: sender,
            waker: waker,
            remoteAddress: remoteAddress,
            localAddress: localAddress,
            peer: peer
        ))
        return ConnectionHandler(
            codec: codec,
            reactor: reactor,
            receiver: receiver,
            waker: waker,
            configuration: configuration,
            logger: logger,
            hooks: Hooks(runTurn: { $0.specializedTurn() }, decodeAvailable: { $0.specializedDecodeAvailable() })
        )
    }
}
