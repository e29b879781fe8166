import CoreMetrics
import Logging
import NIOCore
import Protosocket

/// The client side of an RPC connection, on its event loop: registers calls as
/// their requests go out, completes unary calls, feeds streams and finishes them
/// on `end`, and fails everything pending when the connection closes.
@usableFromInline
struct ClientReactor<Request: RPCMessage, Response: RPCMessage>: MessageReactor {
    @usableFromInline
    typealias InboundMessage = Response
    @usableFromInline
    typealias OutboundMessage = Request
    @usableFromInline
    typealias Command = ClientCommand<Request, Response>

    /// What to do when a stream's consumer falls behind.
    @usableFromInline
    let slowConsumer: SlowConsumerPolicy
    @usableFromInline
    let logger: Logger
    @usableFromInline
    let waker: ConnectionWaker
    @usableFromInline
    let stalls: Counter
    @usableFromInline
    let slowStreamsFailed: Counter
    /// `pending.count`, published for readers on other threads: stored wherever
    /// `pending` changes, before the call's caller is resumed.
    @usableFromInline
    let pendingCount: PendingCallCount

    @inlinable
    init(slowConsumer: SlowConsumerPolicy, logger: Logger, waker: ConnectionWaker, metrics: any MetricsFactory, pendingCount: PendingCallCount) {
        self.pendingCount = pendingCount
        self.slowConsumer = slowConsumer
        self.logger = logger
        self.waker = waker
        self.stalls = Counter(label: "protosocket.rpc.client.stalls", factory: metrics)
        self.slowStreamsFailed = Counter(label: "protosocket.rpc.client.slow_streams_failed", factory: metrics)
    }

    @usableFromInline
    enum Pending {
        case unary(UnsafeContinuation<Response, any Error>)
        case stream(ResponseBuffer<Response>)

        @inlinable
        func fail(_ error: any Error) {
            switch self {
            case .unary(let continuation): continuation.resume(throwing: error)
            case .stream(let buffer): buffer.finish(throwing: error)
            }
        }
    }

    @usableFromInline
    var pending: [UInt64: Pending] = [:]
    /// The stream whose full buffer paused inbound delivery.
    @usableFromInline
    var pausedBy: ResponseBuffer<Response>?
    /// When the pause began, whether its warning was given, and the timer that
    /// polls the reactor to give it.
    @usableFromInline
    var pausedSince = NIODeadline.uptimeNanoseconds(0)
    @usableFromInline
    var stallWarned = false
    @usableFromInline
    var stallCheck: Scheduled<Void>?
    /// Stream consumers that have responses to take, woken at the end of the
    /// inbound batch: a consumer wakes once per batch, not once per response.
    @usableFromInline
    var consumersToWake: [UnsafeContinuation<Void, Never>] = []
    /// The stream the last response went to: a server sends a stream's responses
    /// in runs, so most responses skip the lookup in `pending`. Cleared when that
    /// call leaves `pending`.
    @usableFromInline
    var lastStream: (id: UInt64, buffer: ResponseBuffer<Response>)?
    /// The deadline of each pending call that has one.
    @usableFromInline
    var deadlines: [UInt64: NIODeadline] = [:]
    /// The one timer for the earliest deadline (it wakes the connection, whose
    /// ``poll()`` expires what is due), and when it fires.
    @usableFromInline
    var deadlineTimer: (at: NIODeadline, timer: Scheduled<Void>)?
    /// Calls that expired and whose caller has not yet asked to cancel them: the
    /// caller, woken with ``RPCError/deadlineExceeded``, sends `cancel` through its
    /// sender (the reactor has none), and this is how the reactor knows to pass it
    /// on to the server. At most the calls pending when they expired.
    @usableFromInline
    var expired: Set<UInt64> = []

    @inlinable
    mutating func onInbound(_ response: consuming Response) -> ReactorAction {
        let id = response.messageID
        switch response.controlCode {
        case .normal:
            if let lastStream, lastStream.id == id {
                return push(response, into: lastStream.buffer)
            }
            // One hash lookup per response: find, then remove by index if unary.
            guard let index = pending.index(forKey: id) else {
                // A response to a call that is over (cancelled, or a duplicate): drop it.
                break
            }
            switch pending.values[index] {
            case .unary(let continuation):
                pending.remove(at: index)
                pendingCount.store(pending.count)
                if !deadlines.isEmpty {
                    deadlines.removeValue(forKey: id)
                }
                continuation.resume(returning: response)
            case .stream(let buffer):
                lastStream = (id, buffer)
                return push(response, into: buffer)
            }
        case .end:
            switch remove(id) {
            case .stream(let buffer):
                buffer.finish(throwing: nil)
            case .unary(let continuation):
                // A unary call has no stream to end: it got no response.
                continuation.resume(throwing: RPCError.cancelledRemotely)
            case nil:
                break
            }
        case .cancel:
            remove(id)?.fail(RPCError.cancelledRemotely)
        }
        return .continue
    }

    @inlinable
    mutating func push(_ response: consuming Response, into buffer: ResponseBuffer<Response>) -> ReactorAction {
        let (consumer, isFull) = buffer.push(response)
        if let consumer {
            consumersToWake.append(consumer)
        }
        guard isFull else {
            return .continue
        }
        switch slowConsumer {
        case .failStream:
            slowStreamsFailed.increment()
            logger.debug("failing a stream whose consumer fell behind", metadata: ["call": "\(buffer.id)"])
            buffer.finish(throwing: RPCError.consumerTooSlow)
            buffer.sendCancel(buffer.id)
            return .continue
        case .pauseConnection(let warnAfter):
            pausedBy = buffer
            pausedSince = .now()
            stallWarned = false
            let waker = self.waker
            // One timer per pause: a timer of an earlier pause must not fire into this one.
            stallCheck?.cancel()
            stallCheck = waker.eventLoop.scheduleTask(in: TimeAmount(warnAfter)) {
                waker.wake()
            }
            return .pause
        }
    }

    /// Takes the call `id` out of `pending`.
    @inlinable
    mutating func remove(_ id: UInt64) -> Pending? {
        if lastStream?.id == id {
            lastStream = nil
        }
        if !deadlines.isEmpty {
            deadlines.removeValue(forKey: id)
        }
        let call = pending.removeValue(forKey: id)
        pendingCount.store(pending.count)
        return call
    }

    // MARK: Deadlines

    /// Registers call `id`'s deadline, moving the timer earlier if it is the first.
    @inlinable
    mutating func track(_ id: UInt64, deadline: NIODeadline) {
        deadlines[id] = deadline
        if let current = deadlineTimer, current.at <= deadline {
            return
        }
        armTimer(at: deadline)
    }

    @inlinable
    mutating func armTimer(at deadline: NIODeadline) {
        deadlineTimer?.timer.cancel()
        let waker = self.waker
        deadlineTimer = (deadline, waker.eventLoop.scheduleTask(deadline: deadline) { waker.wake() })
    }

    /// Fails every call whose deadline has passed (its caller then asks for its
    /// `cancel`), and arms the timer for the next deadline.
    @inlinable
    mutating func expireDue() {
        guard let current = deadlineTimer else {
            return
        }
        let now = NIODeadline.now()
        guard now >= current.at else {
            return
        }
        deadlineTimer = nil
        var next: NIODeadline?
        var due: [UInt64] = []
        for (id, deadline) in deadlines {
            if deadline <= now {
                due.append(id)
            } else if next.map({ deadline < $0 }) ?? true {
                next = deadline
            }
        }
        for id in due {
            if let call = remove(id) {
                expired.insert(id)
                call.fail(RPCError.deadlineExceeded)
            }
        }
        if let next {
            armTimer(at: next)
        }
    }

    @inlinable
    mutating func onInboundBatchEnd() {
        wakeConsumers()
    }

    @inlinable
    mutating func wakeConsumers() {
        for consumer in consumersToWake {
            consumer.resume()
        }
        consumersToWake.removeAll(keepingCapacity: true)
    }

    @inlinable
    mutating func poll() -> ReactorAction {
        if deadlineTimer != nil {
            expireDue()
        }
        guard let buffer = pausedBy else {
            return .continue
        }
        if buffer.hasRoom {
            pausedBy = nil
            stallCheck?.cancel()
            stallCheck = nil
            return .continue
        }
        if case .pauseConnection(let warnAfter) = slowConsumer, !stallWarned,
            NIODeadline.now() - pausedSince >= TimeAmount(warnAfter)
        {
            stallWarned = true
            stalls.increment()
            logger.warning(
                "a stream's consumer has taken nothing for a while; the connection stays paused, and every call on it waits",
                metadata: ["call": "\(buffer.id)", "paused_ms": "\((NIODeadline.now() - pausedSince).nanoseconds / 1_000_000)"]
            )
        }
        return .pause
    }

    @inlinable
    mutating func onCommand(_ command: ClientCommand<Request, Response>) -> Request? {
        switch command {
        case .unary(let request, let continuation, let deadline):
            pending[request.messageID] = .unary(continuation)
            pendingCount.store(pending.count)
            if let deadline {
                track(request.messageID, deadline: deadline)
            }
            return request
        case .stream(let request, let buffer, let deadline):
            pending[request.messageID] = .stream(buffer)
            pendingCount.store(pending.count)
            if let deadline {
                track(request.messageID, deadline: deadline)
            }
            return request
        case .cancel(let id):
            guard let call = remove(id) else {
                // Expired here: now the server is told. Otherwise unknown: already
                // answered, so the server has forgotten it too.
                return expired.remove(id) == nil ? nil : Request.cancelled(id: id)
            }
            call.fail(CancellationError())
            return Request.cancelled(id: id)
        }
    }

    @inlinable
    mutating func pollOutbound(budget: Int) -> OutboundPoll<Request> {
        // Requests come only through the queue; the connection finishes once every
        // client handle (every sender) is gone.
        .finished
    }

    @inlinable
    mutating func onUndelivered(_ command: ClientCommand<Request, Response>) {
        switch command {
        case .unary(_, let continuation, _):
            continuation.resume(throwing: RPCError.notSent)
        case .stream(_, let buffer, _):
            buffer.finish(throwing: RPCError.notSent)
        case .cancel:
            break
        }
    }

    @inlinable
    mutating func onClose(_ reason: CloseReason) {
        stallCheck?.cancel()
        stallCheck = nil
        deadlineTimer?.timer.cancel()
        deadlineTimer = nil
        deadlines = [:]
        expired = []
        pausedBy = nil
        wakeConsumers()
        lastStream = nil
        let calls = pending
        pending = [:]
        pendingCount.close()
        for call in calls.values {
            call.fail(RPCError.connectionClosed)
        }
    }
}
