import CoreMetrics
import DequeModule
import NIOCore
import Protosocket
import Spillway
import Tracing

/// The server side of an RPC connection, on its event loop.
///
/// Requests that start an RPC go to the responder. Immediate answers queue here
/// and go out in the same turn. Connection-driven streams are pulled here, only
/// while the connection can write. Deferred answers and async streams run in the
/// server's tasks and report through the connection's queue. Streams with
/// responses to send are served round-robin, a slice at a time.
///
/// An RPC that keeps running (a stream or a deferred answer) starts only within
/// the running limits; beyond them it waits for a place, in order, or is shed
/// (``RPCServerLimits/atLimit``). Requests keep being read while RPCs wait, so
/// that the client's `cancel`s still arrive; reading pauses once as many RPCs wait
/// as may run, and while immediate answers pile up (the client does not read).
@usableFromInline
struct RPCServerReactor<Responder: RPCResponder>: MessageReactor {
    @usableFromInline
    typealias Request = Responder.Request
    @usableFromInline
    typealias Response = Responder.Response
    @usableFromInline
    typealias InboundMessage = Request
    @usableFromInline
    typealias OutboundMessage = Response
    @usableFromInline
    typealias Command = RPCServerEvent<Response>

    /// An RPC that outlives the request that started it.
    @usableFromInline
    enum RunningRPC {
        case deferred(RPCTask)
        /// Connection-driven: pulled here.
        case stream(any ResponseSource<Response>)
        case asyncStream(StreamSlot<Response>, RPCTask)
    }

    /// The stream handing out responses now, and how many more before it yields
    /// to the next ready stream.
    @usableFromInline
    struct Serving {
        @usableFromInline
        enum Source {
            case pulled(any ResponseSource<Response>)
            case fed(StreamSlot<Response>)
        }

        @usableFromInline
        let id: UInt64
        @usableFromInline
        let source: Source
        @usableFromInline
        var remaining: Int

        @inlinable
        init(id: UInt64, source: Source, remaining: Int) {
            self.id = id
            self.source = source
            self.remaining = remaining
        }
    }

    /// An answer that keeps running and waits for a place within the limits.
    @usableFromInline
    struct Waiting {
        @usableFromInline
        let id: UInt64
        @usableFromInline
        let kind: RPCAnswer<Response>.Kind

        @inlinable
        init(id: UInt64, kind: RPCAnswer<Response>.Kind) {
            self.id = id
            self.kind = kind
        }
    }

    @usableFromInline
    var responder: Responder
    @usableFromInline
    let sender: Sender<RPCServerEvent<Response>>
    @usableFromInline
    let waker: ConnectionWaker
    @usableFromInline
    let server: RPCServerShared
    /// Answers ready to send, ids stamped.
    @usableFromInline
    var answers = MessageQueue<Response>()
    @usableFromInline
    var running: [UInt64: RunningRPC] = [:]
    /// Streams with responses to send, by id, in turn order (an id whose RPC ended
    /// meanwhile is skipped).
    @usableFromInline
    var ready: Deque<UInt64> = []
    @usableFromInline
    var serving: Serving?
    /// Answers waiting for a place, oldest first; at most
    /// `maxRunningRPCsPerConnection` (then reading pauses).
    @usableFromInline
    var waiting: Deque<Waiting> = []
    /// The last action told the connection to deliver no more requests; whoever
    /// ends the reason must wake the connection so that ``poll()`` resumes it.
    @usableFromInline
    var isPaused = false
    /// The server is shutting down: new RPCs are refused, and the connection ends
    /// once the running ones are answered.
    @usableFromInline
    var isDraining = false
    /// The span of each traced RPC not yet answered (empty without tracing).
    @usableFromInline
    var spans: [UInt64: any Span] = [:]
    /// The client's address, for spans.
    @usableFromInline
    let peer: String
    /// Whether RPCs are traced: tested per request instead of `server.tracing`,
    /// whose optional check went through the value witnesses of `RPCTracing`
    /// (an existential inside) on every call.
    @usableFromInline
    let isTraced: Bool

    @inlinable
    init(responder: Responder, context: ConnectionContext<RPCServerEvent<Response>>, server: RPCServerShared) {
        self.responder = responder
        self.sender = context.sender
        self.waker = context.waker
        self.server = server
        self.isTraced = server.tracing != nil
        self.peer = isTraced ? context.remoteAddress.map { "\($0)" } ?? "unknown" : ""
    }

    @inlinable
    var limits: RPCServerLimits { server.limits }

    // MARK: Requests

    @inlinable
    mutating func onInbound(_ request: consuming Request) -> ReactorAction {
        let id = request.messageID
        switch request.controlCode {
        case .normal:
            start(request, id: id)
        case .cancel:
            if let rpc = running.removeValue(forKey: id) {
                retire(rpc, id: id)
                answers.append(Response.cancelled(id: id))
            } else if let index = waiting.firstIndex(where: { $0.id == id }) {
                waiting.remove(at: index)
                finishSpan(id, "cancelled")
                answers.append(Response.cancelled(id: id))
            }
        case .end:
            // Clients do not stream requests; nothing to end.
            break
        }
        isPaused = shouldPause
        return isPaused ? .pause : .continue
    }

    @inlinable
    mutating func start(_ request: Request, id: UInt64) {
        // (Looked up without copying a running RPC out, and not at all while
        // nothing runs: the unary path.)
        guard running.isEmpty || running.index(forKey: id) == nil,
            waiting.isEmpty || !waiting.contains(where: { $0.id == id })
        else {
            // The client reused the id of a running RPC: ignore the duplicate.
            return
        }
        guard !isDraining else {
            answers.append(Response.cancelled(id: id))
            return
        }
        let declared = request.callKind
        let answer: RPCAnswer<Response>.Kind
        if isTraced, let tracing = server.tracing {
            let span = startSpan(tracing, id: id, declared: declared)
            answer = ServiceContext.withValue(span.context) { responder.answer(request).kind }
            spans[id] = span
        } else {
            answer = responder.answer(request).kind
        }
        if let declared, !answer.matches(declared) {
            // The responder answered with the other kind of call than the request
            // declares: the client could not take it.
            finishSpan(id, "refused")
            answers.append(Response.cancelled(id: id))
            return
        }
        // Consumed: a plain `switch` copied the response out of the answer and
        // destroyed the answer after it (two outlined calls per unary RPC).
        switch consume answer {
        case .response(var response):
            response.messageID = id
            finishSpan(id, "ok")
            answers.append(consume response)
        case .cancelled:
            finishSpan(id, "refused")
            answers.append(Response.cancelled(id: id))
        case let kind:
            admit(kind, id: id)
        }
    }

    // MARK: Spans

    @inlinable
    func startSpan(_ tracing: RPCTracing, id: UInt64, declared: RPCCallKind?) -> any Span {
        let span = tracing.tracer.startAnySpan(tracing.spanName, context: .topLevel, ofKind: .server)
        span.attributes[RPCSpanAttribute.system] = "protosocket"
        span.attributes[RPCSpanAttribute.peer] = peer
        span.attributes[RPCSpanAttribute.messageID] = "\(id)"
        if let declared {
            span.attributes[RPCSpanAttribute.callKind] = declared.description
        }
        return span
    }

    /// Ends the span of RPC `id`, if it is traced, with `outcome`.
    @inlinable
    mutating func finishSpan(_ id: UInt64, _ outcome: String) {
        guard isTraced, let span = spans.removeValue(forKey: id) else {
            return
        }
        span.attributes[RPCSpanAttribute.outcome] = outcome
        span.end()
    }

    /// Starts an RPC that keeps running if the limits allow it; otherwise it waits
    /// for a place or is shed.
    @inlinable
    mutating func admit(_ kind: RPCAnswer<Response>.Kind, id: UInt64) {
        if waiting.isEmpty && running.count < limits.maxRunningRPCsPerConnection && server.running.tryAcquire() {
            launch(kind, id: id)
            return
        }
        switch limits.atLimit {
        case .shed:
            shed(id)
        case .pauseReading:
            waiting.append(Waiting(id: id, kind: kind))
            admitWaiting()
        }
    }

    /// Starts waiting RPCs, oldest first, while there is a place for them.
    @inlinable
    mutating func admitWaiting() {
        while let next = waiting.first, running.count < limits.maxRunningRPCsPerConnection {
            if !server.running.tryAcquire() {
                // Be woken by the next release anywhere on the server, and try once
                // more in case it happened before registering.
                server.running.wakeOnRelease(waker)
                guard server.running.tryAcquire() else {
                    return
                }
            }
            waiting.removeFirst()
            launch(next.kind, id: next.id)
        }
    }

    @inlinable
    mutating func shed(_ id: UInt64) {
        server.shed.increment()
        finishSpan(id, "shed")
        answers.append(Response.cancelled(id: id))
    }

    /// Starts an admitted RPC (counted in `server.running`).
    @inlinable
    mutating func launch(_ kind: RPCAnswer<Response>.Kind, id: UInt64) {
        switch kind {
        case .stream(let source):
            running[id] = .stream(source)
            ready.append(id)
        case .deferred(let operation):
            let sender = self.sender
            let context = spans[id]?.context
            let task = RPCTask(id: id) { task in
                let event: RPCServerEvent<Response>
                do {
                    let response: Response
                    if let context {
                        response = try await ServiceContext.withValue(context) { try await operation() }
                    } else {
                        response = try await operation()
                    }
                    event = RPCServerEvent(.completed(task, response))
                } catch {
                    event = RPCServerEvent(.failed(task))
                }
                // Fails only when the connection has closed: nobody to tell.
                try? sender.send(event)
            }
            running[id] = .deferred(task)
            submit(task, id: id)
        case .asyncStream(let body):
            let slot = StreamSlot(id: id, capacity: limits.streamBufferCapacity, sender: sender)
            let context = spans[id]?.context
            let task = RPCTask(id: id) { _ in
                do {
                    if let context {
                        try await ServiceContext.withValue(context) { try await body(slot) }
                    } else {
                        try await body(slot)
                    }
                    slot.finish(succeeded: true)
                } catch {
                    slot.finish(succeeded: false)
                }
            }
            running[id] = .asyncStream(slot, task)
            submit(task, id: id)
        case .response, .cancelled:
            // Answered by `start`; never admitted.
            server.running.release()
        }
    }

    @inlinable
    mutating func submit(_ task: RPCTask, id: UInt64) {
        if !server.tasks.submit(task) {
            // The server no longer runs tasks (its `run()` returned).
            running[id] = nil
            server.running.release()
            finishSpan(id, "refused")
            answers.append(Response.cancelled(id: id))
        }
    }

    /// Ends an RPC taken out of `running`: stops its work and frees its place.
    @inlinable
    mutating func retire(_ rpc: RunningRPC, id: UInt64) {
        switch rpc {
        case .deferred(let task):
            task.cancel()
        case .stream:
            break
        case .asyncStream(let slot, let task):
            slot.cancel()
            task.cancel()
        }
        if serving?.id == id {
            serving = nil
        }
        finishSpan(id, "cancelled")
        released()
    }

    /// An RPC left `running`: free its place and let a waiting one start.
    @inlinable
    mutating func released() {
        server.running.release()
        if !waiting.isEmpty || isPaused {
            // Be polled: a waiting RPC may start now, and reading may resume.
            waker.wake()
        }
    }

    @inlinable
    var shouldPause: Bool {
        waiting.count >= limits.maxRunningRPCsPerConnection || answers.count >= limits.maxQueuedAnswers
    }

    // MARK: Turns

    /// Every RPC is answered and every answer taken.
    @inlinable
    var isDone: Bool {
        running.isEmpty && answers.isEmpty && waiting.isEmpty
    }

    @inlinable
    mutating func onDrain() -> ReactorAction {
        isDraining = true
        // Not started yet: refused like new RPCs.
        while let refused = waiting.popFirst() {
            finishSpan(refused.id, "refused")
            answers.append(Response.cancelled(id: refused.id))
        }
        return isDone ? .disconnect : .continue
    }

    @inlinable
    mutating func poll() -> ReactorAction {
        if isDraining && isDone {
            return .disconnect
        }
        if !waiting.isEmpty {
            admitWaiting()
        }
        isPaused = shouldPause
        return isPaused ? .pause : .continue
    }

    @inlinable
    mutating func onCommand(_ event: RPCServerEvent<Response>) -> Response? {
        switch event.kind {
        case .completed(let task, var response):
            guard takeDeferred(task) else {
                // Cancelled meanwhile: the client was already answered.
                return nil
            }
            response.messageID = task.id
            finishSpan(task.id, "ok")
            return response
        case .failed(let task):
            guard takeDeferred(task) else {
                return nil
            }
            finishSpan(task.id, "failed")
            return Response.cancelled(id: task.id)
        case .streamReady(let slot):
            if case .asyncStream(let running, _) = running[slot.id], running === slot {
                ready.append(slot.id)
            }
            return nil
        }
    }

    /// Takes `task`'s RPC out of `running` if it is still that task's.
    @inlinable
    mutating func takeDeferred(_ task: RPCTask) -> Bool {
        guard case .deferred(let current) = running[task.id], current === task else {
            return false
        }
        running[task.id] = nil
        released()
        return true
    }

    @inlinable
    mutating func pollOutbound(budget: Int) -> OutboundPoll<Response> {
        if !answers.isEmpty, let answer = answers.popFirst() {
            if isPaused && answers.count < limits.maxQueuedAnswers {
                // Be polled again, to resume delivery.
                waker.wake()
            }
            return .produced(answer)
        }
        while true {
            // Taken out (not copied), so that the stream is not retained again per
            // response; every path below puts it back or ends it.
            guard var current = serving.take() ?? nextServing() else {
                break
            }
            switch current.source {
            case .pulled(let source):
                guard var response = source.next() else {
                    serving = nil
                    end(current.id, "ok")
                    return .produced(Response.ended(id: current.id))
                }
                response.messageID = current.id
                current.remaining -= 1
                if current.remaining > 0 {
                    serving = current
                } else {
                    serving = nil
                    ready.append(current.id)
                }
                return .produced(response)
            case .fed(let slot):
                switch slot.take() {
                case .response(var response):
                    response.messageID = current.id
                    if slot.hasBatch {
                        serving = current
                    } else {
                        // Its batch is out: the next take may find more, after the others.
                        serving = nil
                        ready.append(current.id)
                    }
                    return .produced(response)
                case .empty:
                    // It announces itself again when it has more.
                    serving = nil
                case .finished(let succeeded):
                    serving = nil
                    end(current.id, succeeded ? "ok" : "failed")
                    return .produced(succeeded ? Response.ended(id: current.id) : Response.cancelled(id: current.id))
                }
            }
        }
        if isDraining && isDone {
            // The last answer is out: be polled again, to disconnect.
            waker.wake()
        }
        return .idle
    }

    /// The next ready stream that is still running.
    @inlinable
    mutating func nextServing() -> Serving? {
        while let id = ready.popFirst() {
            switch running[id] {
            case .stream(let source):
                return Serving(id: id, source: .pulled(source), remaining: limits.streamBufferCapacity)
            case .asyncStream(let slot, _):
                return Serving(id: id, source: .fed(slot), remaining: limits.streamBufferCapacity)
            case .deferred, nil:
                continue
            }
        }
        return nil
    }

    /// A stream sent its last response: it is over.
    @inlinable
    mutating func end(_ id: UInt64, _ outcome: String) {
        running[id] = nil
        finishSpan(id, outcome)
        released()
    }

    @inlinable
    mutating func onClose(_ reason: CloseReason) {
        // Nothing to resume or start: the connection is gone.
        isPaused = false
        while let dropped = waiting.popFirst() {
            finishSpan(dropped.id, "cancelled")
        }
        let ended = running
        running = [:]
        for (id, rpc) in ended {
            retire(rpc, id: id)
        }
        serving = nil
        ready.removeAll()
        responder.connectionClosed(reason)
    }
}
